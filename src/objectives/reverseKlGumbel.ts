import { map, type OperatorFunction } from 'rxjs';
import { tf } from '../backend/tf.ts';
import type { RelaxedSiteDistribution } from '../autoregressive/SiteDistribution.ts';
import type { Bond } from '../lattice/bond.ts';
import { toStates } from '../lattice/configurations.ts';
import { logMarginalTransferWeight, logTransferWeight } from '../lattice/transferWeight.ts';
import type { StatmechEstimate, StatmechStepInput } from './statmechStep.ts';

export interface ReverseKlGumbelOptions {
  /** The transfer weight's bond (Ising(β), Potts(q, β)); the ring has model.units sites. */
  bond: Bond;
  /** Samples per side (x and x' each), ≥ 2. */
  batch: number;
  /** Gumbel-softmax temperature (the seed trained at 0.3). */
  tau: number;
  /** Straight-through hard samples (default false, as the seed trained). */
  hard?: boolean;
}

/**
 * Objective (1), the seed's loss as written: KL(p‖p') with p'(x) = Σ_x' T(x,x')p(x') / Σ_x' T(x')p(x'),
 * estimated by dual sampling — x and x' drawn independently by Gumbel-softmax `rsample` — and
 * differentiated through the relaxed samples:
 *
 *   L = (1/B) Σ_{x∼p} [ ln p(x) − ln Σ_{x'∼p} T(x,x') + ln Σ_{x'∼p} T(x') ].
 *
 * Differences from the seed, none changing the estimator: mean over the batch instead of sum
 * (a constant factor), sums of T in log space (the seed's products overflow for large N·β).
 * Known weaknesses kept on purpose (this is the baseline): the log of a sample mean is biased,
 * T fluctuates over orders of magnitude, and at τ > 0 the relaxed samples condition later sites
 * on soft values, so the minimiser is not exactly the stationary distribution.
 *
 * A synchronous loss operator for `minimize(…)`: `loss` is differentiable w.r.t. the model's variables.
 * Scalars: `kl_estimate` (the loss value), `log_lambda` (ln of the sample mean of T(x'), → ln λ).
 */
export function reverseKlGumbel(model: RelaxedSiteDistribution, options: ReverseKlGumbelOptions): OperatorFunction<StatmechStepInput, StatmechEstimate> {
  const { bond, batch, tau } = options;
  const hard = options.hard ?? false;
  if (!Number.isInteger(batch) || batch < 2) throw new RangeError(`reverseKlGumbel: batch must be an integer ≥ 2 (got ${batch})`);
  if (bond.states !== model.states) throw new RangeError(`reverseKlGumbel: bond has q=${bond.states} states, model has ${model.states}`);
  return map((input) => {
    const x = model.rsample(batch, input.rng, { tau, hard });
    const xp = model.rsample(batch, input.rng, { tau, hard });
    const logp = model.logProb(x);
    const logPPrime = tf.sub(tf.logSumExp(logTransferWeight(x, xp, bond), 1), tf.logSumExp(logMarginalTransferWeight(xp, bond)));
    const loss = tf.mean(tf.sub(logp, logPPrime)) as tf.Scalar;
    const logLambda = tf.sub(tf.logSumExp(logMarginalTransferWeight(xp, bond)), Math.log(batch));
    const scalars = { kl_estimate: loss.dataSync()[0], log_lambda: logLambda.dataSync()[0] };
    const states = toStates(x.dataSync(), model.units, model.states);
    return { ...input, loss, scalars, states, units: model.units, q: model.states };
  });
}
