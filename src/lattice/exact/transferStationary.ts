import type { Bond } from '../bond.ts';
import { pairOverlap } from '../bond.ts';
import { allStates, configurationCount } from '../configurations.ts';

export interface StationaryDistribution {
  /** p(x) over all q^N rows in enumeration order (site 0 fastest), shape [q^N]. */
  readonly probs: Float64Array;
  /** ln λ of the dominant eigenvalue: λ = Σ_x Σ_x' T(x, x') p(x') = Σ_x' T(x') p(x') at the fixed point. */
  readonly logLambda: number;
  readonly iterations: number;
  /** ‖p' − p‖₁ at the last iteration. */
  readonly residual: number;
}

export interface StationaryOptions {
  /** Stop when ‖p' − p‖₁ < tolerance (default 1e-13). */
  tolerance?: number;
  /** Give up (with an error) after this many iterations (default 200 000). */
  maxIterations?: number;
}

/**
 * The exact stationary distribution of the seed's map p'(x) = Σ_x' T(x, x') p(x') / Σ_x' T(x') p(x')
 * on a ring of N sites, by power iteration over all q^N rows (N ≤ 12 for q = 2).
 *
 * T = V·H with H(x') = Π_i W(x'_i, x'_{i+1}) diagonal and V(x, x') = Π_i W(x_i, x'_i) a Kronecker
 * product of single-site matrices, so one application costs O(N q^{N+1}) and no q^N × q^N matrix is built.
 * Started from the uniform (symmetric) distribution, the iteration stays in the symmetric sector.
 *
 * Note (physics): this fixed point is the dominant right eigenvector of V·H — the distribution of the
 * boundary row of a semi-infinite cylinder whose last row lacks its horizontal bonds — not the bulk row
 * marginal of the 2D lattice (which is ∝ ψ_L ψ_R). It is what the seed's loss targets, so it is the reference.
 */
export function transferStationary(units: number, bond: Bond, options: StationaryOptions = {}): StationaryDistribution {
  const q = bond.states;
  const count = configurationCount(units, q);
  if (units < 2) throw new RangeError(`transferStationary: units must be ≥ 2 (got ${units})`);
  const tolerance = options.tolerance ?? 1e-13;
  const maxIterations = options.maxIterations ?? 200_000;
  const states = allStates(units, q);
  // H(x') relative to its maximum, to stay finite for large N·β; the factor is restored in ln λ.
  const logH = new Float64Array(count);
  let maxLogH = -Infinity;
  for (let s = 0; s < count; s++) {
    let v = 0;
    for (let i = 0; i < units; i++) v += Math.log(bond.weight[states[s * units + i] * q + states[s * units + ((i + 1) % units)]]);
    logH[s] = v;
    maxLogH = Math.max(maxLogH, v);
  }
  const H = logH.map((v) => Math.exp(v - maxLogH));
  let p = new Float64Array(count).fill(1 / count);
  let next = new Float64Array(count);
  let scratch = new Float64Array(count);
  let lambda = 0, residual = Infinity, it = 0;
  while (it < maxIterations) {
    it++;
    for (let s = 0; s < count; s++) next[s] = H[s] * p[s];
    // V: apply W to each site's index in turn (x_i ← Σ_{x'_i} W(x_i, x'_i) ...).
    let stride = 1;
    for (let i = 0; i < units; i++) {
      for (let s = 0; s < count; s++) {
        const a = Math.floor(s / stride) % q;
        const base = s - a * stride;
        let v = 0;
        for (let b = 0; b < q; b++) v += bond.weight[a * q + b] * next[base + b * stride];
        scratch[s] = v;
      }
      [next, scratch] = [scratch, next];
      stride *= q;
    }
    lambda = 0;
    for (let s = 0; s < count; s++) lambda += next[s];
    residual = 0;
    for (let s = 0; s < count; s++) {
      next[s] /= lambda;
      residual += Math.abs(next[s] - p[s]);
    }
    [p, next] = [next, p];
    if (residual < tolerance) break;
  }
  if (residual >= tolerance) {
    throw new Error(`transferStationary: no convergence to ${tolerance} in ${maxIterations} iterations (residual ${residual.toExponential(2)}, N=${units}, β=${bond.beta})`);
  }
  return { probs: p, logLambda: Math.log(lambda) + maxLogH, iterations: it, residual };
}

/**
 * Correlation function C(r) = ⟨σ(x_i, x_{i+r})⟩ averaged over ring sites i, for r = 0 … N−1,
 * with σ(a, b) = (q δ_ab − 1)/(q − 1) (= s_a s_b for Ising).
 * @param probs weights over all q^N rows in enumeration order (need not be normalised)
 */
export function ringCorrelation(probs: ArrayLike<number>, units: number, q: number): Float64Array {
  const states = allStates(units, q);
  const count = states.length / units;
  const c = new Float64Array(units);
  let z = 0;
  for (let s = 0; s < count; s++) {
    const w = probs[s];
    if (w === 0) continue;
    z += w;
    for (let r = 0; r < units; r++) {
      let acc = 0;
      for (let i = 0; i < units; i++) acc += pairOverlap(q, states[s * units + i], states[s * units + ((i + r) % units)]);
      c[r] += (w * acc) / units;
    }
  }
  return c.map((v) => v / z);
}

/** The same C(r) estimated from sampled rows. @param states shape [n, units] */
export function ringCorrelationOfStates(states: ArrayLike<number>, units: number, q: number): Float64Array {
  const n = states.length / units;
  const c = new Float64Array(units);
  for (let k = 0; k < n; k++) {
    for (let r = 0; r < units; r++) {
      let acc = 0;
      for (let i = 0; i < units; i++) acc += pairOverlap(q, states[k * units + i], states[k * units + ((i + r) % units)]);
      c[r] += acc / units;
    }
  }
  return c.map((v) => v / n);
}
