/**
 * An energy-based model of a 2-D toy density, trained by short-run Langevin with a replay buffer
 * (Du & Mordatch 2019), on the operator toolkit, and scored exactly on a grid:
 *
 *   toy data (moons | rings | checkerboard, exact density) ──► train [N, 2], test [M, 2]
 *   trainingSteps ▸ ebmUpdates: minibatch x⁺ ▸ replay buffer (5 % noise) ▸ K Langevin steps ▸ x⁻
 *                               ▸ ebmStep: E(x⁺) − E(x⁻) + α(E(x⁺)² + E(x⁻)²), Adam
 *   every `every` steps ──► gridDensity: exp(−E)/Z on n × n cells (log Z by quadrature)
 *                       ──► densityScores: held-out NLL vs the exact NLL, KL(p‖model), uniform baseline
 *                       ──► figures (density.png, chains.png), checkpoint, safetensors weights
 *
 * The run is a cold Observable of metric records (scalars per interval, one `summary` row at the
 * end); unsubscribing stops after the current step.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bufferCount, concat, concatMap, defer, EMPTY, type Observable } from 'rxjs';
import { loadCheckpoint, restore, saveCheckpoint, snapshot, type Checkpoint } from '../src/checkpoint/checkpoint.ts';
import { encodeSafetensors } from '../src/checkpoint/safetensors.ts';
import { DEFAULT_BOX, uniformInBox, type Box } from '../src/ebm/box.ts';
import { densityScores, type DensityScores } from '../src/ebm/densityScores.ts';
import { chainsPng, densityPng } from '../src/ebm/ebmFigures.ts';
import { ebmUpdates, type EbmUpdate } from '../src/ebm/ebmUpdates.ts';
import { EnergyNet } from '../src/ebm/energyNet.ts';
import { gridCentres, gridDensity, type GridDensity } from '../src/ebm/gridDensity.ts';
import { ReplayBuffer } from '../src/ebm/replayBuffer.ts';
import { shortRunLangevin } from '../src/ebm/shortRunLangevin.ts';
import type { ToyDistribution } from '../src/ebm/toyData.ts';
import { toyDistribution, TOY_DATASETS, type ToyDatasetName } from '../src/ebm/toyDatasets.ts';
import type { MetricRecord, ScalarsRecord, TableRowRecord } from '../src/metrics/records.ts';
import { variablesOf } from '../src/nn/module.ts';
import { trainingSteps } from '../src/objectives/trainingSteps.ts';
import { Adam } from '../src/optim/adam.ts';
import { Rng } from '../src/random/rng.ts';
import { writeFileAtomicSync } from '../src/sinks/writeFileAtomic.ts';

export const EBM_PIPELINE = 'ebm';
export { TOY_DATASETS, type ToyDatasetName };
export const EBM_FIGURES = ['density.png', 'chains.png'] as const;

export interface EbmConfig {
  data: ToyDatasetName;
  /** Optimiser steps in total (a resumed run continues up to this). */
  steps: number;
  /** Langevin steps K per update. */
  langevinSteps: number;
  /** Langevin step size λ: x ← x − (λ/2)∇E + √(λT) ξ. */
  stepSize: number;
  /** Temperature T of the Langevin noise (1: the chains target exp(−E)). */
  temperature: number;
  /** Replay buffer capacity (persistent chains). */
  buffer: number;
  /** Probability that a drawn chain restarts from uniform noise. */
  reinit: number;
  /** Width of both hidden layers of the energy net. */
  hidden: number;
  lr: number;
  /** Data points and chains per update. */
  batch: number;
  /** Weight α of the energy regulariser. */
  alpha: number;
  /** Training points drawn once from the toy distribution, and held-out test points. */
  trainPoints: number;
  testPoints: number;
  /** Cells per axis of the normalisation grid. */
  grid: number;
  /** Scalars (with the grid scores) and a checkpoint every this many steps. */
  every: number;
  /** Figures every this many steps (0: only after the last), and always after the last. */
  figuresEvery: number;
  seed: number;
}

