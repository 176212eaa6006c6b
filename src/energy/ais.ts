import type { Rng } from '../random/rng.ts';
import { gibbsSweepFromInput } from './gibbs.ts';
import { RbmEngine } from './rbmEngine.ts';
import { batchSize, hiddenInput, sampleBernoulli, sigmoid, softplus, type Rbm, type Rows } from './rbm.ts';

/**
 * Annealed importance sampling of an RBM's log Z (Neal 2001; Salakhutdinov & Murray 2008).
 *
 * The path runs from the base model A (W = 0, visible biases b_A, no hidden interaction) to the
 * RBM B through p*_β(v) = exp((1 − β) b_A·v + β b·v) Π_j (1 + e^{β(c_j + W_j·v)}), β_0 = 0 < … < β_K = 1;
 * log Z_A = Σ_i softplus(b_A,i) + hidden · log 2. Each of M runs draws v_0 ~ p_A exactly, then
 * alternates a weight increment log p*_{β_k}(v) − log p*_{β_{k−1}}(v) with one tempered Gibbs sweep
 * at β_k. Ẑ_B = Z_A · mean(w) is unbiased; log Ẑ_B is reported with the delta-method standard
 * error sd(w) / (√M · mean(w)).
 */

export interface AisOptions {
  /** Parallel runs M, an integer ≥ 2. */
  runs: number;
  /** Intermediate distributions: either a count K (≥ 3) for `aisBetas(K)`, or the β's themselves, increasing from 0 to 1. */
  betas: number | ArrayLike<number>;
  /** Base-rate visible biases b_A, length visible; default zeros (uniform base). `baseRateBias(data)` gives the data's. */
  baseVBias?: ArrayLike<number>;
  /**
   * `wasm` (default): the float32 SIMD kernel (rbmEngine.ts), binary states as active lists;
   * `js`: float64 plain loops. They draw the same random stream and agree to ~1e-4 in log w.
   */
  engine?: 'wasm' | 'js';
  /** Threads of the wasm engine: 1 (default, bit-reproducible) or 2 (faster on large models; see RbmEngineOptions). */
  threads?: 1 | 2;
}

export interface AisResult {
  /** The estimate log Ẑ = log Z_A + log mean(w). */
  readonly logZ: number;
  /** Delta-method standard error of logZ. */
  readonly standardError: number;
  /** log Z of the base model. */
  readonly logZBase: number;
  /** log w per run, shape [runs]. */
  readonly logWeights: Float64Array;
  /** The final states, shape [runs, visible]: approximate samples of the RBM. */
  readonly samples: Float64Array;
}

/**
 * K + 1 inverse temperatures from 0 to 1, denser near 1 as Salakhutdinov & Murray's schedule
 * (their 0.5 / 0.4 / 0.1 split over 500 / 4,000 / 10,000 steps): here 5% of the steps on [0, 0.5],
 * 25% on [0.5, 0.9], 70% on [0.9, 1], each piece linear.
 */
export function aisBetas(K: number): Float64Array {
  if (!Number.isInteger(K) || K < 3) throw new RangeError(`aisBetas: K must be an integer ≥ 3 (got ${K})`);
  const k1 = Math.max(1, Math.round(0.05 * K));
  const k2 = Math.max(1, Math.round(0.25 * K));
  const k3 = K - k1 - k2;
  const out = new Float64Array(K + 1);
  let at = 0;
  for (let t = 0; t < k1; t++) out[at++] = (0.5 * t) / k1;
  for (let t = 0; t < k2; t++) out[at++] = 0.5 + (0.4 * t) / k2;
  for (let t = 0; t < k3; t++) out[at++] = 0.9 + (0.1 * t) / k3;
  out[K] = 1;
  return out;
}

/**
 * The data's base-rate visible biases, logit of each pixel's mean with `smoothing` pseudo-counts
 * on each side (so pixels never on get a finite bias). @param data shape [n, visible]
 */
export function baseRateBias(data: Rows, visible: number, smoothing = 1): Float64Array {
  const n = batchSize('baseRateBias', 'data', data, visible);
  const out = new Float64Array(visible);
  for (let r = 0; r < n; r++) for (let i = 0; i < visible; i++) out[i] += data[r * visible + i];
  for (let i = 0; i < visible; i++) {
    const p = (out[i] + smoothing) / (n + 2 * smoothing);
    out[i] = Math.log(p) - Math.log1p(-p);
  }
  return out;
}

