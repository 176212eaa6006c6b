import { tf, type Tensor } from './tf.ts';

/**
 * Identity whose gradient is zero (TF.js has no stop_gradient op). `sample` = `rsample`
 * through this, as in torch where sample() is rsample() under no_grad.
 */
export const stopGradient: (x: Tensor) => Tensor = tf.customGrad(((x: Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: Tensor) => Tensor;
