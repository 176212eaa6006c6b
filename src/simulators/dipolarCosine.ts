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
