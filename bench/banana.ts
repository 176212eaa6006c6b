/**
 * Side-by-side benchmark of seed 003's banana problem: ours (bench/banana-ours.ts) against the
 * seed's code in PyTorch / numpy (bench/reference/seed_banana.py) on the same machine, the same
 * 100 data points, the same steps, each run a fresh process, runs interleaved A B C … A B C … after
 * one warm-up round (as bench/run.ts does for the VAE).
 *
 *   npm run bench:banana                               3 interleaved repeats of everything
 *   npm run bench:banana -- --repeats 5
 *   npm run bench:banana -- --quick                    1 repeat, fewer steps, no record-only variants
 *   npm run bench:banana -- --tables bench/results/banana.json    re-print the tables of a saved run
 *
 * Flows (5 layers, batch 256, Adam 1e-2): steps/s of ours (the product's stream path, and the same
 * step in a bare loop) against PyTorch with 1 and 2 threads and the likelihood vectorised; the
 * seed's Python loop over the data points runs once for the record. Samplers: our HMC with the
 * seed's settings (1 chain, ε = 0.05, L = 30, start [1, 0.5], 20 000 iterations) against the seed's
 * numpy HMC — whose saved draws get their ESS from our own `essBulk`, the estimator ours uses — and
 * our NUTS with window adaptation (ESS per second of total time, warm-up included).
 *
 * Prints Markdown tables and writes the raw runs to bench/results/banana.json.
 * Needs /usr/bin/python3 with torch (Debian: python3-torch).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streams, DEFAULT_CONFIG } from '../pipelines/banana.ts';
import { encodeNpy, parseNpy } from '../src/data/npy.ts';
import { essBulk } from '../src/samplers/diagnostics/index.ts';
import { generateBananaData } from '../src/targets/banana.ts';
import { median, parseArgs } from './args.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsDir = join(here, 'results');
const PYTHON = '/usr/bin/python3';

type Group = 'planar' | 'realnvp' | 'spline' | 'nice' | 'samplers';

interface Variant {
  name: string;
  group: Group;
  impl: 'ours' | 'torch' | 'numpy';
  args: string[];
  /** Run once (in the first repeat) for the record, not repeated; never the "fastest PyTorch". */
  once?: boolean;
  /** The seed's numpy HMC: its ESS comes from its saved draws. */
  draws?: boolean;
}

const ours = (group: Group, name: string, args: string[]): Variant => ({ name, group, impl: 'ours', args });
const torch = (group: 'planar' | 'realnvp', threads: number, likelihood: 'vectorised' | 'loop'): Variant => ({
  name: `torch set_num_threads(${threads}), likelihood ${likelihood === 'loop' ? "the seed's loop" : 'vectorised'}`,
  group, impl: 'torch', args: ['--mode', group, '--threads', String(threads), '--likelihood', likelihood], once: likelihood === 'loop',
});

const VARIANTS: Variant[] = [
  ours('planar', 'ours (product: trainingSteps ▸ minimize(reverseKl))', ['--mode', 'planar']),
  ours('planar', 'ours, the same step in a bare loop', ['--mode', 'planar', '--path', 'loop']),
  torch('planar', 1, 'vectorised'),
  torch('planar', 2, 'vectorised'),
  torch('planar', 1, 'loop'),
  ours('realnvp', 'ours (product: conditioners [8, 8] relu, the default)', ['--mode', 'realnvp']),
  ours('realnvp', 'ours, the same step in a bare loop', ['--mode', 'realnvp', '--path', 'loop']),
  ours('realnvp', "ours, seed-sized conditioners ([5] relu), product path", ['--mode', 'realnvp', '--hidden', '5', '--activation', 'relu']),
  torch('realnvp', 1, 'vectorised'),
  torch('realnvp', 2, 'vectorised'),
  torch('realnvp', 1, 'loop'),
  ours('spline', 'ours (product), no PyTorch counterpart in the seed', ['--mode', 'spline']),
  ours('nice', 'ours (product), no PyTorch counterpart in the seed', ['--mode', 'nice']),
  ours('samplers', 'ours HMC (runChains; seed settings)', ['--mode', 'hmc']),
  { name: "seed's numpy HMC (rejection bug fixed)", group: 'samplers', impl: 'numpy', args: ['--mode', 'hmc'], draws: true },
  ours('samplers', 'ours NUTS, window adaptation, 1 chain (product runMcmc)', ['--mode', 'nuts', '--chains', '1']),
  ours('samplers', 'ours NUTS, window adaptation, 4 chains (product runMcmc)', ['--mode', 'nuts', '--chains', '4']),
];

