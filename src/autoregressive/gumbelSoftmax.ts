import { tf } from '../backend/tf.ts';

/**
 * Standard Gumbel noise g = −ln(−ln u), u ~ U(0, 1), from an explicit integer seed.
 * @returns shape `shape`
 */
export function gumbelNoise(shape: number[], seed: number): tf.Tensor {
  return tf.tidy(() => {
    // Bounded away from 0 and 1 so neither log overflows (float32).
    const u = tf.randomUniform(shape, 1e-7, 1 - 1e-7, 'float32', seed);
    return tf.neg(tf.log(tf.neg(tf.log(u))));
  });
}

/**
 * Gumbel-softmax relaxation of a categorical draw: softmax((logits + g) / τ) over the last axis.
 * With `hard`, the value is the one-hot argmax (an exact categorical draw, Gumbel-max) while the
 * gradient is that of the soft sample (straight-through).
 *
 * @param logits shape [..., q], unnormalised log-probabilities
 * @param gumbel shape [..., q], from {@link gumbelNoise}
 * @param tau temperature > 0; τ → 0 gives one-hot samples with probabilities softmax(logits)
 */
export function gumbelSoftmax(logits: tf.Tensor, gumbel: tf.Tensor, tau: number, hard: boolean): tf.Tensor {
  if (!(tau > 0) || !Number.isFinite(tau)) throw new RangeError(`gumbelSoftmax: tau must be a finite number > 0 (got ${tau})`);
  return tf.tidy(() => {
    const soft = tf.softmax(tf.div(tf.add(logits, gumbel), tau));
    return hard ? straightThrough(soft) : soft;
  });
}

/**
 * Forward: one-hot of the argmax along the last axis. Backward: the incoming gradient unchanged,
 * i.e. `onehot − stopGradient(soft) + soft` (TF.js has no stopGradient, so a custom gradient).
 * @param soft shape [..., q]
 */
export const straightThrough: (soft: tf.Tensor) => tf.Tensor = tf.customGrad(((soft: tf.Tensor) => {
  const q = soft.shape[soft.shape.length - 1];
  const value = tf.tidy(() => tf.cast(tf.oneHot(tf.argMax(soft, -1), q), 'float32'));
  return { value, gradFunc: (dy: tf.Tensor) => dy };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (soft: tf.Tensor) => tf.Tensor;

/** Exact categorical one-hot draw by Gumbel-max (no gradient). @param logits shape [..., q] */
export function gumbelMax(logits: tf.Tensor, gumbel: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const q = logits.shape[logits.shape.length - 1];
    return tf.cast(tf.oneHot(tf.argMax(tf.add(logits, gumbel), -1), q), 'float32');
  });
}
