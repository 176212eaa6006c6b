import { tensorHostKernels } from '../../backend/hostKernels.ts';
import { tf, type Tensor } from '../../backend/tf.ts';
import { activationGrad, checkActivation, type Activation } from './activation.ts';
import { conv2dFilterGrad } from './conv2dFilterGrad.ts';
import { fusedConv2dKernel } from './fusedKernels.ts';
import { hostConv2dSame, Patches } from './hostConv.ts';
import { transposedConv } from './transposedConv.ts';

export interface Conv2dSameOptions {
  stride: number;
  /** Applied after the bias; default 'linear'. */
  activation?: Activation;
  /** Whether to compute ∂L/∂x; false for a layer that reads data (see dense.ts). Default true. */
  inputGradient?: boolean;
}

/**
 * The convolution layer op y = act(conv2d(x, w, stride, 'same') + b) (NHWC, Keras's Conv2D), as one
 * differentiable op built from kernels the wasm backend runs fast: forward by the fused kernel
 * (XNNPACK, bias and ReLU fused, fusedKernels.ts), ∂x by transposedConv (a stride-1 conv2d; wasm's
 * Conv2DBackpropInput is ~10× slower), ∂w by conv2dFilterGrad (wasm has no Conv2DBackpropFilter).
 * With the host kernels (backend/hostKernels.ts) every pass is im2col or col2im plus one matrix
 * product instead (hostConv.ts).
 *
 * @returns (x [B, H, W, cIn], w [kh, kw, cIn, cOut], b [cOut]) → [B, ⌈H/stride⌉, ⌈W/stride⌉, cOut]
 */
export function conv2dSame(options: Conv2dSameOptions): (x: Tensor, w: Tensor, b: Tensor) => Tensor {
  const { stride } = options;
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`conv2dSame: stride must be an integer ≥ 1 (got ${stride})`);
  const activation = checkActivation('conv2dSame', options.activation ?? 'linear');
  const inputGradient = options.inputGradient ?? true;
  const patches = new Patches();
  return tf.customGrad(((x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const kernels = tensorHostKernels();
    if (kernels) return hostConv2dSame(kernels, patches, x, w, b, stride, activation, inputGradient, save);
    const y = fusedConv2dKernel(x, w, b, stride, 'same', activation);
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const g = activationGrad(activation, dy, sy);
        const [, height, width] = sx.shape;
        return [
          inputGradient ? transposedConv(g, sw, stride, [height, width]) : tf.zerosLike(sx),
          conv2dFilterGrad(sx, g, [sw.shape[0], sw.shape[1]], stride),
          tf.sum(g, [0, 1, 2]),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: Tensor, w: Tensor, b: Tensor) => Tensor;
}