/** What one run reports (the union of both sides' JSON). */
interface RunResult {
  steps_per_s?: number;
  step_ms_median?: number;
  forward_ms_median?: number;
  backward_ms_median?: number;
  adam_ms_median?: number;
  readback_ms_median?: number;
  iterations?: number;
  iterations_per_s?: number;
  wall_s: number;
  /** CPU seconds of the measured part (user + system, all the process's threads). */
  cpu_s?: number;
  acceptance?: number;
  gradient_evals?: number;
  ess_theta1?: number;
  ess_theta2?: number;
  ess_min?: number;
  ess_per_s?: number;
  max_rss_mb: number;
  [k: string]: unknown;
}

interface Row {
  group: Group;
  variant: string;
  impl: Variant['impl'];
  once: boolean;
  runs: RunResult[];
}

/** Column c of [n, 2] row-major draws. */
const column = (d: Float64Array, c: number) => Float64Array.from({ length: d.length / 2 }, (_, i) => d[2 * i + c]);

/** One fresh process of `variant`; its JSON line (for the numpy HMC, with the ESS of its draws added). */
function runOnce(variant: Variant, dataPath: string, scale: number, tmp: string): RunResult {
  const steps = Math.max(10, Math.round(1000 * scale));
  const warmup = Math.max(5, Math.round(50 * scale));
  const iterations = Math.max(100, Math.round(20000 * scale));
  const isFlow = variant.group !== 'samplers';
  const common = ['--data', dataPath, ...(isFlow ? ['--steps', String(steps), '--warmup', String(warmup)] : [])];
  const hmcArgs = variant.args.includes('hmc') ? ['--iterations', String(iterations)] : [];
  const drawsPath = join(tmp, 'numpy-hmc-draws.npy');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']) delete env[k];
  const cmd = variant.impl === 'ours'
    ? [process.execPath, '--import', 'tsx', join(here, 'banana-ours.ts'), ...variant.args, ...common, ...hmcArgs]
    : [PYTHON, join(here, 'reference', 'seed_banana.py'), ...variant.args, ...common, ...hmcArgs, ...(variant.draws ? ['--draws', drawsPath] : [])];
  const res = spawnSync(cmd[0], cmd.slice(1), { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const line = (res.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (res.status !== 0 || line == null) {
    const stderr = (res.stderr ?? '').trim().split('\n');
    const cause = stderr.find((l) => /\b\w*Error\b|error:/.test(l)) ?? stderr.filter((l) => l.trim() !== '').at(-1) ?? '';
    throw new Error(`${variant.name} failed (exit ${res.status}): ${cause.trim()}`);
  }
  const out = JSON.parse(line) as RunResult;
  if (variant.draws) {
    const draws = parseNpy(readFileSync(drawsPath), drawsPath).data;
    // The same estimator as ours: essBulk of the one chain (split in two halves, rank-normalised).
    out.ess_theta1 = essBulk([column(draws, 0)]);
    out.ess_theta2 = essBulk([column(draws, 1)]);
    out.ess_min = Math.min(out.ess_theta1, out.ess_theta2);
    out.ess_per_s = out.ess_min / out.wall_s;
    out.gradient_evals = (out.iterations ?? 0) * DEFAULT_CONFIG.leapfrogSteps;
  }
  return out;
}

/** Runs that failed twice, for the report. */
const failures: string[] = [];

/** Interleaved repeats of every variant (after one shorter, discarded round). */
function measure(variants: Variant[], repeats: number, scale: number, dataPath: string, tmp: string, log: (s: string) => void): Row[] {
  const rows: Row[] = variants.map((v) => ({ group: v.group, variant: v.name, impl: v.impl, once: v.once ?? false, runs: [] }));
  // A failed run is retried once, then left out (and named in `failures`): one bad run does not lose the others.
  const attempt = (v: Variant, s: number): RunResult | null => {
    for (let k = 0; k < 2; k++) {
      try {
        return runOnce(v, dataPath, s, tmp);
      } catch (err) {
        log(`${(err as Error).message}${k === 0 ? ' — retrying once' : ' — left out'}`);
        if (k === 1) failures.push((err as Error).message);
      }
    }
    return null;
  };
  log('warm-up round');
  for (const v of variants) if (!v.once) attempt(v, scale / 5);
  for (let r = 0; r < repeats; r++) {
    variants.forEach((v, i) => {
      if (v.once && r > 0) return;
      const res = attempt(v, scale);
      if (res == null) return;
      rows[i].runs.push(res);
      const what = res.steps_per_s != null ? `${res.steps_per_s.toFixed(1)} steps/s` : `${(res.iterations_per_s ?? NaN).toFixed(0)} it/s, ESS/s ${(res.ess_per_s ?? NaN).toFixed(0)}`;
      log(`repeat ${r + 1}/${repeats}: [${v.group}] ${v.name}: ${what} (load ${loadavg()[0].toFixed(2)})`);
    });
  }
  return rows;
}

const fmt = (v: number | undefined, digits = 2) => (v != null && Number.isFinite(v) ? v.toFixed(digits) : '–');
const int = (v: number | undefined) => (v != null && Number.isFinite(v) ? Math.round(v).toLocaleString('en-US').replace(/,/g, ' ') : '–');
const med = (row: Row, k: keyof RunResult) => median(row.runs.map((r) => r[k] as number).filter((v) => v != null));
const range = (row: Row, k: keyof RunResult, f: (v: number) => string) => {
  const v = row.runs.map((r) => r[k] as number);
  return v.length > 1 ? `${f(median(v))} (${f(Math.min(...v))}–${f(Math.max(...v))})` : f(v[0]);
};

/** Per run: steps (or iterations) per CPU-second. */
const perCpu = (row: Row, count: 'steps' | 'iterations') => median(row.runs.filter((r) => r.cpu_s != null).map((r) => (r[count] as number) / r.cpu_s!));

function flowTable(rows: Row[]): string {
  const torchRows = rows.filter((r) => r.impl === 'torch' && !r.once);
  const best = (f: (r: Row) => number, pick: (...v: number[]) => number) => (torchRows.length === 0 ? NaN : pick(...torchRows.map(f)));
  const bestSps = best((r) => med(r, 'steps_per_s'), Math.max);
  const bestStep = best((r) => med(r, 'step_ms_median'), Math.min);
  const bestCpu = best((r) => perCpu(r, 'steps'), Math.max);
  const head = '| variant | steps/s median (min–max) | ms/step, median step | steps per CPU-s | ratio vs fastest PyTorch: steps/s | median step | per CPU-s |\n|---|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const bold = (v: number) => (Number.isFinite(v) ? (r.impl === 'ours' ? `**${fmt(v)}×**` : `${fmt(v)}×`) : '–');
    return `| ${r.variant}${r.once ? ' (once)' : ''} | ${range(r, 'steps_per_s', (v) => fmt(v, 1))} | ${fmt(med(r, 'step_ms_median'))} | ${fmt(perCpu(r, 'steps'), 1)} | ${bold(med(r, 'steps_per_s') / bestSps)} | ${bold(bestStep / med(r, 'step_ms_median'))} | ${bold(perCpu(r, 'steps') / bestCpu)} |`;
  });
  const loop = rows.find((r) => r.impl === 'ours' && r.runs[0]?.forward_ms_median != null);
  const split = loop == null ? '' : `\n\nBare loop, median ms per step: forward ${fmt(med(loop, 'forward_ms_median'))}, backward ${fmt(med(loop, 'backward_ms_median'))}, Adam ${fmt(med(loop, 'adam_ms_median'))}, loss read-back ${fmt(med(loop, 'readback_ms_median'), 3)}.`;
  return [head, ...lines].join('\n') + split;
}

function samplerTable(rows: Row[]): string {
  const seed = rows.find((r) => r.impl === 'numpy');
  const seedOf = (f: (r: Row) => number) => (seed == null ? NaN : f(seed));
  const essPerCpu = (r: Row) => median(r.runs.filter((x) => x.cpu_s != null).map((x) => x.ess_min! / x.cpu_s!));
  const seedEss = seedOf((r) => med(r, 'ess_per_s'));
  const seedIt = seedOf((r) => med(r, 'iterations_per_s'));
  const seedCpu = seedOf(essPerCpu);
  const head = '| variant | iterations/s median (min–max) | ESS θ₁ | ESS θ₂ | ESS/s (min over θ) median (min–max) | ESS per CPU-s | gradient evals | acceptance | ratio vs seed: ESS/s | ESS per CPU-s | iterations/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const bold = (v: number) => (Number.isFinite(v) ? (r.impl === 'ours' ? `**${fmt(v, 1)}×**` : `${fmt(v, 1)}×`) : '–');
    return `| ${r.variant} | ${range(r, 'iterations_per_s', int)} | ${int(med(r, 'ess_theta1'))} | ${int(med(r, 'ess_theta2'))} | ${range(r, 'ess_per_s', int)} | ${int(essPerCpu(r))} | ${int(med(r, 'gradient_evals'))} | ${fmt(med(r, 'acceptance'), 3)} | ${bold(med(r, 'ess_per_s') / seedEss)} | ${bold(essPerCpu(r) / seedCpu)} | ${fmt(med(r, 'iterations_per_s') / seedIt, 1)}× |`;
  });
  return [head, ...lines].join('\n');
}

