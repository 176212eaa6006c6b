/** Nodes and weights of an n-point Gauss–Legendre rule on [−1, 1]. */
export interface QuadratureRule {
  /** Nodes in [−1, 1], ascending, length n. */
  readonly nodes: Float64Array;
  /** Weights, length n, summing to 2. */
  readonly weights: Float64Array;
}

/**
 * The n-point Gauss–Legendre rule on [−1, 1], exact for polynomials of degree ≤ 2n − 1.
 *
 * Computed (not tabulated) by Newton's method on P_n with the three-term recurrence, from
 * Tricomi's initial guesses; nodes are accurate to a few ulps for the small n used here.
 * Used panel by panel (composite rule): on a panel of width h the error of a smooth integrand
 * falls like h^{2n}, so 5 points per panel resolve a Gaussian of sd h to ~1e-12.
 *
 * @example
 *   const { nodes, weights } = gaussLegendre(5);
 *   // ∫_a^b f ≈ (b − a)/2 · Σ_k weights[k] f((a + b)/2 + (b − a)/2 · nodes[k])
 */
export function gaussLegendre(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new RangeError(`gaussLegendre: n must be an integer in [1, 100] (got ${n})`);
  }
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pnm1 = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pnm1)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    // Recompute P_n' at the converged node for the weight.
    let p0 = 1;
    let p1 = x;
    for (let k = 2; k <= n; k++) {
      const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    dp = n === 1 ? 1 : (n * (x * p1 - p0)) / (x * x - 1);
    const w = 2 / ((1 - x * x) * dp * dp);
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  return { nodes, weights };
}
