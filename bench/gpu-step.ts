/**
 * One timing of the GPU device check (bench/gpu-check.ts spawns it, a fresh process per
 * measurement, as bench/run.ts does): the product's own training stages on one backend, one JSON
 * line on stdout.
 *
 *   npx tsx bench/gpu-step.ts --workload showcase --backend webgpu --steps 300 --warmup 20 --max-seconds 30
 *
 * Workloads:
 * - showcase: the seed's VAE, random axis, ε 0.2, N 200, batch 50, z_dim 1, plan A;
 * - large: the same at N 1000, batch 256;
 * - mlp, conv: the image VAEs on the shipped digits, batch 128, dynamic binarisation.
 *
 * The step is what `train` / `image-vae` run: apparatusSource ▸ toTensor ▸ KL schedule ▸
 * minimize(encode ▸ sampleLatent ▸ decode ▸ elbo), or minibatches ▸ imagesToTensor ▸
 * minimize(trainingForward). GPU backends queue work asynchronously, so time is read only after
 * reading the loss back (which waits for the queue): after the warm-up and then every `sync-every`
 * steps (as the CLI's progress reads the loss every `every` steps); steps/s = timed steps over the
 * seconds between the first and the last read-back. Stops early, at a read-back, after
 * `max-seconds` of timed steps. Exits explicitly: Dawn keeps a process alive while its GPU lives.
 */
import { lastValueFrom, pipe, takeWhile, tap } from 'rxjs';
import { createModel, DEFAULT_CONFIG } from '../pipelines/emergent-classicality.ts';
import { createImageVae, DEFAULT_CONFIG as IMAGE_CONFIG, DEFAULT_LATENT, trainingForward } from '../pipelines/image-vae.ts';
import { selectBackend, type BackendName } from '../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../src/backend/tf.ts';
import { minibatches } from '../src/data/minibatches.ts';
import { loadShippedDigits } from '../src/data/shippedDigits.ts';
import { decode } from '../src/operators/decode.ts';
import { elbo } from '../src/operators/elbo.ts';
import { encode } from '../src/operators/encode.ts';
import { imagesToTensor } from '../src/operators/imagesToTensor.ts';
import { minimize } from '../src/operators/minimize.ts';
import { sampleLatent } from '../src/operators/sampleLatent.ts';
import { parseSchedule, withSchedule } from '../src/operators/schedule.ts';
import { toTensor, type Sample } from '../src/operators/toTensor.ts';
import { Rng } from '../src/random/rng.ts';
import { apparatusSource } from '../src/simulators/apparatusSource.ts';
import { parseArgs } from './args.ts';

export const WORKLOADS = ['showcase', 'large', 'mlp', 'conv'] as const;
export type Workload = (typeof WORKLOADS)[number];

const args = parseArgs(process.argv.slice(2), { workload: 'showcase', backend: 'wasm', steps: '100', warmup: '10', 'max-seconds': '30', 'sync-every': '10', seed: '1' });
const int = (k: string, min: number): number => {
  const v = Number(args[k]);
  if (!Number.isInteger(v) || v < min) throw new RangeError(`gpu-step: --${k} must be an integer ≥ ${min} (got ${args[k]})`);
  return v;
};
const workload = args.workload as Workload;
if (!WORKLOADS.includes(workload)) throw new RangeError(`gpu-step: --workload must be one of ${WORKLOADS.join(', ')} (got ${args.workload})`);
const steps = int('steps', 1), warmup = int('warmup', 1), syncEvery = int('sync-every', 1), seed = int('seed', 0);
const maxMs = Number(args['max-seconds']) * 1000;
const backend = await selectBackend(args.backend as BackendName);

let k = 0;
let t0 = NaN, tLast = NaN, timed = 0, finalLoss = NaN, stop = false;
/** Called with each step's loss while its tensors are alive: read back at warm-up's end and every syncEvery steps. */
function onStep(loss: Tensor, perRecord: number): void {
  k += 1;
  const timedNow = k - warmup;
  if (timedNow < 0) return;
  if (timedNow === 0 || timedNow % syncEvery === 0 || timedNow === steps) {
    finalLoss = loss.dataSync()[0] / perRecord;
    const now = performance.now();
    if (timedNow === 0) t0 = now;
    else {
      tLast = now;
      timed = timedNow;
      if (timedNow >= steps || now - t0 > maxMs) stop = true;
    }
  }
}

if (workload === 'showcase' || workload === 'large') {
  const config = { ...DEFAULT_CONFIG, ...(workload === 'large' ? { qubits: 1000, batch: 256 } : {}), steps: warmup + steps, seed, checkpointEvery: 0 };
  const model = createModel(config);
  const forward = pipe(encode<Sample & { reg: number }>(model.encoder), sampleLatent({ plan: config.plan, rng: model.rngs.latent }), decode(model.decoder), elbo());
  await lastValueFrom(
    apparatusSource(model.apparatus, { batch: config.batch, rng: model.rngs.data, count: config.steps, forkRng: false }).pipe(
      toTensor(),
      withSchedule('reg', parseSchedule(config.reg)),
      minimize(forward, model.optimizer),
      tap((ctx) => onStep(ctx.loss, config.batch)),
      takeWhile(() => !stop),
    ),
    { defaultValue: null },
  );
  model.dispose();
} else {
  const { train } = loadShippedDigits();
  const config = { ...IMAGE_CONFIG, model: workload, latent: DEFAULT_LATENT[workload], seed };
  const model = createImageVae(config, train);
  await lastValueFrom(
    minibatches(train, { batch: config.batch, epochs: Infinity, shuffle: true, rng: new Rng(seed + 1), binarize: 'dynamic', dropLast: true }).pipe(
      imagesToTensor(),
      minimize(trainingForward(config, model), model.optimizer),
      tap((ctx) => onStep(ctx.loss, config.batch)),
      takeWhile(() => !stop && k < warmup + steps),
    ),
    { defaultValue: null },
  );
  model.dispose();
}

const seconds = (tLast - t0) / 1000;
process.stdout.write(`${JSON.stringify({
  impl: 'ours', workload, backend: backend.name, device: backend.device ?? null, skipped: backend.skipped,
  warmup, steps: timed, seconds, steps_per_s: timed / seconds, ms_per_step: (1000 * seconds) / timed,
  stopped_by_time: timed < steps, final_loss: finalLoss, sync_every: syncEvery,
  versions: { node: process.version, tfjs: tf.version.tfjs },
})}\n`);
process.exit(0);
