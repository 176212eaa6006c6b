/**
 * Exact ln Z of the 2D Ising model (J = 1) on an L×L periodic lattice, by Kaufman's formula (1949):
 *
 *   Z = ½ (2 sinh 2K)^{L²/2} (Z₁ + Z₂ + Z₃ + Z₄),   K = β,
 *   Z₁ = Π_{r=0}^{L−1} 2 cosh(L γ_{2r+1}/2),   Z₂ = Π 2 sinh(L γ_{2r+1}/2),
 *   Z₃ = Π_{r=0}^{L−1} 2 cosh(L γ_{2r}/2),     Z₄ = Π 2 sinh(L γ_{2r}/2),
 *   cosh γ_k = cosh 2K coth 2K − cos(πk/L) (k ≥ 1, γ_k > 0),   γ₀ = 2K + ln tanh K (negative for K < K_c).
 *
 * Evaluated in log space with signs (Z₄ < 0 above T_c), so it holds for L in the thousands.
 */
export function isingTorusLogZ(L: number, beta: number): number {
  if (!Number.isInteger(L) || L < 2) throw new RangeError(`isingTorusLogZ: L must be an integer ≥ 2 (got ${L})`);
  if (!Number.isFinite(beta) || beta < 0) throw new RangeError(`isingTorusLogZ: beta must be a finite number ≥ 0 (got ${beta})`);
  const N = L * L;
  if (beta === 0) return N * Math.LN2;
  const K = beta;
  const c = Math.cosh(2 * K) / Math.tanh(2 * K);
  const gamma = (k: number): number => (k === 0 ? 2 * K + Math.log(Math.tanh(K)) : Math.acosh(c - Math.cos((Math.PI * k) / L)));
  let lz1 = 0, lz2 = 0, lz3 = 0, lz4 = 0, sign4 = 1;
  for (let r = 0; r < L; r++) {
    const odd = (L * gamma(2 * r + 1)) / 2;
    const even = (L * gamma(2 * r)) / 2;
    lz1 += log2cosh(odd);
    lz2 += log2sinh(odd);
    lz3 += log2cosh(even);
    if (even < 0) sign4 = -sign4;
    lz4 += log2sinh(Math.abs(even));
  }
  const terms: [number, number][] = [[lz1, 1], [lz2, 1], [lz3, 1], [lz4, sign4]];
  const top = Math.max(...terms.map(([l]) => l));
  const sum = terms.reduce((s, [l, sg]) => s + sg * Math.exp(l - top), 0);
  return -Math.LN2 + (N / 2) * Math.log(2 * Math.sinh(2 * K)) + top + Math.log(sum);
}

/** ln(2 cosh y), stable for large |y|. */
function log2cosh(y: number): number {
  const a = Math.abs(y);
  return a + Math.log1p(Math.exp(-2 * a));
}

/** ln(2 sinh y) for y ≥ 0 (−∞ at 0). */
function log2sinh(y: number): number {
  return y + Math.log(-Math.expm1(-2 * y));
}

/**
 * ln λ_max of the Ising row-to-row transfer matrix V·H of a ring of N sites (the M → ∞ limit of
 * Kaufman's Z^{1/M} for M rows): ln λ_max = (N/2) ln(2 sinh 2K) + ½ Σ_{r=0}^{N−1} γ_{2r+1}, with γ_k as above.
 * The exact reference for the transfer-matrix problem's ln λ.
 */
export function isingRingLogLambda(N: number, beta: number): number {
  if (!Number.isInteger(N) || N < 2) throw new RangeError(`isingRingLogLambda: N must be an integer ≥ 2 (got ${N})`);
  if (!Number.isFinite(beta) || beta <= 0) throw new RangeError(`isingRingLogLambda: beta must be a finite number > 0 (got ${beta})`);
  const K = beta;
  const c = Math.cosh(2 * K) / Math.tanh(2 * K);
  let s = 0;
  for (let r = 0; r < N; r++) s += Math.acosh(c - Math.cos((Math.PI * (2 * r + 1)) / N));
  return (N / 2) * Math.log(2 * Math.sinh(2 * K)) + s / 2;
}
