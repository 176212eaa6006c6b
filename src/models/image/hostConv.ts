import type { ConvGeometry, HostKernels } from '../../backend/hostKernels.ts';
import { hostIo } from '../../backend/hostViews.ts';
import { tf } from '../../backend/tf.ts';
import { hostActivationGrad, type Activation } from './activation.ts';
import { samePadding } from './samePadding.ts';

/*
 * The convolution layer ops on the host kernels (backend/hostKernels.ts): every convolution, forward
 * and backward, as im2col or col2im plus one matrix product (im2col.c, sgemm.c), reading and writing
 * tensors in place (backend/hostViews.ts). The same functions as conv2dSame's and
 * conv2dTransposeSame's TF.js paths, summed in another order.
 */

/** A growing float buffer for the patches, one per layer op: only touched inside one call. */
export class Patches {
  private data = new Float32Array(0);

  get(length: number): Float32Array {
    if (this.data.length < length) this.data = new Float32Array(length);
    return this.data.subarray(0, length);
  }
}

/** The geometry of conv2d(x, ·, stride, 'same') with a kh × kw kernel on x [batch, height, width, channels]. */
export function sameGeometry(shape: readonly number[], kh: number, kw: number, stride: number): ConvGeometry {
  const [batch, height, width, channels] = shape;
  const rows = samePadding(height, kh, stride), cols = samePadding(width, kw, stride);
  return { batch, height, width, channels, kh, kw, stride, padTop: rows.before, padLeft: cols.before, outHeight: rows.out, outWidth: cols.out };
}

type Grads = (dy: tf.Tensor4D, saved: tf.Tensor[]) => tf.Tensor[];

/**
 * conv2dSame's value and gradients: y = act(col(x)·W + b); ∂W = col(x)ᵀ·g, ∂x = col2im(g·Wᵀ), ∂b = Σ g,
 * with W = w [kh, kw, cIn, cOut] read as [kh·kw·cIn, cOut] and g = ∂L/∂(pre-activation).
 */
export function hostConv2dSame(
  kernels: HostKernels, patches: Patches, x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D,
  stride: number, activation: Activation, inputGradient: boolean, save: tf.GradSaveFunc,
): { value: tf.Tensor4D; gradFunc: Grads } {
  const [kh, kw, cIn, cOut] = w.shape;
  const geo = sameGeometry(x.shape, kh, kw, stride);
  const m = geo.batch * geo.outHeight * geo.outWidth, k = kh * kw * cIn;
  const io = hostIo();
  const y = io.output([geo.batch, geo.outHeight, geo.outWidth, cOut]);
  const col = patches.get(m * k);
  kernels.im2col(io.read(x), col, geo);
  kernels.gemmInto(y.view(), col, io.read(w), m, cOut, k, { bias: io.read(b), relu: activation === 'relu' });
  const value = y.tensor() as tf.Tensor4D;
  save([x, w, value]);
  return {
    value,
    gradFunc: (dy, saved) => {
      const [sx, sw, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const g = hostActivationGrad(kernels, activation, dy, sy);
      const io = hostIo();
      const dw = io.output(sw.shape);
      const dx = inputGradient ? io.output(sx.shape) : null;
      const db = io.output([cOut]);
      const gv = io.read(g);
      const c = patches.get(m * k);
      kernels.im2col(io.read(sx), c, geo);
      kernels.gemmInto(dw.view(), c, gv, k, cOut, m, { transA: true });
      kernels.colSum(gv, m, cOut, db.view());
      if (dx) {
        kernels.gemmInto(c, gv, io.read(sw), m, k, cOut, { transB: true });
        kernels.col2im(c, dx.view(), geo);
      }
      return [dx ? dx.tensor() : tf.zerosLike(sx), dw.tensor(), db.tensor()];
    },
  };
}

/**
 * conv2dTransposeSame's value and gradients: the transposed convolution is the input gradient of the
 * convolution from the output's space [B, H·s, W·s, cOut] to x's [B, H, W, cIn] with filter w
 * [kh, kw, cOut, cIn], so y = act(col2im(x·Wᵀ) + b); ∂x = col(g)·W, ∂W = col(g)ᵀ·x, ∂b = Σ g.
 */
export function hostConv2dTransposeSame(
  kernels: HostKernels, patches: Patches, x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D,
  stride: number, activation: Activation, save: tf.GradSaveFunc,
): { value: tf.Tensor4D; gradFunc: Grads } {
  const [batch, height, width, cIn] = x.shape;
  const [kh, kw, cOut] = w.shape;
  const geo = sameGeometry([batch, height * stride, width * stride, cOut], kh, kw, stride);
  const m = batch * height * width, k = kh * kw * cOut;
  const io = hostIo();
  const y = io.output([batch, geo.height, geo.width, cOut]);
  const col = patches.get(m * k);
  kernels.gemmInto(col, io.read(x), io.read(w), m, k, cIn, { transB: true });
  kernels.col2im(col, y.view(), geo, { bias: io.read(b), relu: activation === 'relu' });
  const value = y.tensor() as tf.Tensor4D;
  save([x, w, value]);
  return {
    value,
    gradFunc: (dy, saved) => {
      const [sx, sw, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const g = hostActivationGrad(kernels, activation, dy, sy);
      const io = hostIo();
      const dx = io.output(sx.shape);
      const dw = io.output(sw.shape);
      const db = io.output([cOut]);
      const gv = io.read(g);
      const c = patches.get(m * k);
      kernels.im2col(gv, c, geo);
      kernels.gemmInto(dx.view(), c, io.read(sw), m, cIn, k);
      kernels.gemmInto(dw.view(), c, io.read(sx), k, cIn, m, { transA: true });
      kernels.colSum(gv, batch * geo.height * geo.width, cOut, db.view());
      return [dx.tensor(), dw.tensor(), db.tensor()];
    },
  };
}
