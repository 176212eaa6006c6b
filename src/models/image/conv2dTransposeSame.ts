import { tensorHostKernels } from '../../backend/hostKernels.ts';
import { tf, type Tensor } from '../../backend/tf.ts';
import { activationGrad, checkActivation, type Activation } from './activation.ts';
import { conv2dFilterGrad } from './conv2dFilterGrad.ts';
import { hostConv2dTransposeSame, Patches } from './hostConv.ts';
import { transposedConv } from './transposedConv.ts';

export interface Conv2dTransposeSameOptions {
  stride: number;
  /** Applied after the bias; default 'linear'. */
  activation?: Activation;
}

/**
 * The transposed-convolution layer op y = act(conv2dTranspose(x, w, [B, H·stride, W·stride, cOut],
 * stride, 'same') + b) (Keras's Conv2DTranspose(padding='same')), as one differentiable op: forward by
 * transposedConv (a stride-1 conv2d, with bias and ReLU fused; wasm's Conv2DBackpropInput is ~10×
 * slower), ∂x = conv2d(∂y, w, stride, 'same'), ∂w = conv2dFilterGrad(∂y, x) (wasm has no
 * Conv2DBackpropFilter). With the host kernels (backend/hostKernels.ts) every pass is im2col or
 * col2im plus one matrix product instead (hostConv.ts).
 *
 * @returns (x [B, H, W, cIn], w [kh, kw, cOut, cIn] (TF's transpose layout), b [cOut]) → [B, H·stride, W·stride, cOut]
 */
export function conv2dTransposeSame(options: Conv2dTransposeSameOptions): (x: Tensor, w: Tensor, b: Tensor) => Tensor {
  const { stride } = options;
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`conv2dTransposeSame: stride must be an integer ≥ 1 (got ${stride})`);
  const activation = checkActivation('conv2dTransposeSame', options.activation ?? 'linear');
  const patches = new Patches();
  return tf.customGrad(((x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const kernels = tensorHostKernels();
    if (kernels) return hostConv2dTransposeSame(kernels, patches, x, w, b, stride, activation, save);
    const [, height, width] = x.shape;
    const y = transposedConv(x, w, stride, [height * stride, width * stride], { bias: b, activation });
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const g = activationGrad(activation, dy, sy);
        return [
          tf.conv2d(g as tf.Tensor4D, sw, stride, 'same'),
          conv2dFilterGrad(g, sx, [sw.shape[0], sw.shape[1]], stride),
          tf.sum(g, [0, 1, 2]),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: Tensor, w: Tensor, b: Tensor) => Tensor;
}
