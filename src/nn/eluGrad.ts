import { tf, type Tensor } from '../backend/tf.ts';

/**
 * ∂elu/∂x applied to an upstream gradient, from the elu's *output* y: dy for y > 0, dy·(y + 1) = dy·eˣ
 * otherwise. The backends' own EluGrad kernel (what autodiff of tf.elu runs), called directly so a
 * hand-written backward pass computes exactly what autodiff would.
 *
 * @param dy upstream gradient, any shape   @param y tf.elu(x), the same shape   @returns dy's shape
 */
export function eluGrad(dy: Tensor, y: Tensor): Tensor {
  return tf.engine().runKernel('EluGrad', { dy, y }) as Tensor;
}
