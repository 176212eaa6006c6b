import { tf, type Tensor, type Variable } from '../../backend/tf.ts';
import type { Module } from '../../nn/module.ts';
import type { Rng } from '../../random/rng.ts';
import type { Activation } from './activation.ts';
import { conv2dSame } from './conv2dSame.ts';
import { glorotUniform } from './kerasInit.ts';

export interface Conv2DOptions {
  /** Input channels cIn. */
  inChannels: number;
  /** Output channels cOut. */
  filters: number;
  kernelSize: number;
  stride: number;
  /** Default 'linear'. */
  activation?: Activation;
  /** False when the layer reads data, so ∂L/∂x is not computed (see dense.ts). Default true. */
  inputGradient?: boolean;
}

/**
 * Keras's Conv2D(filters, kernelSize, strides, padding='same', activation), NHWC, as one fused op
 * (conv2dSame.ts). Kernel glorot_uniform, bias zero (Keras's defaults).
 *
 * Variables: `${name}/kernel` [k, k, inChannels, filters] (Keras's layout; PyTorch's Conv2d weight is
 * its permute(3, 2, 0, 1)), `${name}/bias` [filters].
 *
 * @example
 *   const conv = new Conv2D({ inChannels: 1, filters: 32, kernelSize: 3, stride: 2, activation: 'relu' }, rng, 'conv1');
 *   conv.apply(img);   // [B, 28, 28, 1] → [B, 14, 14, 32]
 */
export class Conv2D implements Module {
  readonly kernel: Variable;
  readonly bias: Variable;
  readonly stride: number;
  private readonly op: (x: Tensor, w: Tensor, b: Tensor) => Tensor;

  constructor(options: Conv2DOptions, rng: Rng, readonly name: string) {
    const { inChannels, filters, kernelSize, stride } = options;
    for (const [k, v] of [['inChannels', inChannels], ['filters', filters], ['kernelSize', kernelSize], ['stride', stride]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Conv2D ${name}: ${k} must be an integer ≥ 1 (got ${v})`);
    }
    this.stride = stride;
    const field = kernelSize * kernelSize;
    const shape: [number, number, number, number] = [kernelSize, kernelSize, inChannels, filters];
    this.kernel = tf.tidy(() => tf.variable(tf.tensor4d(glorotUniform(field * inChannels * filters, field * inChannels, field * filters, rng), shape), true));
    this.bias = tf.tidy(() => tf.variable(tf.zeros([filters]), true));
    this.op = conv2dSame({ stride, activation: options.activation, inputGradient: options.inputGradient });
  }

  /** @param x [B, H, W, inChannels] @returns [B, ⌈H/stride⌉, ⌈W/stride⌉, filters] */
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
