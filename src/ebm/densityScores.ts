import { boxArea, type Box } from './box.ts';
import type { GridDensity } from './gridDensity.ts';

/** How well a grid-normalised model density matches the truth. All in nats. */
export interface DensityScores {
  /** Held-out NLL of the model: mean over test points of E(x) + log Z. */
  readonly heldoutNll: number;
  /** Its standard error over the test points. */
  readonly heldoutNllSe: number;
  /** Held-out NLL of the true density on the same points, −mean log p(x): estimates the entropy H(p). */
  readonly exactNll: number;
  /** Mean and standard error of the per-point difference model − truth (≥ 0 in expectation: it estimates KL(p‖model)). */
  readonly excessNll: number;
  readonly excessNllSe: number;
  /** Cross-entropy −Σ p log q h² on the grid (= H(p) + KL on the grid). */
  readonly gridNll: number;
  /** KL(p‖q) = Σ p (log p − log q) h² on the grid, over cells where p > 0. */
  readonly klGrid: number;
  /** Entropy of the true density on the grid, −Σ p log p h². */
  readonly entropyGrid: number;
  /** NLL of the uniform density on the box, log(area): the baseline a model must beat. */
  readonly uniformNll: number;
}

/** Mean and standard error (sd/√n) of an array. */
export function meanSe(a: ArrayLike<number>): { mean: number; se: number } {
  const n = a.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[i] - mean) ** 2;
  return { mean, se: n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN };
}

/**
 * Scores a model density against the exact one.
 *
 * @param model the model's grid (its `logDensity` at the centres)
 * @param trueLogDensityGrid log p at the same centres, [n²]
 * @param testEnergy E(x) at the held-out points, [m]
 * @param testTrueLogDensity log p(x) at the held-out points, [m]
 */
export function densityScores(model: GridDensity, trueLogDensityGrid: Float64Array, testEnergy: ArrayLike<number>, testTrueLogDensity: ArrayLike<number>, box: Box = model.box): DensityScores {
  const m = testEnergy.length;
  if (testTrueLogDensity.length !== m) throw new RangeError(`densityScores: ${m} test energies but ${testTrueLogDensity.length} true log densities`);
  if (trueLogDensityGrid.length !== model.logDensity.length) throw new RangeError(`densityScores: true grid has ${trueLogDensityGrid.length} cells, the model's ${model.logDensity.length}`);
  const modelNll = Float64Array.from(testEnergy, (e) => e + model.logZ);
  const excess = Float64Array.from(modelNll, (v, i) => v + testTrueLogDensity[i]);
  const nll = meanSe(modelNll);
  const ex = meanSe(excess);
  const cell = model.h * model.h;
  let cross = 0, kl = 0, entropy = 0;
  for (let c = 0; c < trueLogDensityGrid.length; c++) {
    const lp = trueLogDensityGrid[c];
    if (lp === -Infinity) continue;
    const w = Math.exp(lp) * cell;
    cross -= w * model.logDensity[c];
    kl += w * (lp - model.logDensity[c]);
    entropy -= w * lp;
  }
  let exactSum = 0;
  for (let i = 0; i < m; i++) exactSum -= testTrueLogDensity[i];
  return {
    heldoutNll: nll.mean,
    heldoutNllSe: nll.se,
    exactNll: exactSum / m,
    excessNll: ex.mean,
    excessNllSe: ex.se,
    gridNll: cross,
    klGrid: kl,
    entropyGrid: entropy,
    uniformNll: Math.log(boxArea(box)),
  };
}
