/**
 * Seed 004's restricted Boltzmann machine on the operator toolkit: the seed's PyTorch `RBM`
 * (784 visible, 500 hidden, CD-1, SGD 0.1, batch 64, dynamic binarisation by `data.bernoulli()`),
 * trained by contrastive divergence and evaluated honestly, with a log-likelihood instead of only
 * the seed's loss.
 *
 *   per epoch e: minibatches (seeded shuffle, dynamic binarisation, epoch e) ──cdUpdates──►
 *     (CD-k or PCD-k, momentum, weight decay; its own generator per epoch) ──► at the epoch's end:
 *     pseudo-log-likelihood, AIS log Z (base rate from the training pixel means), test
 *     log-likelihood, exact log Z for ≤ 20 hidden units, the three figures, weights, checkpoint
 *   ──► after the last epoch: AIS with --final-ais-betas, the `final` table row
 *
 * Every stage is an RxJS operator or a plain function of the model (src/energy/); the run is a cold
 * Observable of metric records (one scalars record per epoch, one row of table `final`).
 */
import { concat, concatMap, defer, EMPTY, map, range, reduce, tap, type Observable } from 'rxjs';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedBinarizedTestSet, TEST_BINARIZATION_SEED } from '../src/data/fixedBinarizedTestSet.ts';
import { subset, type ImageDataset } from '../src/data/imageDataset.ts';
import { minibatches } from '../src/data/minibatches.ts';
import { ais, baseRateBias, type AisResult } from '../src/energy/ais.ts';
import { cdUpdates, type CdUpdate } from '../src/energy/cdUpdates.ts';
import { cdInit, type CdOptions, type CdState } from '../src/energy/contrastiveDivergence.ts';
import { EXACT_LOG_Z_MAX_HIDDEN, exactLogZ } from '../src/energy/exactLogZ.ts';
import { pseudoLikelihood } from '../src/energy/pseudoLikelihood.ts';
import { createRbm, rbmFrom, type Rbm } from '../src/energy/rbm.ts';
import { encodeRbm } from '../src/energy/rbmSafetensors.ts';
import { logLikelihood } from '../src/energy/testLogLikelihood.ts';
import { rbmFigures } from '../src/inference/rbmFigures.ts';
import type { MetricRecord, ScalarsRecord, TableRowRecord } from '../src/metrics/records.ts';
import { Rng } from '../src/random/rng.ts';
import { writeFileAtomicSync } from '../src/sinks/writeFileAtomic.ts';

export const RBM_PIPELINE = 'rbm';
export const AIS_BASES = ['both', 'data', 'visible-bias'] as const;
export type AisBase = (typeof AIS_BASES)[number];

export interface RbmConfig {
  /** Hidden units (the visible ones come from the data: rows · cols). */
  hidden: number;
  /** Gibbs sweeps per CD update. */
  k: number;
  /** PCD: keep the negative chains across updates (Tieleman 2008) instead of restarting them at the data. */
  persistent: boolean;
  /** SGD step. */
  lr: number;
  /** SGD momentum in [0, 1). */
  momentum: number;
  /** L2 penalty on W, ≥ 0. */
  weightDecay: number;
  batch: number;
  /** Total epochs (a resumed run continues up to this). */
  epochs: number;
  /** Train on the first this many training images (null: all). */
  trainSubset: number | null;
  /** Test images of every evaluation: the first this many of the fixed binarisation (null: all). */
  testSubset: number | null;
  /**
   * The base model of AIS: `data`, Salakhutdinov & Murray's base rate (visible biases = logit of the
   * training pixel means, baseRateBias); `visible-bias`, the RBM's own visible biases (the path then
   * anneals only W and the hidden biases); `both` (default): both, and log_z is the larger estimate.
   * Each log Ẑ is a stochastic lower bound (P(log Ẑ > log Z + t) ≤ e^{−t}), so the larger is the
   * more trustworthy and the test log-likelihood from it the more conservative; with few
   * distributions the base nearer the model is far less biased (measured in docs/rbm.md).
   */
  aisBase: AisBase;
  /** AIS runs M of the per-epoch estimate of log Z. */
  aisRuns: number;
  /** AIS runs M of the final estimate after the last epoch. */
  finalAisRuns: number;
  /** AIS intermediate distributions K of the per-epoch estimate. */
  aisBetas: number;
  /** AIS intermediate distributions K of the final estimate after the last epoch. */
  finalAisBetas: number;
  /** Draw the figures every this many epochs and after the last (0: only after the last). */
  figuresEvery: number;
  /** Long chains of rbm-chains.png. */
  chains: number;
  /** Sweeps of each long chain of rbm-chains.png. */
  chainSweeps: number;
  /** Where the images came from: `shipped-digits`, or the --data directory. */
  data: string;
  seed: number;
}

