import { tf, type Tensor } from '../../backend/tf.ts';
import { samePadding } from './samePadding.ts';

/**
 * ∂L/∂W of y = conv2d(input, W, stride, 'same') given dy = ∂L/∂y, from kernels the wasm backend
 * runs fast: wasm has no Conv2DBackpropFilter, so autodiff of tf.conv2d fails there.
 *
 *   dW[i, j, c, o] = Σ_{b, r, s} input_pad[b, r·stride + i, s·stride + j, c] · dy[b, r, s, o]
 *
 * Two ways to the same numbers, chosen by shape (measured on wasm at batch 128):
 * - many input channels: a convolution of the padded input, channels and batch swapped
 *   ([cIn, H, W, B]), with dy as the filter ([oh, ow, B, cOut], dilation = stride) — its output
 *   [cIn, kh, kw, cOut] is dW up to a transpose, and XNNPACK runs it as one well-shaped product;
 * - few input channels (cIn·kh·kw ≤ cOut, e.g. an image's single channel): im2col — a depthwise
 *   convolution with one-hot filters gathers the patches P [B·oh·ow, cIn·kh·kw] (strided slices would
 *   be ~50× slower on wasm) — then dW = Pᵀ·dy with an explicit transpose (wasm runs transposed matMuls
 *   ~10× slower, nn/matMulExplicitGrad.ts).
 *
 * Also the filter gradient of conv2dTranspose(x, W, …): this with input = ∂L/∂y and dy = x.
 *
 * @param input [B, H, W, cIn]
 * @param dy [B, oh, ow, cOut] with oh = ⌈H / stride⌉, ow = ⌈W / stride⌉
 * @param kernel [kh, kw]
 * @returns [kh, kw, cIn, cOut]
 */
export function conv2dFilterGrad(input: Tensor, dy: Tensor, kernel: readonly [number, number], stride: number): Tensor {
  const [batch, height, width, cIn] = input.shape as [number, number, number, number];
  const [, oh, ow, cOut] = dy.shape as [number, number, number, number];
  const [kh, kw] = kernel;
  const ph = samePadding(height, kh, stride);
  const pw = samePadding(width, kw, stride);
  if (ph.out !== oh || pw.out !== ow || dy.shape[0] !== batch) {
    throw new RangeError(`conv2dFilterGrad: dy must have shape [${batch}, ${ph.out}, ${pw.out}, cOut] for input [${input.shape.join(', ')}] and stride ${stride} (got [${dy.shape.join(', ')}])`);
  }
  return cIn * kh * kw <= cOut ? byPatches(input, dy, kh, kw, stride) : byDilatedConv(input, dy, kh, kw, stride, ph, pw);
}

function byDilatedConv(input: Tensor, dy: Tensor, kh: number, kw: number, stride: number, ph: { before: number; after: number }, pw: { before: number; after: number }): Tensor {
  return tf.tidy(() => {
    const swapped = tf.transpose(input, [3, 1, 2, 0]); // [cIn, H, W, B]
    const padded = ph.before + ph.after + pw.before + pw.after === 0 ? swapped : tf.pad(swapped, [[0, 0], [ph.before, ph.after], [pw.before, pw.after], [0, 0]]);
    const filter = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, B, cOut]
    const out = tf.conv2d(padded as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid', 'NHWC', stride); // [cIn, ≥kh, ≥kw, cOut]
    const [cIn, rows, cols, cOut] = out.shape;
    const dw = rows === kh && cols === kw ? out : tf.slice(out, [0, 0, 0, 0], [cIn, kh, kw, cOut]);
    return tf.transpose(dw, [1, 2, 0, 3]);
  });
}

function byPatches(input: Tensor, dy: Tensor, kh: number, kw: number, stride: number): Tensor {
  const [batch, , , cIn] = input.shape as [number, number, number, number];
  const [, oh, ow, cOut] = dy.shape as [number, number, number, number];
  return tf.tidy(() => {
    const taps = kh * kw;
    // f[i, j, c, m] = 1 when m = i·kw + j: output channel c·taps + m is input channel c at tap (i, j).
    const onehot = new Float32Array(taps * cIn * taps);
    for (let t = 0; t < taps; t++) for (let c = 0; c < cIn; c++) onehot[(t * cIn + c) * taps + t] = 1;
    const rows = batch * oh * ow;
    const patches = tf.reshape(tf.depthwiseConv2d(input as tf.Tensor4D, tf.tensor4d(onehot, [kh, kw, cIn, taps]), stride, 'same'), [rows, cIn * taps]);
    const dw = tf.matMul(tf.transpose(patches), tf.reshape(dy, [rows, cOut])); // [(c, i, j), cOut]
    return tf.transpose(tf.reshape(dw, [cIn, kh, kw, cOut]), [1, 2, 0, 3]);
  });
}
