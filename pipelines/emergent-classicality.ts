/**
 * The main job: the emergent-classicality VAE (seed 000) trained on a live apparatus stream.
 *
 *   apparatus records ──toTensor──► reg schedule ──minimize( encode ▸ sampleLatent ▸ decode ▸ elbo )──►
 *     checkpoints ──► vaeMetrics ──► MetricRecord stream (to Parquet, terminal, dashboard, TensorBoard)
 *
 * Every stage is an RxJS operator; swap any of them by composing your own pipe.
 */
import { pipe, type Observable } from 'rxjs';
import { join } from 'node:path';
import { loadCheckpoint, restore, saveCheckpoint, snapshot } from '../src/checkpoint/checkpoint.ts';
import { vaeMetrics } from '../src/metrics/vaeMetrics.ts';
import type { MetricRecord } from '../src/metrics/records.ts';
import { AxisFrame } from '../src/models/axisFrame.ts';
import { Decoder } from '../src/models/decoder.ts';
import { Encoder } from '../src/models/encoder.ts';
import { variablesOf } from '../src/nn/module.ts';
import { checkpointEvery } from '../src/operators/checkpointEvery.ts';
import { decode } from '../src/operators/decode.ts';
import { elbo } from '../src/operators/elbo.ts';
import { encode } from '../src/operators/encode.ts';
import { minimize } from '../src/operators/minimize.ts';
import { sampleLatent, type Plan } from '../src/operators/sampleLatent.ts';
import { parseSchedule, withSchedule } from '../src/operators/schedule.ts';
import { toFrame } from '../src/operators/toFrame.ts';
import { toTensor } from '../src/operators/toTensor.ts';
import { Adam } from '../src/optim/adam.ts';
import { Rng } from '../src/random/rng.ts';
import { Apparatus, type Scheme } from '../src/simulators/apparatus.ts';
import { apparatusSource, type SamplingThread } from '../src/simulators/apparatusSource.ts';
import { parsePointerAxes } from '../src/simulators/pointerAxes.ts';
import { RotatedApparatus } from '../src/simulators/rotatedApparatus.ts';
import type { VaeApparatus } from '../src/metrics/vaeMetrics.ts';

export interface EmergentClassicalityConfig {
  scheme: Scheme;
  epsilon: number;
  /** Per-qubit ε₁ … ε_N (heterogeneous sensors), length `qubits`; replaces `epsilon` when given. */
  epsilons?: number[];
  qubits: number;
  alpha0: number;
  /** Latent dimension z_dim. */
  latent: number;
  plan: Plan;
  batch: number;
  /** Total optimiser steps (a resumed run continues up to this). */
  steps: number;
  lr: number;
  /** KL weight: a number, `tanh:T` (the seed's warm-up) or `linear:T`. */
  reg: string;
  seed: number;
  /** Metric interval in steps. */
  every: number;
  /** Fresh records per metric evaluation. */
  evalRecords: number;
  /** Measure the latent's share of the branch information every evaluation (vaeMetrics' branchInformation). */
  branchInfo?: boolean;
  /**
   * Sensor discovery: dimension E of a learned qubit-index embedding in the encoder, which then also
   * gets a learned per-qubit gain in the decoder (0 or absent: the seed's exchangeable model).
   */
  positions?: number;
  /**
   * Rotated measurement bases (random scheme only): the apparatus's pointer axes as a
   * `parsePointerAxes` spec (`x,y,z`, `tilt:θdeg`, `spread:θdeg@seed`, `file:PATH`); absent: ẑ.
   */
  axes?: string;
  /**
   * The learned pointer frame in front of encoder and decoder (AxisFrame): one axis for all qubits,
   * one per qubit, or none. Default with `axes`: shared when the true axes are, per-qubit otherwise.
   */
  learnAxis?: 'shared' | 'per-qubit' | 'none';
  /** Checkpoint interval in steps (0: only at the end). */
  checkpointEvery: number;
  /**
   * Where the training records are drawn: `apparatusSource`'s `thread` (default 'auto': a worker
   * thread beside the training step when there are ≥ 2 cores). The records, and so every number of
   * the run and its resume, are the same either way.
   */
  samplingThread?: SamplingThread;
}

/** The seed's showcase: random axis, ε = 0.2, N = 200, z_dim 1, batch 50, tanh(step/200) warm-up. */
export const DEFAULT_CONFIG: EmergentClassicalityConfig = {
  scheme: 'random',
  epsilon: 0.2,
  qubits: 200,
  alpha0: 0,
  latent: 1,
  plan: 'A',
  batch: 50,
  steps: 2000,
  lr: 1e-3,
  reg: 'tanh:200',
  seed: 1,
  every: 20,
  evalRecords: 500,
  checkpointEvery: 500,
};