/**
 * Estimates log Z of `model` by AIS.
 *
 * @example const { logZ, standardError } = ais(model, rng, { runs: 100, betas: 10_000, baseVBias: baseRateBias(train, 784) });
 */
export function ais(model: Rbm, rng: Rng, options: AisOptions): AisResult {
  const { runs } = options;
  const { visible: V, hidden: H } = model;
  if (!Number.isInteger(runs) || runs < 2) throw new RangeError(`ais: runs must be an integer ≥ 2 (got ${runs})`);
  const betas = typeof options.betas === 'number' ? aisBetas(options.betas) : Float64Array.from(options.betas);
  if (betas.length < 2 || betas[0] !== 0 || betas[betas.length - 1] !== 1) throw new RangeError(`ais: betas must run from 0 to 1 (got ${betas.length} values from ${betas[0]} to ${betas[betas.length - 1]})`);
  for (let t = 1; t < betas.length; t++) if (!(betas[t] > betas[t - 1])) throw new RangeError(`ais: betas must increase (entry ${t} is ${betas[t]} after ${betas[t - 1]})`);
  const base = options.baseVBias == null ? new Float64Array(V) : Float64Array.from(options.baseVBias);
  if (base.length !== V) throw new RangeError(`ais: baseVBias must have length visible = ${V} (got ${base.length})`);

  let logZBase = H * Math.LN2;
  for (let i = 0; i < V; i++) logZBase += softplus(base[i]);

  const { logWeights: logW, samples } = options.engine === 'js' ? aisWeightsJs(model, rng, runs, betas, base) : aisWeightsWasm(model, rng, runs, betas, base, options.threads);

  let mx = -Infinity;
  for (let r = 0; r < runs; r++) mx = Math.max(mx, logW[r]);
  let s1 = 0;
  let s2 = 0;
  for (let r = 0; r < runs; r++) {
    const w = Math.exp(logW[r] - mx);
    s1 += w;
    s2 += w * w;
  }
  const mean = s1 / runs;
  const variance = Math.max(0, (s2 - runs * mean * mean) / (runs - 1));
  return {
    logZ: logZBase + mx + Math.log(mean),
    standardError: Math.sqrt(variance / runs) / mean,
    logZBase,
    logWeights: logW,
    samples,
  };
}

function aisWeightsWasm(model: Rbm, rng: Rng, runs: number, betas: Float64Array, base: Float64Array, threads: 1 | 2 | undefined): { logWeights: Float64Array; samples: Float64Array } {
  const engine = new RbmEngine(model, { threads });
  try {
    return engine.aisWeights(rng, runs, betas, base);
  } finally {
    engine.dispose();
  }
}

/** The float64 reference of RbmEngine.aisWeights: per-run log weights and the final states. */
function aisWeightsJs(model: Rbm, rng: Rng, runs: number, betas: Float64Array, base: Float64Array): { logWeights: Float64Array; samples: Float64Array } {
  const V = model.visible;
  // v_0 ~ p_A exactly.
  const pA = new Float64Array(runs * V);
  for (let q = 0; q < pA.length; q++) pA[q] = sigmoid(base[q % V]);
  let v = sampleBernoulli(rng, pA);
  const logW = new Float64Array(runs);
  // One product c + W v per temperature serves the weight at β_t, the sweep at β_t, and (after
  // the sweep) the weight at β_t of the new state.
  let pre = hiddenInput(model, v);
  let prev = logTempered(model, base, v, pre, 0, runs);
  for (let t = 1; t < betas.length; t++) {
    const cur = logTempered(model, base, v, pre, betas[t], runs);
    for (let r = 0; r < runs; r++) logW[r] += cur[r] - prev[r];
    if (t < betas.length - 1) {
      v = gibbsSweepFromInput(model, rng, pre, betas[t], base).v;
      pre = hiddenInput(model, v);
      prev = logTempered(model, base, v, pre, betas[t], runs);
    }
  }

  return { logWeights: logW, samples: v };
}

/** log p*_β(v) per row: (1 − β) b_A·v + β b·v + Σ_j softplus(β(c_j + W_j·v)), given pre = c + W v. */
function logTempered(model: Rbm, base: Float64Array, v: Float64Array, pre: Float64Array, beta: number, n: number): Float64Array {
  const { visible: V, hidden: H, vBias } = model;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = 0; i < V; i++) {
      const x = v[r * V + i];
      if (x !== 0) s += x * ((1 - beta) * base[i] + beta * vBias[i]);
    }
    for (let j = 0; j < H; j++) s += softplus(beta * pre[r * H + j]);
    out[r] = s;
  }
  return out;
}
