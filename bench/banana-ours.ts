/**
 * One benchmark run of ours on seed 003's banana posterior, the counterpart of
 * bench/reference/seed_banana.py: a fresh process per run, one JSON line on stdout. Spawned by
 * bench/banana.ts; runnable alone:
 *
 *   npx tsx bench/banana-ours.ts --mode planar --data y.npy --steps 1000 --warmup 50
 *   ... --mode realnvp|spline|nice          the other 5-layer flows
 *   ... --path loop                         the same step in a plain for loop (no stream), timed by part
 *   ... --mode realnvp --hidden 5 --activation relu    conditioners of the seed's size instead of the product's [16, 16] tanh
 *   npx tsx bench/banana-ours.ts --mode hmc --data y.npy --iterations 20000
 *   npx tsx bench/banana-ours.ts --mode nuts --data y.npy --chains 4
 *
 * Flows are trained as the product trains them (src/inference/fitFlow.ts): the pipeline's
 * `makeFlow` (5 layers, weights from --seed), Adam lr 1e-2,
 *
 *   trainingSteps(n, seed) ▸ minimize(reverseKl(flow, target, { batch: 256, rng }), adam) ▸ loss.dataSync()
 *
 * with `--path stream` (the product's path: one step per setImmediate turn) or `--path loop` (the
 * same forward stages run by `runSync` inside `tf.variableGrads`, then `adam.apply`, in a for
 * loop), which also reports the split forward / backward / Adam / loss read-back per step. Only the
 * evaluations fitFlow interleaves (every 10 steps, 4096 draws) are left out: the seed's loop has
 * none. steps/s is over the steps after --warmup.
 *
 * `--mode hmc` is the seed's sampler on our kernel: one chain, ε = 0.05, L = 30, unit mass, no
 * adaptation, start [1, 0.5], --iterations draws, through `runChains`; `--mode nuts` runs the
 * product's NUTS stage (`runMcmc`: window adaptation over --warmup-iterations, then --draws, chains
 * from prior draws) and reports its own summary (ESS, seconds including warm-up, gradient
 * evaluations). ESS is `essBulk` per parameter (split, rank-normalised; one chain is split in two).
 */
import { readFileSync } from 'node:fs';
import { lastValueFrom, map, pipe, tap, toArray } from 'rxjs';
import { createBanana, DEFAULT_CONFIG, makeFlow, streams, type FlowMethod } from '../pipelines/banana.ts';
import { selectBackend } from '../src/backend/selectBackend.ts';
import { tf } from '../src/backend/tf.ts';
import { parseNpy } from '../src/data/npy.ts';
import type { ConditionerActivation } from '../src/flows/conditioner.ts';
import { niceFlow, realNvpFlow, splineFlow } from '../src/flows/factories.ts';
import type { Flow } from '../src/flows/flow.ts';
import { reverseKl } from '../src/flows/reverseKl.ts';
import { flowOptimizer } from '../src/inference/fitFlow.ts';
import { runMcmc } from '../src/inference/runMcmc.ts';
import { StageClock } from '../src/inference/stageClock.ts';
import type { MetricRecord } from '../src/metrics/records.ts';
import { trainingSteps } from '../src/objectives/trainingSteps.ts';
import { minimize, runSync } from '../src/operators/minimize.ts';
import { Rng } from '../src/random/rng.ts';
import { essBulk } from '../src/samplers/diagnostics/index.ts';
import { hmc } from '../src/samplers/hmc.ts';
import { runChains } from '../src/samplers/sampleChains.ts';
import { BananaPosterior, generateBananaData } from '../src/targets/banana.ts';
import { median, parseArgs } from './args.ts';

const FLOWS: readonly FlowMethod[] = ['planar', 'realnvp', 'spline', 'nice'];
const MODES = [...FLOWS, 'hmc', 'nuts'] as const;

const args = parseArgs(process.argv.slice(2), {
  mode: 'planar', data: '', steps: '1000', warmup: '50', batch: '256', lr: '0.01', seed: '1', path: 'stream',
  hidden: '', activation: 'tanh',
  iterations: '20000', L: '30', 'step-size': '0.05', chains: '4', 'warmup-iterations': '1000', draws: '1000', backend: 'wasm',
});
const int = (k: string, min: number): number => {
  const v = Number(args[k]);
  if (!Number.isInteger(v) || v < min) throw new RangeError(`banana-ours: --${k} must be an integer ≥ ${min} (got ${args[k]})`);
  return v;
};
const mode = args.mode as (typeof MODES)[number];
if (!MODES.includes(mode)) throw new RangeError(`banana-ours: --mode must be one of ${MODES.join(', ')} (got ${args.mode})`);
if (args.path !== 'stream' && args.path !== 'loop') throw new RangeError(`banana-ours: --path must be stream or loop (got ${args.path})`);
const seed = int('seed', 0);