export interface VaeModel {
  apparatus: VaeApparatus;
  encoder: Encoder;
  decoder: Decoder;
  /** The learned pointer frame, or null (no rotated bases). */
  frame: AxisFrame | null;
  optimizer: Adam;
  /** Independent generators: data records, latent draws, metric evaluation. */
  rngs: { data: Rng; latent: Rng; eval: Rng };
  /** Steps already taken (non-zero after resuming). */
  step: number;
  dispose(): void;
}

/** Builds the model from the config's seed, or restores it from a checkpoint written by `train`. */
export function createModel(config: EmergentClassicalityConfig, resumeFrom?: string): VaeModel {
  const epsilon = config.epsilons ?? config.epsilon;
  let apparatus: VaeApparatus;
  let learnAxis: 'shared' | 'per-qubit' | 'none' = config.learnAxis ?? 'none';
  if (config.axes != null) {
    if (config.scheme !== 'random') throw new RangeError(`axes: rotated pointer axes need scheme 'random' (got '${config.scheme}')`);
    const rotated = new RotatedApparatus({ epsilon, qubits: config.qubits, alpha0: config.alpha0, axes: parsePointerAxes(config.axes, config.qubits) });
    learnAxis = config.learnAxis ?? (rotated.shared ? 'shared' : 'per-qubit');
    apparatus = rotated;
  } else {
    apparatus = new Apparatus({ scheme: config.scheme, epsilon, qubits: config.qubits, alpha0: config.alpha0 });
  }
  const root = new Rng(config.seed);
  const init = root.fork();
  const positions = config.positions ? { qubits: config.qubits, dim: config.positions } : undefined;
  const framed = learnAxis !== 'none';
  const encoder = new Encoder({ xDim: apparatus.dim, zDim: config.latent, positions, inputGradient: framed }, init);
  const decoder = new Decoder({ xDim: apparatus.dim, zDim: config.latent, gains: positions?.qubits }, init);
  // Drawn after the encoder and decoder, so their initial weights do not depend on it.
  const frame = framed ? new AxisFrame({ shared: learnAxis === 'shared', qubits: config.qubits }, init) : null;
  const modules = frame ? [encoder, decoder, frame] : [encoder, decoder];
  const optimizer = new Adam(variablesOf(...modules), { lr: config.lr });
  let rngs = { data: root.fork(), latent: root.fork(), eval: root.fork() };
  let step = 0;
  if (resumeFrom != null) {
    const ckpt = loadCheckpoint(resumeFrom);
    const restored = restore(ckpt, modules, optimizer);
    rngs = { data: restored.data, latent: restored.latent, eval: restored.eval };
    step = ckpt.step;
  }
  return {
    apparatus, encoder, decoder, frame, optimizer, rngs, step,
    dispose() {
      modules.forEach((m) => m.dispose());
      optimizer.dispose();
    },
  };
}

export interface RunOptions {
  /** Directory for checkpoints (`step-000500.json`, `latest.json`); none when absent. */
  checkpointDir?: string;
}

/**
 * The training pipeline as a cold Observable of metric records. Subscribing runs training;
 * unsubscribing stops it after the current step.
 */
export function emergentClassicality(config: EmergentClassicalityConfig, model: VaeModel, options: RunOptions = {}): Observable<MetricRecord> {
  const { apparatus, encoder, decoder, frame, optimizer, rngs } = model;
  const modules = frame ? [encoder, decoder, frame] : [encoder, decoder];
  const framing = frame ? toFrame(frame) : pipe();
  const forward = pipe(
    framing,
    encode(encoder),
    sampleLatent({ plan: config.plan, rng: rngs.latent }),
    decode(decoder),
    elbo(),
  );
  const remaining = Math.max(0, config.steps - model.step);
  const save = (step: number) => {
    if (options.checkpointDir == null) return;
    model.step = step;
    const ckpt = snapshot(step, { ...config }, modules, optimizer, rngs);
    if (config.checkpointEvery > 0 && step % config.checkpointEvery === 0) {
      saveCheckpoint(join(options.checkpointDir, `step-${String(step).padStart(6, '0')}.json`), ckpt);
    }
    saveCheckpoint(join(options.checkpointDir, 'latest.json'), ckpt);
  };
  return apparatusSource(apparatus, { batch: config.batch, rng: rngs.data, count: remaining, forkRng: false, thread: config.samplingThread ?? 'auto' }).pipe(
    toTensor({ startStep: model.step }),
    withSchedule('reg', parseSchedule(config.reg)),
    minimize(forward, optimizer),
    checkpointEvery({ every: config.checkpointEvery > 0 ? config.checkpointEvery : Number.MAX_SAFE_INTEGER, lastStep: config.steps, save }),
    vaeMetrics({ every: config.every, lastStep: config.steps, apparatus, encoder, decoder, frame, rng: rngs.eval, evalRecords: config.evalRecords, branchInformation: config.branchInfo ?? false }),
  );
}
