import { Observable, type OperatorFunction } from 'rxjs';
import { tf } from '../backend/tf.ts';
import type { SiteDistribution } from '../autoregressive/SiteDistribution.ts';
import { histogram, type MetricRecord } from '../metrics/records.ts';
import type { GradientStatistics } from '../objectives/gradientVariance.ts';
import type { StatmechEstimate } from '../objectives/statmechStep.ts';
import type { Bond } from './bond.ts';
import { allStates, toOneHot } from './configurations.ts';
import { ringCorrelationOfStates } from './exact/transferStationary.ts';
import type { LatticeReference, TransferReference } from './exactReference.ts';
import { magnetisationOfStates } from './latticeEnergy.ts';

/** The problem a statmech run solves, with its exact reference. */
export type StatmechProblem =
  | { readonly kind: 'transfer'; readonly units: number; readonly bond: Bond; readonly reference: TransferReference | null }
  | { readonly kind: 'lattice'; readonly L: number; readonly bond: Bond; readonly reference: LatticeReference };

export interface StatmechMetricsOptions {
  /** Emit every `every` steps and at the last step. */
  every: number;
  /** Total steps (the last one always emits). */
  steps: number;
  problem: StatmechProblem;
  /** The trained distribution, for exact enumeration-based metrics on small systems. */
  distribution: SiteDistribution;
  /** Gradient-variance probe, run every `every` steps (costly: several extra gradient evaluations). */
  gradient?: { every: number; measure: (step: number) => GradientStatistics };
  /** Enumerate the model for exact KL each emission up to this many configurations (default 4096), and at the last step up to 2^16. */
  enumerateUpTo?: number;
  now?: () => number;
}

/**
 * Step estimates → metric records: every `every` steps a `scalars` record and a magnetisation histogram.
 *
 * Scalars (per site unless noted): `loss` (the objective's value: KL estimate or F_q), every scalar of
 * the estimate, `m`, `abs_m`, `m2` (magnetisation of the step's samples), `mode_balance` (share of
 * the commonest majority state), `mode_collapse` (1 when that share is one-sided beyond chance in the
 * ordered phase, β > β_c), `free_energy_exact`, `rel_error` = (F − F_exact)/|F_exact|; for lattices
 * `kl_estimate` = βN(F_q − F) (total nats) and, when enumerable, `kl_exact` and `free_energy_q_exact`;
 * for the transfer problem `kl_exact`, `log_lambda_exact`, `corr_r<r>` and `corr_exact_r<r>`;
 * `grad_variance`, `grad_mean_norm_sq` when the probe runs. Record steps count completed steps (1-based).
 */