const TITLES: Record<Group, string> = {
  planar: 'Planar flow, 5 layers',
  realnvp: 'RealNVP, 5 affine couplings',
  spline: 'Rational-quadratic spline flow, 5 couplings (ours only)',
  nice: 'NICE, 5 additive couplings + scaling (ours only)',
  samplers: 'Samplers',
};

function tables(rows: Row[], repeats: number): string {
  const out: string[] = [];
  for (const group of Object.keys(TITLES) as Group[]) {
    const g = rows.filter((r) => r.group === group);
    if (g.length === 0) continue;
    const first = g[0].runs[0];
    const what = group === 'samplers'
      ? `HMC: 1 chain, ε = 0.05, L = 30, unit mass, no adaptation, start [1, 0.5], ${int(first?.iterations)} iterations; NUTS: ${DEFAULT_CONFIG.warmup} warm-up + ${DEFAULT_CONFIG.draws} draws per chain, ESS/s over the total time (warm-up included)`
      : `batch 256, Adam lr 1e-2, ${first?.steps} steps after ${first?.warmup} warm-up steps`;
    out.push(`\n## ${TITLES[group]}: ${what}; ${repeats} interleaved repeats\n\n${group === 'samplers' ? samplerTable(g) : flowTable(g)}\n`);
  }
  return out.join('');
}

