import { concat, defer, filter, map, of, type Observable } from 'rxjs';
import type { MetricRecord, ScalarsRecord, TableRowRecord } from '../metrics/records.ts';
import { Rng } from '../random/rng.ts';
import { essBulk, essTail, rankNormalizedSplitRhat } from '../samplers/diagnostics/index.ts';
import { hmc } from '../samplers/hmc.ts';
import type { KernelInfo } from '../samplers/kernel.ts';
import type { KernelFactory } from '../samplers/kernelParams.ts';
import { nuts } from '../samplers/nuts.ts';
import { sampleChains, type ChainsDraw } from '../samplers/sampleChains.ts';
import type { Target } from '../targets/target.ts';
import { scoreSamples, type ExactReference } from './reference.ts';
import type { StageClock } from './stageClock.ts';

export interface RunMcmcOptions {
  chains: number;
  warmup: number;
  /** Kept draws per chain. */
  draws: number;
  /** HMC's fixed leapfrog steps L (NUTS chooses its own). */
  leapfrogSteps: number;
  /** Step size before adaptation (or throughout, without it). */
  stepSize: number;
  /** Stan's window adaptation of step size and diagonal mass during warm-up. */
  adapt: boolean;
  maxTreeDepth: number;
  /** Dual averaging's target acceptance δ (Stan's adapt_delta, default 0.8); raise it when there are divergences. */
  targetAcceptance?: number;
  every: number;
  seed: number;
  /** Chains start at independent prior draws θ ~ N(0, s² I): overdispersed, so R̂ means something. */
  priorScale: number;
}

/** The kernel factory of a method: HMC with fixed L, or NUTS. */
export function kernelFactory(method: 'hmc' | 'nuts', target: Target, options: Pick<RunMcmcOptions, 'leapfrogSteps' | 'maxTreeDepth'>): KernelFactory {
  return method === 'hmc'
    ? (p) => hmc(target, { stepSize: p.stepSize, numSteps: options.leapfrogSteps, inverseMassDiag: p.inverseMassDiag })
    : (p) => nuts(target, { stepSize: p.stepSize, inverseMassDiag: p.inverseMassDiag, maxTreeDepth: options.maxTreeDepth });
}

/** Column c of every chain's [kept, dim] draws: one Float64Array per chain. */
function component(perChain: readonly Float64Array[], dim: number, c: number): Float64Array[] {
  return perChain.map((d) => {
    const out = new Float64Array(d.length / dim);
    for (let i = 0; i < out.length; i++) out[i] = d[i * dim + c];
    return out;
  });
}

/**
 * An MCMC method as a stage of a run: `sampleChains` of HMC or NUTS (several chains from
 * overdispersed starts, Stan's warm-up), streamed as metric records and scored against the exact
 * posterior at the end.
 *
 * Emits `scalars` every `every` iterations (`iteration`, `<m>_accept`, `<m>_step_size`,
 * `<m>_divergences`, `<m>_tree_depth` for NUTS), then one `summary` row (rank-normalised split R̂,
 * bulk and tail ESS per parameter, acceptance, divergences, gradient evaluations, ESS per second,
 * moment errors and W1 distances to the exact marginals) and one `samples` row per kept draw
 * (method, chain, iteration, theta1, theta2).
 */
