import { softplus, type Rbm } from './rbm.ts';

/** The most hidden units `exactLogZ` enumerates by default (2^20 ≈ 10^6 states). */
export const EXACT_LOG_Z_MAX_HIDDEN = 20;

export interface ExactLogZOptions {
  /** Refuse models with more hidden units than this; default EXACT_LOG_Z_MAX_HIDDEN (20). */
  maxHidden?: number;
}

/**
 * The exact log partition function of an RBM by enumerating its 2^hidden hidden states, the
 * visible units summed analytically:
 *
 *   log Z = logsumexp_h [ c·h + Σ_i softplus(b_i + (Wᵀh)_i) ]
 *
 * Hidden states are visited in Gray-code order, so each costs one row update of b + Wᵀh, O(visible).
 *
 * @throws RangeError when hidden exceeds maxHidden, naming both
 * @example exactLogZ(model) // model.hidden ≤ 20
 */
export function exactLogZ(model: Rbm, options: ExactLogZOptions = {}): number {
  const maxHidden = options.maxHidden ?? EXACT_LOG_Z_MAX_HIDDEN;
  const { visible: V, hidden: H, W, vBias, hBias } = model;
  if (H > maxHidden) {
    throw new RangeError(`exactLogZ: the model has ${H} hidden units, more than maxHidden = ${maxHidden} (2^${H} states to enumerate); estimate log Z with ais() instead`);
  }
  const a = vBias.slice(); // b + Wᵀh for the current h
  const h = new Uint8Array(H);
  let ch = 0;
  // Running logsumexp: max m and Σ exp(x − m).
  let m = -Infinity;
  let sum = 0;
  const total = 2 ** H;
  for (let g = 0; g < total; g++) {
    if (g > 0) {
      // Gray code g ^ (g >> 1): the bit that flips is the lowest set bit of g.
      let j = 0;
      while (((g >> j) & 1) === 0) j++;
      const sign = h[j] ? -1 : 1;
      h[j] ^= 1;
      ch += sign * hBias[j];
      const w = j * V;
      for (let i = 0; i < V; i++) a[i] += sign * W[w + i];
    }
    let x = ch;
    for (let i = 0; i < V; i++) x += softplus(a[i]);
    if (x > m) {
      sum = sum * Math.exp(m - x) + 1;
      m = x;
    } else {
      sum += Math.exp(x - m);
    }
  }
  return m + Math.log(sum);
}
