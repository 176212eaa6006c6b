import { map, type OperatorFunction } from 'rxjs';
import { tf } from '../backend/tf.ts';
import type { SiteDistribution } from '../autoregressive/SiteDistribution.ts';
import type { Bond } from '../lattice/bond.ts';
import { toOneHot } from '../lattice/configurations.ts';
import { logMarginalTransferWeight, logTransferWeight } from '../lattice/transferWeight.ts';
import { leaveOneOutAdvantage, type StatmechEstimate, type StatmechStepInput } from './statmechStep.ts';

export interface ReverseKlReinforceOptions {
  bond: Bond;
  /** Samples per side (x and x' each), ≥ 2. */
  batch: number;
  /**
   * Differentiate p' too (default true: the gradient of KL(p‖p') itself). `false` treats p' as a fixed
   * target each step (a semi-gradient, like damped power iteration): same fixed point, no x' score term.
   */
  targetGradient?: boolean;
}

/**
 * Objective (2): the same KL(p‖p') as {@link reverseKlGumbel}, with a score-function gradient on
 * exact hard samples — the seed's own diagnosis, "the ensemble average should be moved out of the logarithm":
 *
 *   ∇KL = E_x[(ln p(x) − ln p'(x)) ∇ln p(x)] − E_x[∇ ln p'(x)],
 *   ∇ln p'(x) = E_{x'∼ρ_x}[∇ln p(x')] − E_{x'∼ρ̄}[∇ln p(x')],  ρ_x(x') ∝ T(x,x')p(x'),  ρ̄(x') ∝ T(x')p(x').
 *
 * Both expectations over x' are importance-weighted averages over the x' sample (self-normalised
 * weights w_{x,x'} = softmax_{x'} ln T(x,x'), w̄_{x'} = softmax_{x'} ln T(x')), so T enters only through
 * normalised weights and never inside a differentiated logarithm. The first term uses a leave-one-out
 * baseline. Surrogate (gradient = the estimator, value meaningless):
 *
 *   S = (1/B) Σ_x A(x) ln p(x) + Σ_{x'} [w̄_{x'} − (1/B) Σ_x w_{x,x'}] ln p(x'),
 *
 * A(x) the leave-one-out advantage of r(x) = ln p(x) − ln p̂'(x). Samples are exact (`sampleStates`),
 * only the two `logProb` passes are differentiated.
 *
 * Scalars: `kl_estimate` (mean r), `log_lambda` (ln of the sample mean of T(x')).
 */
export function reverseKlReinforce(model: SiteDistribution, options: ReverseKlReinforceOptions): OperatorFunction<StatmechStepInput, StatmechEstimate> {
  const { bond, batch } = options;
  const targetGradient = options.targetGradient ?? true;
  if (!Number.isInteger(batch) || batch < 2) throw new RangeError(`reverseKlReinforce: batch must be an integer ≥ 2 (got ${batch})`);
  if (bond.states !== model.states) throw new RangeError(`reverseKlReinforce: bond has q=${bond.states} states, model has ${model.states}`);
  const { units, states: q } = model;
  return map((input) => {
    const sx = model.sampleStates(batch, input.rng);
    const sxp = model.sampleStates(batch, input.rng);
    const x = tf.tensor2d(toOneHot(sx, units, q), [batch, units * q]);
    const xp = tf.tensor2d(toOneHot(sxp, units, q), [batch, units * q]);
    const logp = model.logProb(x);
    const logpPrime = model.logProb(xp);
    const lt = logTransferWeight(x, xp, bond); // [B, B'], constant
    const lm = logMarginalTransferWeight(xp, bond); // [B'], constant
    const lseM = tf.logSumExp(lm);
    const logPHat = tf.sub(tf.logSumExp(lt, 1), lseM);
    const r = tf.sub(logp, logPHat).dataSync();
    const advantage = tf.tensor1d(leaveOneOutAdvantage(r));
    const weightsX = tf.softmax(lt, 1); // w_{x,x'}
    const weightsBar = tf.softmax(lm); // w̄_{x'}
    const coef = tf.sub(weightsBar, tf.mean(weightsX, 0)); // constant per x'
    const scoreTerm = tf.mean(tf.mul(advantage, logp));
    const loss = (targetGradient ? tf.add(scoreTerm, tf.sum(tf.mul(coef, logpPrime))) : scoreTerm) as tf.Scalar;
    let kl = 0;
    for (const v of r) kl += v / batch;
    const scalars = { kl_estimate: kl, log_lambda: lseM.dataSync()[0] - Math.log(batch) };
    return { ...input, loss, scalars, states: sx, units, q };
  });
}
