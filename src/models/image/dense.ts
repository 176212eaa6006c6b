import { tf, type Tensor } from '../../backend/tf.ts';
import { activationGrad, checkActivation, type Activation } from './activation.ts';
import { fusedMatMulKernel } from './fusedKernels.ts';

export interface DenseOptions {
  /** Applied after the bias; default 'linear'. */
  activation?: Activation;
  /**
   * Whether to compute ∂L/∂x. False for a layer that reads data (an encoder's first): a custom
   * gradient computes every input's gradient, and this one — a full-size product — would be thrown
   * away. Default true.
   */
  inputGradient?: boolean;
}

/**
 * The fully connected layer op y = act(x·W + b) as one differentiable op: forward by the fused kernel
 * (product, bias and ReLU in one, fusedKernels.ts), backward with explicit transposes and plain
 * matMuls (wasm runs transposed matMuls ~10× slower, nn/matMulExplicitGrad.ts). The same function and
 * gradients as nn/linear.ts's `affine` followed by the activation.
 *
 * @returns (x [M, in], w [in, out], b [out]) → [M, out]
 * @example
 *   const hidden = dense({ activation: 'relu', inputGradient: false });
 *   const h = hidden(x, layer.weight, layer.bias);
 */
export function dense(options: DenseOptions = {}): (x: Tensor, w: Tensor, b: Tensor) => Tensor {
  const activation = checkActivation('dense', options.activation ?? 'linear');
  const inputGradient = options.inputGradient ?? true;
  return tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const y = fusedMatMulKernel(x, w, b, activation);
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const g = activationGrad(activation, dy, sy);
        return [
          inputGradient ? tf.matMul(g, tf.transpose(sw)) : tf.zerosLike(sx),
          tf.matMul(tf.transpose(sx), g),
          tf.sum(g, 0),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: Tensor, w: Tensor, b: Tensor) => Tensor;
}
