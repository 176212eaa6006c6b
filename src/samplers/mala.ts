import type { Rng } from '../random/rng.ts';
import type { LogDensity } from '../targets/target.ts';
import type { Kernel, KernelInfo } from './kernel.ts';
import { langevinLogProposal, langevinStep } from './langevinStep.ts';
import { allFinite, initLangevin, type LangevinState } from './ula.ts';
import { checkInteger, checkInverseMass, checkPositive } from './validate.ts';

export interface MalaOptions {
  /** Langevin step size ε, finite and > 0. */
  readonly stepSize: number;
  /** Diagonal of the preconditioner M⁻¹, length dim, entries > 0; default ones. */
  readonly inverseMassDiag?: ArrayLike<number>;
}

export interface MalaInfo extends KernelInfo {
  /** log of the Metropolis–Hastings ratio, log p(x') + log q(x | x') − log p(x) − log q(x' | x); NaN or −∞ off the support. */
  readonly logAcceptanceRatio: number;
}

/**
 * The Metropolis-adjusted Langevin algorithm (Roberts & Tweedie 1996; BlackJAX's `mala`): the
 * ULA proposal x' ~ q(· | x) = N(x + ε M⁻¹∇log p(x), 2ε M⁻¹), accepted with probability
 *
 *   min(1, p(x') q(x | x') / (p(x) q(x' | x))),
 *
 * which makes p exactly invariant for every ε. The proposal is not symmetric — the reverse
 * density uses the gradient at x' — so neither density may be dropped. On rejection the returned
 * state is the input state. A proposal with non-finite log density or gradient is divergent and
 * never accepted.
 *
 * Random numbers per transition, in order: dim normals (proposal), one uniform (accept test).
 *
 * @param target log density and gradient on ℝ^dim
 * @example
 *   const kernel = mala(target, { stepSize: 0.05, inverseMassDiag: [1, 0.25] });
 *   const { state, info } = kernel.step(rng, kernel.init(new Float64Array([0, 0])));   // info.acceptance
 */
export function mala(target: LogDensity, options: MalaOptions): Kernel<LangevinState, MalaInfo> {
  const fn = 'mala';
  const dim = target.dim;
  checkInteger(fn, 'target.dim', dim, 1);
  checkPositive(fn, 'stepSize', options.stepSize);
  const inverseMassDiag = checkInverseMass(fn, options.inverseMassDiag, dim);
  const { stepSize } = options;
  // One working proposal per kernel; an accepted state copies out of it.
  const proposal = new Float64Array(dim);
  const proposalGrad = new Float64Array(dim);

  return {
    init: (position) => initLangevin(fn, target, position),

    step(rng: Rng, state: LangevinState): { state: LangevinState; info: MalaInfo } {
      langevinStep(rng, state.position, state.gradient, stepSize, inverseMassDiag, proposal);
      const logDensity = target.logDensityAndGrad(proposal, proposalGrad);
      const finite = Number.isFinite(logDensity) && allFinite(proposalGrad);
      const logAcceptanceRatio = finite
        ? logDensity - state.logDensity
          + langevinLogProposal(state.position, proposal, proposalGrad, stepSize, inverseMassDiag)
          - langevinLogProposal(proposal, state.position, state.gradient, stepSize, inverseMassDiag)
        : Number.NaN;
      const acceptance = finite ? Math.min(1, Math.exp(logAcceptanceRatio)) : 0;
      const accepted = rng.uniform() < acceptance;
      const divergent = !finite;
      if (!accepted) return { state, info: { acceptance, accepted, divergent, gradientEvaluations: 1, logAcceptanceRatio } };
      const next: LangevinState = { position: proposal.slice(), logDensity, gradient: proposalGrad.slice() };
      return { state: next, info: { acceptance, accepted, divergent, gradientEvaluations: 1, logAcceptanceRatio } };
    },
  };
}
