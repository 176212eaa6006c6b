/**
 * Inverse CDF of the cosine u ∈ [−1, 1] with density (1 + m u)/2, |m| ≤ 1, at a uniform v: the root
 * of m u² + 2u + 2 − m − 4v = 0 in [−1, 1], written without 1/m so it holds at m = 0 (u = 2v − 1).
 * The one draw behind every dipolar ancilla outcome's third component: the sequential sampler
 * (m = tanh α · t), the branch-first sampler and the knowledge Monte Carlo (m = s t).
 *
 * Rounding can put the result a hair outside [−1, 1]; callers that store it clamp.
 */
export function dipolarCosine(m: number, v: number): number {
  const disc = (1 - m) * (1 - m) + 4 * m * v;
  return (m - 2 + 4 * v) / (1 + Math.sqrt(disc > 0 ? disc : 0));
}

const TWO_PI = 2 * Math.PI;

/**
 * One random-axis outcome of polarisation m along ẑ, written to x[k … k+2]: the cosine x₃ by
 * `dipolarCosine` from one uniform, clamped and rounded to float32 (the stored value, which the
 * samplers' bookkeeping must see), then the azimuth φ = 2π v′ from a second, x₁ + i x₂ = e^{iφ}√(1 − x₃²).
 * The draw order every branch-first sampler shares, so their streams agree record for record.
 * @returns the stored x₃
 */
export function drawDipolarOutcome(m: number, uniform: () => number, x: Float32Array, k: number): number {
  let x3 = dipolarCosine(m, uniform());
  x3 = Math.fround(x3 > 1 ? 1 : x3 < -1 ? -1 : x3);
  const phi = TWO_PI * uniform();
  const rho = Math.sqrt(Math.max(0, 1 - x3 * x3));
  x[k] = rho * Math.cos(phi);
  x[k + 1] = rho * Math.sin(phi);
  x[k + 2] = x3;
  return x3;
}
