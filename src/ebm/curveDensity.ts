import { logSumExp } from './toyData.ts';

/**
 * log p(x) of "a point uniform on a curve, plus isotropic Gaussian noise of sd σ":
 *
 *   p(x) = Σ_q w_q N(x; c_q, σ² I),
 *
 * for curve nodes c_q with quadrature weights w_q (summing to 1) that discretise the uniform law
 * along the curve. With nodes spaced well below σ the sum is the convolution integral to high
 * accuracy (a Gaussian bump sampled at spacing σ/2 by a periodic trapezoid or Gauss–Legendre
 * rule errs by ≪ 1e-10). Evaluated in log space so points far from the curve stay finite.
 *
 * @param nodes curve nodes, row-major [Q, 2]   @param logWeights log w_q, [Q]
 * @param points [m, 2] row-major   @returns log p, [m]
 */
export function curveLogDensity(nodes: Float64Array, logWeights: Float64Array, sigma: number, points: ArrayLike<number>): Float64Array {
  const q = logWeights.length;
  const m = Math.floor(points.length / 2);
  const out = new Float64Array(m);
  const terms = new Float64Array(q);
  const norm = -Math.log(2 * Math.PI * sigma * sigma);
  const inv = 1 / (2 * sigma * sigma);
  for (let p = 0; p < m; p++) {
    const x = points[2 * p];
    const y = points[2 * p + 1];
    for (let k = 0; k < q; k++) {
      const dx = x - nodes[2 * k];
      const dy = y - nodes[2 * k + 1];
      terms[k] = logWeights[k] - (dx * dx + dy * dy) * inv;
    }
    out[p] = norm + logSumExp(terms, q);
  }
  return out;
}
