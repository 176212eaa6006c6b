import { map, type OperatorFunction } from 'rxjs';
import { tf } from '../backend/tf.ts';
import type { Adam } from '../optim/adam.ts';
import type { Rng } from '../random/rng.ts';
import type { Box } from './box.ts';
import { ebmStep, type EbmStepInfo } from './ebmStep.ts';
import type { EnergyNet } from './energyNet.ts';
import type { ReplayBuffer } from './replayBuffer.ts';
import { shortRunLangevin } from './shortRunLangevin.ts';

export interface EbmUpdatesOptions {
  /** Training points, row-major [N, 2]; each step draws `batch` of them uniformly with replacement. */
  data: Float32Array;
  batch: number;
  /** Langevin steps K per update, step size λ and temperature T (shortRunLangevin). */
  langevinSteps: number;
  stepSize: number;
  temperature: number;
  /** The regulariser's weight α (ebmStep). */
  alpha: number;
  box: Box;
}

/** One step's input: its index and its own generator (trainingSteps gives both). */
export interface EbmStepInput {
  readonly step: number;
  readonly rng: Rng;
}

/** What an update emits: the step, its measurements and how many chains restarted from noise. */
export interface EbmUpdate extends EbmStepInfo {
  readonly step: number;
  readonly reinitialised: number;
}

/**
 * The EBM's training stage as an operator: for each step, a data minibatch x⁺, `batch` chains from
 * the replay buffer (5 % restarted from noise) moved by K short-run Langevin steps to x⁻, the
 * chains written back, and one ebmStep on (x⁺, x⁻). All randomness comes from the step's own
 * generator, in that order, so a run resumed at step s (trainingSteps(…, start = s)) repeats the
 * uninterrupted one exactly. No tensors outlive a step.
 *
 * @example trainingSteps(2000, seed).pipe(ebmUpdates(net, adam, buffer, { data, batch: 128, langevinSteps: 20, stepSize: 0.02, temperature: 1, alpha: 0.1, box }))
 */
export function ebmUpdates(net: EnergyNet, optimizer: Adam, buffer: ReplayBuffer, options: EbmUpdatesOptions): OperatorFunction<EbmStepInput, EbmUpdate> {
  const { data, batch } = options;
  const n = data.length / 2;
  if (!Number.isInteger(batch) || batch < 1 || batch > buffer.capacity) throw new RangeError(`ebmUpdates: batch must be an integer in [1, ${buffer.capacity}] (the buffer's capacity) (got ${batch})`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ebmUpdates: data must be row-major [N, 2] with N ≥ 1 (got ${data.length} values)`);
  return map(({ step, rng }) => {
    const positive = new Float32Array(2 * batch);
    for (let i = 0; i < batch; i++) {
      const k = Math.floor(rng.uniform() * n);
      positive[2 * i] = data[2 * k];
      positive[2 * i + 1] = data[2 * k + 1];
    }
    const drawn = buffer.draw(batch, rng);
    const negative = shortRunLangevin(net, drawn.points, { steps: options.langevinSteps, stepSize: options.stepSize, temperature: options.temperature, box: options.box, rng });
    buffer.update(drawn.slots, negative);
    const xPos = tf.tensor2d(positive, [batch, 2]);
    const xNeg = tf.tensor2d(negative, [batch, 2]);
    try {
      return { step, reinitialised: drawn.reinitialised, ...ebmStep(net, optimizer, xPos, xNeg, options.alpha) };
    } finally {
      tf.dispose([xPos, xNeg]);
    }
  });
}
