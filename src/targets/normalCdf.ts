const SQRT1_2 = Math.SQRT1_2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
/** Below this |x| the all-positive erf series is used; above it, the erfc continued fraction. */
const SERIES_LIMIT = 2.5;

/**
 * erfc(x) = 1 − erf(x) in float64, to ~1e-16 absolute (relative ~1e-15 in the upper tail).
 *
 * Two classical expansions with no fitted constants, so the accuracy can be checked from first
 * principles: for |x| < 2.5 the series erf x = (2/√π) e^{−x²} Σ_k 2^k x^{2k+1} / (2k+1)!!, whose
 * terms are all positive (no cancellation, unlike the Taylor series of erf); for x ≥ 2.5 the
 * continued fraction erfc x = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), evaluated by
 * the modified Lentz method, which converges in under 60 terms there.
 *
 * @example
 *   erfc(0);   // 1
 *   erfc(3);   // 2.209049699858544e-5
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < SERIES_LIMIT) return 1 - erfSeries(x);
  if (x > 27.3) return 0; // e^{−x²} underflows
  return Math.exp(-x * x) * INV_SQRT_PI * continuedFraction(x);
}

/** Φ is tabulated on [−TABLE_EDGE, TABLE_EDGE]; beyond it erfc's continued fraction is already fast. */
const TABLE_EDGE = 8.5;
const TABLE_STEP = 1 / 64;
let table: { value: Float64Array; density: Float64Array } | null = null;

/**
 * Φ(z), the standard normal CDF, in float64 (absolute error < 1e-15).
 *
 * Quadrature over a Gaussian mixture calls Φ millions of times, so inside |z| ≤ 8.5 it is a
 * quintic Hermite interpolant of a table (step 1/64) of exact Φ, φ and φ′ = −zφ built on first
 * use: the interpolation error is ≤ h⁶/46080 · max|φ⁽⁵⁾| ≈ 7e-16, at a tenth of erfc's cost.
 *
 * @example
 *   normalCdf(1.959963984540054);   // 0.975
 */
export function normalCdf(z: number): number {
  if (!(Math.abs(z) <= TABLE_EDGE)) return Number.isNaN(z) ? NaN : 0.5 * erfc(-z * SQRT1_2);
  const { value, density } = (table ??= buildTable());
  const u = (z + TABLE_EDGE) / TABLE_STEP;
  const i = Math.min(value.length - 2, Math.floor(u));
  const s = u - i;
  const z0 = -TABLE_EDGE + i * TABLE_STEP;
  const z1 = z0 + TABLE_STEP;
  const h = TABLE_STEP;
  const s2 = s * s, s3 = s2 * s, s4 = s3 * s, s5 = s4 * s;
  return (
    value[i] * (1 - 10 * s3 + 15 * s4 - 6 * s5)
    + h * density[i] * (s - 6 * s3 + 8 * s4 - 3 * s5)
    - h * h * z0 * density[i] * (0.5 * s2 - 1.5 * s3 + 1.5 * s4 - 0.5 * s5)
    - h * h * z1 * density[i + 1] * (0.5 * s3 - s4 + 0.5 * s5)
    + h * density[i + 1] * (-4 * s3 + 7 * s4 - 3 * s5)
    + value[i + 1] * (10 * s3 - 15 * s4 + 6 * s5)
  );
}

function buildTable(): { value: Float64Array; density: Float64Array } {
  const size = Math.round((2 * TABLE_EDGE) / TABLE_STEP) + 1;
  const value = new Float64Array(size);
  const density = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const z = -TABLE_EDGE + i * TABLE_STEP;
    value[i] = 0.5 * erfc(-z * SQRT1_2);
    density[i] = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  }
  return { value, density };
}

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let k = 1; k < 200; k++) {
    term *= (2 * x2) / (2 * k + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** 1/(x + a₁/(x + a₂/(x + …))) with a_k = k/2, by modified Lentz. */
function continuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
}
