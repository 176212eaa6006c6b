import { essBasic } from './ess.ts';
import { meanVariance, pooled, usable, type Chains } from './chains.ts';

/**
 * Monte-Carlo standard error of the posterior-mean estimate, sd / √ESS with sd over all draws
 * (ddof = 1) and ESS = `essBasic` (ArviZ `mcse(method="mean")`). Input: one Float64Array per
 * chain, ≥ 4 draws each; NaN otherwise.
 *
 * @example
 *   const err = mcse(draws);   // |mean − truth| < 5·err with overwhelming probability
 */
export function mcse(draws: Chains): number {
  if (!usable('mcse', draws)) return Number.NaN;
  return Math.sqrt(meanVariance(pooled(draws)).variance / essBasic(draws));
}
