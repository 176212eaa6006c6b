import { linearFit } from './regression.ts';

/**
 * Least-squares power law y ≈ A·x^b on log–log axes (points with x ≤ 0 or y ≤ 0 are skipped).
 * `r2` is the squared correlation of log y with log x.
 */
export function fitPowerLaw(x: ArrayLike<number>, y: ArrayLike<number>): { exponent: number; prefactor: number; r2: number; points: number } {
  const lx: number[] = [], ly: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (x[i] > 0 && y[i] > 0 && Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      lx.push(Math.log(x[i]));
      ly.push(Math.log(y[i]));
    }
  }
  if (lx.length < 2) return { exponent: NaN, prefactor: NaN, r2: NaN, points: lx.length };
  const fit = linearFit(lx, ly);
  return { exponent: fit.slope, prefactor: Math.exp(fit.intercept), r2: fit.correlation ** 2, points: lx.length };
}
