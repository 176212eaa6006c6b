/**
 * Where the MLP VAE's gap to PyTorch lies: the five matrix products of one training step of seed
 * 003's MLP VAE (batch 128, 784-512-2-512-784), each timed alone — ours as the product's layer ops
 * compute them on wasm (the encoder's two through the binary-input kernel, src/models/native/
 * binaryDense.c; the decoder's input gradient G·Wᵀ through gemm.c; its other two by TF.js's XNNPACK
 * matMul, with the explicit transpose dense.ts takes for hᵀ·G; copies in and out included) and PyTorch's (bench/reference/mlp_products.py, OpenBLAS) with 1 and 2 threads
 * (set_num_threads and OPENBLAS_NUM_THREADS both), and the host kernels' product (src/backend/addon/
 * sgemm.c, what the layer ops use where it is built) on 1 and 2 threads, reading the arrays in place.
 * A dense product's GFLOP/s is 2·M·N·K over its time; the encoder's sparse products are reported
 * at the dense product's FLOP count, so that the column compares like with like.
 *
 *   npx tsx bench/image-vae-products.ts [--seconds 1]      (also run by `npm run bench -- --suite image-vae`)
 *
 * Prints a Markdown table: median ms per product and GFLOP/s for each, and the step's sum.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, parseArgs } from './args.ts';
import { selectBackend } from '../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../src/backend/tf.ts';
import { hostKernels } from '../src/backend/hostKernels.ts';
import { BinaryDenseKernel, binaryRows } from '../src/models/image/binaryDenseKernel.ts';
import { GemmKernel } from '../src/models/image/gemmKernel.ts';
import { Rng } from '../src/random/rng.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2), { seconds: '1' });
const seconds = Number(args.seconds);
if (!(seconds > 0)) throw new RangeError(`image-vae-products: --seconds must be > 0 (got ${args.seconds})`);
await selectBackend('wasm');

const [B, D, H] = [128, 784, 512];
const rng = new Rng(0);
const binary = Float32Array.from({ length: B * D }, () => (rng.uniform() < 0.13 ? 1 : 0));
const normals = (n: number, s: number) => Float32Array.from({ length: n }, () => s * rng.normal());
const w1 = normals(D * H, 0.05), b1 = new Float32Array(H);
const [w2t, ht, g1t, g2t] = [tf.tensor2d(normals(H * D, 0.05), [H, D]), tf.tensor2d(normals(B * H, 1), [B, H]), tf.tensor2d(normals(B * H, 1), [B, H]), tf.tensor2d(normals(B * D, 1), [B, D])];
const g1 = g1t.dataSync() as Float32Array;
const kernel = new BinaryDenseKernel();
const gemm = new GemmKernel();

/** Median ms of `f` over `seconds` (at least 5 runs) after 20 warm-up runs; `f` syncs its result. */
function medianMs(f: () => void): number {
  for (let i = 0; i < 20; i++) f();
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || times.length < 5) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}
const sync = (t: Tensor) => { t.dataSync(); t.dispose(); };

// What the layer ops do per step (dense.ts): the encoder's binary rows are listed once per forward pass.
const ours: Record<string, number> = {
  'encoder x·W1': medianMs(() => { kernel.forward(binaryRows(binary, B, D)!, w1, b1, H, true); }),
  'encoder xᵀ·G (dW1)': medianMs(() => { kernel.weightGrad(binaryRows(binary, B, D)!, g1, H); }),
  'decoder h·W2': medianMs(() => sync(tf.matMul(ht, w2t))),
  'decoder G·W2ᵀ (dh)': medianMs(() => sync(tf.tensor2d(gemm.abt(g2t.dataSync() as Float32Array, B, D, w2t.dataSync() as Float32Array, H), [B, H]))),
  'decoder hᵀ·G (dW2)': medianMs(() => sync(tf.tidy(() => tf.matMul(tf.transpose(ht), g2t)))),
};
const flops = 2 * B * D * H; // every product here is 128 × 784 × 512

