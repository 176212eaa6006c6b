export interface Mixture2 {
  weights: [number, number];
  means: [number, number];
  sds: [number, number];
  /** Ashman's D = √2 |μ₁ − μ₂| / √(σ₁² + σ₂²); D > 2 means cleanly separated modes. */
  separation: number;
  logLikelihood: number;
  iterations: number;
}

/**
 * Two-component 1-D Gaussian mixture fitted by EM (maximum likelihood), started from the lower and
 * upper quartiles so the fit is deterministic. A floor on σ (1e-3 of the data's sd) keeps a
 * component from collapsing onto a single point.
 */
export function fitGaussianMixture2(values: ArrayLike<number>, options: { maxIter?: number; tol?: number } = {}): Mixture2 {
  const n = values.length;
  if (n < 4) throw new RangeError(`fitGaussianMixture2: need at least 4 values (got ${n})`);
  const x = Float64Array.from(values);
  const sorted = Float64Array.from(x).sort();
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let varAll = 0;
  for (const v of x) varAll += (v - mean) ** 2;
  const sdAll = Math.sqrt(varAll / n) || 1;
  const floor = 1e-3 * sdAll;
  let w = [0.5, 0.5], mu = [sorted[Math.floor(n / 4)], sorted[Math.floor((3 * n) / 4)]], sd = [sdAll / 2, sdAll / 2];
  if (mu[0] === mu[1]) mu = [mean - sdAll / 2, mean + sdAll / 2];
  const r = new Float64Array(n);
  let ll = -Infinity, it = 0;
  const maxIter = options.maxIter ?? 200, tol = options.tol ?? 1e-8;
  for (it = 1; it <= maxIter; it++) {
    // E-step in log space.
    let newLl = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.log(w[0]) - Math.log(sd[0]) - 0.5 * ((x[i] - mu[0]) / sd[0]) ** 2;
      const b = Math.log(w[1]) - Math.log(sd[1]) - 0.5 * ((x[i] - mu[1]) / sd[1]) ** 2;
      const m = Math.max(a, b);
      const lse = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
      r[i] = Math.exp(a - lse);
      newLl += lse - 0.5 * Math.log(2 * Math.PI);
    }
    // M-step.
    let n0 = 0, s0 = 0, s1 = 0;
    for (let i = 0; i < n; i++) { n0 += r[i]; s0 += r[i] * x[i]; s1 += (1 - r[i]) * x[i]; }
    const n1 = n - n0;
    if (n0 < 1e-9 || n1 < 1e-9) break;
    mu = [s0 / n0, s1 / n1];
    let v0 = 0, v1 = 0;
    for (let i = 0; i < n; i++) { v0 += r[i] * (x[i] - mu[0]) ** 2; v1 += (1 - r[i]) * (x[i] - mu[1]) ** 2; }
    sd = [Math.max(Math.sqrt(v0 / n0), floor), Math.max(Math.sqrt(v1 / n1), floor)];
    w = [n0 / n, n1 / n];
    if (Math.abs(newLl - ll) < tol * Math.abs(newLl)) { ll = newLl; break; }
    ll = newLl;
  }
  const order = mu[0] <= mu[1] ? [0, 1] : [1, 0];
  const pick = <T,>(a: T[]) => [a[order[0]], a[order[1]]] as [T, T];
  const separation = (Math.SQRT2 * Math.abs(mu[0] - mu[1])) / Math.sqrt(sd[0] ** 2 + sd[1] ** 2);
  return { weights: pick(w), means: pick(mu), sds: pick(sd), separation, logLikelihood: ll, iterations: it };
}
