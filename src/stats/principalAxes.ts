/**
 * The leading principal axes of points in d dimensions: eigenvectors of their sample covariance
 * (centred at the mean), by cyclic Jacobi rotations in float64 — exact enough and instant for the
 * small d of a VAE's latent space (2 … 64).
 *
 * Signs are fixed so that each axis's largest-magnitude coordinate is positive, so the axes of
 * successive epochs' latents do not flip for no reason and figures stay comparable.
 *
 * @param points shape [n, dim], row-major
 * @param count axes to return, 1 ≤ count ≤ dim
 * @returns `axes`: shape [count, dim], unit vectors, by decreasing variance; `variances`: [count]
 * @example
 *   const { axes } = principalAxes(mu, 8, 2);   // mu [n, 8] → the plane of largest spread
 */
export function principalAxes(points: ArrayLike<number>, dim: number, count: number): { axes: Float64Array; variances: Float64Array } {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`principalAxes: dim must be an integer ≥ 1 (got ${dim})`);
  if (!Number.isInteger(count) || count < 1 || count > dim) throw new RangeError(`principalAxes: count must be an integer in [1, dim = ${dim}] (got ${count})`);
  if (points.length % dim !== 0) throw new RangeError(`principalAxes: points must have shape [n, ${dim}] (got ${points.length} values)`);
  const n = points.length / dim;
  if (n < 2) throw new RangeError(`principalAxes: need at least 2 points (got ${n})`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += points[i * dim + j] / n;
  // a: the covariance, diagonalised in place; v: the accumulated rotations (columns are eigenvectors).
  const a = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      const dj = points[i * dim + j] - mean[j];
      for (let k = j; k < dim; k++) a[j * dim + k] += (dj * (points[i * dim + k] - mean[k])) / (n - 1);
    }
  }
  for (let j = 0; j < dim; j++) for (let k = 0; k < j; k++) a[j * dim + k] = a[k * dim + j];
  const v = new Float64Array(dim * dim);
  for (let j = 0; j < dim; j++) v[j * dim + j] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < dim; p++) for (let q = p + 1; q < dim; q++) off += a[p * dim + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < dim; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * dim + q] - a[p * dim + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < dim; k++) {
          const akp = a[k * dim + p], akq = a[k * dim + q];
          a[k * dim + p] = c * akp - s * akq;
          a[k * dim + q] = s * akp + c * akq;
        }
        for (let k = 0; k < dim; k++) {
          const apk = a[p * dim + k], aqk = a[q * dim + k];
          a[p * dim + k] = c * apk - s * aqk;
          a[q * dim + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < dim; k++) {
          const vkp = v[k * dim + p], vkq = v[k * dim + q];
          v[k * dim + p] = c * vkp - s * vkq;
          v[k * dim + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: dim }, (_, j) => j).sort((x, y) => a[y * dim + y] - a[x * dim + x]);
  const axes = new Float64Array(count * dim);
  const variances = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const col = order[r];
    variances[r] = a[col * dim + col];
    let big = 0;
    for (let k = 0; k < dim; k++) if (Math.abs(v[k * dim + col]) > Math.abs(big)) big = v[k * dim + col];
    const sign = big < 0 ? -1 : 1;
    for (let k = 0; k < dim; k++) axes[r * dim + k] = sign * v[k * dim + col];
  }
  return { axes, variances };
}
