import { tf } from '../backend/tf.ts';
import { meanStandardError } from '../stats/meanStandardError.ts';
import type { Flow } from '../flows/flow.ts';
import { targetLogJoint, type TargetDensity } from '../flows/targetLogJoint.ts';
import type { Rng } from '../random/rng.ts';
import type { Target } from '../targets/target.ts';

/** An IWAE bound L_K estimated from independent groups of K log weights. */
export interface IwaeEstimate {
  /** Group size K. */
  k: number;
  /** Mean over groups of log((1/K) Σ_{i∈group} w_i): unbiased for L_K. */
  estimate: number;
  /** Standard error of `estimate`: sd over groups / √groups (NaN with one group). */
  standardError: number;
  /** Number of groups ⌊N/K⌋. */
  replicates: number;
}

/**
 * log((1/N) Σ exp(v_i)) in float64, stable (shifted by the maximum).
 * @returns −Infinity when every v_i is −Infinity; NaN for an empty input or one with a NaN
 */
export function logMeanExp(logWeights: ArrayLike<number>): number {
  return logMeanExpRange(logWeights, 0, logWeights.length);
}

function logMeanExpRange(v: ArrayLike<number>, start: number, end: number): number {
  const n = end - start;
  if (n <= 0) return NaN;
  let mx = -Infinity;
  for (let i = start; i < end; i++) {
    if (Number.isNaN(v[i])) return NaN;
    if (v[i] > mx) mx = v[i];
  }
  if (!Number.isFinite(mx)) return mx;
  let s = 0;
  for (let i = start; i < end; i++) s += Math.exp(v[i] - mx);
  return mx + Math.log(s / n);
}

/**
 * The importance-sampling effective sample size as a fraction of N: (Σw)²/(N Σw²) ∈ (0, 1],
 * 1 when all weights are equal (q ∝ p), → 1/N when one weight dominates. Float64, shifted by the
 * maximum log weight.
 */
export function importanceEss(logWeights: ArrayLike<number>): number {
  const n = logWeights.length;
  if (n === 0) throw new RangeError('importanceEss: logWeights is empty');
  let mx = -Infinity;
  for (let i = 0; i < n; i++) if (logWeights[i] > mx) mx = logWeights[i];
  if (!Number.isFinite(mx)) throw new RangeError(`importanceEss: the largest log weight must be finite (got ${mx})`);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const w = Math.exp(logWeights[i] - mx);
    s += w;
    s2 += w * w;
  }
  return (s * s) / (n * s2);
}

/**
 * The IWAE bound L_K = E log((1/K) Σ_{i=1}^K p(y, x_i)/q(x_i)) (Burda et al. 2015) from N log weights:
 * splits them, in order, into ⌊N/K⌋ groups of K (a remainder is dropped) and averages the groups'
 * log-mean-exps. L_1 is the ELBO; L_K rises with K toward log p(y) (seed 003 problem 2).
 *
 * @param logWeights log p(y, x_i) − log q(x_i), x_i ~ q independent
 * @example
 *   const { estimate, standardError } = iwaeBound(logW, 100);
 */
export function iwaeBound(logWeights: Float64Array | Float32Array, K: number): IwaeEstimate {
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`iwaeBound: K must be an integer ≥ 1 (got ${K})`);
  const groups = Math.floor(logWeights.length / K);
  if (groups < 1) throw new RangeError(`iwaeBound: need at least K = ${K} log weights (got ${logWeights.length})`);
  const values = new Float64Array(groups);
  for (let g = 0; g < groups; g++) values[g] = logMeanExpRange(logWeights, g * K, (g + 1) * K);
  const { mean, standardError } = meanStandardError(values);
  return { k: K, estimate: mean, standardError, replicates: groups };
}

export interface FlowIwaeOptions {
  /** Group sizes K (default [1, 10, 100, 1000]). */
  ks?: readonly number[];
  /** Draws N, shared by every K (each K uses ⌊N/K⌋ groups of them); ≥ 2·max K. */
  samples: number;
  rng: Rng;
  /** Draws per forward pass (default 16384): bounds the memory, not the result. */
  chunk?: number;
  /** Which form of the target's density to use (default `logDensityAndGrad`: float64, see `targetLogJoint`). */
  targetDensity?: TargetDensity;
}

/**
 * IWAE bounds of a flow q against a normalised target: draws N samples x_i ~ q in chunks (no
 * gradients), computes log w_i = log p(y, x_i) − log q(x_i) in float64 and returns L_K ± SE for
 * each K. All K share the same draws, so the estimates are correlated (their differences are the
 * more precise for it). log p(y) ≥ L_K′ ≥ L_K ≥ L_1 = ELBO for K′ ≥ K.
 *
 * @example
 *   const bounds = flowIwae(flow, target, { samples: 100_000, rng: new Rng(5) });
 *   bounds.map((b) => `${b.k}: ${b.estimate} ± ${b.standardError}`);
 */
export function flowIwae(flow: Flow, target: Target, options: FlowIwaeOptions): IwaeEstimate[] {
  const ks = options.ks ?? [1, 10, 100, 1000];
  const { samples, rng } = options;
  const chunk = options.chunk ?? 16384;
  if (target.dim !== flow.dim) throw new RangeError(`flowIwae: target has dim ${target.dim}, flow has dim ${flow.dim}`);
  if (ks.length === 0) throw new RangeError('flowIwae: ks must not be empty');
  const maxK = Math.max(...ks);
  if (!Number.isInteger(samples) || samples < 2 * maxK) throw new RangeError(`flowIwae: samples must be an integer ≥ 2·max K = ${2 * maxK} (got ${samples})`);
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`flowIwae: chunk must be an integer ≥ 1 (got ${chunk})`);
  const logW = new Float64Array(samples);
  for (let start = 0; start < samples; start += chunk) {
    const m = Math.min(chunk, samples - start);
    const [lq, lp] = tf.tidy(() => {
      const { x, logProb } = flow.rsampleAndLogProb(m, rng);
      return [logProb, targetLogJoint(target, x, options.targetDensity)];
    });
    const q = lq.dataSync();
    const p = lp.dataSync();
    for (let i = 0; i < m; i++) logW[start + i] = p[i] - q[i];
    tf.dispose([lq, lp]);
  }
  return ks.map((k) => iwaeBound(logW, k));
}
