/**
 * Onsager's free energy of the infinite square-lattice Ising model (J = 1): ln Z per site,
 *   −βf = ln(2 cosh 2K) + (1/π) ∫₀^{π/2} ln[(1 + √(1 − κ² sin²θ))/2] dθ,   κ = 2 sinh 2K / cosh² 2K,
 * integrated by adaptive Simpson to ~1e-14 (κ → 1 at K_c makes the integrand sharp near π/2).
 */
export function onsagerLogZPerSite(beta: number): number {
  if (!Number.isFinite(beta) || beta < 0) throw new RangeError(`onsagerLogZPerSite: beta must be a finite number ≥ 0 (got ${beta})`);
  const K = beta;
  const kappa = (2 * Math.sinh(2 * K)) / Math.cosh(2 * K) ** 2;
  const f = (t: number) => Math.log((1 + Math.sqrt(Math.max(0, 1 - kappa * kappa * Math.sin(t) ** 2))) / 2);
  return Math.log(2 * Math.cosh(2 * K)) + adaptiveSimpson(f, 0, Math.PI / 2, 1e-14) / Math.PI;
}

/** Critical inverse temperature of the square-lattice Ising model, β_c = ln(1 + √2)/2 ≈ 0.440687. */
export const ISING_CRITICAL_BETA = Math.log(1 + Math.SQRT2) / 2;

function adaptiveSimpson(f: (x: number) => number, a: number, b: number, tol: number): number {
  const fa = f(a), fb = f(b), m = (a + b) / 2, fm = f(m);
  const whole = ((b - a) / 6) * (fa + 4 * fm + fb);
  return refine(f, a, b, fa, fm, fb, whole, tol, 50);
}

function refine(f: (x: number) => number, a: number, b: number, fa: number, fm: number, fb: number, whole: number, tol: number, depth: number): number {
  const m = (a + b) / 2, lm = (a + m) / 2, rm = (m + b) / 2;
  const flm = f(lm), frm = f(rm);
  const left = ((m - a) / 6) * (fa + 4 * flm + fm);
  const right = ((b - m) / 6) * (fm + 4 * frm + fb);
  const delta = left + right - whole;
  if (depth <= 0 || Math.abs(delta) <= 15 * tol) return left + right + delta / 15;
  return refine(f, a, m, fa, flm, fm, left, tol / 2, depth - 1) + refine(f, m, b, fm, frm, fb, right, tol / 2, depth - 1);
}
