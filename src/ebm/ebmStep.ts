import { tf, type Tensor } from '../backend/tf.ts';
import { variablesOf } from '../nn/module.ts';
import type { Adam } from '../optim/adam.ts';
import type { EnergyNet } from './energyNet.ts';

/** What one EBM update measured (host numbers; no tensors escape). */
export interface EbmStepInfo {
  /** The minimised loss: e_data − e_sample + α (mean E(data)² + mean E(samples)²). */
  readonly loss: number;
  /** Mean energy of the data batch. */
  readonly eData: number;
  /** Mean energy of the Langevin samples. */
  readonly eSample: number;
}

/**
 * One maximum-likelihood step of the EBM (Du & Mordatch 2019, eq. 2 with their regulariser):
 *
 *   L(θ) = mean E_θ(x⁺) − mean E_θ(x⁻) + α (mean E_θ(x⁺)² + mean E_θ(x⁻)²),
 *
 * with x⁺ data and x⁻ samples of the model (held fixed: no gradient flows into the sampler). The
 * first two terms' gradient is an estimate of ∇θ of the negative log-likelihood when x⁻ ~ p_θ; the
 * α term keeps the energies near 0, because E is otherwise free up to a constant and a drifting
 * offset makes the gradients' scale drift too. One Adam update of θ.
 *
 * @param data x⁺, shape [b, 2]   @param samples x⁻, shape [m, 2]
 */
export function ebmStep(net: EnergyNet, optimizer: Adam, data: Tensor, samples: Tensor, alpha: number): EbmStepInfo {
  if (!(alpha >= 0 && Number.isFinite(alpha))) throw new RangeError(`ebmStep: alpha must be a finite number ≥ 0 (got ${alpha})`);
  const vars = variablesOf(net);
  const parts = { eData: 0, eSample: 0 };
  const { value, grads } = tf.variableGrads(() => {
    const ePos = net.energy(data);
    const eNeg = net.energy(samples);
    const mPos = tf.mean(ePos);
    const mNeg = tf.mean(eNeg);
    // dataSync inside: the numbers are needed anyway, and reading them here keeps one forward pass.
    parts.eData = mPos.dataSync()[0];
    parts.eSample = mNeg.dataSync()[0];
    const reg = tf.mul(tf.add(tf.mean(tf.square(ePos)), tf.mean(tf.square(eNeg))), alpha);
    return tf.add(tf.sub(mPos, mNeg), reg) as tf.Scalar;
  }, vars);
  const ordered = vars.map((v) => grads[v.name]);
  optimizer.apply(ordered);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...ordered]);
  return { loss, ...parts };
}
