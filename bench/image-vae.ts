/**
 * Side-by-side benchmark of the image VAEs (issue 11): ours (bench/image-vae-ours.ts, the product's
 * training step) against PyTorch (bench/reference/seed_image_vae.py) on the same machine, the same
 * 10 000 shipped digits, batch 128, one epoch = 10 000 records (79 steps), each run a fresh
 * process, runs interleaved A B C … A B C … after one discarded warm-up round.
 *
 *   npm run bench -- --suite image-vae                         both models, 3 interleaved repeats
 *   npm run bench -- --suite image-vae --models mlp --repeats 5
 *   npm run bench -- --suite image-vae --quick                 1 repeat, no warm-up round
 *   npx tsx bench/image-vae.ts --tables bench/results/image-vae.json   re-print a saved run
 *
 * Models: seed 003's MLP VAE (784-512-2, ReLU, Bernoulli, Adam 1e-3) and the Keras conv VAE
 * (Conv2D 32 and 64 stride 2 → Dense 16 → latent 2; Conv2DTranspose decoder; Bernoulli on the
 * logits of Keras's sigmoid layer). Variants: ours on wasm with the host kernels (src/backend/addon,
 * two threads) and with WebAssembly kernels only (one compute thread), PyTorch with
 * torch.set_num_threads(1) and (2), each with and without OPENBLAS_NUM_THREADS=1. Each run trains
 * `--warmup` untimed steps, then `--epochs`
 * timed epochs; the table gives the median over repeats of each run's median epoch, in wall
 * seconds and in CPU seconds (all threads; less sensitive to other load on the machine), and the
 * ratio against the fastest PyTorch variant (> 1: ours is faster).
 *
 * Prints Markdown tables and writes the raw runs to bench/results/image-vae.json; after the MLP's
 * table, the step's five matrix products timed alone on both sides (bench/image-vae-products.ts).
 * Needs /usr/bin/python3 with torch (Debian: python3-torch).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChartSvg } from '../src/views/plots/barChartSvg.ts';
import { median, parseArgs } from './args.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PYTHON = '/usr/bin/python3';
const MODELS = ['mlp', 'conv'] as const;
type Model = (typeof MODELS)[number];

interface Variant {
  name: string;
  impl: 'ours' | 'torch';
  args: string[];
  /** Extra environment, e.g. OPENBLAS_NUM_THREADS. */
  env?: Record<string, string>;
}

// Debian's OpenBLAS (pthreads build) starts its own threads whatever set_num_threads says: the conv
// VAE on "1 thread" burnt 37 CPU s in 19 s of wall. Pinning OpenBLAS to one thread is PyTorch's
// faster setting there (15.6 s on 1 thread, 13.7 s on 2), so those variants are in the race too.
const VARIANTS: Variant[] = [
  { name: 'ours (wasm + host kernels, 2 threads)', impl: 'ours', args: [] },
  { name: 'ours (wasm kernels only, QUBIT_RX_NATIVE=0)', impl: 'ours', args: [], env: { QUBIT_RX_NATIVE: '0' } },
  { name: 'torch set_num_threads(1)', impl: 'torch', args: ['--threads', '1'] },
  { name: 'torch set_num_threads(2)', impl: 'torch', args: ['--threads', '2'] },
  { name: 'torch set_num_threads(1), OPENBLAS_NUM_THREADS=1', impl: 'torch', args: ['--threads', '1'], env: { OPENBLAS_NUM_THREADS: '1' } },
  { name: 'torch set_num_threads(2), OPENBLAS_NUM_THREADS=1', impl: 'torch', args: ['--threads', '2'], env: { OPENBLAS_NUM_THREADS: '1' } },
];

interface RunResult {
  epoch_s: number[];
  epoch_cpu_s: number[];
  step_ms_median: number;
  final_loss_per_image: number;
  max_rss_mb: number;
}

interface Row {
  model: Model;
  variant: string;
  impl: 'ours' | 'torch';
  /** Per repeat: the run's median epoch, wall and CPU seconds. */
  epochS: number[];
  epochCpuS: number[];
  stepMs: number[];
  finalLoss: number[];
  maxRssMb: number;
}

