import { tf } from '../../src/backend/tf.ts';
import type { SiteDistribution } from '../../src/autoregressive/SiteDistribution.ts';
import type { Bond } from '../../src/lattice/bond.ts';
import { allStates, toOneHot } from '../../src/lattice/configurations.ts';
import { latticeEnergyOfStates } from '../../src/lattice/latticeEnergy.ts';
import { logTransferWeightOf } from '../../src/lattice/transferWeight.ts';

/** All q^N one-hot configurations as a tensor [q^N, N·q]. */
export function allConfigurations(units: number, q: number): tf.Tensor2D {
  const s = allStates(units, q);
  return tf.tensor2d(toOneHot(s, units, q), [s.length / units, units * q]);
}

/** Exact KL(p‖p') of the transfer problem by enumeration, differentiable (for exact gradients). */
export function exactTransferKl(model: SiteDistribution, bond: Bond): tf.Scalar {
  const { units, states: q } = model;
  const s = allStates(units, q);
  const count = s.length / units;
  const logT = new Float32Array(count * count);
  for (let a = 0; a < count; a++) for (let b = 0; b < count; b++) logT[a * count + b] = logTransferWeightOf(s.subarray(a * units, (a + 1) * units), s.subarray(b * units, (b + 1) * units), bond);
  return tf.tidy(() => {
    const logp = model.logProb(allConfigurations(units, q));
    const logTp = tf.logSumExp(tf.add(tf.tensor2d(logT, [count, count]), tf.expandDims(logp, 0)), 1); // ln Σ_x' T(x,x') p(x')
    const logPPrime = tf.sub(logTp, tf.logSumExp(logTp));
    return tf.sum(tf.mul(tf.exp(logp), tf.sub(logp, logPPrime))) as tf.Scalar;
  });
}

/** Exact β·F_q = Σ_x q(x)[βE(x) + ln q(x)] of an L×L lattice by enumeration, differentiable. */
export function exactBetaFreeEnergy(model: SiteDistribution, L: number, bond: Bond, beta = bond.beta): tf.Scalar {
  const { units, states: q } = model;
  const energies = latticeEnergyOfStates(allStates(units, q), L, bond);
  return tf.tidy(() => {
    const logq = model.logProb(allConfigurations(units, q));
    return tf.sum(tf.mul(tf.exp(logq), tf.add(tf.mul(tf.tensor1d(Float32Array.from(energies)), beta), logq))) as tf.Scalar;
  });
}

/** Exact KL(p_model‖p_exact) over all configurations, p_exact given in enumeration order. */
export function exactKl(model: SiteDistribution, probs: ArrayLike<number>): number {
  const lp = tf.tidy(() => model.logProb(allConfigurations(model.units, model.states)));
  const v = lp.dataSync();
  lp.dispose();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i]) * (v[i] - Math.log(probs[i]));
  return s;
}

/** Flattened gradient of a scalar function of the variables. */
export function flatGradient(f: () => tf.Scalar, variables: tf.Variable[]): Float64Array {
  const { value, grads } = tf.variableGrads(f, variables);
  const out: number[] = [];
  for (const v of variables) out.push(...(grads[v.name] ? grads[v.name].dataSync() : new Float32Array(v.size)));
  tf.dispose([value, ...Object.values(grads)]);
  return Float64Array.from(out);
}
