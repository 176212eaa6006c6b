/**
 * One process of bench/rbm.ts: the product's RBM training path — minibatches (seeded shuffle,
 * dynamic binarisation) ▸ cdUpdates (the wasm engine) — for warm-up + timed epochs over the given
 * images, then AIS (ais(), the same call the rbm pipeline makes) on the trained model.
 * Prints one JSON line.
 *
 *   npx tsx bench/rbm-ours.ts --data images.npy [--epochs 3 --warmup 1 --batch 64 --hidden 500 --engine wasm|js --ais-runs 100 --ais-betas 10000]
 */
import { readFileSync } from 'node:fs';
import { lastValueFrom, tap } from 'rxjs';
import { parseNpy } from '../src/data/npy.ts';
import { minibatches } from '../src/data/minibatches.ts';
import type { ImageDataset } from '../src/data/imageDataset.ts';
import { ais, baseRateBias, cdInit, cdUpdates, createRbm, type CdState } from '../src/energy/index.ts';
import { Rng } from '../src/random/rng.ts';
import { parseArgs } from './args.ts';

const a = parseArgs(process.argv.slice(2), { data: '', epochs: '3', warmup: '1', batch: '64', hidden: '500', engine: 'wasm', threads: '2', 'ais-runs': '100', 'ais-betas': '10000' });
const epochs = Number(a.epochs);
const warmup = Number(a.warmup);
const batch = Number(a.batch);
const hidden = Number(a.hidden);
const engine = a.engine as 'wasm' | 'js';
const threads = Number(a.threads) === 1 ? 1 : 2;
const aisRuns = Number(a['ais-runs']);
const aisBetas = Number(a['ais-betas']);

const npy = parseNpy(readFileSync(a.data));
const [n, V] = npy.shape;
const images = Float32Array.from(npy.data as ArrayLike<number>);
const data: ImageDataset = { name: 'bench', n, rows: 28, cols: V / 28, images, labels: new Uint8Array(n) } as unknown as ImageDataset;

const rng = new Rng(0);
let state: CdState = cdInit(createRbm(V, hidden, rng.fork()));
const times: number[] = [];
let loss = 0;
for (let e = 0; e < warmup + epochs; e++) {
  const t0 = performance.now();
  let sum = 0;
  let count = 0;
  let last: { readonly state: CdState } | undefined;
  await lastValueFrom(
    minibatches(data, { batch, epochs: 1, startEpoch: e, shuffle: true, rng: new Rng(1), binarize: 'dynamic' }).pipe(
      cdUpdates(state, new Rng(2 + e), { k: 1, learningRate: 0.1, engine, threads }),
      tap((u) => {
        sum += u.info.loss;
        count++;
        last = u;
      }),
    ),
  );
  state = last!.state;
  loss = sum / count;
  const dt = (performance.now() - t0) / 1000;
  if (e >= warmup) times.push(dt);
}
let aisSeconds: number | null = null;
let logZ: number | null = null;
let logZSe: number | null = null;
if (aisBetas > 0) {
  const t0 = performance.now();
  const z = ais(state.model, new Rng(3), { runs: aisRuns, betas: aisBetas, baseVBias: baseRateBias(images, V), engine, threads });
  aisSeconds = (performance.now() - t0) / 1000;
  logZ = z.logZ;
  logZSe = z.standardError;
}
process.stdout.write(`${JSON.stringify({ impl: 'ours', engine, threads, epoch_seconds: times, loss, images: n, ais_seconds: aisSeconds, ais_runs: aisRuns, ais_betas: aisBetas, log_z: logZ, log_z_se: logZSe })}\n`);
