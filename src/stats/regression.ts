/** Pearson correlation and least-squares slope of y on x (float64), NaN when a variance vanishes. */
export function linearFit(x: ArrayLike<number>, y: ArrayLike<number>): { correlation: number; slope: number; intercept: number } {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`linearFit: x and y must have the same length (got ${n} and ${y.length})`);
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { correlation: sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN, slope, intercept: my - slope * mx };
}
