import { tf } from '../backend/tf.ts';
import type { Bond } from './bond.ts';

/**
 * The seed's transfer weight between two rows of N sites on a ring, in log form (the seed multiplied
 * weights directly, which overflows for large N·β):
 *   ln T(x, x') = Σ_i ln(x'_i^T W x'_{i+1}) + Σ_i ln(x_i^T W x'_i),
 * horizontal bonds within x' (periodic, i + 1 mod N; N = 2 counts the pair twice, as the seed's roll did)
 * and vertical bonds between x and x'. For soft (relaxed) rows each factor is the bilinear form.
 *
 * @param x  shape [B, N·q]
 * @param xp shape [B', N·q]
 * @returns shape [B, B'] (every pair)
 */
export function logTransferWeight(x: tf.Tensor2D, xp: tf.Tensor2D, bond: Bond): tf.Tensor2D {
  const q = bond.states;
  const n = checkRows('logTransferWeight', xp, q);
  if (checkRows('logTransferWeight', x, q) !== n) throw new RangeError(`logTransferWeight: x and x' must have the same row length (got [${x.shape}] and [${xp.shape}])`);
  return tf.tidy(() => {
    const W = tf.tensor2d(Float32Array.from(bond.weight), [q, q]);
    const X = tf.reshape(x, [x.shape[0], n, q]) as tf.Tensor3D;
    const XP = tf.reshape(xp, [xp.shape[0], n, q]) as tf.Tensor3D;
    // Vertical: per site i, (x_i W) · x'_i for all pairs → [N, B, B'].
    const xw = tf.transpose(tf.reshape(tf.matMul(tf.reshape(X, [-1, q]), W), [x.shape[0], n, q]), [1, 0, 2]);
    const vertical = tf.sum(tf.log(tf.matMul(xw, tf.transpose(XP, [1, 2, 0]))), 0);
    return tf.add(vertical, tf.expandDims(horizontal(XP, W), 0)) as tf.Tensor2D;
  });
}

/**
 * The seed's marginal transfer weight T(x') = Σ_x T(x, x'):
 *   ln T(x') = Σ_i ln(x'_i^T W x'_{i+1}) + Σ_i ln(w · x'_i),  w_b = Σ_a W_ab.
 * @param xp shape [B', N·q]
 * @returns shape [B']
 */
export function logMarginalTransferWeight(xp: tf.Tensor2D, bond: Bond): tf.Tensor1D {
  const q = bond.states;
  const n = checkRows('logMarginalTransferWeight', xp, q);
  return tf.tidy(() => {
    const W = tf.tensor2d(Float32Array.from(bond.weight), [q, q]);
    const XP = tf.reshape(xp, [xp.shape[0], n, q]) as tf.Tensor3D;
    const w = tf.reshape(tf.sum(W, 0), [q, 1]);
    const vertical = tf.sum(tf.log(tf.reshape(tf.matMul(tf.reshape(XP, [-1, q]), w), [xp.shape[0], n])), 1);
    return tf.add(vertical, horizontal(XP, W)) as tf.Tensor1D;
  });
}

/** Σ_i ln(x'_i^T W x'_{i+1}) on the ring. @param XP [B', N, q] @returns [B'] */
function horizontal(XP: tf.Tensor3D, W: tf.Tensor2D): tf.Tensor1D {
  const [b, n, q] = XP.shape;
  const next = tf.concat([tf.slice(XP, [0, 1, 0], [b, n - 1, q]), tf.slice(XP, [0, 0, 0], [b, 1, q])], 1);
  const xw = tf.reshape(tf.matMul(tf.reshape(XP, [-1, q]), W), [b, n, q]);
  return tf.sum(tf.log(tf.sum(tf.mul(xw, next), 2)), 1) as tf.Tensor1D;
}

function checkRows(fn: string, x: tf.Tensor2D, q: number): number {
  const width = x.shape[1];
  if (x.rank !== 2 || width % q !== 0 || width < 2 * q) {
    throw new RangeError(`${fn}: rows must have shape [batch, N·${q}] with N ≥ 2 (got [${x.shape}])`);
  }
  return width / q;
}

/** Plain-JS ln T(x, x') for integer rows (exact references and tests). @param x, xp shape [N] */
export function logTransferWeightOf(x: ArrayLike<number>, xp: ArrayLike<number>, bond: Bond): number {
  const q = bond.states, n = xp.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(bond.weight[xp[i] * q + xp[(i + 1) % n]]) + Math.log(bond.weight[x[i] * q + xp[i]]);
  return s;
}
