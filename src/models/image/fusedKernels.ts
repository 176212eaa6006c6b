import { tf, type Tensor } from '../../backend/tf.ts';
import type { Activation } from './activation.ts';

/*
 * The backends' fused kernels, called directly. tf.fused.matMul / tf.fused.conv2d fall back to
 * separate product, bias and activation kernels whenever a gradient is being recorded (and their own
 * gradients need Conv2DBackpropFilter, which wasm lacks); our layer ops supply their own gradients,
 * so their forward passes can always run the single fused kernel.
 */

/** act(x·w + b): x [M, K], w [K, N], b [N] → [M, N], one _FusedMatMul kernel. */
export function fusedMatMulKernel(x: Tensor, w: Tensor, b: Tensor, activation: Activation): Tensor {
  return tf.tidy(() => {
    const [m, k] = x.shape as [number, number];
    const n = w.shape[1] as number;
    const y = tf.engine().runKernel('_FusedMatMul', { a: tf.reshape(x, [1, m, k]), b: tf.reshape(w, [1, k, n]), bias: b }, { transposeA: false, transposeB: false, activation }) as Tensor;
    return tf.reshape(y, [m, n]);
  });
}

/** act(conv2d(x, w, stride, pad) + b), NHWC, one FusedConv2D kernel. */
export function fusedConv2dKernel(x: Tensor, w: Tensor, b: Tensor | undefined, stride: number, pad: 'same' | 'valid', activation: Activation): Tensor {
  const inputs: Record<string, Tensor> = { x, filter: w };
  if (b != null) inputs.bias = b;
  return tf.engine().runKernel('FusedConv2D', inputs, { strides: [stride, stride], pad, dataFormat: 'NHWC', dilations: [1, 1], activation }) as Tensor;
}