/**
 * The default run: the seed's RBM (500 hidden, CD-1, SGD 0.1 without momentum or weight decay,
 * batch 64) on the 8 495 shipped training digits (133 updates per epoch).
 *
 * Budgets come from measurements with the wasm engine (src/energy/rbmEngine.ts) on the 2-core
 * machine, 500 hidden units: an epoch of CD-1 ≈ 1.2 s; AIS ≈ 25 µs per run and distribution, so
 * 20 × 1000 per base ≈ 0.5 s per epoch and 100 × 10 000 ≈ 25–45 s per base at the end. The per-epoch
 * budget goes to K, not M: few distributions bias log Z low (20 × 1000 is 9–18 nats closer to the
 * final estimate than 100 × 200 at the same cost; docs/rbm.md). The default run ≈ 2 min.
 */
export const DEFAULT_CONFIG: RbmConfig = {
  hidden: 500,
  k: 1,
  persistent: false,
  lr: 0.1,
  momentum: 0,
  weightDecay: 0,
  batch: 64,
  epochs: 10,
  trainSubset: null,
  testSubset: null,
  aisBase: 'both',
  aisRuns: 20,
  aisBetas: 1000,
  finalAisRuns: 100,
  finalAisBetas: 10_000,
  figuresEvery: 1,
  chains: 10,
  chainSweeps: 200,
  data: 'shipped-digits',
  seed: 1,
};

/**
 * Salakhutdinov & Murray (2008), "On the quantitative analysis of deep belief networks", Table 2:
 * AIS test log-likelihoods (nats per image) of 500-hidden-unit RBMs on MNIST trained with CD-1, CD-3
 * and CD-25 (k raised over training), log Z by 100 AIS runs with 14 500 intermediate distributions.
 * The anchor runs are compared against, not a claim.
 */
export const SALAKHUTDINOV_MURRAY_2008 = Object.freeze({ cd1: -125.53, cd3: -105.5, cd25: -86.34 });

/** The settings a checkpoint must share with the run that resumes it (the others may change: epochs, evaluation, figures). */
export const RESUME_KEYS = ['hidden', 'k', 'persistent', 'lr', 'momentum', 'weightDecay', 'batch', 'trainSubset', 'data', 'seed'] as const;

export const RBM_CHECKPOINT_FORMAT = 'qubit-rx-rbm-checkpoint/1';

/** Independent random streams of a run, all from its seed; the same for a fresh and a resumed run. */
export function streams(seed: number): { init: Rng; data: number[]; cd: number[]; evalSeed: number; aisSeed: number; figureSeed: number; finalSeed: number } {
  const root = new Rng(seed);
  return {
    init: root.fork(),
    data: root.fork().state(),
    cd: root.fork().state(),
    evalSeed: root.nextUint32(),
    aisSeed: root.nextUint32(),
    figureSeed: root.nextUint32(),
    finalSeed: root.nextUint32(),
  };
}

/**
 * The generator of epoch e's CD updates: the (e+1)-th fork of the run's CD stream, as minibatches
 * gives epoch e its own generator, so epoch e draws the same numbers in a fresh and a resumed run.
 */
export function cdGenerator(state: readonly number[], epoch: number): Rng {
  const root = Rng.fromState(state);
  for (let e = 0; e < epoch; e++) root.fork();
  return root.fork();
}

export interface RbmData {
  train: ImageDataset;
  test: ImageDataset;
}

/** What a run trains, mutable: the CD state (model, momentum buffers, PCD chains) and the epochs done. */
export interface RbmTraining {
  state: CdState;
  /** Epochs trained so far (non-zero after resuming; advanced by the pipeline). */
  epoch: number;
  /** CD updates so far. */
  step: number;
}

/** The CD options of a config. */
export function cdOptions(config: Pick<RbmConfig, 'k' | 'lr' | 'momentum' | 'weightDecay' | 'persistent'>): CdOptions {
  return { k: config.k, learningRate: config.lr, momentum: config.momentum, weightDecay: config.weightDecay, persistent: config.persistent };
}

