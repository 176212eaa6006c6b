import { normalQuantile } from './normalQuantile.ts';

/**
 * Shared internals of the diagnostics, in ArviZ's terms. A scalar quantity's draws are given as
 * `chains`: one Float64Array per chain, all the same length n (draw order within a chain matters,
 * chain order does not).
 */
export type Chains = readonly Float64Array[];

/**
 * Checks the shape (throws on a programming error: no chains, unequal lengths) and reports whether
 * the values are usable: ArviZ returns NaN when a chain has fewer than `minDraws` draws, there are
 * fewer than `minChains` chains, or any value is NaN; we also treat ±∞ as unusable.
 */
export function usable(fn: string, chains: Chains, minDraws = 4, minChains = 1): boolean {
  if (!Array.isArray(chains) || chains.length === 0) {
    throw new RangeError(`${fn}: draws must be an array with one Float64Array per chain (got ${Array.isArray(chains) ? 'no chains' : typeof chains})`);
  }
  const n = chains[0].length;
  for (let c = 0; c < chains.length; c++) {
    if (chains[c].length !== n) {
      throw new RangeError(`${fn}: every chain must have the same number of draws (chain 0 has ${n}, chain ${c} has ${chains[c].length})`);
    }
  }
  if (n < minDraws || chains.length < minChains) return false;
  for (const chain of chains) for (let i = 0; i < n; i++) if (!Number.isFinite(chain[i])) return false;
  return true;
}

/**
 * Splits each chain into its first and second halves (2m chains of ⌊n/2⌋ draws; the middle draw
 * of an odd-length chain is dropped), so that a trend within a chain shows up as disagreement
 * between chains. Views, not copies.
 */
export function splitChains(chains: Chains): Float64Array[] {
  const half = Math.floor(chains[0].length / 2);
  const n = chains[0].length;
  return [...chains.map((x) => x.subarray(0, half)), ...chains.map((x) => x.subarray(n - half, n))];
}

/** All draws of all chains in one array, chain after chain. */
export function pooled(chains: Chains): Float64Array {
  const out = new Float64Array(chains.length * chains[0].length);
  chains.forEach((x, c) => out.set(x, c * x.length));
  return out;
}

/**
 * Rank normalisation (Vehtari et al. 2021, eq. 14; ArviZ `_z_scale`): replaces every draw by
 * Φ⁻¹((r − 3/8) / (S + 1/4)), r its rank among all S pooled draws (ties get their average rank).
 * The result is normal whatever the draws' distribution, so R̂ and ESS work for heavy tails too.
 */
export function rankNormalize(chains: Chains): Float64Array[] {
  const all = pooled(chains);
  const size = all.length;
  // A native numeric sort plus two binary searches per draw beats sorting indices with a comparator several-fold.
  const sorted = all.slice().sort();
  const z = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const v = all[i];
    const first = lowerBound(sorted, v), end = upperBound(sorted, v);
    // 1-based ranks first+1 … end share their average.
    const rank = (first + 1 + end) / 2;
    z[i] = normalQuantile((rank - 3 / 8) / (size + 1 / 4));
  }
  const n = chains[0].length;
  return chains.map((_, c) => z.subarray(c * n, (c + 1) * n));
}

/** First index with sorted[i] ≥ v. */
function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with sorted[i] > v. */
function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The p-quantile of sorted values by linear interpolation between order statistics (numpy's default, R's type 7). */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Mean and unbiased (ddof = 1) variance of an array. */
export function meanVariance(x: ArrayLike<number>): { mean: number; variance: number } {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2;
  return { mean, variance: ss / (n - 1) };
}