/** One fresh process of `variant` training `model`; its JSON line. */
function runOnce(variant: Variant, model: Model, epochs: number, warmup: number): RunResult {
  const args = ['--model', model, '--epochs', String(epochs), '--warmup', String(warmup), ...variant.args];
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']) delete env[k];
  Object.assign(env, variant.env);
  const cmd = variant.impl === 'ours'
    ? [process.execPath, '--import', 'tsx', join(here, 'image-vae-ours.ts'), ...args]
    : [PYTHON, join(here, 'reference', 'seed_image_vae.py'), ...args];
  const res = spawnSync(cmd[0], cmd.slice(1), { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const line = (res.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (res.status !== 0 || line == null) {
    throw new Error(`${variant.name} on ${model} failed (exit ${res.status}): ${(res.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  return JSON.parse(line) as RunResult;
}

const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function table(rows: Row[]): string {
  const torch = rows.filter((r) => r.impl === 'torch');
  const fastest = Math.min(...torch.map((r) => median(r.epochS)));
  const fastestCpu = Math.min(...torch.map((r) => median(r.epochCpuS)));
  const head = '| variant | s/epoch median (min–max) | ms/step median | CPU s/epoch | ratio vs fastest PyTorch (wall) | ratio (CPU) | last-batch loss/image | peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const m = median(r.epochS), c = median(r.epochCpuS);
    const bold = (s: string) => (r.impl === 'ours' ? `**${s}**` : s);
    return `| ${r.variant} | ${fmt(m)} (${fmt(Math.min(...r.epochS))}–${fmt(Math.max(...r.epochS))}) | ${fmt(median(r.stepMs), 1)} | ${fmt(c)} `
      + `| ${bold(`${fmt(fastest / m)}×`)} | ${bold(`${fmt(fastestCpu / c)}×`)} | ${fmt(median(r.finalLoss), 1)} | ${fmt(r.maxRssMb, 0)} |`;
  });
  return [head, ...lines].join('\n');
}

/** docs/image-vae-speed.svg: each variant's median s per epoch, one group per model, ours in blue. */
function writeFigure(rows: Row[], date: unknown): string {
  const groups = MODELS.filter((m) => rows.some((r) => r.model === m)).map((m) => {
    const rs = rows.filter((r) => r.model === m);
    const fastest = Math.min(...rs.filter((r) => r.impl === 'torch').map((r) => median(r.epochS)));
    return {
      label: m === 'mlp' ? "MLP (seed 003's 784-512-2)" : 'conv (the Keras example)',
      bars: rs.map((r) => {
        const v = median(r.epochS);
        const label = r.variant.replace(/^torch /, 'PyTorch ').replace('OPENBLAS_NUM_THREADS=1', 'OpenBLAS pinned to 1');
        return { label, value: v, color: r.impl === 'ours' ? '#1f77b4' : '#7f7f7f', note: `(${fmt(fastest / v)}× PyTorch's best)` };
      }),
    };
  });
  const path = join(root, 'docs', 'image-vae-speed.svg');
  writeFileSync(path, barChartSvg(groups, { title: `Image VAE training, batch 128, s per epoch of 10 000 digits (median; ${String(date).slice(0, 10)}, 2 cores)`, xLabel: 's / epoch', width: 1000, labelWidth: 380 }));
  return path;
}

const opts = parseArgs(process.argv.slice(2), { models: MODELS.join(','), repeats: '3', epochs: '1', warmup: '10', quick: 'false', tables: '' });
const resultsPath = join(here, 'results', 'image-vae.json');

if (opts.tables !== '' && opts.tables !== 'true') {
  const saved = JSON.parse(readFileSync(opts.tables, 'utf8')) as { machine: Record<string, unknown>; repeats: number; epochs: number; rows: Row[] };
  process.stdout.write(`# Image VAE benchmark ${saved.machine.date}\n\n${Object.entries(saved.machine).map(([k, v]) => `- ${k}: ${Array.isArray(v) ? v.join(' ') : v}`).join('\n')}\n`);
  for (const m of MODELS) {
    const rows = saved.rows.filter((r) => r.model === m);
    if (rows.length > 0) process.stdout.write(`\n## ${m}: ${saved.epochs} timed epoch(s) of 10 000 records per run, ${saved.repeats} interleaved repeats\n\n${table(rows)}\n`);
  }
  process.stdout.write(`\n(figure: ${writeFigure(saved.rows, saved.machine.date)})\n`);
  process.exit(0);
}

const torchCheck = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
if (torchCheck.status !== 0) {
  process.stderr.write('error: the image-vae benchmark compares against PyTorch: install it with `apt-get install python3-torch` (it runs /usr/bin/python3)\n');
  process.exit(2);
}
const models = opts.models.split(',') as Model[];
for (const m of models) if (!MODELS.includes(m)) throw new RangeError(`--models: unknown model "${m}" (known: ${MODELS.join(', ')})`);
const quick = opts.quick === 'true';
const repeats = quick ? 1 : Number(opts.repeats);
const epochs = Number(opts.epochs), warmup = Number(opts.warmup);
for (const [k, v, min] of [['repeats', repeats, 1], ['epochs', epochs, 1], ['warmup', warmup, 0]] as const) {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`--${k} must be an integer ≥ ${min} (got ${v})`);
}
const log = (s: string) => process.stderr.write(`  ${s}\n`);
const torchVersion = spawnSync(PYTHON, ['-c', 'import torch, platform; print(torch.__version__, platform.python_version())'], { encoding: 'utf8' }).stdout.trim();
const machine = {
  date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version, torchAndPython: torchVersion, loadavg: loadavg().map((v) => Number(v.toFixed(2))),
};
process.stdout.write(`# Image VAE benchmark ${machine.date}\n\n${Object.entries(machine).map(([k, v]) => `- ${k}: ${Array.isArray(v) ? v.join(' ') : v}`).join('\n')}\n`);

