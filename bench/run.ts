/**
 * Side-by-side benchmark: our pipeline (bench/ours.ts) against a PyTorch implementation of the seed's
 * model (bench/reference/seed_vae.py) on the same machine, same configurations, same steps, each run
 * a fresh process, runs interleaved A B C … A B C … after one warm-up round.
 *
 *   npm run bench                                  all configurations, every PyTorch thread variant
 *   npm run bench -- --configs showcase --repeats 5
 *   npm run bench -- --quick                       1 repeat, fewer steps, core variants only
 *   npm run bench -- --scaling                     step time vs N and vs batch (+ bench/scaling.png)
 *   npm run bench -- --memory                      RSS and tf.memory() over 2000 steps of the large config
 *   npm run bench -- --plot bench/results/scaling.json    re-render the plot only
 *   npm run bench -- --suite banana                seed 003's flows and samplers (bench/banana.ts)
 *   npm run bench -- --suite image-vae             the MLP and conv image VAEs against PyTorch (bench/image-vae.ts)
 *   npm run bench -- --suite rbm                   seed 004's RBM (CD-1) against PyTorch, and AIS (bench/rbm.ts)
 *   npm run bench -- --suite all                   all four
 *   npm run bench -- --tables bench/results/latest.json   re-print the tables of a saved run
 *
 * Prints Markdown tables (steps/s, ms/step median and min–max over repeats, the split between
 * sampling and the training step, ratio against the fastest PyTorch variant) and writes the raw
 * numbers to bench/results/*.json. Needs /usr/bin/python3 with torch (Debian: python3-torch).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, parseArgs } from './args.ts';
import { renderScalingPlot, type ScalingPoint } from './plot.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsDir = join(here, 'results');
const PYTHON = '/usr/bin/python3';

interface Config {
  name: string;
  args: Record<string, string>;
  steps: number;
  warmup: number;
  mode?: 'train' | 'sampler';
}

const BASE = { scheme: 'random', epsilon: '0.2', N: '200', batch: '50', zdim: '1', plan: 'A' };
const CONFIGS: Config[] = [
  { name: 'showcase', args: { ...BASE }, steps: 150, warmup: 15 },
  { name: 'fixed', args: { ...BASE, scheme: 'fixed' }, steps: 300, warmup: 30 },
  { name: 'planB', args: { ...BASE, plan: 'B' }, steps: 150, warmup: 15 },
  { name: 'large', args: { ...BASE, N: '1000', batch: '256' }, steps: 8, warmup: 2 },
  { name: 'sampler', args: { ...BASE }, steps: 200, warmup: 20, mode: 'sampler' },
];

interface Variant {
  name: string;
  impl: 'ours' | 'torch';
  env?: Record<string, string>;
  args?: string[];
  /** taskset CPU list: pins the whole process (all its threads) to these cores. */
  cpus?: string;
  /** Excluded from "fastest PyTorch" (a deliberately restricted run). */
  restricted?: boolean;
}

