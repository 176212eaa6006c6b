import { tf, type Tensor } from '../../backend/tf.ts';
import type { Activation } from './activation.ts';
import { fusedConv2dKernel } from './fusedKernels.ts';

/**
 * tf.conv2dTranspose(x, w, [B, H, W, cOut], stride, 'same') computed with one stride-1 tf.conv2d
 * (XNNPACK on wasm) instead of the Conv2DBackpropInput kernel, which wasm runs ~10× slower.
 *
 * Sub-pixel form: output row o = stride·m + a (phase a) is Σ_t x[m + d(a, t)]·w[t] over the taps t
 * with d = (a + p − t)/stride an integer (p: the forward conv's 'same' padding before). Every phase
 * reads x at offsets d ∈ [dMin, dMax], so one correlation with an (dMax − dMin + 1)² kernel and
 * stride²·cOut output channels (channel (a·stride + b)·cOut + o holds phase (a, b)) computes all of
 * them; a reshape–transpose interleaves the phases. For stride 2 and a 3×3 kernel that is a 2×2
 * kernel — 16 products per input pixel and channel pair where the transpose needs 9, still far
 * faster on wasm. Used as conv2dTranspose's forward pass and as conv2d's input gradient.
 *
 * @param x [B, h, w, cIn] with h = ⌈H / stride⌉, w = ⌈W / stride⌉
 * @param w [kh, kw, cOut, cIn] (TF's transpose layout)
 * @param outSize [H, W]
 * @param fused a bias [cOut] and an activation applied in the same kernel (the layer op's forward pass)
 * @returns [B, H, W, cOut]
 */
export function transposedConv(x: Tensor, w: Tensor, stride: number, outSize: readonly [number, number], fused: { bias?: Tensor; activation?: Activation } = {}): Tensor {
  const [batch, h, wd, cIn] = x.shape as [number, number, number, number];
  const [kh, kw, cOut, wIn] = w.shape as [number, number, number, number];
  const [H, W] = outSize;
  if (wIn !== cIn) throw new RangeError(`transposedConv: w must have shape [kh, kw, cOut, ${cIn}] for x [${x.shape.join(', ')}] (got [${w.shape.join(', ')}])`);
  if (Math.ceil(H / stride) !== h || Math.ceil(W / stride) !== wd) {
    throw new RangeError(`transposedConv: outSize [${H}, ${W}] does not give x's [${h}, ${wd}] under stride ${stride}`);
  }
  const rows = taps(h, H, kh, stride);
  const cols = taps(wd, W, kw, stride);
  const s2 = stride * stride;
  return tf.tidy(() => {
    // Selection S[(u, v, a, b), (i, j)] = 1 when tap (i, j) of phase (a, b) reads offset (u, v): K = S·w.
    const sel = new Float32Array(rows.size * cols.size * s2 * kh * kw);
    for (const r of rows.entries) {
      for (const c of cols.entries) {
        const row = ((r.u * cols.size + c.u) * stride + r.phase) * stride + c.phase;
        sel[row * kh * kw + r.tap * kw + c.tap] = 1;
      }
    }
    const wFlat = tf.reshape(tf.transpose(w, [0, 1, 3, 2]), [kh * kw, cIn * cOut]); // [(i, j), (ci, co)]
    const k = tf.matMul(tf.tensor2d(sel, [rows.size * cols.size * s2, kh * kw]), wFlat); // [(u, v, phase), (ci, co)]
    const kernel = tf.reshape(tf.transpose(tf.reshape(k, [rows.size * cols.size, s2, cIn, cOut]), [0, 2, 1, 3]), [rows.size, cols.size, cIn, s2 * cOut]);
    const padded = tf.pad(x, [[0, 0], [rows.before, rows.after], [cols.before, cols.after], [0, 0]]);
    const bias = fused.bias == null ? undefined : s2 === 1 ? fused.bias : tf.tile(fused.bias, [s2]);
    // [B, h, w, (a, b, co)]
    const y = fusedConv2dKernel(padded, kernel, bias, 1, 'valid', fused.activation ?? 'linear');
    if (stride === 1) return y;
    const inter = tf.reshape(tf.transpose(tf.reshape(y, [batch * h, wd, stride, stride * cOut]), [0, 2, 1, 3]), [batch, h * stride, wd * stride, cOut]);
    return h * stride === H && wd * stride === W ? inter : tf.slice(inter, [0, 0, 0, 0], [batch, H, W, cOut]);
  });
}

interface Taps {
  /** Kernel extent along the axis: dMax − dMin + 1. */
  size: number;
  /** Padding of x before and after along the axis: −dMin and dMax. */
  before: number;
  after: number;
  /** (phase, tap, offset u = d − dMin) for every tap that contributes. */
  entries: Array<{ phase: number; tap: number; u: number }>;
}

/** The sub-pixel taps along one axis: input size n, output size N = the forward conv's input. */
function taps(n: number, N: number, k: number, stride: number): Taps {
  const p = Math.floor(Math.max((n - 1) * stride + k - N, 0) / 2);
  const raw: Array<{ phase: number; tap: number; d: number }> = [];
  for (let a = 0; a < stride; a++) {
    for (let t = 0; t < k; t++) if ((a + p - t) % stride === 0) raw.push({ phase: a, tap: t, d: (a + p - t) / stride });
  }
  const dMin = Math.min(0, ...raw.map((e) => e.d));
  const dMax = Math.max(0, ...raw.map((e) => e.d));
  return { size: dMax - dMin + 1, before: -dMin, after: dMax, entries: raw.map((e) => ({ phase: e.phase, tap: e.tap, u: e.d - dMin })) };
}