function machine(): Record<string, unknown> {
  const versions = spawnSync(PYTHON, ['-c', 'import torch, numpy, platform; print(torch.__version__, "numpy", numpy.__version__, "python", platform.python_version())'], { encoding: 'utf8' }).stdout.trim();
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    torchNumpyPython: versions,
    loadavg: loadavg().map((v) => Number(v.toFixed(2))),
    code: codeHash(),
  };
}

/** SHA-1 over the sources measured (src/flows, src/samplers, src/targets, src/optim, src/operators, src/inference): ties a run to a code state. */
function codeHash(): string {
  const hash = createHash('sha1');
  for (const dir of ['flows', 'samplers', 'targets', 'optim', 'operators', 'inference']) {
    const files = readdirSync(join(root, 'src', dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
    for (const f of files) hash.update(f).update(readFileSync(join(root, 'src', dir, f)));
  }
  return hash.digest('hex').slice(0, 12);
}

const header = (info: Record<string, unknown>) => `# Banana benchmark ${info.date}\n\n${Object.entries(info).map(([k, v]) => `- ${k}: ${Array.isArray(v) ? v.join(' ') : v}`).join('\n')}\n`;

// ---------------------------------------------------------------------------------------------

const opts = parseArgs(process.argv.slice(2), { repeats: '3', 'steps-scale': '1', quick: 'false', tables: '' });
const log = (s: string) => process.stderr.write(`  ${s}\n`);

if (opts.tables !== '' && opts.tables !== 'true') {
  const saved = JSON.parse(readFileSync(opts.tables, 'utf8')) as { machine: Record<string, unknown>; repeats: number; rows: Row[] };
  process.stdout.write(`${header(saved.machine)}${tables(saved.rows, saved.repeats)}`);
  process.exit(0);
}

// The reference needs Debian's PyTorch; say so in one line rather than failing mid-run.
const torchCheck = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
if (torchCheck.status !== 0) {
  process.stderr.write('error: npm run bench:banana compares against PyTorch and numpy: install them with `apt-get install python3-torch python3-numpy` (it runs /usr/bin/python3)\n');
  process.exit(2);
}

const quick = opts.quick === 'true';
const repeats = quick ? 1 : Number(opts.repeats);
if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`--repeats must be an integer ≥ 1 (got ${opts.repeats})`);
const scale = Number(opts['steps-scale']) * (quick ? 0.3 : 1);
if (!(scale > 0)) throw new RangeError(`--steps-scale must be > 0 (got ${opts['steps-scale']})`);

// The same 100 points for both sides: the product's default data (seed 1), as float64 .npy.
const tmp = mkdtempSync(join(tmpdir(), 'bench-banana-'));
const dataPath = join(tmp, 'banana-y.npy');
writeFileSync(dataPath, encodeNpy(generateBananaData(DEFAULT_CONFIG.points, streams(1).data)));

const info = machine();
process.stdout.write(header(info));
try {
  const variants = quick ? VARIANTS.filter((v) => !v.once) : VARIANTS;
  const rows = measure(variants, repeats, scale, dataPath, tmp, log);
  process.stdout.write(tables(rows, repeats));
  if (failures.length > 0) process.stdout.write(`\n**${failures.length} run(s) failed twice and are left out:**\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
  const codeEnd = codeHash();
  // Other work may edit the sources while a long run goes on: say so rather than mix two code states silently.
  if (codeEnd !== info.code) process.stdout.write(`\n**warning: the measured sources changed during the run** (code ${info.code} at the start, ${codeEnd} at the end)\n`);
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, 'banana.json');
  writeFileSync(path, `${JSON.stringify({ machine: { ...info, codeEnd, loadavgEnd: loadavg().map((v) => Number(v.toFixed(2))) }, repeats, stepsScale: scale, failures, rows }, null, 1)}\n`);
  process.stdout.write(`\nload average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n(raw: ${path})\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
