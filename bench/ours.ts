/**
 * One benchmark run of our pipeline, the counterpart of bench/reference/seed_vae.py: the same
 * command-line arguments, the same JSON on stdout. Spawned by bench/run.ts (a fresh process per run,
 * as for PyTorch); runnable alone:
 *
 *   npx tsx bench/ours.ts --scheme random --epsilon 0.2 --N 200 --batch 50 --zdim 1 --plan A --steps 200 --warmup 20
 *   ... --mode sampler        the apparatus sampler alone
 *   ... --metrics             with the pipeline's default metrics (every 20 steps, 500 fresh records)
 *   ... --memory-every 100    also trace RSS and tf.memory() every 100 steps
 *   ... --worker              sampling in a worker thread, overlapping the training step (the
 *                             pipeline's samplingThread 'worker'; without it, 'main')
 *
 * It runs the real pipeline (`emergentClassicality`: apparatusSource → toTensor → schedule →
 * minimize → metrics) and times it from outside: the apparatus sampler of the training stream is
 * wrapped, so step k's sampling time is its sample call, and its training time runs from the end of
 * that call to the start of the next one (tensor upload, forward, backward, Adam, stream overhead).
 * With --worker the same pipeline draws its batches in apparatusSource's worker thread; the sampler
 * then runs on the other thread, so step k's sampling time is the time from the end of step k−1's
 * optimiser update to the hand-over of batch k (the source moves the data generator to the batch's
 * end state just before emitting it), and its training time runs from there to the end of its update.
 */
import { filter, lastValueFrom } from 'rxjs';
import { createModel, DEFAULT_CONFIG, emergentClassicality, type EmergentClassicalityConfig } from '../pipelines/emergent-classicality.ts';
import { selectBackend } from '../src/backend/selectBackend.ts';
import { tf } from '../src/backend/tf.ts';
import type { ScalarsRecord } from '../src/metrics/records.ts';
import type { Plan } from '../src/operators/sampleLatent.ts';
import { Rng } from '../src/random/rng.ts';
import { Apparatus, type Scheme } from '../src/simulators/apparatus.ts';
import { median, parseArgs } from './args.ts';

const args = parseArgs(process.argv.slice(2), {
  scheme: 'random', epsilon: '0.2', N: '200', batch: '50', zdim: '1', plan: 'A', steps: '100', warmup: '10',
  seed: '1', mode: 'train', backend: 'wasm', metrics: 'false', 'memory-every': '0', 'per-step': 'false', worker: 'false',
});
const num = (k: string, min: number) => {
  const v = Number(args[k]);
  if (!Number.isInteger(v) || v < min) throw new RangeError(`--${k} must be an integer ≥ ${min} (got ${args[k]})`);
  return v;
};
const steps = num('steps', 1), warmup = num('warmup', 0), memoryEvery = num('memory-every', 0);
const config: EmergentClassicalityConfig = {
  ...DEFAULT_CONFIG,
  scheme: args.scheme as Scheme,
  epsilon: Number(args.epsilon),
  qubits: num('N', 1),
  batch: num('batch', 1),
  latent: num('zdim', 1),
  plan: args.plan as Plan,
  steps: warmup + steps,
  seed: num('seed', 0),
  checkpointEvery: 0,
  // Like the seed's training loop: no metrics but the last step's, unless asked for.
  every: args.metrics === 'true' ? DEFAULT_CONFIG.every : warmup + steps,
  evalRecords: args.metrics === 'true' ? DEFAULT_CONFIG.evalRecords : 8,
  samplingThread: args.worker === 'true' ? 'worker' : 'main',
};
const backend = await selectBackend(args.backend as 'wasm' | 'cpu');

const sampleMs: number[] = [];
const trainMs: number[] = [];
const memory: Array<{ step: number; rssMb: number; numTensors: number; tensorMb: number }> = [];
let finalLoss: number | null = null;
const t0 = performance.now();

if (args.mode === 'sampler') {
  const app = new Apparatus({ scheme: config.scheme, epsilon: config.epsilon, qubits: config.qubits });
  const rng = new Rng(config.seed);
  for (let k = 0; k < warmup + steps; k++) {
    const a = performance.now();
    app.sample(config.batch, rng);
    if (k >= warmup) {
      sampleMs.push(performance.now() - a);
      trainMs.push(0);
    }
  }
} else if (args.worker === 'true') {
  const model = createModel(config);
  const data = model.rngs.data;
  const setState = data.setState.bind(data);
  const apply = model.optimizer.apply.bind(model.optimizer);
  let k = 0;
  let delivered = 0;
  let updated = performance.now();
  data.setState = (state) => {
    delivered = performance.now();
    if (k >= warmup) sampleMs.push(delivered - updated);
    setState(state);
  };
  model.optimizer.apply = (grads) => {
    apply(grads);
    updated = performance.now();
    if (k >= warmup) trainMs.push(updated - delivered);
    k += 1;
  };
  const last = await lastValueFrom(emergentClassicality(config, model).pipe(filter((r): r is ScalarsRecord => r.kind === 'scalars')), { defaultValue: undefined });
  finalLoss = last?.values.loss ?? null;
  model.dispose();
} else {
  const model = createModel(config);
  const app = model.apparatus;
  const sample = app.sample.bind(app);
  let calls = 0;
  let lastEnd = 0;
  // Times the training stream's batches only (the metrics' evaluation draws from rngs.eval).
  app.sample = (batch, rng, out) => {
    if (rng !== model.rngs.data) return sample(batch, rng, out);
    const start = performance.now();
    if (calls > warmup) trainMs.push(start - lastEnd);
    const x = sample(batch, rng, out);
    lastEnd = performance.now();
    calls += 1;
    if (calls > warmup) sampleMs.push(lastEnd - start);
    if (memoryEvery > 0 && (calls - 1) % memoryEvery === 0) {
      const m = tf.memory();
      memory.push({ step: calls - 1, rssMb: process.memoryUsage().rss / 2 ** 20, numTensors: m.numTensors, tensorMb: m.numBytes / 2 ** 20 });
    }
    return x;
  };
  const last = await lastValueFrom(emergentClassicality(config, model).pipe(filter((r): r is ScalarsRecord => r.kind === 'scalars')), { defaultValue: undefined });
  // The last step's time includes its metrics (8 evaluation records: well under a millisecond).
  if (calls > warmup) trainMs.push(performance.now() - lastEnd);
  finalLoss = last?.values.loss ?? null;
  model.dispose();
}

const wall = (performance.now() - t0) / 1000;
const steps_ = sampleMs.map((s, i) => s + trainMs[i]);
const out = {
  impl: 'ours',
  config: { scheme: config.scheme, epsilon: config.epsilon, N: config.qubits, batch: config.batch, zdim: config.latent, plan: config.plan, lr: config.lr, steps, warmup, mode: args.mode, metrics: args.metrics === 'true' },
  threads: { backend: backend.name, node: process.version, samplingWorker: args.worker === 'true' },
  versions: { tfjs: tf.version.tfjs, node: process.version },
  sample_ms_median: median(sampleMs),
  train_ms_median: median(trainMs),
  step_ms_median: median(steps_),
  step_ms_mean: steps_.reduce((a, b) => a + b, 0) / steps_.length,
  wall_s: wall,
  final_loss: finalLoss,
  max_rss_mb: process.resourceUsage().maxRSS / 1024,
  ...(memory.length > 0 ? { memory } : {}),
  ...(args['per-step'] === 'true' ? { sample_ms: sampleMs, train_ms: trainMs } : {}),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
