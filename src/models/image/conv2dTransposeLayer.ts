import { tf, type Tensor, type Variable } from '../../backend/tf.ts';
import type { Module } from '../../nn/module.ts';
import type { Rng } from '../../random/rng.ts';
import type { Activation } from './activation.ts';
import { conv2dTransposeSame } from './conv2dTransposeSame.ts';
import { glorotUniform } from './kerasInit.ts';

export interface Conv2DTransposeOptions {
  /** Input channels cIn. */
  inChannels: number;
  /** Output channels cOut. */
  filters: number;
  kernelSize: number;
  stride: number;
  /** Default 'linear'. */
  activation?: Activation;
}

/**
 * Keras's Conv2DTranspose(filters, kernelSize, strides, padding='same', activation): output
 * [B, H·stride, W·stride, filters], NHWC, as one fused op (conv2dTransposeSame.ts). Kernel
 * glorot_uniform, bias zero.
 *
 * Variables: `${name}/kernel` [k, k, filters, inChannels] (Keras's and TF's transpose layout;
 * PyTorch's ConvTranspose2d weight [inChannels, filters, k, k] is its permute(3, 2, 0, 1)),
 * `${name}/bias` [filters].
 */
export class Conv2DTranspose implements Module {
  readonly kernel: Variable;
  readonly bias: Variable;
  readonly stride: number;
  private readonly op: (x: Tensor, w: Tensor, b: Tensor) => Tensor;

  constructor(options: Conv2DTransposeOptions, rng: Rng, readonly name: string) {
    const { inChannels, filters, kernelSize, stride } = options;
    for (const [k, v] of [['inChannels', inChannels], ['filters', filters], ['kernelSize', kernelSize], ['stride', stride]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Conv2DTranspose ${name}: ${k} must be an integer ≥ 1 (got ${v})`);
    }
    this.stride = stride;
    const field = kernelSize * kernelSize;
    const shape: [number, number, number, number] = [kernelSize, kernelSize, filters, inChannels];
    this.kernel = tf.tidy(() => tf.variable(tf.tensor4d(glorotUniform(field * inChannels * filters, field * filters, field * inChannels, rng), shape), true));
    this.bias = tf.tidy(() => tf.variable(tf.zeros([filters]), true));
    this.op = conv2dTransposeSame({ stride, activation: options.activation });
  }

  /** @param x [B, H, W, inChannels] @returns [B, H·stride, W·stride, filters] */
  apply(x: Tensor): Tensor {
    return this.op(x, this.kernel, this.bias);
  }

  namedVariables(): Array<[string, Variable]> {
    return [[`${this.name}/kernel`, this.kernel], [`${this.name}/bias`, this.bias]];
  }

  dispose(): void {
    tf.dispose([this.kernel, this.bias]);
  }
}