/**
 * The default run: a 2 → 64 → 64 → 1 Swish net, batch 128, K = 20 Langevin steps of λ = 0.02
 * (noise sd 0.14, below the data's noise sd of 0.15–0.2), a buffer of 2000 chains (each drawn
 * every ≈ 16 steps, so it runs ≈ 2500 Langevin steps over the run: Du & Mordatch's 10 000 is for
 * 100 000-step runs), Adam 1e-2, 2000 steps. Against Adam 5e-3 (seed 1, 2000 steps) 1e-2 gains
 * 0.14 nats on the rings, loses 0.04 on the moons and ties on the checkerboard; width 128 doubles
 * the CPU time per step for no gain on the moons. 16–19 ms per step on the 2-core wasm machine,
 * 38–47 s per run (docs/ebm.md).
 */
export const DEFAULT_CONFIG: EbmConfig = {
  data: 'moons',
  steps: 2000,
  langevinSteps: 20,
  stepSize: 0.02,
  temperature: 1,
  buffer: 2000,
  reinit: 0.05,
  hidden: 64,
  lr: 1e-2,
  batch: 128,
  alpha: 0.1,
  trainPoints: 2000,
  testPoints: 2000,
  grid: 160,
  every: 100,
  figuresEvery: 500,
  seed: 1,
};

/** The settings a checkpoint must share with the run that resumes it (steps and figures may change). */
export const RESUME_KEYS = [
  'data', 'langevinSteps', 'stepSize', 'temperature', 'buffer', 'reinit', 'hidden', 'lr', 'batch', 'alpha', 'trainPoints', 'testPoints', 'grid', 'every', 'seed',
] as const;

/** Chains and Langevin steps of the chains figure. */
const FIGURE_CHAINS = 6;
const FIGURE_CHAIN_STEPS = 200;
/** Training points drawn over the density figure. */
const FIGURE_POINTS = 600;

/** Independent random streams of a run, all from its seed; the same for a fresh and a resumed run. */
export function streams(seed: number): { train: Rng; test: Rng; init: Rng; buffer: Rng; stepSeed: number; figureSeed: number } {
  const root = new Rng(seed);
  return { train: root.fork(), test: root.fork(), init: root.fork(), buffer: root.fork(), stepSeed: root.nextUint32(), figureSeed: root.nextUint32() };
}

/** The data of a run and its exact reference. */
export interface EbmData {
  readonly distribution: ToyDistribution;
  readonly box: Box;
  /** Training points [trainPoints, 2] and held-out points [testPoints, 2]. */
  readonly train: Float32Array;
  readonly test: Float32Array;
  /** Exact log p at the test points [testPoints] and at the grid's cell centres [grid²]. */
  readonly testLogDensity: Float64Array;
  readonly gridLogDensity: Float64Array;
}

/** Draws the run's training and test points from its seed and evaluates the exact density where it is needed. */
export function createEbmData(config: EbmConfig): EbmData {
  const distribution = toyDistribution(config.data);
  const s = streams(config.seed);
  const box = DEFAULT_BOX;
  const train = distribution.sample(config.trainPoints, s.train);
  const test = distribution.sample(config.testPoints, s.test);
  return { distribution, box, train, test, testLogDensity: distribution.logDensity(test), gridLogDensity: distribution.logDensity(gridCentres(box, config.grid)) };
}

export interface EbmModel {
  readonly net: EnergyNet;
  readonly optimizer: Adam;
  readonly buffer: ReplayBuffer;
  /** Steps trained so far (non-zero after resuming; advanced by the pipeline). */
  step: number;
  dispose(): void;
}

/** An EBM checkpoint: the toolkit's (weights, Adam moments, step) plus the replay buffer's chains. */
type EbmCheckpoint = Checkpoint & { buffer: string /* base64 float32 [capacity, 2] */ };

/**
 * The model of `config` — weights and buffer from the seed — or restored from a checkpoint the
 * pipeline wrote (weights, Adam, buffer, step) with the same RESUME_KEYS.
 *
 * @throws Error (one line) when the checkpoint cannot be read or was written with other settings
 */
