import { tf } from '../backend/tf.ts';

/**
 * `a · b` whose backward pass uses an explicit `tf.transpose` followed by a plain `tf.matMul`.
 *
 * Why: autodiff's matMul gradient asks for transposed operands (`transposeA/B`), which the wasm
 * backend runs ~10× slower than a plain product; transposing first gives the same gradients fast.
 *
 * @param a shape [batch, k]
 * @param b shape [k, n]
 * @returns shape [batch, n]
 */
export const matMulExplicitGrad: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(
  ((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
