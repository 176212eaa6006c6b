import { map, type OperatorFunction } from 'rxjs';
import { tf } from '../backend/tf.ts';
import type { SiteDistribution } from '../autoregressive/SiteDistribution.ts';
import type { Bond } from '../lattice/bond.ts';
import { toOneHot } from '../lattice/configurations.ts';
import { latticeEnergyOfStates } from '../lattice/latticeEnergy.ts';
import { leaveOneOutAdvantage, meanAndStderr, type StatmechEstimate, type StatmechStepInput } from './statmechStep.ts';

export interface VariationalFreeEnergyOptions {
  /** Bond of the target model; its β is the target unless the step input carries `beta` (annealing). */
  bond: Bond;
  /** Linear size L of the periodic L×L lattice; the model must have L² units. */
  L: number;
  /** Samples per step, ≥ 2. */
  batch: number;
}

/**
 * Objective (3), variational free energy (VAN: Wu, Wang & Zhang, PRL 122, 080602, 2019):
 *
 *   F_q = E_{x∼q}[E(x) + T ln q(x)] = F + T·KL(q‖p) ≥ F,
 *   ∇(βF_q) = E_q[(βE(x) + ln q(x) − b) ∇ln q(x)]   (REINFORCE; E_q[∇ln q] = 0 makes any baseline b unbiased),
 *
 * with the leave-one-out baseline. Samples are exact (`sampleStates`), energies computed in plain JS,
 * one differentiated `logProb` pass. Pass a {@link CyclicSymmetrized} model for VAN's Z2 symmetry.
 *
 * Scalars (per site): `free_energy` F_q/N and its `free_energy_stderr`, `energy` ⟨E⟩/N,
 * `entropy` −⟨ln q⟩/N, `beta` (the β of this step).
 */
export function variationalFreeEnergy(model: SiteDistribution, options: VariationalFreeEnergyOptions): OperatorFunction<StatmechStepInput, StatmechEstimate> {
  const { bond, L, batch } = options;
  if (!Number.isInteger(batch) || batch < 2) throw new RangeError(`variationalFreeEnergy: batch must be an integer ≥ 2 (got ${batch})`);
  if (model.units !== L * L) throw new RangeError(`variationalFreeEnergy: model has ${model.units} units, an L=${L} lattice needs ${L * L}`);
  if (bond.states !== model.states) throw new RangeError(`variationalFreeEnergy: bond has q=${bond.states} states, model has ${model.states}`);
  const { units, states: q } = model;
  return map((input) => {
    const beta = input.beta ?? bond.beta;
    if (!(beta > 0)) throw new RangeError(`variationalFreeEnergy: beta must be > 0 at step ${input.step} (got ${beta})`);
    const s = model.sampleStates(batch, input.rng);
    const energy = latticeEnergyOfStates(s, L, bond);
    const x = tf.tensor2d(toOneHot(s, units, q), [batch, units * q]);
    const logq = model.logProb(x);
    const lq = logq.dataSync();
    const r = new Float64Array(batch);
    for (let k = 0; k < batch; k++) r[k] = beta * energy[k] + lq[k];
    const loss = tf.mean(tf.mul(tf.tensor1d(leaveOneOutAdvantage(r)), logq)) as tf.Scalar;
    const f = meanAndStderr(r);
    const e = meanAndStderr(energy);
    const lqStats = meanAndStderr(lq);
    const scalars = {
      free_energy: f.mean / beta / units,
      free_energy_stderr: f.stderr / beta / units,
      energy: e.mean / units,
      entropy: -lqStats.mean / units,
      beta,
    };
    return { ...input, loss, scalars, states: s, units, q };
  });
}
