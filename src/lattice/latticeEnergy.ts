import { tf } from '../backend/tf.ts';
import type { Bond } from './bond.ts';

/**
 * Energy of L×L periodic square-lattice configurations, E(x) = Σ_{⟨ij⟩} e(x_i, x_j) over the 2L² bonds
 * (each site with its right and lower neighbour, wrapping around; for L = 2 the two bonds between a
 * pair are both counted, as on any 2-torus). Site (r, c) is unit r·L + c.
 *
 * @param x one-hot (or soft) configurations, shape [B, L·L·q]
 * @returns shape [B]
 */
export function latticeEnergy(x: tf.Tensor2D, L: number, bond: Bond): tf.Tensor1D {
  const q = bond.states;
  if (x.rank !== 2 || x.shape[1] !== L * L * q) throw new RangeError(`latticeEnergy: x must have shape [batch, ${L * L * q}] (L·L·q) (got [${x.shape}])`);
  return tf.tidy(() => {
    const b = x.shape[0];
    const e = tf.tensor2d(Float32Array.from(bond.energy), [q, q]);
    const X = tf.reshape(x, [b, L, L, q]);
    const Xe = tf.reshape(tf.matMul(tf.reshape(X, [-1, q]), e), [b, L, L, q]);
    const right = rollBack(X, 2, L);
    const down = rollBack(X, 1, L);
    return tf.sum(tf.mul(Xe, tf.add(right, down)), [1, 2, 3]) as tf.Tensor1D;
  });
}

/** Neighbour at index + 1 (periodic) along `axis` of [B, L, L, q]. */
function rollBack(X: tf.Tensor, axis: 1 | 2, L: number): tf.Tensor {
  const [b, , , q] = X.shape;
  const size = axis === 1 ? [b, L - 1, L, q] : [b, L, L - 1, q];
  const first = axis === 1 ? [b, 1, L, q] : [b, L, 1, q];
  const begin = axis === 1 ? [0, 1, 0, 0] : [0, 0, 1, 0];
  return tf.concat([tf.slice(X, begin, size), tf.slice(X, [0, 0, 0, 0], first)], axis);
}

/**
 * Plain-JS energies of integer configurations (the fast path for samples drawn by {@link ancestralSampleJs}).
 * @param states shape [n, L·L], values in [0, q)
 * @returns Float64Array of shape [n]
 */
export function latticeEnergyOfStates(states: ArrayLike<number>, L: number, bond: Bond): Float64Array {
  const N = L * L, q = bond.states, e = bond.energy;
  const n = states.length / N;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const o = k * N;
    let s = 0;
    for (let r = 0; r < L; r++) {
      for (let c = 0; c < L; c++) {
        const a = states[o + r * L + c];
        s += e[a * q + states[o + r * L + ((c + 1) % L)]] + e[a * q + states[o + ((r + 1) % L) * L + c]];
      }
    }
    out[k] = s;
  }
  return out;
}

/**
 * Magnetisation per site of integer configurations: for Ising m = (1/N) Σ s_i with s = +1 for state 0;
 * for Potts the scalar order parameter m = (q·max_a n_a/N − 1)/(q − 1) ∈ [0, 1].
 * Also returns the majority state of each configuration (the sign for Ising), used to detect mode collapse.
 * @param states shape [n, units]
 */
export function magnetisationOfStates(states: ArrayLike<number>, units: number, q: number): { m: Float64Array; majority: Int8Array } {
  const n = states.length / units;
  const m = new Float64Array(n);
  const majority = new Int8Array(n);
  const count = new Int32Array(q);
  for (let k = 0; k < n; k++) {
    count.fill(0);
    for (let i = 0; i < units; i++) count[states[k * units + i]]++;
    let best = 0, tie = false;
    for (let a = 1; a < q; a++) {
      if (count[a] > count[best]) { best = a; tie = false; } else if (count[a] === count[best]) tie = true;
    }
    majority[k] = tie ? -1 : best;
    m[k] = q === 2 ? (count[0] - count[1]) / units : (q * count[best] / units - 1) / (q - 1);
  }
  return { m, majority };
}
