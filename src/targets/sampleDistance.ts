import type { Axis, ExactPosterior2D } from './exactPosterior.ts';
import { gaussLegendre } from './gaussLegendre.ts';
import type { PosteriorGrid } from './posteriorGrid.ts';

/**
 * Scores of a sample set against the exact answer, for showing that a sampler (e.g. HMC started
 * from a flow's draws) moves toward the posterior. Sample sets are row-major Float64Array
 * [n, 2] (θ₁, θ₂ per row) unless a `dim` says otherwise.
 */

const GL = gaussLegendre(5);
/** Pieces per box width when integrating the CDF over one gap between order statistics. */
const PIECES_PER_WIDTH = 512;

/** Sample moments minus exact moments; all zero for a perfect, infinite sample. */
export interface MomentErrors {
  /** Sample mean − exact mean, per axis. */
  readonly mean: readonly [number, number];
  /** Sample sd (n − 1 denominator) − exact sd, per axis. */
  readonly sd: readonly [number, number];
  /** Sample correlation − exact correlation. */
  readonly corr: number;
}

/**
 * @param samples [n, 2], n ≥ 2
 * @example
 *   momentErrors(draws, bananaExact(target)).mean;   // [Δθ₁, Δθ₂]
 */
export function momentErrors(samples: Float64Array, exact: ExactPosterior2D): MomentErrors {
  const n = checkSamples('momentErrors', 'samples', samples, 2, 2);
  let m1 = 0, m2 = 0;
  for (let i = 0; i < n; i++) { m1 += samples[2 * i]; m2 += samples[2 * i + 1]; }
  m1 /= n; m2 /= n;
  let s11 = 0, s22 = 0, s12 = 0;
  for (let i = 0; i < n; i++) {
    const d1 = samples[2 * i] - m1, d2 = samples[2 * i + 1] - m2;
    s11 += d1 * d1; s22 += d2 * d2; s12 += d1 * d2;
  }
  const sd1 = Math.sqrt(s11 / (n - 1)), sd2 = Math.sqrt(s22 / (n - 1));
  const e1 = Math.sqrt(exact.cov[0][0]), e2 = Math.sqrt(exact.cov[1][1]);
  return {
    mean: [m1 - exact.mean[0], m2 - exact.mean[1]],
    sd: [sd1 - e1, sd2 - e2],
    corr: s12 / Math.sqrt(s11 * s22) - exact.cov[0][1] / (e1 * e2),
  };
}

/**
 * Wasserstein-1 distance W₁ = ∫ |F_n(x) − F(x)| dx between the samples' empirical CDF on one axis
 * and the EXACT marginal CDF. Between consecutive order statistics F_n is a constant c, so each
 * gap contributes ∫|c − F|, split at the one point where the monotone F crosses c and integrated
 * by 5-point Gauss–Legendre: no binning, no smoothing; only F's tail beyond `exact.bounds`
 * (< 1e-9 of mass) is left out. E W₁ ≈ √(2/(πn)) ∫ √(F(1 − F)) dx for exact samples.
 *
 * @param samples [n, 2], n ≥ 1
 * @param axis 0 for θ₁, 1 for θ₂
 * @example
 *   marginalW1(draws, exact, 1);   // in units of θ₂
 */
export function marginalW1(samples: Float64Array, exact: ExactPosterior2D, axis: Axis): number {
  if (axis !== 0 && axis !== 1) throw new RangeError(`marginalW1: axis must be 0 or 1 (got ${axis})`);
  const n = checkSamples('marginalW1', 'samples', samples, 2, 1);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = samples[2 * i + axis];
  values.sort();
  const F = (x: number): number => exact.marginalCdf(axis, x);
  const [lo, hi] = exact.bounds[axis];
  const maxPiece = (hi - lo) / PIECES_PER_WIDTH;
  /** ∫_a^b F(x) dx. */
  const integralF = (a: number, b: number): number => {
    const pieces = Math.max(1, Math.ceil((b - a) / maxPiece));
    const h = (b - a) / pieces;
    let total = 0;
    for (let p = 0; p < pieces; p++) {
      const c = a + (p + 0.5) * h;
      let s = 0;
      for (let q = 0; q < GL.nodes.length; q++) s += GL.weights[q] * F(c + 0.5 * h * GL.nodes[q]);
      total += 0.5 * h * s;
    }
    return total;
  };
  /** ∫_a^b |c − F(x)| dx for a ≤ b. */
  const gap = (a: number, b: number, c: number): number => {
    if (!(b > a)) return 0;
    const Fa = F(a), Fb = F(b);
    if (Fb <= c) return c * (b - a) - integralF(a, b);
    if (Fa >= c) return integralF(a, b) - c * (b - a);
    const x = crossing(F, c, a, b, Fa, Fb);
    return c * (x - a) - integralF(a, x) + integralF(x, b) - c * (b - x);
  };
  let w1 = gap(Math.min(lo, values[0]), values[0], 0);
  for (let k = 1; k < n; k++) w1 += gap(values[k - 1], values[k], k / n);
  w1 += gap(values[n - 1], Math.max(hi, values[n - 1]), 1);
  return w1;
}

