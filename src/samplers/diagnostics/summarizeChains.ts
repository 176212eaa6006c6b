import type { KernelInfo } from '../kernel.ts';
import { meanVariance, pooled } from './chains.ts';
import { essBulk, essTail } from './ess.ts';
import { mcse } from './mcse.ts';
import { rankNormalizedSplitRhat } from './rhat.ts';

/** One parameter's row, ArviZ `summary` style. */
export interface ParameterSummary {
  /** Column index in the draws, 0 … dim − 1. */
  readonly index: number;
  readonly name: string;
  /** Mean and sd (ddof = 1) over all chains' draws. */
  readonly mean: number;
  readonly sd: number;
  /** Monte-Carlo standard error of `mean`. */
  readonly mcseMean: number;
  readonly essBulk: number;
  readonly essTail: number;
  /** Rank-normalised split-R̂ (NaN for a single chain, as ArviZ). */
  readonly rhat: number;
}

/** One chain's sampler statistics. */
export interface ChainSummary {
  readonly draws: number;
  /** Mean of `info.acceptance` (Stan's mean accept_stat__). */
  readonly acceptanceRate: number;
  /** Fraction of transitions that moved the chain (`info.accepted`). */
  readonly moveRate: number;
  readonly divergences: number;
  readonly gradientEvaluations: number;
}

export interface ChainsSummary {
  readonly parameters: ParameterSummary[];
  readonly chains: ChainSummary[];
}

/**
 * The table one looks at after a run: per parameter mean, sd, MCSE, bulk and tail ESS and R̂,
 * and per chain the acceptance rate, divergences and gradient evaluations.
 *
 * @param draws per chain a Float64Array of shape [n, dim] row-major (as `runChains(...).draws`)
 * @param infos per chain the n kernel infos of those draws; dim is inferred as length / n
 * @param options.names parameter names (default θ[0], θ[1], …)
 * @example
 *   const run = runChains({ ... });
 *   summarizeChains(run.draws, run.infos).parameters[0].essBulk;
 */
export function summarizeChains(
  draws: readonly Float64Array[],
  infos: readonly (readonly KernelInfo[])[],
  options: { names?: readonly string[] } = {},
): ChainsSummary {
  const fn = 'summarizeChains';
  if (draws.length === 0 || draws.length !== infos.length) {
    throw new RangeError(`${fn}: draws and infos must have one entry per chain (got ${draws.length} and ${infos.length})`);
  }
  const n = infos[0].length;
  const dim = n > 0 ? draws[0].length / n : Number.NaN;
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(`${fn}: draws[0] must have length n·dim with n = infos[0].length = ${n} (got length ${draws[0].length})`);
  }
  draws.forEach((x, c) => {
    if (x.length !== n * dim || infos[c].length !== n) {
      throw new RangeError(`${fn}: chain ${c} has ${x.length} values and ${infos[c].length} infos; expected ${n * dim} and ${n} like chain 0`);
    }
  });
  if (options.names && options.names.length !== dim) {
    throw new RangeError(`${fn}: names must have length dim = ${dim} (got ${options.names.length})`);
  }

  const parameters: ParameterSummary[] = [];
  for (let j = 0; j < dim; j++) {
    const column = draws.map((x) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = x[i * dim + j];
      return out;
    });
    const { mean, variance } = meanVariance(pooled(column));
    parameters.push({
      index: j,
      name: options.names?.[j] ?? `θ[${j}]`,
      mean,
      sd: Math.sqrt(variance),
      mcseMean: mcse(column),
      essBulk: essBulk(column),
      essTail: essTail(column),
      rhat: rankNormalizedSplitRhat(column),
    });
  }
  const chains = infos.map((list): ChainSummary => {
    let acceptance = 0, moved = 0, divergences = 0, gradientEvaluations = 0;
    for (const info of list) {
      acceptance += info.acceptance;
      if (info.accepted) moved++;
      if (info.divergent) divergences++;
      gradientEvaluations += info.gradientEvaluations;
    }
    return { draws: list.length, acceptanceRate: acceptance / list.length, moveRate: moved / list.length, divergences, gradientEvaluations };
  });
  return { parameters, chains };
}