export function statmechMetrics(options: StatmechMetricsOptions): OperatorFunction<StatmechEstimate, MetricRecord> {
  const { every, steps, problem, distribution } = options;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`statmechMetrics: every must be an integer ≥ 1 (got ${every})`);
  const now = options.now ?? Date.now;
  const enumerateUpTo = options.enumerateUpTo ?? 4096;
  const q = problem.bond.states;
  const units = problem.kind === 'transfer' ? problem.units : problem.L * problem.L;
  const count = q ** units;
  const states = count <= 2 ** 16 ? allStates(units, q) : null;
  return (source) =>
    new Observable<MetricRecord>((subscriber) =>
      source.subscribe({
        next(e) {
          const done = e.step + 1;
          const last = done === steps;
          if (done % every !== 0 && !last) return;
          let values: Record<string, number>;
          try {
            values = { ...e.scalars, surrogate: e.loss.dataSync()[0] };
            const mag = magnetisationOfStates(e.states, units, q);
            Object.assign(values, magnetisationStats(mag.m, mag.majority, q, (e.beta ?? problem.bond.beta) > problem.bond.criticalBeta));
            const enumerate = states != null && (count <= enumerateUpTo || last);
            if (problem.kind === 'transfer') {
              const beta = problem.bond.beta;
              const f = -(e.scalars.log_lambda as number) / (beta * units);
              values.loss = e.scalars.kl_estimate as number;
              values.free_energy = f;
              const ref = problem.reference;
              if (ref) {
                values.free_energy_exact = ref.freeEnergy;
                values.rel_error = (f - ref.freeEnergy) / Math.abs(ref.freeEnergy);
                values.log_lambda_exact = ref.logLambda;
                if (enumerate) values.kl_exact = exactKl(distribution, states as Uint8Array, Float64Array.from(ref.probs, Math.log));
                const c = ringCorrelationOfStates(e.states, units, q);
                for (let r = 1; r <= units / 2; r++) {
                  values[`corr_r${r}`] = c[r];
                  values[`corr_exact_r${r}`] = ref.correlation[r];
                }
              }
            } else {
              const beta = e.scalars.beta as number;
              const f = e.scalars.free_energy as number;
              values.loss = f;
              const exactF = problem.reference.freeEnergy(beta);
              if (exactF != null) {
                values.free_energy_exact = exactF;
                values.rel_error = (f - exactF) / Math.abs(exactF);
                values.kl_estimate = beta * units * (f - exactF);
                const logP = enumerate ? problem.reference.logBoltzmann(beta) : null;
                if (logP) {
                  values.kl_exact = exactKl(distribution, states as Uint8Array, logP);
                  values.free_energy_q_exact = exactF + values.kl_exact / (beta * units);
                }
              }
            }
            if (options.gradient && done % options.gradient.every === 0) {
              const g = options.gradient.measure(e.step);
              values.grad_variance = g.variance;
              values.grad_mean_norm_sq = g.meanNormSq;
            }
          } catch (err) {
            subscriber.error(err);
            return;
          }
          const wallTime = now();
          subscriber.next({ kind: 'scalars', step: done, wallTime, values });
          const [lo, hi] = q === 2 ? [-1, 1] : [0, 1];
          const mag = magnetisationOfStates(e.states, units, q).m;
          subscriber.next(histogram('magnetisation', done, mag, Math.min(units, 40) + 1, lo, hi, wallTime));
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

/**
 * Magnetisation moments and the mode-collapse flag. Under the model's exact symmetry every majority
 * state is equally likely, so a batch share of the commonest one far above 1/q (> 0.9 and > 1/q + 5σ,
 * σ the binomial standard deviation) in the ordered phase means the model covers one mode only.
 */
export function magnetisationStats(m: Float64Array, majority: Int8Array, q: number, ordered: boolean): Record<string, number> {
  const n = m.length;
  let s = 0, sa = 0, s2 = 0;
  for (const v of m) { s += v; sa += Math.abs(v); s2 += v * v; }
  const tally = new Float64Array(q);
  let decided = 0;
  for (const a of majority) if (a >= 0) { tally[a]++; decided++; }
  const balance = decided > 0 ? Math.max(...tally) / decided : 1 / q;
  const sigma = Math.sqrt(((1 / q) * (1 - 1 / q)) / Math.max(1, decided));
  const collapsed = ordered && decided >= 20 && balance > Math.max(0.9, 1 / q + 5 * sigma);
  return { m: s / n, abs_m: sa / n, m2: s2 / n, mode_balance: balance, mode_collapse: collapsed ? 1 : 0 };
}

/** KL(p_model‖p) = Σ_x p_model(x)(ln p_model(x) − ln p(x)) by enumerating all configurations. */
function exactKl(distribution: SiteDistribution, states: Uint8Array, logP: Float64Array): number {
  const { units, states: q } = distribution;
  const count = states.length / units;
  const lp = tf.tidy(() => distribution.logProb(tf.tensor2d(toOneHot(states, units, q), [count, units * q])));
  const v = lp.dataSync();
  lp.dispose();
  let kl = 0;
  for (let i = 0; i < count; i++) {
    const p = Math.exp(v[i]);
    if (p > 0) kl += p * (v[i] - logP[i]);
  }
  return kl;
}