/**
 * The RBM of `config` for `visible` pixels, initialised as the seed's (W ~ N(0, 0.01²), biases 0)
 * from the config's seed — or restored from a checkpoint written by the pipeline (parameters,
 * momentum buffers and PCD chains in float64, epoch and step), which must have been written with
 * the same RESUME_KEYS and visible size.
 *
 * @throws Error (one line) when the checkpoint cannot be read or was written with other settings
 */
export function createRbmTraining(config: RbmConfig, visible: number, resumeFrom?: string): RbmTraining {
  if (resumeFrom == null) return { state: cdInit(createRbm(visible, config.hidden, streams(config.seed).init)), epoch: 0, step: 0 };
  let ckpt: RbmCheckpoint;
  try {
    ckpt = JSON.parse(readFileSync(resumeFrom, 'utf8')) as RbmCheckpoint;
  } catch (err) {
    throw new Error(`cannot read checkpoint ${resumeFrom}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (ckpt?.format !== RBM_CHECKPOINT_FORMAT) throw new Error(`${resumeFrom} is not an rbm checkpoint (format ${String(ckpt?.format)}, expected ${RBM_CHECKPOINT_FORMAT})`);
  for (const key of RESUME_KEYS) {
    const saved = JSON.stringify(ckpt.config[key]);
    if (saved !== JSON.stringify(config[key])) throw new Error(`checkpoint ${resumeFrom} was written with ${key} ${saved}, this run has ${JSON.stringify(config[key])}; resume with the same settings`);
  }
  if (ckpt.visible !== visible) throw new Error(`checkpoint ${resumeFrom} has ${ckpt.visible} visible units, the data have ${visible} pixels`);
  const model = rbmFrom({ visible, hidden: ckpt.hidden, W: decode64(ckpt.W), vBias: decode64(ckpt.vBias), hBias: decode64(ckpt.hBias) });
  const state: CdState = {
    model,
    velocity: { W: decode64(ckpt.velocity.W), vBias: decode64(ckpt.velocity.vBias), hBias: decode64(ckpt.velocity.hBias) },
    chains: ckpt.chains == null ? null : decode64(ckpt.chains),
  };
  return { state, epoch: ckpt.epoch, step: ckpt.step };
}

/** checkpoints/latest.json: everything to continue bit for bit, arrays as base64 float64. */
interface RbmCheckpoint {
  format: typeof RBM_CHECKPOINT_FORMAT;
  epoch: number;
  step: number;
  config: Record<string, unknown>;
  visible: number;
  hidden: number;
  W: string;
  vBias: string;
  hBias: string;
  velocity: { W: string; vBias: string; hBias: string };
  chains: string | null;
}

const encode64 = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function decode64(s: string): Float64Array {
  const b = Buffer.from(s, 'base64');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function checkpointOf(config: RbmConfig, t: RbmTraining): RbmCheckpoint {
  const { model, velocity, chains } = t.state;
  return {
    format: RBM_CHECKPOINT_FORMAT,
    epoch: t.epoch,
    step: t.step,
    config: { ...config },
    visible: model.visible,
    hidden: model.hidden,
    W: encode64(model.W),
    vBias: encode64(model.vBias),
    hBias: encode64(model.hBias),
    velocity: { W: encode64(velocity.W), vBias: encode64(velocity.vBias), hBias: encode64(velocity.hBias) },
    chains: chains == null ? null : encode64(chains),
  };
}

export interface RbmPipelineOptions {
  /**
   * The run directory: every epoch writes the figures (when due), `weights.safetensors` and
   * `checkpoints/latest.json` there (synchronously, before the epoch's scalars are emitted, so an
   * interrupted run keeps the last finished epoch). Nothing is written without it.
   */
  dir?: string;
  /** Told the file name of each figure just written (e.g. the dashboard's `views.figure`). */
  onFigure?: (name: string) => void;
  /**
   * Threads of the wasm engine for CD updates and AIS: 1 (default: the same seed gives the same
   * numbers, bit for bit) or 2 (not bit-reproducible; see RbmEngineOptions). Not part of the config: a run may resume with either.
   */
  threads?: 1 | 2;
}

/** The first `n` images of `ds` (all of them when n is null or beyond). */
function firstImages(ds: ImageDataset, n: number | null): ImageDataset {
  return n == null || n >= ds.n ? ds : subset(ds, Array.from({ length: n }, (_, i) => i), `${ds.name}[0:${n}]`);
}

/** Test log-likelihood of `model` on `v` given an AIS estimate: mean, and an SE combining the images' spread with log Z's. */
export function testLogLik(model: Rbm, v: Float32Array, logZ: number, logZSe: number): { mean: number; se: number } {
  const ll = logLikelihood(model, v, logZ);
  const n = ll.length;
  let s = 0;
  for (let r = 0; r < n; r++) s += ll[r];
  const mean = s / n;
  let ss = 0;
  for (let r = 0; r < n; r++) ss += (ll[r] - mean) ** 2;
  const sampleVar = n > 1 ? ss / (n - 1) : 0;
  // log Z shifts every image by the same amount, so its error adds in full, not divided by n.
  return { mean, se: Math.sqrt(sampleVar / n + logZSe ** 2) };
}

/**
 * The run as a cold Observable of metric records. Subscribing trains from `training.epoch` up to
 * `config.epochs`; unsubscribing (Ctrl-C) stops after the current update.
 *
 * Emits, per epoch, one `scalars` record at step = CD updates so far, with columns
 * - `epoch` (epochs done); `loss`: the seed's loss mean F(v) − mean F(v_k), averaged over the epoch's
 *   batches (the seed prints this); `reconstruction_error`: Σ_i (v_i − p(v_i|h))² per image, h ~ p(h|v),
 *   likewise averaged over the batches;
 * - `pseudo_loglik`: mean over the test images of scikit-learn's `score_samples` (one flipped bit per image);
 * - `log_z`, `log_z_se`: AIS with aisRuns × aisBetas from the aisBase base model; with `both` (default) the larger of
 *   `log_z_base_rate` (base rate of the training pixel means) and `log_z_visible_bias`, each with its `_se`;
 * - `test_loglik`, `test_loglik_se`: mean −F(v) − log Z over the test images, SE including log_z_se;
 * - `log_z_exact`, `test_loglik_exact` when hidden ≤ 20 (exactLogZ);
 * - `test_records`, `ais_runs`, `ais_betas`, `train_seconds` (the epoch's CD updates), `eval_seconds` (evaluation, figures, checkpoint);
 *
 * and after the last epoch one row of table `final`: the same evaluation with finalAisRuns × finalAisBetas
 * (epoch, ais_runs, ais_betas, log_z, log_z_se, test_loglik, test_loglik_se, test_records,
 * [log_z_exact, test_loglik_exact], seconds).
 *
 * Test images are `fixedBinarizedTestSet(test)` (seed TEST_BINARIZATION_SEED), the first testSubset of them.
 */
export function rbmPipeline(config: RbmConfig, data: RbmData, training: RbmTraining, options: RbmPipelineOptions = {}): Observable<MetricRecord> {
  return defer(() => {
    const train = firstImages(data.train, config.trainSubset);
    const testAll = fixedBinarizedTestSet(data.test, TEST_BINARIZATION_SEED);
    const testSet = firstImages(testAll, config.testSubset);
    const dataBase = baseRateBias(train.images, train.rows * train.cols);
    const seeds = streams(config.seed);
    const cd = { ...cdOptions(config), threads: options.threads };
    const exact = config.hidden <= EXACT_LOG_Z_MAX_HIDDEN;
    const shape = { tileRows: data.test.rows, tileCols: data.test.cols };
    const { dir } = options;
    if (dir != null) mkdirSync(join(dir, 'checkpoints'), { recursive: true });

    /** The likelihood columns of one evaluation with `betas` distributions. */
    const evaluate = (model: Rbm, runs: number, betas: number, aisSeed: number): Record<string, number> => {
      const run = (baseVBias: ArrayLike<number>): AisResult => ais(model, new Rng(aisSeed), { runs, betas, baseVBias, threads: options.threads });
      const byBase: Record<string, number> = {};
      let z: AisResult;
      if (config.aisBase === 'both') {
        const fromData = run(dataBase);
        const fromBias = run(model.vBias);
        Object.assign(byBase, { log_z_base_rate: fromData.logZ, log_z_base_rate_se: fromData.standardError, log_z_visible_bias: fromBias.logZ, log_z_visible_bias_se: fromBias.standardError });
        z = fromBias.logZ > fromData.logZ ? fromBias : fromData;
      } else {
        z = run(config.aisBase === 'data' ? dataBase : model.vBias);
      }
      const ll = testLogLik(model, testSet.images, z.logZ, z.standardError);
      const values: Record<string, number> = { log_z: z.logZ, log_z_se: z.standardError, ...byBase, test_loglik: ll.mean, test_loglik_se: ll.se };
      if (exact) {
        const logZ = exactLogZ(model);
        values.log_z_exact = logZ;
        values.test_loglik_exact = testLogLik(model, testSet.images, logZ, 0).mean;
      }
      return { ...values, test_records: testSet.n, ais_runs: runs, ais_betas: betas };
    };

    const endOfEpoch = (epoch: number, sums: EpochSums, trainSeconds: number): MetricRecord => {
      const evalStarted = performance.now();
      const model = training.state.model;
      training.epoch = epoch;
      const pl = pseudoLikelihood(model, testSet.images, new Rng(seeds.evalSeed));
      const values: Record<string, number> = {
        epoch,
        loss: sums.loss / sums.batches,
        reconstruction_error: sums.reconstruction / sums.batches,
        pseudo_loglik: pl.reduce((a, b) => a + b, 0) / pl.length,
        ...evaluate(model, config.aisRuns, config.aisBetas, seeds.aisSeed),
      };
      if (dir != null) {
        const due = epoch === config.epochs || (config.figuresEvery > 0 && epoch % config.figuresEvery === 0);
        if (due) {
          for (const { name, png } of rbmFigures(model, testAll.images, new Rng(seeds.figureSeed), { ...shape, k: config.k, chains: config.chains, chainSweeps: config.chainSweeps })) {
            writeFileAtomicSync(join(dir, name), png);
            options.onFigure?.(name);
          }
        }
        const metadata = { pipeline: RBM_PIPELINE, rows: String(data.test.rows), cols: String(data.test.cols), k: String(config.k), persistent: String(config.persistent), epoch: String(epoch) };
        writeFileAtomicSync(join(dir, 'weights.safetensors'), encodeRbm(model, metadata));
        writeFileAtomicSync(join(dir, 'checkpoints', 'latest.json'), new TextEncoder().encode(JSON.stringify(checkpointOf(config, training))));
      }
      values.train_seconds = trainSeconds;
      values.eval_seconds = (performance.now() - evalStarted) / 1000;
      return { kind: 'scalars', step: training.step, wallTime: Date.now(), values } satisfies ScalarsRecord;
    };

    /** Epoch e: its minibatches ▸ cdUpdates (its own generator) ▸ the epoch's sums ▸ evaluation. */
    const epoch$ = (e: number): Observable<MetricRecord> =>
      defer(() => {
        const started = performance.now();
        const empty: EpochSums = { loss: 0, reconstruction: 0, batches: 0, last: null };
        return minibatches(train, { batch: config.batch, epochs: 1, startEpoch: e, shuffle: true, rng: Rng.fromState(seeds.data), binarize: 'dynamic' }).pipe(
          cdUpdates(training.state, cdGenerator(seeds.cd, e), cd),
          // The update's state is read once, after the epoch's last update (the wasm engine copies it out lazily).
          reduce((s: EpochSums, u: CdUpdate) => ({ loss: s.loss + u.info.loss, reconstruction: s.reconstruction + u.info.reconstructionError, batches: s.batches + 1, last: u }), empty),
          tap((sums) => {
            training.state = sums.last!.state;
            training.step += sums.batches;
          }),
          map((sums) => endOfEpoch(e + 1, sums, (performance.now() - started) / 1000)),
        );
      });

    const remaining = config.epochs - training.epoch;
    const training$ = remaining <= 0 ? EMPTY : range(training.epoch, remaining).pipe(concatMap(epoch$));

    const final$ = defer((): MetricRecord[] => {
      const started = performance.now();
      const values = evaluate(training.state.model, config.finalAisRuns, config.finalAisBetas, seeds.finalSeed);
      const row: TableRowRecord = { kind: 'row', table: 'final', row: { epoch: training.epoch, ...values, seconds: (performance.now() - started) / 1000 } };
      return [row];
    });

    return concat(training$, final$);
  });
}

interface EpochSums {
  loss: number;
  reconstruction: number;
  batches: number;
  last: CdUpdate | null;
}

/** CD updates per epoch: ⌈training images / batch⌉ (the last batch may be smaller). */
export function stepsPerEpoch(config: Pick<RbmConfig, 'batch' | 'trainSubset'>, train: Pick<ImageDataset, 'n'>): number {
  const n = config.trainSubset == null ? train.n : Math.min(config.trainSubset, train.n);
  return Math.ceil(n / config.batch);
}