export function runMcmc(method: 'hmc' | 'nuts', target: Target, ref: ExactReference, clock: StageClock, options: RunMcmcOptions): Observable<MetricRecord> {
  return defer(() => {
    const dim = target.dim;
    const rng = new Rng(options.seed);
    const init = rng.fork();
    const initialPositions = Array.from({ length: options.chains }, () => Float64Array.from({ length: dim }, () => options.priorScale * init.normal()));
    const kept = Array.from({ length: options.chains }, () => new Float64Array(options.draws * dim));
    const started = performance.now();
    let samplingStarted = started;
    let gradientEvaluations = 0;
    let divergences = 0;
    let acceptSum = 0;
    let acceptCount = 0;
    let windowAccept = 0;
    let windowCount = 0;
    let treeDepthSum = 0;
    let lastStepSize = options.stepSize;

    const draws$ = sampleChains({
      makeKernel: kernelFactory(method, target, options),
      initialPositions,
      warmup: options.warmup,
      draws: options.draws,
      adapt: options.adapt,
      params: { stepSize: options.stepSize },
      rng: rng.fork(),
      // NUTS starts from Stan's step-size heuristic; HMC from the given ε (the seed's 0.05), as asked.
      adaptation: { ...(method === 'nuts' ? { target } : {}), targetAcceptance: options.targetAcceptance ?? 0.8 },
    }).pipe(
      map((d: ChainsDraw<KernelInfo>): ScalarsRecord | null => {
        const step = clock.tick();
        const sampling = d.phase === 'sampling';
        if (sampling && d.iteration === options.warmup) samplingStarted = performance.now();
        for (let c = 0; c < d.infos.length; c++) {
          const info = d.infos[c] as KernelInfo & { treeDepth?: number };
          gradientEvaluations += info.gradientEvaluations;
          windowAccept += info.acceptance;
          windowCount++;
          treeDepthSum += info.treeDepth ?? 0;
          if (sampling) {
            acceptSum += info.acceptance;
            acceptCount++;
            if (info.divergent) divergences++;
            kept[c].set(d.positions.subarray(c * dim, (c + 1) * dim), (d.iteration - options.warmup) * dim);
          }
        }
        lastStepSize = d.params.reduce((s, p) => s + p.stepSize, 0) / d.params.length;
        const iteration = d.iteration + 1;
        if (iteration % options.every !== 0 && iteration !== options.warmup + options.draws) return null;
        const values: Record<string, number> = {
          iteration,
          [`${method}_accept`]: windowAccept / windowCount,
          [`${method}_step_size`]: lastStepSize,
          [`${method}_divergences`]: divergences,
        };
        if (method === 'nuts') values.nuts_tree_depth = treeDepthSum / windowCount;
        windowAccept = windowCount = treeDepthSum = 0;
        return { kind: 'scalars', step, wallTime: Date.now(), values };
      }),
      filter((r): r is ScalarsRecord => r != null),
    );

    const final$ = defer(() => {
      const now = performance.now();
      const seconds = (now - started) / 1000;
      const samplingSeconds = (now - samplingStarted) / 1000;
      const perParam = [0, 1].map((c) => {
        const chains = component(kept, dim, c);
        return { essBulk: essBulk(chains), essTail: essTail(chains), rHat: rankNormalizedSplitRhat(chains) };
      });
      const essMin = Math.min(...perParam.map((p) => p.essBulk));
      const all = new Float64Array(options.chains * options.draws * dim);
      kept.forEach((k, c) => all.set(k, c * k.length));
      const summary: TableRowRecord = {
        kind: 'row',
        table: 'summary',
        row: {
          method,
          kind: 'mcmc',
          log_evidence: ref.logEvidence,
          chains: options.chains,
          warmup: options.warmup,
          draws: options.draws,
          step_size: lastStepSize,
          acceptance: acceptSum / Math.max(1, acceptCount),
          divergences,
          gradient_evals: gradientEvaluations,
          ess_bulk_theta1: perParam[0].essBulk,
          ess_bulk_theta2: perParam[1].essBulk,
          ess_tail_theta1: perParam[0].essTail,
          ess_tail_theta2: perParam[1].essTail,
          r_hat_theta1: perParam[0].rHat,
          r_hat_theta2: perParam[1].rHat,
          ess_bulk_min: essMin,
          ess_tail_min: Math.min(...perParam.map((p) => p.essTail)),
          r_hat_max: Math.max(...perParam.map((p) => p.rHat)),
          ...scoreSamples(all, ref),
          seconds,
          seconds_sampling: samplingSeconds,
          ess_per_s: essMin / seconds,
          ess_per_s_sampling: essMin / samplingSeconds,
          ess_per_gradient: essMin / gradientEvaluations,
        },
      };
      const rows: TableRowRecord[] = [];
      kept.forEach((k, chain) => {
        for (let i = 0; i < options.draws; i++) rows.push({ kind: 'row', table: 'samples', row: { method, chain, iteration: i, theta1: k[i * dim], theta2: k[i * dim + 1] } });
      });
      return of<MetricRecord[]>(summary, ...rows);
    });
    return concat(draws$, final$);
  });
}