// The same five on the host kernels, as dense.ts's host path calls them (x·W1 with bias and ReLU).
const kernels = hostKernels();
const userCores = process.env.QUBIT_RX_CORES;
const host = kernels == null ? null : ['1', '2'].map((cores) => {
  process.env.QUBIT_RX_CORES = cores;
  const [x, w2, h, g2] = [binary, w2t.dataSync() as Float32Array, ht.dataSync() as Float32Array, g2t.dataSync() as Float32Array];
  const ms: Record<string, number> = {
    'encoder x·W1': medianMs(() => kernels.gemm(x, w1, B, H, D, { bias: b1, relu: true })),
    'encoder xᵀ·G (dW1)': medianMs(() => kernels.gemm(x, g1, D, H, B, { transA: true })),
    'decoder h·W2': medianMs(() => kernels.gemm(h, w2, B, D, H)),
    'decoder G·W2ᵀ (dh)': medianMs(() => kernels.gemm(g2, w2, B, H, D, { transB: true })),
    'decoder hᵀ·G (dW2)': medianMs(() => kernels.gemm(h, g2, H, D, B, { transA: true })),
  };
  return ms;
});
if (userCores === undefined) delete process.env.QUBIT_RX_CORES;
else process.env.QUBIT_RX_CORES = userCores;

const torch = [1, 2].map((threads) => {
  // OpenBLAS's pthreads build ignores set_num_threads: pin it too, so that "1 thread" is one core.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync('/usr/bin/python3', [join(here, 'reference', 'mlp_products.py'), '--threads', String(threads), '--seconds', String(seconds)], { encoding: 'utf8', env });
  if (r.status !== 0) {
    process.stderr.write(`error: bench/reference/mlp_products.py failed (PyTorch needed: apt-get install python3-torch): ${r.stderr.trim().split('\n').pop()}\n`);
    process.exit(2);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { threads: number; torch: string; ms: Record<string, number> };
});

const fmt = (ms: number) => `${ms.toFixed(2)} ms (${(flops / ms / 1e6).toFixed(0)})`;
const lines = [
  `## The MLP VAE's five products, each alone (batch 128; ms median, GFLOP/s at the dense count in brackets; PyTorch ${torch[0].torch})`,
  '',
  '| product | ours (wasm kernels) | host kernels, 1 thread | host kernels, 2 threads | torch, 1 thread | torch, 2 threads | wasm ÷ torch 1 thread | host ÷ torch, 1 and 2 threads |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...Object.keys(ours).map((k) => `| ${k} | ${fmt(ours[k])} | ${host ? fmt(host[0][k]) : '–'} | ${host ? fmt(host[1][k]) : '–'} | ${fmt(torch[0].ms[k])} | ${fmt(torch[1].ms[k])} | ${(ours[k] / torch[0].ms[k]).toFixed(1)}× | ${host ? `${(host[0][k] / torch[0].ms[k]).toFixed(2)}×, ${(host[1][k] / torch[1].ms[k]).toFixed(2)}×` : '–'} |`),
];
const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
const hostSum = (i: number) => (host ? `**${sum(host[i]).toFixed(2)} ms**` : '–');
lines.push(`| **sum** | **${sum(ours).toFixed(2)} ms** | ${hostSum(0)} | ${hostSum(1)} | **${sum(torch[0].ms).toFixed(2)} ms** | **${sum(torch[1].ms).toFixed(2)} ms** | **${(sum(ours) / sum(torch[0].ms)).toFixed(1)}×** | ${host ? `**${(sum(host[0]) / sum(torch[0].ms)).toFixed(2)}×, ${(sum(host[1]) / sum(torch[1].ms)).toFixed(2)}×**` : '–'} |`);
if (!host) lines.push('', '(host kernels not built: src/backend/addon, `npm run build:addon`)');
process.stdout.write(`${lines.join('\n')}\n`);