const OURS: Variant = { name: 'ours (wasm, 1 compute thread)', impl: 'ours' };
const OURS_WORKER: Variant = { name: 'ours, sampling in a worker thread (2 threads)', impl: 'ours', args: ['--worker'] };
const OURS_CPU: Variant = { name: 'ours, TF.js cpu backend', impl: 'ours', args: ['--backend', 'cpu'], restricted: true };
const TORCH: Variant[] = [
  { name: 'torch set_num_threads(1)', impl: 'torch', args: ['--threads', '1'] },
  { name: 'torch set_num_threads(2)', impl: 'torch', args: ['--threads', '2'] },
  { name: 'torch set_num_threads(2), OPENBLAS_NUM_THREADS=1', impl: 'torch', args: ['--threads', '2'], env: { OPENBLAS_NUM_THREADS: '1' } },
  { name: 'torch set_num_threads(1), OMP_NUM_THREADS=1', impl: 'torch', args: ['--threads', '1'], env: { OMP_NUM_THREADS: '1' } },
  { name: 'torch set_num_threads(1), OMP=1 OPENBLAS=1', impl: 'torch', args: ['--threads', '1'], env: { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } },
  { name: 'torch set_num_threads(2), OMP=2 OPENBLAS=1', impl: 'torch', args: ['--threads', '2'], env: { OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1' } },
  { name: 'torch set_num_threads(1), reference BLAS', impl: 'torch', args: ['--threads', '1'], env: { LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/blas' } },
];
const CORE_TORCH = TORCH.slice(0, 3);
const ONE_CORE: Variant[] = [
  { name: 'ours, 1 core (taskset -c 0)', impl: 'ours', cpus: '0', restricted: true },
  { name: 'torch 1 thread, 1 core (taskset -c 0)', impl: 'torch', args: ['--threads', '1'], env: { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' }, cpus: '0', restricted: true },
];

interface RunResult {
  sample_ms_median: number;
  train_ms_median: number;
  step_ms_median: number;
  step_ms_mean: number;
  wall_s: number;
  final_loss: number | null;
  max_rss_mb: number;
  versions: Record<string, string>;
  memory?: Array<{ step: number; rssMb: number; numTensors: number; tensorMb: number }>;
}

/** One fresh process of `variant` on `config`; its JSON line. */
function runOnce(variant: Variant, config: Config, steps: number, warmup: number, extra: string[] = []): RunResult {
  const args = Object.entries(config.args).flatMap(([k, v]) => [`--${k}`, v]);
  args.push('--steps', String(steps), '--warmup', String(warmup), '--mode', config.mode ?? 'train', ...(variant.args ?? []), ...extra);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'LD_LIBRARY_PATH']) delete env[k];
  Object.assign(env, variant.env ?? {});
  const base = variant.impl === 'ours'
    ? [process.execPath, '--import', 'tsx', join(here, 'ours.ts'), ...args]
    : [PYTHON, join(here, 'reference', 'seed_vae.py'), ...args];
  const cmd = variant.cpus != null ? ['taskset', '-c', variant.cpus, ...base] : base;
  const res = spawnSync(cmd[0], cmd.slice(1), { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const line = (res.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (res.status !== 0 || line == null) {
    throw new Error(`${variant.name} on ${config.name} failed (exit ${res.status}): ${(res.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  return JSON.parse(line) as RunResult;
}

interface Row {
  config: string;
  variant: string;
  impl: 'ours' | 'torch';
  restricted: boolean;
  steps: number;
  /** per repeat: median ms per step (sampling + training), sampling, training */
  stepMs: number[];
  sampleMs: number[];
  trainMs: number[];
  finalLoss: number | null;
  maxRssMb: number;
}

/** Interleaved repeats of every variant on one configuration (after one discarded round). */
function measure(config: Config, variants: Variant[], repeats: number, stepsScale: number, log: (s: string) => void): Row[] {
  const steps = Math.max(2, Math.round(config.steps * stepsScale));
  const warmup = Math.max(1, Math.round(config.warmup * stepsScale));
  const rows: Row[] = variants.map((v) => ({ config: config.name, variant: v.name, impl: v.impl, restricted: v.restricted ?? false, steps, stepMs: [], sampleMs: [], trainMs: [], finalLoss: null, maxRssMb: 0 }));
  log(`${config.name}: warm-up round`);
  for (const v of variants) runOnce(v, config, Math.max(2, Math.round(steps / 5)), warmup);
  for (let r = 0; r < repeats; r++) {
    variants.forEach((v, i) => {
      const res = runOnce(v, config, steps, warmup);
      rows[i].stepMs.push(res.step_ms_median);
      rows[i].sampleMs.push(res.sample_ms_median);
      rows[i].trainMs.push(res.train_ms_median);
      rows[i].finalLoss = res.final_loss;
      rows[i].maxRssMb = Math.max(rows[i].maxRssMb, res.max_rss_mb);
      log(`${config.name} repeat ${r + 1}/${repeats}: ${v.name} ${res.step_ms_median.toFixed(2)} ms/step`);
    });
  }
  return rows;
}

const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function table(rows: Row[]): string {
  const fastestTorch = Math.min(...rows.filter((r) => r.impl === 'torch' && !r.restricted).map((r) => median(r.stepMs)));
  const sampler = rows[0]?.config === 'sampler';
  const head = sampler
    ? '| variant | batches/s | ms/batch median (min–max) | ratio vs fastest PyTorch |\n|---|---:|---:|---:|'
    : '| variant | steps/s | ms/step median (min–max) | sampling ms | training-step ms | ratio vs fastest PyTorch |\n|---|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const m = median(r.stepMs);
    const range = `${fmt(m)} (${fmt(Math.min(...r.stepMs))}–${fmt(Math.max(...r.stepMs))})`;
    const ratio = r.impl === 'ours' ? `**${fmt(fastestTorch / m)}×**` : fmt(fastestTorch / m) + '×';
    return sampler
      ? `| ${r.variant} | ${fmt(1000 / m, 1)} | ${range} | ${ratio} |`
      : `| ${r.variant} | ${fmt(1000 / m, 1)} | ${range} | ${fmt(median(r.sampleMs))} | ${fmt(median(r.trainMs))} | ${ratio} |`;
  });
  // The most PyTorch-favourable reading: its single fastest run of any variant.
  const torchRuns = rows.filter((r) => r.impl === 'torch' && !r.restricted).flatMap((r) => r.stepMs);
  const oursMedian = median(rows.find((r) => r.impl === 'ours')!.stepMs);
  const footer = torchRuns.length === 0 ? '' : `\n\nFastest single PyTorch run of any variant: ${fmt(Math.min(...torchRuns))} ms; ours (first row, median) against it: ${fmt(Math.min(...torchRuns) / oursMedian)}×.`;
  return [head, ...lines].join('\n') + footer;
}

function machine(): Record<string, unknown> {
  const torch = spawnSync(PYTHON, ['-c', 'import torch, platform; print(torch.__version__, platform.python_version())'], { encoding: 'utf8' }).stdout.trim();
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    torchAndPython: torch,
    loadavg: loadavg().map((v) => Number(v.toFixed(2))),
  };
}

function save(name: string, data: unknown): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, name);
  writeFileSync(path, `${JSON.stringify(data, null, 1)}\n`);
  return path;
}

/** Steps for a scaling run: about `ms` of work for PyTorch, between 4 and 100 steps. */
const stepsFor = (rows: number, ms = 2500) => Math.max(4, Math.min(100, Math.round(ms / (rows * 3e-3))));

function scaling(torchBest: Variant, repeats: number, log: (s: string) => void): ScalingPoint[] {
  const points: ScalingPoint[] = [];
  const sweep = [
    ...[50, 100, 200, 500, 1000, 2000].map((n) => ({ axis: 'N' as const, N: n, batch: 50 })),
    ...[16, 32, 64, 128, 256, 512].map((b) => ({ axis: 'batch' as const, N: 200, batch: b })),
  ];
  for (const p of sweep) {
    const steps = stepsFor(p.N * p.batch);
    const config: Config = { name: `${p.axis} N=${p.N} batch=${p.batch}`, args: { ...BASE, N: String(p.N), batch: String(p.batch) }, steps, warmup: Math.max(2, Math.round(steps / 10)) };
    const rows = measure(config, [OURS, torchBest], repeats, 1, log);
    for (const r of rows) {
      points.push({ axis: p.axis, N: p.N, batch: p.batch, impl: r.impl, stepMs: median(r.stepMs), sampleMs: median(r.sampleMs), trainMs: median(r.trainMs), min: Math.min(...r.stepMs), max: Math.max(...r.stepMs) });
    }
  }
  return points;
}

function scalingTable(points: ScalingPoint[]): string {
  const out: string[] = [];
  for (const axis of ['N', 'batch'] as const) {
    out.push(`\n| ${axis === 'N' ? 'N (batch 50)' : 'batch (N 200)'} | ours ms/step | ours sampling | PyTorch ms/step | PyTorch sampling | ratio |\n|---:|---:|---:|---:|---:|---:|`);
    const keys = [...new Set(points.filter((p) => p.axis === axis).map((p) => (axis === 'N' ? p.N : p.batch)))];
    for (const k of keys) {
      const at = (impl: string) => points.find((p) => p.axis === axis && (axis === 'N' ? p.N : p.batch) === k && p.impl === impl)!;
      const o = at('ours'), t = at('torch');
      out.push(`| ${k} | ${fmt(o.stepMs)} | ${fmt(o.sampleMs)} | ${fmt(t.stepMs)} | ${fmt(t.sampleMs)} | ${fmt(t.stepMs / o.stepMs)}× |`);
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

// `npm run bench -- --suite banana` (seed 003's flows and samplers), `--suite image-vae` or
// `--suite all`: those benchmarks are their own scripts, run here in a child so their options pass
// through unchanged.
const suiteAt = process.argv.indexOf('--suite');
if (suiteAt >= 0) {
  const suite = process.argv[suiteAt + 1];
  const rest = process.argv.slice(2).filter((_, i) => i !== suiteAt - 2 && i !== suiteAt - 1);
  if (suite !== 'vae' && suite !== 'banana' && suite !== 'image-vae' && suite !== 'rbm' && suite !== 'all') {
    process.stderr.write(`error: --suite must be vae, banana, image-vae, rbm or all (got ${suite ?? 'nothing'})\n`);
    process.exit(2);
  }
  if (suite !== 'vae') {
    const run = (script: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(here, script), ...args], { cwd: root, stdio: 'inherit' }).status ?? 1;
    if (suite === 'banana') process.exit(run('banana.ts', rest));
    if (suite === 'image-vae') process.exit(run('image-vae.ts', rest));
    if (suite === 'rbm') process.exit(run('rbm.ts', rest));
    // all: the four suites one after the other, the others with their defaults (their options differ from the VAE's).
    const codes = [run('run.ts', rest), run('banana.ts', []), run('image-vae.ts', []), run('rbm.ts', [])];
    process.exit(codes.find((c) => c !== 0) ?? 0);
  }
  process.argv.splice(suiteAt, 2);
}

const opts = parseArgs(process.argv.slice(2), {
  configs: CONFIGS.map((c) => c.name).join(','), repeats: '3', 'steps-scale': '1', variants: 'all',
  quick: 'false', scaling: 'false', memory: 'false', plot: '', tables: '', 'torch-best': '', 'one-core': 'true',
});
const log = (s: string) => process.stderr.write(`  ${s}\n`);

if (opts.plot !== '' && opts.plot !== 'true') {
  const points = (JSON.parse(readFileSync(opts.plot, 'utf8')) as { points: ScalingPoint[] }).points;
  process.stdout.write(`${renderScalingPlot(points, join(here, 'scaling.png'))}\n`);
  process.exit(0);
}

if (opts.tables !== '' && opts.tables !== 'true') {
  const saved = JSON.parse(readFileSync(opts.tables, 'utf8')) as { machine: Record<string, unknown>; repeats: number; rows: Row[] };
  process.stdout.write(`# Benchmark ${saved.machine.date}\n\n${Object.entries(saved.machine).map(([k, v]) => `- ${k}: ${Array.isArray(v) ? v.join(' ') : v}`).join('\n')}\n`);
  for (const name of [...new Set(saved.rows.map((r) => r.config))]) {
    const rows = saved.rows.filter((r) => r.config === name);
    const config = CONFIGS.find((c) => c.name === name);
    const what = config == null ? '' : `: ${Object.entries(config.args).map(([k, v]) => `${k} ${v}`).join(', ')}${config.mode === 'sampler' ? ' — sampler alone' : ''}`;
    process.stdout.write(`\n## ${name}${what}; ${rows[0].steps} steps per run, ${saved.repeats} interleaved repeats\n\n${table(rows)}\n`);
  }
  process.exit(0);
}

// The reference needs Debian's PyTorch; say so in one line rather than failing mid-run.
const torchCheck = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
if (torchCheck.status !== 0) {
  process.stderr.write('error: npm run bench compares against PyTorch: install it with `apt-get install python3-torch libopenblas0-pthread` (it runs /usr/bin/python3)\n');
  process.exit(2);
}

const quick = opts.quick === 'true';
const repeats = quick ? 1 : Number(opts.repeats);
if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`--repeats must be an integer ≥ 1 (got ${opts.repeats})`);
const stepsScale = Number(opts['steps-scale']) * (quick ? 0.4 : 1);
if (!(stepsScale > 0)) throw new RangeError(`--steps-scale must be > 0 (got ${opts['steps-scale']})`);
const torchVariants = opts.variants === 'core' || quick ? CORE_TORCH : TORCH;
const info = machine();
process.stdout.write(`# Benchmark ${info.date}\n\n${Object.entries(info).map(([k, v]) => `- ${k}: ${Array.isArray(v) ? v.join(' ') : v}`).join('\n')}\n`);

if (opts.memory === 'true') {
  const large = CONFIGS.find((c) => c.name === 'large')!;
  log('memory: ours, large config, 2000 steps');
  const ours = runOnce(OURS, large, 2000, 0, ['--memory-every', '100']);
  const torch = runOnce(TORCH[2], large, 30, 2);
  const path = save('memory.json', { machine: info, ours, torch: { max_rss_mb: torch.max_rss_mb, steps: 30 } });
  process.stdout.write(`\n## Memory, large config (N = 1000, batch 256)\n\n| step | RSS MB | tf.memory().numTensors | tensor MB |\n|---:|---:|---:|---:|\n`);
  for (const m of ours.memory ?? []) process.stdout.write(`| ${m.step} | ${fmt(m.rssMb, 1)} | ${m.numTensors} | ${fmt(m.tensorMb, 2)} |\n`);
  process.stdout.write(`\nours: peak RSS ${fmt(ours.max_rss_mb, 1)} MB over 2000 steps (${fmt(ours.step_ms_median)} ms/step); PyTorch (${TORCH[2].name}): peak RSS ${fmt(torch.max_rss_mb, 1)} MB over 30 steps\n(raw: ${path})\n`);
} else if (opts.scaling === 'true') {
  const best = TORCH.find((v) => v.name === opts['torch-best']) ?? TORCH[2];
  const points = scaling(best, quick ? 1 : 2, log);
  const path = save('scaling.json', { machine: info, torch: best.name, points });
  process.stdout.write(`\n## Scaling (PyTorch: ${best.name})\n${scalingTable(points)}\n\n${renderScalingPlot(points, join(here, 'scaling.png'))}\n(raw: ${path})\n`);
} else {
  const names = opts.configs.split(',');
  const all: Row[] = [];
  for (const name of names) {
    const config = CONFIGS.find((c) => c.name === name);
    if (config == null) throw new RangeError(`--configs: unknown configuration "${name}" (known: ${CONFIGS.map((c) => c.name).join(', ')})`);
    const oneCore = opts['one-core'] === 'true' && (name === 'showcase' || name === 'large') ? ONE_CORE : [];
    const ours = config.mode === 'sampler' ? [OURS] : [OURS, OURS_WORKER, ...(name === 'showcase' && !quick ? [OURS_CPU] : [])];
    const rows = measure(config, [...ours, ...torchVariants, ...oneCore], repeats, stepsScale, log);
    all.push(...rows);
    const { args, steps } = { args: config.args, steps: rows[0].steps };
    process.stdout.write(`\n## ${name}: ${Object.entries(args).map(([k, v]) => `${k} ${v}`).join(', ')}${config.mode === 'sampler' ? ' — sampler alone' : ''}; ${steps} steps per run, ${repeats} interleaved repeats\n\n${table(rows)}\n`);
  }
  const path = save('latest.json', { machine: { ...info, loadavgEnd: loadavg().map((v) => Number(v.toFixed(2))) }, repeats, rows: all });
  process.stdout.write(`\nload average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n(raw: ${path})\n`);
}