/**
 * Plug-in KL(q̂ ‖ p) of the samples' bins × bins histogram q̂ over the grid's box against the
 * exact mass p_b of the same bins (`binMasses`). Samples outside the box count in the nearest
 * edge bin (the box holds all but ~1e-9 of p, so this only matters for bad samplers, and then it
 * should). A sample in a bin where p_b underflows to 0 gives Infinity.
 *
 * How to read it. Bias: for n draws from q, E[KL̂] ≈ KL(q_B ‖ p_B) + (B − 1)/(2n), with q_B, p_B
 * the binned distributions and B the number of occupied bins, when every occupied bin expects
 * many draws (then 2n·KL̂ ≈ χ²_{B−1} for q = p); sparsely filled bins add somewhat more (for the
 * banana at n = 2e4 about 100 of the 576 bins are occupied and 2n·KL̂ of exact draws averages
 * ≈ 124, sd ≈ 19). So exact samples score ≈ (B − 1)/(2n), not 0: compare sample sets of equal
 * n. Data processing: binning is a deterministic map, so KL(q_B ‖ p_B) ≤ KL(q ‖ p); as n → ∞
 * the score converges to a lower bound on the true KL and never exceeds it in expectation.
 *
 * @param samples [n, 2], n ≥ 1
 * @param bins bins per axis over the grid's box, integer ≥ 2
 * @example
 *   binnedKl(flowDraws, bananaGrid(target)) - binnedKl(hmcDraws, grid);   // > 0 if HMC helped
 */
export function binnedKl(samples: Float64Array, grid: PosteriorGrid, bins = 24): number {
  checkBins('binnedKl', bins);
  const n = checkSamples('binnedKl', 'samples', samples, 2, 1);
  const { nx, ny, x, y } = grid;
  const x0 = x[0], x1 = x[nx - 1], y0 = y[0], y1 = y[ny - 1];
  const q = new Float64Array(bins * bins);
  const binOf = (v: number, lo: number, hi: number): number => Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
  for (let i = 0; i < n; i++) q[binOf(samples[2 * i + 1], y0, y1) * bins + binOf(samples[2 * i], x0, x1)] += 1 / n;
  const p = binMasses(grid, bins);
  let kl = 0;
  for (let b = 0; b < q.length; b++) {
    if (q[b] > 0) kl += q[b] * Math.log(q[b] / p[b]);
  }
  return kl;
}

/**
 * Posterior mass of each cell of a bins × bins partition of the grid's box, row-major
 * [bins (θ₂), bins (θ₁)]: each node's trapezoid cell [x − h/2, x + h/2] × [y − h/2, y + h/2]
 * is split between the bins it overlaps in proportion to area (error O(h²) per bin edge).
 * Normalised to sum to 1.
 *
 * @example
 *   const p = binMasses(bananaGrid(target), 24);   // p[j * 24 + i]: θ₁ bin i, θ₂ bin j
 */
export function binMasses(grid: PosteriorGrid, bins = 24): Float64Array {
  checkBins('binMasses', bins);
  const { nx, ny, x, y, logDensity } = grid;
  const ox = cellOverlaps(x, bins);
  const oy = cellOverlaps(y, bins);
  const p = new Float64Array(bins * bins);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const d = Math.exp(logDensity[j * nx + i]);
      if (d === 0) continue;
      const row0 = oy.bin[j] * bins, row1 = row0 + bins;
      const c0 = ox.bin[i];
      const ax = ox.first[i], bx = ox.second[i], ay = oy.first[j], by = oy.second[j];
      p[row0 + c0] += d * ax * ay;
      if (bx > 0) p[row0 + c0 + 1] += d * bx * ay;
      if (by > 0) {
        p[row1 + c0] += d * ax * by;
        if (bx > 0) p[row1 + c0 + 1] += d * bx * by;
      }
    }
  }
  let total = 0;
  for (let b = 0; b < p.length; b++) total += p[b];
  for (let b = 0; b < p.length; b++) p[b] /= total;
  return p;
}

function checkBins(fn: string, bins: number): void {
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`${fn}: bins must be an integer ≥ 2 (got ${bins})`);
}