export function createEbm(config: EbmConfig, resumeFrom?: string): EbmModel {
  const s = streams(config.seed);
  const net = new EnergyNet(config.hidden, s.init);
  const optimizer = new Adam(variablesOf(net), { lr: config.lr });
  const buffer = new ReplayBuffer(config.buffer, DEFAULT_BOX, config.reinit, s.buffer);
  const dispose = () => {
    net.dispose();
    optimizer.dispose();
  };
  let step = 0;
  if (resumeFrom != null) {
    try {
      const ckpt = loadCheckpoint(resumeFrom) as EbmCheckpoint;
      for (const key of RESUME_KEYS) {
        const saved = JSON.stringify(ckpt.config[key]);
        if (saved !== JSON.stringify(config[key])) throw new Error(`checkpoint ${resumeFrom} was written with ${key} ${saved}, this run has ${JSON.stringify(config[key])}; resume with the same settings`);
      }
      if (typeof ckpt.buffer !== 'string') throw new Error(`checkpoint ${resumeFrom} has no replay buffer: was it written by ebm?`);
      restore(ckpt, [net], optimizer);
      const b = Buffer.from(ckpt.buffer, 'base64');
      buffer.load(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
      step = ckpt.step;
    } catch (err) {
      dispose();
      throw err;
    }
  }
  return { net, optimizer, buffer, step, dispose };
}

export interface EbmPipelineOptions {
  /** The run directory: figures, `weights.safetensors` and `checkpoints/latest.json` are written there. Nothing is written without it. */
  dir?: string;
  /** Told the file name of each figure just written (e.g. the dashboard's `views.figure`). */
  onFigure?: (name: string) => void;
}

/** The scores of the current model: grid normalisation and every comparison with the truth. */
export function evaluateEbm(model: EbmModel, data: EbmData, config: Pick<EbmConfig, 'grid'>): { scores: DensityScores; logZ: number; grid: GridDensity } {
  const grid = gridDensity((p) => model.net.energies(p), data.box, config.grid);
  const scores = densityScores(grid, data.gridLogDensity, model.net.energies(data.test), data.testLogDensity);
  return { scores, logZ: grid.logZ, grid };
}

/**
 * The run as a cold Observable of metric records. Subscribing trains from `model.step` up to
 * `config.steps`.
 *
 * Emits every `every` steps (and after the last) one `scalars` record at step = steps done, with
 * - `loss`, `e_data`, `e_sample`: means over the interval's updates; `reinit`: chains restarted from noise;
 * - `heldout_nll`, `heldout_nll_se`: the grid-normalised EBM's NLL on the test points (nats);
 *   `exact_nll`: the true density's NLL on them (≈ its entropy); `excess_nll`, `excess_nll_se`: their
 *   difference point by point (estimates KL(p‖model)); `uniform_nll`: the uniform box's, log 64;
 * - `grid_nll` (cross-entropy), `kl_grid`, `entropy_grid`: the same comparisons by quadrature; `log_z`;
 * - `seconds` (the interval's updates), `eval_seconds` (scores, figures, checkpoint);
 *
 * and after the last step one row of table `summary` (data, steps, the final scores, seconds).
 */
export function ebmPipeline(config: EbmConfig, data: EbmData, model: EbmModel, options: EbmPipelineOptions = {}): Observable<MetricRecord> {
  return defer(() => {
    const { net, optimizer, buffer } = model;
    const { dir } = options;
    if (dir != null) mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    const seeds = streams(config.seed);
    const start = model.step;
    const remaining = config.steps - start;
    let trainSeconds = 0;
    let intervalStarted = performance.now();
    let last: DensityScores | undefined;

    const writeFigures = (grid: GridDensity, scores: DensityScores) => {
      const figureRng = new Rng(seeds.figureSeed);
      const starts = uniformInBox(data.box, FIGURE_CHAINS, figureRng);
      const paths = Array.from({ length: FIGURE_CHAINS }, (_, c) => {
        const path = new Float32Array(2 * (FIGURE_CHAIN_STEPS + 1));
        path.set(starts.subarray(2 * c, 2 * c + 2));
        return path;
      });
      shortRunLangevin(net, starts, {
        steps: FIGURE_CHAIN_STEPS, stepSize: config.stepSize, temperature: config.temperature, box: data.box, rng: figureRng,
        onStep: (k, x) => paths.forEach((p, c) => p.set(x.subarray(2 * c, 2 * c + 2), 2 * (k + 1))),
      });
      const figures: Record<(typeof EBM_FIGURES)[number], Uint8Array> = {
        'density.png': densityPng({
          box: data.box, n: config.grid, trueLogDensity: data.gridLogDensity, modelLogDensity: grid.logDensity,
          data: data.train.subarray(0, 2 * Math.min(FIGURE_POINTS, data.train.length / 2)), dataset: config.data, step: model.step,
          heldoutNll: scores.heldoutNll, exactNll: scores.exactNll,
        }),
        'chains.png': chainsPng({ box: data.box, n: config.grid, energy: grid.energy, chains: paths, step: model.step, langevinSteps: FIGURE_CHAIN_STEPS }),
      };
      for (const [name, png] of Object.entries(figures)) {
        writeFileAtomicSync(join(dir!, name), png);
        options.onFigure?.(name);
      }
    };

    const writeState = () => {
      const tensors = Object.fromEntries(net.namedVariables().map(([name, v]) => [name, { dtype: 'F32' as const, shape: v.shape.slice(), data: v.dataSync() as Float32Array }]));
      const metadata = { format: 'qubit-rx/1', model: 'ebm-mlp-swish', hidden: String(config.hidden), data: config.data, box: `[${data.box.lo}, ${data.box.hi}]^2`, step: String(model.step) };
      writeFileAtomicSync(join(dir!, 'weights.safetensors'), encodeSafetensors(tensors, metadata));
      const ckpt: EbmCheckpoint = { ...snapshot(model.step, { ...config }, [net], optimizer, {}), buffer: Buffer.from(buffer.points.buffer, buffer.points.byteOffset, buffer.points.byteLength).toString('base64') };
      saveCheckpoint(join(dir!, 'checkpoints', 'latest.json'), ckpt);
    };

    const endOfInterval = (updates: EbmUpdate[]): MetricRecord[] => {
      const stepsDone = updates.at(-1)!.step + 1;
      model.step = stepsDone;
      const seconds = (performance.now() - intervalStarted) / 1000;
      trainSeconds += seconds;
      const evalStarted = performance.now();
      const mean = (f: (u: EbmUpdate) => number) => updates.reduce((s, u) => s + f(u), 0) / updates.length;
      const { scores, logZ, grid } = evaluateEbm(model, data, config);
      last = scores;
      if (dir != null) {
        const isLast = stepsDone === config.steps;
        if (isLast || (config.figuresEvery > 0 && stepsDone % config.figuresEvery === 0)) writeFigures(grid, scores);
        writeState();
      }
      const values = {
        loss: mean((u) => u.loss), e_data: mean((u) => u.eData), e_sample: mean((u) => u.eSample), reinit: updates.reduce((s, u) => s + u.reinitialised, 0),
        heldout_nll: scores.heldoutNll, heldout_nll_se: scores.heldoutNllSe, exact_nll: scores.exactNll, excess_nll: scores.excessNll, excess_nll_se: scores.excessNllSe,
        uniform_nll: scores.uniformNll, grid_nll: scores.gridNll, kl_grid: scores.klGrid, entropy_grid: scores.entropyGrid, log_z: logZ,
        seconds, eval_seconds: (performance.now() - evalStarted) / 1000,
      };
      intervalStarted = performance.now();
      return [{ kind: 'scalars', step: stepsDone, wallTime: Date.now(), values } satisfies ScalarsRecord];
    };

    // Intervals end at multiples of `every` (so a resumed run's intervals match the uninterrupted
    // one's) and at the last step; bufferCount groups from where its stream starts, so a resumed
    // run's partial first interval is a stream of its own.
    const head = Math.max(0, Math.min(remaining, (config.every - (start % config.every)) % config.every));
    const training$ = (count: number, from: number) =>
      count <= 0
        ? EMPTY
        : trainingSteps(count, seeds.stepSeed, from).pipe(
            ebmUpdates(net, optimizer, buffer, { data: data.train, batch: config.batch, langevinSteps: config.langevinSteps, stepSize: config.stepSize, temperature: config.temperature, alpha: config.alpha, box: data.box }),
            bufferCount(config.every),
            concatMap(endOfInterval),
          );
    const summary$ = defer((): TableRowRecord[] => {
      if (last == null) return [];
      return [{
        kind: 'row',
        table: 'summary',
        row: {
          data: config.data, steps: model.step, heldout_nll: last.heldoutNll, heldout_nll_se: last.heldoutNllSe, exact_nll: last.exactNll, excess_nll: last.excessNll, excess_nll_se: last.excessNllSe,
          uniform_nll: last.uniformNll, kl_grid: last.klGrid, entropy_grid: last.entropyGrid, train_seconds: trainSeconds,
        },
      }];
    });
    return concat(training$(head, start), training$(remaining - head, start + head), summary$);
  });
}