/** The benchmark's data: the --data file (what the reference reads), else the product's default data for seed 1. */
const y = args.data !== '' ? parseNpy(readFileSync(args.data), args.data).data : generateBananaData(DEFAULT_CONFIG.points, streams(1).data);
const target = new BananaPosterior({ y, sigmaY: DEFAULT_CONFIG.sigmaY, priorScale: DEFAULT_CONFIG.priorScale });

/** CPU seconds of this process (user + system, all threads) since `from`. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

/** min over θ₁, θ₂ of essBulk, each over the given chains ([kept, 2] row-major each). */
function essPerParameter(chains: readonly Float64Array[]): [number, number] {
  const column = (c: number) => chains.map((d) => Float64Array.from({ length: d.length / 2 }, (_, i) => d[2 * i + c]));
  return [essBulk(column(0)), essBulk(column(1))];
}

/** A 5-layer flow of `method` with the conditioners given by --hidden (comma-separated widths) and --activation. */
function customFlow(method: FlowMethod, rng: Rng): Flow {
  const hidden = args.hidden.split(',').map(Number);
  if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new RangeError(`banana-ours: --hidden must be comma-separated integers ≥ 1 (got ${args.hidden})`);
  const net = { hidden, activation: args.activation as ConditionerActivation };
  switch (method) {
    case 'planar': throw new RangeError('banana-ours: --hidden applies to coupling flows (realnvp, nice, spline), not planar');
    case 'realnvp': return realNvpFlow(2, 5, rng, net);
    case 'nice': return niceFlow(2, 5, rng, net);
    case 'spline': return splineFlow(2, 5, rng, net);
  }
}

async function trainFlow(method: FlowMethod): Promise<Record<string, unknown>> {
  const steps = int('steps', 1), warmup = int('warmup', 0), batch = int('batch', 1);
  const lr = Number(args.lr);
  const backend = await selectBackend(args.backend as 'wasm' | 'cpu');
  // As fitFlow: the flow's weights from the method's seed, training draws from a fork of another.
  const flow = args.hidden === ''
    ? makeFlow(method, { ...DEFAULT_CONFIG, layers: 5 }, new Rng(seed))
    : customFlow(method, new Rng(seed));
  const root = new Rng(seed + 1);
  const trainRng = root.fork();
  const stepSeed = root.nextUint32();
  const adam = flowOptimizer(flow, lr); // the product's choice (fitFlow)
  const forward = pipe(reverseKl(flow, target, { batch, rng: trainRng }));
  const total = warmup + steps;
  let lastLoss = NaN;
  let measuredFrom = 0;
  let cpuFrom = process.cpuUsage();
  const stepMs: number[] = [];
  const parts = { forward: [] as number[], backward: [] as number[], adam: [] as number[], readback: [] as number[] };

  if (args.path === 'stream') {
    // A step ends when its loss has been read downstream; the next starts at once (setImmediate).
    let prev = performance.now();
    measuredFrom = prev;
    cpuFrom = process.cpuUsage();
    await lastValueFrom(trainingSteps(total, stepSeed).pipe(
      minimize(forward, adam),
      map(({ step, loss }) => {
        lastLoss = (loss.dataSync() as Float32Array)[0];
        return step;
      }),
      tap((step) => {
        const now = performance.now();
        if (step >= warmup) stepMs.push(now - prev);
        if (step === warmup - 1) {
          measuredFrom = now;
          cpuFrom = process.cpuUsage();
        }
        prev = now;
      }),
    ), { defaultValue: 0 });
  } else {
    const vars = adam.variables as tf.Variable[];
    for (let step = 0; step < total; step++) {
      if (step === warmup) {
        measuredFrom = performance.now();
        cpuFrom = process.cpuUsage();
      }
      const a = performance.now();
      let b = 0;
      const { value, grads } = tf.variableGrads(() => {
        const out = runSync(forward, {});
        b = performance.now();
        return out.loss as tf.Scalar;
      }, vars);
      const c = performance.now();
      adam.apply(vars.map((v) => grads[v.name]));
      const d = performance.now();
      lastLoss = (value.dataSync() as Float32Array)[0];
      tf.dispose([value, ...Object.values(grads)]);
      const e = performance.now();
      if (step >= warmup) {
        parts.forward.push(b - a);
        parts.backward.push(c - b);
        parts.adam.push(d - c);
        parts.readback.push(e - d);
        stepMs.push(e - a);
      }
    }
  }
  const wall = (performance.now() - measuredFrom) / 1000;
  const cpu = cpuSeconds(cpuFrom);
  const numTensors = tf.memory().numTensors;
  adam.dispose();
  flow.dispose();
  return {
    steps, warmup, batch, lr, path: args.path, hidden: args.hidden === '' ? 'product default' : args.hidden, activation: args.hidden === '' ? 'product default' : args.activation,
    steps_per_s: steps / wall,
    wall_s: wall,
    cpu_s: cpu,
    step_ms_median: median(stepMs),
    ...(args.path === 'loop'
      ? { forward_ms_median: median(parts.forward), backward_ms_median: median(parts.backward), adam_ms_median: median(parts.adam), readback_ms_median: median(parts.readback) }
      : {}),
    final_loss: lastLoss,
    num_tensors_end: numTensors,
    backend: backend.name,
    tfjs: tf.version.tfjs,
  };
}

