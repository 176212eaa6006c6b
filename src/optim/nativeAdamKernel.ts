import type { HostKernels } from '../backend/hostKernels.ts';
import { hostIo } from '../backend/hostViews.ts';
import type { Tensor } from '../backend/tf.ts';

/**
 * Adam's host update on the host kernels (src/backend/addon/adam.c): the same arithmetic as
 * HostAdamKernel's WebAssembly loop, bit for bit, without its copies — each variable and gradient is
 * read in place and the new values are written straight into a fresh tensor (backend/hostViews.ts).
 * The flat moments are plain arrays kept here.
 */
export class NativeAdamKernel {
  /** Flat first and second moments, shape [total]. */
  readonly m: Float32Array;
  readonly v: Float32Array;

  constructor(private readonly kernels: HostKernels, total: number) {
    this.m = new Float32Array(total);
    this.v = new Float32Array(total);
  }

  /** One variable's update (its moments from `offset`); the new values as a tensor of x's shape. */
  apply(offset: number, x: Tensor, g: Tensor, beta1: number, beta2: number, eps: number, stepSize: number, sqrtBc2: number): Tensor {
    const io = hostIo();
    const out = io.output(x.shape);
    const n = x.size;
    this.kernels.adam(io.read(x), io.read(g), this.m.subarray(offset, offset + n), this.v.subarray(offset, offset + n), out.view(), beta1, beta2, eps, stepSize, sqrtBc2);
    return out.tensor();
  }
}
