import { tf, type Tensor } from '../backend/tf.ts';

/** A distribution parameter as users write it: a number, a nested array, or a tensor. */
export type ParamLike = number | number[] | number[][] | Tensor;

/**
 * Turns a parameter into a float32 tensor. `owned` tells whether the distribution created it
 * (and so must dispose it) or borrowed the caller's tensor.
 */
export function toParam(value: ParamLike): { tensor: Tensor; owned: boolean } {
  if (value instanceof tf.Tensor) {
    return { tensor: value.dtype === 'float32' ? value : tf.cast(value, 'float32'), owned: value.dtype !== 'float32' };
  }
  return { tensor: tf.tensor(value as number | number[], undefined, 'float32'), owned: true };
}

/**
 * Checks every element of `t` against a constraint and throws a RangeError naming the
 * distribution, the parameter, its shape, the constraint and the first bad value.
 * Reads the tensor back (a sync): distributions built on the training hot path pass
 * `validate: false` when the constraint holds by construction (tanh, exp).
 */
export function checkParam(owner: string, name: string, t: Tensor, constraint: string, ok: (v: number) => boolean): void {
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (!ok(values[i])) {
      throw new RangeError(`${owner}: ${name} must be ${constraint} (shape [${t.shape.join(', ')}], got ${values[i]} at flat index ${i})`);
    }
  }
}

/** x·log(x) with the limit 0 at x = 0 (entropies at the |m| = 1 boundary). */
export function xlogx(x: Tensor): Tensor {
  return tf.tidy(() => {
    const positive = tf.greater(x, 0);
    const safe = tf.where(positive, x, tf.onesLike(x));
    return tf.where(positive, tf.mul(x, tf.log(safe)), tf.zerosLike(x));
  });
}

/**
 * The polarisation m ∈ [−1, 1] of a dipolar distribution, as a tensor; validated unless
 * `validate` is false (m from tanh needs no check). A rejected value frees what was created.
 */
export function polarisationParam(owner: string, m: ParamLike, validate = true): { tensor: Tensor; owned: boolean } {
  const p = toParam(m);
  if (validate) {
    try {
      checkParam(owner, 'polarisation m', p.tensor, 'in [-1, 1]', (v) => v >= -1 && v <= 1);
    } catch (err) {
      if (p.owned) p.tensor.dispose();
      throw err;
    }
  }
  return p;
}
