import { meanVariance, pooled, quantileSorted, rankNormalize, splitChains, usable, type Chains } from './chains.ts';

/**
 * Potential scale reduction R̂ of one scalar quantity (Gelman et al. BDA3 §11.4; Vehtari et al.
 * 2021 §4). Input: `draws`, one Float64Array per chain, ≥ 2 chains of ≥ 4 draws (else NaN, as
 * ArviZ). Values near 1 mean the chains agree; Vehtari et al. recommend R̂ < 1.01.
 */

/** Classic split-R̂: R̂ of the 2m half-chains (ArviZ `rhat(method="split")`). @example splitRhat([a, b, c, d]) < 1.01 */
export function splitRhat(draws: Chains): number {
  if (!usable('splitRhat', draws, 4, 2)) return Number.NaN;
  return rhat(splitChains(draws));
}

/**
 * Rank-normalised split-R̂, ArviZ's default (`method="rank"`): the max of R̂ of the rank-normalised
 * split chains (bulk: detects different locations) and of the rank-normalised folded split chains
 * |x − median| (tail: detects different scales).
 * @example rankNormalizedSplitRhat(draws) > 1.1   // shifted chains
 */
export function rankNormalizedSplitRhat(draws: Chains): number {
  if (!usable('rankNormalizedSplitRhat', draws, 4, 2)) return Number.NaN;
  const split = splitChains(draws);
  const bulk = rhat(rankNormalize(split));
  const median = quantileSorted(pooled(split).sort(), 0.5);
  const folded = split.map((x) => x.map((v) => Math.abs(v - median)));
  const tail = rhat(rankNormalize(folded));
  return Math.max(bulk, tail);
}

/** R̂ = √(((n−1)/n · W + B/n) / W) with W the mean within-chain variance and B/n the variance of the chain means. */
export function rhat(chains: Chains): number {
  const n = chains[0].length;
  const stats = chains.map((x) => meanVariance(x));
  const between = n * meanVariance(stats.map((s) => s.mean)).variance;
  const within = stats.reduce((s, c) => s + c.variance, 0) / chains.length;
  return Math.sqrt((between / within + n - 1) / n);
}