function seedHmc(): Record<string, unknown> {
  const iterations = int('iterations', 4);
  const L = int('L', 1);
  const stepSize = Number(args['step-size']);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const run = runChains({
    makeKernel: (p) => hmc(target, { stepSize: p.stepSize, numSteps: L, inverseMassDiag: p.inverseMassDiag }),
    initialPositions: [Float64Array.of(1, 0.5)],
    warmup: 0,
    draws: iterations,
    adapt: false,
    params: { stepSize },
    rng: new Rng(seed),
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  const [ess1, ess2] = essPerParameter(run.draws);
  const infos = run.infos[0];
  const accepted = infos.reduce((n, i) => n + (i.accepted ? 1 : 0), 0);
  const gradientEvaluations = infos.reduce((n, i) => n + i.gradientEvaluations, 0);
  const essMin = Math.min(ess1, ess2);
  return {
    iterations, L, step_size: stepSize, chains: 1,
    iterations_per_s: iterations / wall,
    wall_s: wall,
    cpu_s: cpu,
    acceptance: accepted / iterations,
    gradient_evals: gradientEvaluations,
    ess_theta1: ess1,
    ess_theta2: ess2,
    ess_min: essMin,
    ess_per_s: essMin / wall,
  };
}

async function productNuts(): Promise<Record<string, unknown>> {
  const chains = int('chains', 1);
  const warmup = int('warmup-iterations', 0), draws = int('draws', 4);
  const setup = createBanana(DEFAULT_CONFIG, y);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let cpu = NaN;
  const records = await lastValueFrom(runMcmc('nuts', setup.posterior, setup.reference, new StageClock(), {
    chains, warmup, draws,
    leapfrogSteps: DEFAULT_CONFIG.leapfrogSteps,
    stepSize: DEFAULT_CONFIG.stepSize,
    adapt: true,
    maxTreeDepth: DEFAULT_CONFIG.maxTreeDepth,
    every: DEFAULT_CONFIG.every,
    seed: streams(seed).methods('nuts'),
    priorScale: DEFAULT_CONFIG.priorScale,
  }).pipe(
    // The last iteration's scalars come with the last draw, before runMcmc scores the samples.
    tap((r) => { if (r.kind === 'scalars' && r.values.iteration === warmup + draws) cpu = cpuSeconds(c0); }),
    toArray<MetricRecord>(),
  ));
  const stream = (performance.now() - t0) / 1000;
  const summary = records.find((r) => r.kind === 'row' && r.table === 'summary');
  if (summary?.kind !== 'row') throw new Error('banana-ours: runMcmc emitted no summary row');
  const s = summary.row as Record<string, number>;
  return {
    chains, warmup, draws,
    iterations: chains * (warmup + draws),
    iterations_per_s: (chains * (warmup + draws)) / s.seconds,
    // runMcmc's own clock: from subscribe to the last draw (warm-up included), before scoring.
    wall_s: s.seconds,
    cpu_s: cpu,
    wall_sampling_s: s.seconds_sampling,
    wall_with_scoring_s: stream,
    acceptance: s.acceptance,
    step_size: s.step_size,
    divergences: s.divergences,
    gradient_evals: s.gradient_evals,
    ess_theta1: s.ess_bulk_theta1,
    ess_theta2: s.ess_bulk_theta2,
    ess_min: s.ess_bulk_min,
    ess_per_s: s.ess_bulk_min / s.seconds,
    ess_per_s_sampling: s.ess_per_s_sampling,
    r_hat_max: s.r_hat_max,
  };
}

const result = mode === 'hmc' ? seedHmc() : mode === 'nuts' ? await productNuts() : await trainFlow(mode);
process.stdout.write(`${JSON.stringify({ impl: 'ours', mode, node: process.version, ...result, max_rss_mb: process.resourceUsage().maxRSS / 1024 })}\n`);