const all: Row[] = [];
for (const model of models) {
  const rows: Row[] = VARIANTS.map((v) => ({ model, variant: v.name, impl: v.impl, epochS: [], epochCpuS: [], stepMs: [], finalLoss: [], maxRssMb: 0 }));
  if (!quick) {
    log(`${model}: warm-up round (discarded)`);
    for (const v of VARIANTS) runOnce(v, model, 1, 2);
  }
  for (let r = 0; r < repeats; r++) {
    VARIANTS.forEach((v, i) => {
      const res = runOnce(v, model, epochs, warmup);
      rows[i].epochS.push(median(res.epoch_s));
      rows[i].epochCpuS.push(median(res.epoch_cpu_s));
      rows[i].stepMs.push(res.step_ms_median);
      rows[i].finalLoss.push(res.final_loss_per_image);
      rows[i].maxRssMb = Math.max(rows[i].maxRssMb, res.max_rss_mb);
      log(`${model} repeat ${r + 1}/${repeats}: ${v.name} ${fmt(median(res.epoch_s))} s/epoch (${fmt(median(res.epoch_cpu_s))} CPU s), load ${loadavg()[0].toFixed(2)}`);
    });
  }
  all.push(...rows);
  process.stdout.write(`\n## ${model}: ${epochs} timed epoch(s) of 10 000 records per run, batch 128, ${repeats} interleaved repeats\n\n${table(rows)}\n`);
  if (model === 'mlp') {
    // Where the gap lies: the step's five matrix products alone, ours and PyTorch's (bench/image-vae-products.ts).
    const products = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'image-vae-products.ts')], { cwd: root, encoding: 'utf8' });
    process.stdout.write(products.status === 0 ? `\n${products.stdout}` : `\n(image-vae-products.ts failed: ${products.stderr.trim().split('\n').pop()})\n`);
  }
}
mkdirSync(dirname(resultsPath), { recursive: true });
writeFileSync(resultsPath, `${JSON.stringify({ machine: { ...machine, loadavgEnd: loadavg().map((v) => Number(v.toFixed(2))) }, repeats, epochs, warmup, rows: all }, null, 1)}\n`);
process.stdout.write(`\n(figure: ${writeFigure(all, machine.date)})\n`);
process.stdout.write(`\nload average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n(raw: ${resultsPath})\n`);
