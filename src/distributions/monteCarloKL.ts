import { tf, type Tensor } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';
import type { Distribution } from './distribution.ts';

/**
 * Monte-Carlo KL(p‖q) ≈ (1/n) Σ_k [log p(x_k) − log q(x_k)], x_k ~ p, with its standard error.
 * Unbiased for any pair with a logProb; seed 001's check of the closed form uses it.
 *
 * @returns estimate and standard error, each of shape batchShape.
 */
export function monteCarloKL(p: Distribution, q: Distribution, n: number, rng: Rng): { estimate: Tensor; stderr: Tensor } {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`monteCarloKL: n must be an integer ≥ 2 (got ${n})`);
  return tf.tidy(() => {
    const x = p.sample([n], rng);
    const diff = tf.sub(p.logProb(x), q.logProb(x)); // [n, ...batchShape]
    const { mean, variance } = tf.moments(diff, 0);
    return { estimate: mean, stderr: tf.sqrt(tf.div(tf.mul(variance, n / (n - 1)), n)) };
  });
}