/**
 * Energy distance 2 E|X − Y| − E|X − X′| − E|Y − Y′| between two sample sets, with the
 * within-set terms as U-statistics (i ≠ j) so the estimate is unbiased: its expectation is 0
 * when both sets come from one distribution, and it can then be slightly negative. In 1-D it
 * equals 2 ∫ (F − G)². O(n m · dim); fine for a few thousand points.
 *
 * @param a [n, dim], n ≥ 2
 * @param b [m, dim], m ≥ 2
 * @example
 *   energyDistance(hmcDraws, bananaExact(target).sampleExact(4000, rng));
 */
export function energyDistance(a: Float64Array, b: Float64Array, dim = 2): number {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`energyDistance: dim must be an integer ≥ 1 (got ${dim})`);
  const n = checkSamples('energyDistance', 'a', a, dim, 2);
  const m = checkSamples('energyDistance', 'b', b, dim, 2);
  const cross = sumDistances(a, n, b, m, dim, false) / (n * m);
  const withinA = sumDistances(a, n, a, n, dim, true) / ((n * (n - 1)) / 2);
  const withinB = sumDistances(b, m, b, m, dim, true) / ((m * (m - 1)) / 2);
  return 2 * cross - withinA - withinB;
}

/** Σ |u_i − v_j| over all pairs, or over i < j when `upper` (u = v). */
function sumDistances(u: Float64Array, nu: number, v: Float64Array, nv: number, dim: number, upper: boolean): number {
  let total = 0;
  for (let i = 0; i < nu; i++) {
    let row = 0;
    for (let j = upper ? i + 1 : 0; j < nv; j++) {
      let d2 = 0;
      for (let k = 0; k < dim; k++) {
        const d = u[i * dim + k] - v[j * dim + k];
        d2 += d * d;
      }
      row += Math.sqrt(d2);
    }
    total += row;
  }
  return total;
}

/**
 * For each node of a uniform axis, the length of its trapezoid cell [x − h/2, x + h/2] ∩ [x₀, x_end]
 * falling in its first bin and in the next one (cells are narrower than bins, so at most two).
 */
function cellOverlaps(nodes: Float64Array, bins: number): { bin: Int32Array; first: Float64Array; second: Float64Array } {
  const count = nodes.length;
  const lo = nodes[0], hi = nodes[count - 1];
  const h = nodes[1] - nodes[0];
  const width = (hi - lo) / bins;
  if (h > width) throw new RangeError(`binMasses: the grid (step ${h}) is coarser than the bins (width ${width}); use fewer bins`);
  const bin = new Int32Array(count);
  const first = new Float64Array(count);
  const second = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const a = Math.max(lo, nodes[i] - h / 2);
    const b = Math.min(hi, nodes[i] + h / 2);
    const k = Math.min(bins - 1, Math.max(0, Math.floor((a - lo) / width)));
    const edge = lo + (k + 1) * width;
    bin[i] = k;
    if (b <= edge || k === bins - 1) {
      first[i] = b - a;
    } else {
      first[i] = edge - a;
      second[i] = b - edge;
    }
  }
  return { bin, first, second };
}

/** The x in (a, b) where the increasing F crosses c (F(a) < c < F(b)), by the Illinois method. */
function crossing(F: (x: number) => number, c: number, a: number, b: number, Fa: number, Fb: number): number {
  let fa = Fa - c, fb = Fb - c;
  let side = 0;
  let x = a;
  for (let iter = 0; iter < 100; iter++) {
    x = (a * fb - b * fa) / (fb - fa);
    if (!(x > a && x < b)) x = 0.5 * (a + b);
    const fx = F(x) - c;
    if (Math.abs(fx) <= 1e-16 || b - a < 1e-15 * (Math.abs(a) + Math.abs(b) + 1)) break;
    if (fx > 0) {
      b = x; fb = fx;
      if (side === 1) fa /= 2;
      side = 1;
    } else {
      a = x; fa = fx;
      if (side === -1) fb /= 2;
      side = -1;
    }
  }
  return x;
}

/** Validates a row-major sample set and returns its row count. */
function checkSamples(fn: string, name: string, samples: Float64Array, dim: number, minRows: number): number {
  if (!(samples instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array [n, ${dim}]`);
  if (samples.length % dim !== 0) {
    throw new RangeError(`${fn}: ${name} must have shape [n, ${dim}] row-major (got length ${samples.length}, not a multiple of ${dim})`);
  }
  const n = samples.length / dim;
  if (n < minRows) throw new RangeError(`${fn}: ${name} must have at least ${minRows} rows (got ${n})`);
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) {
      throw new RangeError(`${fn}: ${name} must be finite (got ${samples[i]} at row ${Math.floor(i / dim)}, column ${i % dim})`);
    }
  }
  return n;
}
