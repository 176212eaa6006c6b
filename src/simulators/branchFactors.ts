import type { ApparatusParams } from './apparatus.ts';

/**
 * Per-apparatus constants of the branch factors 1 ± t x₃ (t = tanh ε), shared by the sampler and
 * both log-probabilities.
 *
 * With q = e^{−2ε}, 1 ± t x₃ = w± / (1 + q) where
 *   w₊ = (1 + x₃) + q (1 − x₃),   w₋ = (1 − x₃) + q (1 + x₃)
 * are sums of non-negative terms: no cancellation even when t → 1 and x₃ → ∓1, where computing
 * 1 − t x₃ directly would lose digits (1 − tanh 5 ≈ 9·10⁻⁵).
 */
export interface BranchFactors {
  /** q = e^{−2ε} */
  readonly q: number;
  /** t = tanh ε */
  readonly t: number;
  /** log(1 + q) + log Ω, Ω = 2 (fixed, counting measure) or 4π (random, sphere area): per-qubit normaliser of w±. */
  readonly logNorm: number;
}

/** The constants of a uniform apparatus (reads `p.epsilon`, so it throws for heterogeneous sensors). */
export function branchFactors(p: ApparatusParams): BranchFactors {
  const q = Math.exp(-2 * p.epsilon);
  const logOmega = p.dim === 1 ? Math.LN2 : Math.log(4 * Math.PI);
  return { q, t: Math.tanh(p.epsilon), logNorm: Math.log1p(q) + logOmega };
}

/** Per-qubit branch factors for heterogeneous sensors: the constants of {@link BranchFactors} for each εᵢ, shape [N] each. */
export interface QubitBranchFactors {
  /** qᵢ = e^{−2εᵢ} */
  readonly q: Float64Array;
  /** tᵢ = tanh εᵢ */
  readonly t: Float64Array;
  /** log(1 + qᵢ) + log Ω */
  readonly logNorm: Float64Array;
}

/**
 * {@link branchFactors} qubit by qubit; each entry is computed by the same expressions, so for a
 * uniform apparatus every entry equals the scalar constant bit for bit.
 */
export function qubitBranchFactors(p: ApparatusParams): QubitBranchFactors {
  const n = p.qubits;
  const q = new Float64Array(n), t = new Float64Array(n), logNorm = new Float64Array(n);
  const logOmega = p.dim === 1 ? Math.LN2 : Math.log(4 * Math.PI);
  for (let i = 0; i < n; i++) {
    const e = p.epsilons[i];
    q[i] = Math.exp(-2 * e);
    t[i] = Math.tanh(e);
    logNorm[i] = Math.log1p(q[i]) + logOmega;
  }
  return { q, t, logNorm };
}

/** log(2 cosh a), stable for any finite a. */
export function logTwoCosh(a: number): number {
  const abs = Math.abs(a);
  return abs + Math.log1p(Math.exp(-2 * abs));
}

/** log(eᵃ + eᵇ), stable; −∞ when both are −∞. */
export function logAddExp(a: number, b: number): number {
  const hi = a > b ? a : b;
  if (hi === -Infinity) return -Infinity;
  const lo = a > b ? b : a;
  return hi + Math.log1p(Math.exp(lo - hi));
}

/**
 * log(σ₊ w₊ + σ₋ w₋) with branch weights σ± = e^{±a}/(2 cosh a): the unnormalised log p(x | a).
 * Both terms are non-negative, so this keeps full relative precision where log1p(m x₃) would not.
 */
export function logMixture(a: number, wp: number, wm: number): number {
  const e = Math.exp(-2 * Math.abs(a));
  const big = 1 / (1 + e);
  const small = e * big;
  return a >= 0 ? Math.log(big * wp + small * wm) : Math.log(small * wp + big * wm);
}
