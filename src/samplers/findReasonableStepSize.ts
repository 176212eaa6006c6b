import type { Rng } from '../random/rng.ts';
import type { LogDensity } from '../targets/target.ts';
import type { KernelParams } from './kernelParams.ts';
import { createPhasePoint, leapfrog } from './leapfrog.ts';
import { kineticEnergy, sampleMomentum } from './metric.ts';
import { checkInRange, checkInverseMass, checkPosition, checkPositive } from './validate.ts';

export interface FindReasonableStepSizeOptions {
  /** One-step acceptance to bracket; default 0.8 (Stan's `init_stepsize`; Hoffman & Gelman use 0.5). */
  readonly acceptance?: number;
}

/**
 * A starting step size for adaptation (Hoffman & Gelman 2014, Algorithm 4, in Stan's form): from
 * `params.stepSize`, take one leapfrog step with fresh momentum p ~ N(0, M); if its acceptance
 * exp(H₀ − H₁) is above the threshold, keep doubling ε until it falls below, otherwise keep
 * halving until it rises above. Each trial costs one gradient evaluation.
 *
 * @param position where to probe, length dim (the chain's current point)
 * @returns the bracketing step size
 * @throws Error if ε passes 1e7 (a flat, improper direction) or underflows to 0 (a singular point)
 * @example
 *   const eps0 = findReasonableStepSize(target, rng, x0, { stepSize: 1, inverseMassDiag: ones });
 */
export function findReasonableStepSize(
  target: LogDensity,
  rng: Rng,
  position: Float64Array,
  params: KernelParams,
  options: FindReasonableStepSizeOptions = {},
): number {
  const fn = 'findReasonableStepSize';
  const dim = target.dim;
  checkPosition(fn, position, dim);
  checkPositive(fn, 'stepSize', params.stepSize);
  const inverseMassDiag = checkInverseMass(fn, params.inverseMassDiag, dim);
  const threshold = options.acceptance ?? 0.8;
  checkInRange(fn, 'acceptance', threshold, Number.MIN_VALUE, 1);
  const logThreshold = Math.log(threshold);

  const start = createPhasePoint(dim);
  start.position.set(position);
  start.logDensity = target.logDensityAndGrad(start.position, start.grad);
  if (!Number.isFinite(start.logDensity)) {
    throw new RangeError(`${fn}: log density must be finite at the position (got ${start.logDensity})`);
  }
  const z = createPhasePoint(dim);
  /** H₀ − H₁ of one leapfrog step of size eps with fresh momentum (−∞ when it leaves the support). */
  const trial = (eps: number): number => {
    z.position.set(start.position);
    z.grad.set(start.grad);
    z.logDensity = start.logDensity;
    sampleMomentum(rng, inverseMassDiag, z.momentum);
    const h0 = -z.logDensity + kineticEnergy(z.momentum, inverseMassDiag);
    leapfrog(target, z, eps, 1, inverseMassDiag);
    const h1 = -z.logDensity + kineticEnergy(z.momentum, inverseMassDiag);
    return Number.isNaN(h1) ? -Infinity : h0 - h1;
  };

  let eps = params.stepSize;
  const direction = trial(eps) > logThreshold ? 1 : -1;
  for (;;) {
    const deltaH = trial(eps);
    if (direction === 1 && !(deltaH > logThreshold)) break;
    if (direction === -1 && !(deltaH < logThreshold)) break;
    eps = direction === 1 ? 2 * eps : 0.5 * eps;
    if (eps > 1e7) throw new Error(`${fn}: step size grew past 1e7 — the target looks flat (improper) around [${Array.from(position).join(', ')}]`);
    if (eps === 0) throw new Error(`${fn}: step size underflowed to 0 — the target is singular around [${Array.from(position).join(', ')}]`);
  }
  return eps;
}
