import type { Tensor } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';

/**
 * The contract every distribution keeps (after torch.distributions / TFP).
 *
 * Shapes: a sample has shape `[...sampleShape, ...batchShape, ...eventShape]`;
 * `logProb(x)` and `entropy()` return `batchShape` (broadcast over leading sample dims).
 *
 * Ownership: a distribution owns the parameter tensors it created from plain numbers and
 * frees them in `dispose()`; tensors passed in stay the caller's. Every method returns a
 * new tensor the caller owns.
 *
 * Randomness is explicit: samplers take an `Rng` and draw TF.js op seeds from it.
 */
export interface Distribution {
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  /** Whether `rsample` gives reparameterised (differentiable) samples. */
  readonly hasRsample: boolean;
  /** Samples with gradients stopped. */
  sample(sampleShape: readonly number[], rng: Rng): Tensor;
  /** Reparameterised samples: differentiable in the parameters. Throws when `hasRsample` is false. */
  rsample(sampleShape: readonly number[], rng: Rng): Tensor;
  /** log density (or mass) of `x`, shape `[...sampleShape, ...batchShape]`. */
  logProb(x: Tensor): Tensor;
  mean(): Tensor;
  variance(): Tensor;
  entropy(): Tensor;
  dispose(): void;
}

/** Full sample shape: `[...sampleShape, ...batchShape, ...eventShape]`. */
export function extendedShape(d: Pick<Distribution, 'batchShape' | 'eventShape'>, sampleShape: readonly number[]): number[] {
  return [...sampleShape, ...d.batchShape, ...d.eventShape];
}
