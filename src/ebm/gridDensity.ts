import { checkBox, type Box } from './box.ts';

/**
 * A 2-D density normalised on the box by the midpoint rule: exp(−E) at the centres of n × n
 * square cells of side h = (hi − lo)/n, Z ≈ Σ exp(−E(c)) h². In two dimensions this is exact
 * to quadrature accuracy (O(h²) for a smooth energy), so an EBM's log-likelihood needs no
 * sampling estimate of log Z at all.
 */
export interface GridDensity {
  readonly box: Box;
  /** Cells per axis. */
  readonly n: number;
  /** Cell side h. */
  readonly h: number;
  /** Cell centres, row-major [n², 2]; cell (i, j) (column i along x, row j along y) is index j·n + i. */
  readonly centres: Float32Array;
  /** E at the centres, [n²]. */
  readonly energy: Float64Array;
  /** log Z = log Σ exp(−E) h². */
  readonly logZ: number;
  /** Normalised log density −E − log Z at the centres, [n²]. */
  readonly logDensity: Float64Array;
}

/** The centres of the n × n cells of the box, row-major [n², 2] (x varies fastest). */
export function gridCentres(box: Box, n: number): Float32Array {
  checkBox('gridCentres', box);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`gridCentres: n must be an integer ≥ 2 (got ${n})`);
  const h = (box.hi - box.lo) / n;
  const out = new Float32Array(2 * n * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      out[2 * (j * n + i)] = box.lo + (i + 0.5) * h;
      out[2 * (j * n + i) + 1] = box.lo + (j + 0.5) * h;
    }
  }
  return out;
}

/**
 * Normalises exp(−energy) on the n × n grid of the box.
 *
 * @param energy E at points [m, 2] row-major → [m]; e.g. `(p) => net.energies(p)`, or minus a log density
 * @example
 *   const g = gridDensity((p) => net.energies(p), DEFAULT_BOX, 160);
 *   const nll = mean(net.energies(test)) + g.logZ; // held-out NLL of the EBM
 */
export function gridDensity(energy: (points: Float32Array) => ArrayLike<number>, box: Box, n: number): GridDensity {
  const centres = gridCentres(box, n);
  const h = (box.hi - box.lo) / n;
  const e = Float64Array.from(energy(centres));
  if (e.length !== n * n) throw new RangeError(`gridDensity: energy returned ${e.length} values for ${n * n} points`);
  let min = Infinity;
  for (const v of e) if (v < min) min = v;
  if (!Number.isFinite(min)) throw new RangeError(`gridDensity: the energy has no finite minimum on the grid (got ${min})`);
  let s = 0;
  for (const v of e) s += Math.exp(min - v);
  const logZ = -min + Math.log(s * h * h);
  const logDensity = e.map((v) => -v - logZ);
  return { box, n, h, centres, energy: e, logZ, logDensity };
}
