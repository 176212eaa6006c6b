import type { tf } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';

/**
 * The contract every distribution over lattice configurations in this toolkit meets, so a model,
 * its symmetrised version or an exact reference can stand wherever another is expected.
 *
 * A configuration of `units` sites with `states` states each is one-hot encoded, flattened:
 * shape [batch, units·states], site i's states in columns i·states … i·states + states − 1.
 * Samples have shape [n, units·states]; `logProb` returns shape [batch].
 */
export interface SiteDistribution {
  readonly units: number;
  readonly states: number;
  /** log p(x) for one-hot (or, for relaxed samples, soft) x. @param x shape [batch, units·states] @returns [batch] */
  logProb(x: tf.Tensor2D): tf.Tensor1D;
  /** n exact draws, one-hot, no gradient. @returns shape [n, units·states] */
  sample(n: number, rng: Rng): tf.Tensor2D;
  /** The same draws in integer form (no tensors). @returns Uint8Array of shape [n, units], values in [0, states) */
  sampleStates(n: number, rng: Rng): Uint8Array;
  /** Trainable variables (empty for fixed distributions). */
  readonly variables: tf.Variable[];
}

/** Options of a reparameterised (Gumbel-softmax) draw. */
export interface RsampleOptions {
  /** Gumbel-softmax temperature > 0. */
  tau?: number;
  /** Straight-through: one-hot values, soft gradients. */
  hard?: boolean;
}

/** A {@link SiteDistribution} with reparameterised, differentiable draws. */
export interface RelaxedSiteDistribution extends SiteDistribution {
  /** n relaxed draws, differentiable w.r.t. `variables`. @returns shape [n, units·states] */
  rsample(n: number, rng: Rng, options?: RsampleOptions): tf.Tensor2D;
}
