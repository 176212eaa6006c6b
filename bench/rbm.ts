/**
 * Side-by-side benchmark of seed 004's RBM: ours (bench/rbm-ours.ts, the product's minibatches ▸
 * cdUpdates path on the wasm engine) against the seed's model in PyTorch (bench/reference/seed_rbm.py:
 * the seed's autograd loop, and the same update written by hand, each at 1 and 2 threads, with
 * OpenBLAS — Debian's libopenblas0-pthread; the reference BLAS is 20–40× slower), on the
 * same 10 000 shipped digits (train and test together: the issue's "epoch of 10 000 digits"),
 * 784 × 500, CD-1, SGD 0.1, batch 64, dynamic binarisation. Fresh processes, interleaved repeats
 * after a warm-up epoch inside each process; seconds per epoch are medians.
 * Then AIS as the rbm pipeline runs it: 100 runs, 10 000 intermediate distributions, on our model
 * after the timed epochs.
 *
 *   npm run bench -- --suite rbm                 (or: npx tsx bench/rbm.ts [--repeats 3] [--quick])
 *
 * Prints a Markdown table and writes bench/results/rbm.json. Needs /usr/bin/python3 with torch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../src/data/npy.ts';
import { loadShippedDigits } from '../src/data/shippedDigits.ts';
import { median, parseArgs } from './args.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PYTHON = '/usr/bin/python3';
const args = parseArgs(process.argv.slice(2), { repeats: '3', quick: 'false' });
const quick = args.quick === 'true';
const repeats = quick ? 1 : Number(args.repeats);
const epochs = quick ? 1 : 2;

// Debian's python3-torch links whatever libblas.so.3 is installed: the reference BLAS unless an
// optimised one is. Say so, since it makes PyTorch 20–40× slower and the ratio meaningless.
if (!existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3')) {
  process.stderr.write('warning: OpenBLAS is not installed (apt-get install libopenblas0-pthread); PyTorch will run on the reference BLAS, far below its best\n');
}

const { train, test } = loadShippedDigits();
const images = new Float64Array((train.n + test.n) * 784);
images.set(train.images);
images.set(test.images, train.images.length);
const tmp = mkdtempSync(join(tmpdir(), 'rbm-bench-'));
const dataFile = join(tmp, 'digits.npy');
writeFileSync(dataFile, encodeNpy(images, [train.n + test.n, 784]));

interface Variant { name: string; cmd: string; argv: string[]; torch: boolean; env?: Record<string, string> }
const common = ['--epochs', String(epochs), '--warmup', '1'];
/** PyTorch's thread settings: intra-op threads, and OpenBLAS's own pool (its GEMMs) set apart. */
const THREADS: Array<{ label: string; threads: number; env: Record<string, string> }> = [
  { label: '1 thread', threads: 1, env: { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } },
  { label: '2 threads', threads: 2, env: { OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2' } },
  { label: '2 threads, OPENBLAS=1', threads: 2, env: { OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1' } },
];
const variants: Variant[] = [
  { name: 'ours (wasm engine, 2 threads)', cmd: process.execPath, argv: ['--import', 'tsx', join(here, 'rbm-ours.ts'), '--data', dataFile, ...common, '--ais-betas', '0', '--threads', '2'], torch: false },
  { name: 'ours (wasm engine, 1 thread: the default, bit-reproducible)', cmd: process.execPath, argv: ['--import', 'tsx', join(here, 'rbm-ours.ts'), '--data', dataFile, ...common, '--ais-betas', '0', '--threads', '1'], torch: false },
  ...THREADS.flatMap((t) => [
    { name: `PyTorch, seed's autograd loop, ${t.label}`, cmd: PYTHON, argv: [join(here, 'reference', 'seed_rbm.py'), '--data', dataFile, '--mode', 'seed', '--threads', String(t.threads), ...common], torch: true, env: t.env },
    { name: `PyTorch, hand-written CD-1 (no_grad, addmm), ${t.label}`, cmd: PYTHON, argv: [join(here, 'reference', 'seed_rbm.py'), '--data', dataFile, '--mode', 'manual', '--threads', String(t.threads), ...common], torch: true, env: t.env },
  ]),
];

const runs = new Map<string, number[]>();
const load: number[] = [];
for (let r = 0; r < repeats; r++) {
  for (const v of variants) {
    load.push(loadavg()[0]);
    const out = spawnSync(v.cmd, v.argv, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, ...v.env } });
    if (out.status !== 0) {
      process.stderr.write(`${v.name} failed:\n${out.stderr}\n`);
      process.exit(1);
    }
    const res = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
    runs.set(v.name, [...(runs.get(v.name) ?? []), ...res.epoch_seconds]);
    process.stderr.write(`  ${v.name}: ${res.epoch_seconds.map((s: number) => s.toFixed(3)).join(', ')} s/epoch\n`);
  }
}

// AIS once, at the product's final setting, on a model trained for the same epochs.
process.stderr.write('  AIS: 100 runs × 10 000 intermediate distributions …\n');
const aisOut = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'rbm-ours.ts'), '--data', dataFile, ...common, '--ais-runs', '100', '--ais-betas', '10000'], { cwd: root, encoding: 'utf8' });
if (aisOut.status !== 0) {
  process.stderr.write(`AIS failed:\n${aisOut.stderr}\n`);
  process.exit(1);
}
const aisRes = JSON.parse(aisOut.stdout.trim().split('\n').at(-1)!);
rmSync(tmp, { recursive: true, force: true });

const med = (name: string) => median(runs.get(name)!);
const torchBest = variants.filter((v) => v.torch).reduce((best, v) => (med(v.name) < med(best.name) ? v : best));
const ours = variants[0];
const lines = [
  `RBM 784 × 500, CD-1, batch 64, SGD 0.1, one epoch = ${train.n + test.n} shipped digits (dynamic binarisation); ${repeats} interleaved repeat(s) × ${epochs} timed epochs, medians; ${cpus().length} cores, load ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
  '',
  '| implementation | s / epoch (median) | min–max | ratio vs fastest PyTorch |',
  '|---|---|---|---|',
  ...variants.map((v) => {
    const xs = runs.get(v.name)!;
    return `| ${v.name} | ${med(v.name).toFixed(3)} | ${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)} | ${(med(torchBest.name) / med(v.name)).toFixed(2)}× |`;
  }),
  '',
  `Fastest PyTorch: ${torchBest.name}. Ours is ${(med(torchBest.name) / med(ours.name)).toFixed(2)}× its speed.`,
  `AIS (ours, 100 runs, 10 000 β, 784 × 500 after ${1 + epochs} epochs): ${aisRes.ais_seconds.toFixed(1)} s; log Z = ${aisRes.log_z.toFixed(2)} ± ${aisRes.log_z_se.toFixed(2)}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'rbm.json'), JSON.stringify({ when: new Date().toISOString(), repeats, epochs, load, runs: Object.fromEntries(runs), torchBest: torchBest.name, ais: aisRes }, null, 2));
