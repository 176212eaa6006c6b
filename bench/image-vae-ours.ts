/**
 * One benchmark run of our image VAE training, the counterpart of bench/reference/seed_image_vae.py:
 * the same arguments, one JSON line on stdout. Spawned by bench/image-vae.ts (a fresh process per
 * run); runnable alone:
 *
 *   npx tsx bench/image-vae-ours.ts --model mlp --epochs 2 --warmup 10
 *   npx tsx bench/image-vae-ours.ts --model conv --profile 5      per-kernel totals over 5 steps (tf.profile)
 *
 * The step is the product's own: `minibatches ▸ imagesToTensor ▸ minimize(trainingForward(config,
 * model), adam)` with the model and optimiser from `createImageVae` — exactly what
 * `npm start -- image-vae` runs between its per-epoch evaluations (which are not timed here).
 * One epoch is the 10 000 shipped digits (train and test together, as the reference reads them),
 * batch 128: 79 steps, the last of 16. Warm-up steps run first on the first `warmup` batches,
 * through the same stages, untimed.
 */
import { lastValueFrom, tap } from 'rxjs';
import { createImageVae, DEFAULT_CONFIG, DEFAULT_LATENT, trainingForward, type ImageVaeConfig } from '../pipelines/image-vae.ts';
import { selectBackend } from '../src/backend/selectBackend.ts';
import { tf } from '../src/backend/tf.ts';
import { imageDataset, subset, type ImageDataset } from '../src/data/imageDataset.ts';
import { minibatches } from '../src/data/minibatches.ts';
import { loadShippedDigits } from '../src/data/shippedDigits.ts';
import { imagesToTensor } from '../src/operators/imagesToTensor.ts';
import { minimize } from '../src/operators/minimize.ts';
import { Rng } from '../src/random/rng.ts';
import { median, parseArgs } from './args.ts';

const args = parseArgs(process.argv.slice(2), { model: 'mlp', epochs: '1', warmup: '10', batch: '128', seed: '1', backend: 'wasm', profile: '0', top: '20' });
const int = (k: string, min: number): number => {
  const v = Number(args[k]);
  if (!Number.isInteger(v) || v < min) throw new RangeError(`image-vae-ours: --${k} must be an integer ≥ ${min} (got ${args[k]})`);
  return v;
};
if (args.model !== 'mlp' && args.model !== 'conv') throw new RangeError(`image-vae-ours: --model must be mlp or conv (got ${args.model})`);
const epochs = int('epochs', 1), warmup = int('warmup', 0), batch = int('batch', 1), profileSteps = int('profile', 0);
const backend = await selectBackend(args.backend as 'wasm' | 'cpu');

/** All 10 000 shipped digits as one data set: the benchmark's epoch. */
function allDigits(): ImageDataset {
  const { train, test } = loadShippedDigits();
  const images = new Float32Array(train.images.length + test.images.length);
  images.set(train.images);
  images.set(test.images, train.images.length);
  const labels = new Uint8Array(train.n + test.n);
  labels.set(train.labels);
  labels.set(test.labels, train.n);
  return imageDataset({ name: 'shipped-digits/all', n: train.n + test.n, rows: train.rows, cols: train.cols, images, labels, classes: train.classes });
}

const data = allDigits();
const config: ImageVaeConfig = { ...DEFAULT_CONFIG, model: args.model, latent: DEFAULT_LATENT[args.model], batch, epochs, seed: int('seed', 0) };
const model = createImageVae(config, data);
const step = minimize(trainingForward(config, model), model.optimizer);
const dataRng = new Rng(config.seed + 1);

/** Trains on `ds` for `n` epochs through the product's stages; `onStep(ms, isLastInEpoch, loss?)` after each. */
async function train(ds: ImageDataset, n: number, onStep: (ms: number, last: boolean, lossPerImage: () => number) => void): Promise<void> {
  let t = performance.now();
  await lastValueFrom(
    minibatches(ds, { batch, epochs: n, shuffle: true, rng: dataRng, binarize: 'dynamic' }).pipe(
      tap(() => { t = performance.now(); }),
      imagesToTensor(),
      step,
      tap((s) => onStep(performance.now() - t, s.isLastInEpoch, () => s.loss.dataSync()[0] / s.size)),
    ),
    { defaultValue: null },
  );
}

if (warmup > 0) await train(subset(data, Array.from({ length: Math.min(data.n, warmup * batch) }, (_, i) => i), 'warmup'), 1, () => {});

if (profileSteps > 0) {
  const ds = subset(data, Array.from({ length: Math.min(data.n, profileSteps * batch) }, (_, i) => i), 'profile');
  const wall0 = performance.now();
  await train(ds, 1, () => {});
  const plain = (performance.now() - wall0) / profileSteps;
  const info = await tf.profile(() => train(ds, 1, () => {}));
  const totals = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const e = totals.get(key) ?? { ms: 0, calls: 0 };
    e.ms += k.kernelTimeMs as number;
    e.calls += 1;
    totals.set(key, e);
  }
  const byName = new Map<string, number>();
  for (const k of info.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  const sum = [...totals.values()].reduce((a, e) => a + e.ms, 0) / profileSteps;
  const top = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, int('top', 1));
  process.stdout.write(`${JSON.stringify({
    model: config.model, backend: backend.name, batch, profileSteps,
    step_ms_plain: plain, kernel_ms_per_step: sum, kernel_calls_per_step: info.kernels.length / profileSteps,
    by_kernel: Object.fromEntries([...byName.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Number((v / profileSteps).toFixed(3))])),
    top: top.map(([key, e]) => ({ key, ms_per_step: Number((e.ms / profileSteps).toFixed(3)), calls_per_step: e.calls / profileSteps })),
  })}\n`);
  model.dispose();
  process.exit(0);
}

const epochMs: number[] = [];
const epochCpu: number[] = [];
const stepMs: number[] = [];
let epochStart = performance.now();
let cpuStart = process.cpuUsage();
let finalLoss = NaN;
let maxRss = process.memoryUsage().rss;
await train(data, epochs, (ms, last, loss) => {
  stepMs.push(ms);
  if (last) {
    epochMs.push(performance.now() - epochStart);
    const cpu = process.cpuUsage(cpuStart);
    epochCpu.push((cpu.user + cpu.system) / 1e6);
    finalLoss = loss();
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
    epochStart = performance.now();
    cpuStart = process.cpuUsage();
  }
});
const numTensors = tf.memory().numTensors;
model.dispose();
process.stdout.write(`${JSON.stringify({
  model: config.model, records: data.n, batch, steps_per_epoch: Math.ceil(data.n / batch), backend: backend.name,
  epoch_s: epochMs.map((v) => v / 1000), epoch_cpu_s: epochCpu, step_ms_median: median(stepMs), final_loss_per_image: finalLoss,
  max_rss_mb: maxRss / 2 ** 20, num_tensors_end: numTensors,
  versions: { node: process.version, tfjs: tf.version.tfjs },
})}\n`);
