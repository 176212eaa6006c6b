import type { Rng } from '../random/rng.ts';
import type { LogDensity } from '../targets/target.ts';
import type { Kernel, KernelInfo, KernelState } from './kernel.ts';
import { copyPhasePoint, createPhasePoint, leapfrog, type PhasePoint } from './leapfrog.ts';
import { kineticEnergy, sampleMomentum, velocity } from './metric.ts';
import { checkInteger, checkInverseMass, checkPosition, checkPositive } from './validate.ts';

export interface NutsOptions {
  /** Leapfrog step size ε, finite and > 0. */
  readonly stepSize: number;
  /** Diagonal of M⁻¹, length dim, entries > 0; default ones. */
  readonly inverseMassDiag?: ArrayLike<number>;
  /** Tree depth cap: at most 2^maxTreeDepth − 1 leapfrog steps per transition. Integer ≥ 1; default 10 (Stan, NumPyro). */
  readonly maxTreeDepth?: number;
  /** Energy error H(z) − H(z₀) above which a leaf is divergent and the trajectory stops; default 1000. */
  readonly divergenceThreshold?: number;
}

/** NUTS's state: the position with its cached log density and gradient. */
export interface NutsState extends KernelState {
  /** ∇ log p(position), length dim. */
  readonly gradient: Float64Array;
}

export interface NutsInfo extends KernelInfo {
  /**
   * Stan's `accept_stat__`: the mean over every leaf built (including those of a rejected last
   * subtree) of min(1, exp(H₀ − H(leaf))). Dual averaging targets this, not `accepted`.
   */
  readonly acceptance: number;
  /** Doublings kept: the trajectory has 2^treeDepth points unless it stopped inside a subtree. */
  readonly treeDepth: number;
  /** Leapfrog steps taken (= gradientEvaluations). */
  readonly numSteps: number;
  /** Hamiltonian of the returned point with its momentum (Stan's `energy__`, for E-BFMI). */
  readonly energy: number;
}

/** Scratch for one recursion level of `buildTree`: the outputs of its two half-subtrees. */
interface Level {
  readonly pInitEnd: Float64Array;
  readonly pSharpInitEnd: Float64Array;
  readonly rhoInit: Float64Array;
  readonly pFinalBeg: Float64Array;
  readonly pSharpFinalBeg: Float64Array;
  readonly rhoFinal: Float64Array;
  readonly proposeFinal: PhasePoint;
}

/**
 * The No-U-Turn sampler as Stan (≥ 2.22) and NumPyro run it (Hoffman & Gelman 2014; Betancourt
 * 2017, "A Conceptual Introduction to HMC", appendix A):
 *
 * - the trajectory doubles in a random direction until the generalised no-U-turn criterion
 *   p♯₋·ρ > 0 ∧ p♯₊·ρ > 0 fails, with ρ the sum of momenta over the (sub)tree and p♯ = M⁻¹p at
 *   its ends — checked on every subtree, on the merged tree, and (Stan 2.22's fix) on each half
 *   extended by one point of the other, which catches U-turns that hide between the halves;
 * - the draw is multinomial over the trajectory with weights exp(−H): uniform progressive
 *   sampling inside subtrees, *biased* progressive sampling (accept the new half with
 *   min(1, w_new / w_old)) when a subtree joins the tree, which favours points far from the start;
 * - a leaf with H − H₀ > divergenceThreshold (or NaN) marks the transition divergent and ends it;
 *   a subtree that diverges or U-turns inside is discarded whole.
 *
 * The recursion runs on buffers preallocated per depth, so a transition allocates only its
 * returned state and info, however long the trajectory.
 *
 * @param target log density and gradient on ℝ^dim
 * @example
 *   const kernel = nuts(target, { stepSize: 0.3, inverseMassDiag: [1, 4] });
 *   const { state, info } = kernel.step(rng, kernel.init(new Float64Array([0, 0])));
 *   info.treeDepth; info.numSteps; info.acceptance;
 */
export function nuts(target: LogDensity, options: NutsOptions): Kernel<NutsState, NutsInfo> {
  const fn = 'nuts';
  const dim = target.dim;
  checkInteger(fn, 'target.dim', dim, 1);
  checkPositive(fn, 'stepSize', options.stepSize);
  const inverseMassDiag = checkInverseMass(fn, options.inverseMassDiag, dim);
  const maxTreeDepth = options.maxTreeDepth ?? 10;
  checkInteger(fn, 'maxTreeDepth', maxTreeDepth, 1);
  const divergenceThreshold = options.divergenceThreshold ?? 1000;
  checkPositive(fn, 'divergenceThreshold', divergenceThreshold);
  const stepSize = options.stepSize;

  const vec = (): Float64Array => new Float64Array(dim);
  // The two ends of the trajectory are integrated in place; the sample and the subtree's proposal are copies.
  const zFwd = createPhasePoint(dim);
  const zBck = createPhasePoint(dim);
  const zSample = createPhasePoint(dim);
  const zPropose = createPhasePoint(dim);
  const rho = vec(), rhoFwd = vec(), rhoBck = vec();
  const pFwdFwd = vec(), pSharpFwdFwd = vec(), pFwdBck = vec(), pSharpFwdBck = vec();
  const pBckFwd = vec(), pSharpBckFwd = vec(), pBckBck = vec(), pSharpBckBck = vec();
  // levels[d] serves buildTree at depth d ≥ 1; grown on first use, so shallow targets never pay for depth 10.
  const levels: Level[] = [];
  const level = (depth: number): Level => {
    let l = levels[depth];
    if (l === undefined) {
      l = { pInitEnd: vec(), pSharpInitEnd: vec(), rhoInit: vec(), pFinalBeg: vec(), pSharpFinalBeg: vec(), rhoFinal: vec(), proposeFinal: createPhasePoint(dim) };
      levels[depth] = l;
    }
    return l;
  };

  // Per-transition accumulators, reset at the start of each step (Stan passes them by reference).
  let rng: Rng;
  let H0 = 0;
  let numSteps = 0;
  let sumMetroProb = 0;
  let divergent = false;
  // buildTree's second result: log Σ exp(H₀ − H) over the subtree it just built.
  let subtreeLogWeight = 0;

  /**
   * Builds a subtree of 2^depth leaves from `z` (advanced in place) in the direction of `eps`.
   * Writes: the multinomial proposal into `propose`; p and p♯ at the subtree's beginning (next to
   * the existing tree) and end; adds its momenta to `rhoAcc`; its log weight into subtreeLogWeight.
   * @returns whether the subtree is valid (no divergence, no U-turn inside)
   */
  function buildTree(
    depth: number, z: PhasePoint, propose: PhasePoint,
    pSharpBeg: Float64Array, pSharpEnd: Float64Array, rhoAcc: Float64Array,
    pBeg: Float64Array, pEnd: Float64Array, eps: number,
  ): boolean {
    if (depth === 0) {
      numSteps += leapfrog(target, z, eps, 1, inverseMassDiag);
      let h = -z.logDensity + kineticEnergy(z.momentum, inverseMassDiag);
      // NaN (and −∞, i.e. log p = +∞ from an improper target) count as infinite energy: weight 0, divergent.
      if (!(h > -Infinity)) h = Infinity;
      if (h - H0 > divergenceThreshold) divergent = true;
      const logWeight = H0 - h;
      subtreeLogWeight = logWeight;
      sumMetroProb += logWeight > 0 ? 1 : Math.exp(logWeight);
      copyPhasePoint(z, propose);
      const p = z.momentum;
      for (let i = 0; i < dim; i++) {
        const pi = p[i], sharp = inverseMassDiag[i] * pi;
        pSharpBeg[i] = sharp;
        pSharpEnd[i] = sharp;
        rhoAcc[i] += pi;
        pBeg[i] = pi;
        pEnd[i] = pi;
      }
      return !divergent;
    }

    const l = level(depth);
    for (let i = 0; i < dim; i++) l.rhoInit[i] = 0;
    if (!buildTree(depth - 1, z, propose, pSharpBeg, l.pSharpInitEnd, l.rhoInit, pBeg, l.pInitEnd, eps)) return false;
    const logWeightInit = subtreeLogWeight;
    for (let i = 0; i < dim; i++) l.rhoFinal[i] = 0;
    if (!buildTree(depth - 1, z, l.proposeFinal, l.pSharpFinalBeg, pSharpEnd, l.rhoFinal, l.pFinalBeg, pEnd, eps)) return false;
    const logWeightFinal = subtreeLogWeight;

    // Uniform progressive sampling inside a subtree: take the final half with probability w_final / (w_init + w_final).
    const logWeight = logAddExp(logWeightInit, logWeightFinal);
    subtreeLogWeight = logWeight;
    if (logWeightFinal > logWeight) {
      copyPhasePoint(l.proposeFinal, propose);
    } else if (rng.uniform() < Math.exp(logWeightFinal - logWeight)) {
      copyPhasePoint(l.proposeFinal, propose);
    }

    // No-U-turn on the merged subtree and on each half extended by the neighbouring point of the other.
    const { rhoInit, rhoFinal, pInitEnd, pSharpInitEnd, pFinalBeg, pSharpFinalBeg } = l;
    let begMerged = 0, endMerged = 0, begInitExt = 0, finalBegInitExt = 0, initEndFinalExt = 0, endFinalExt = 0;
    for (let i = 0; i < dim; i++) {
      const merged = rhoInit[i] + rhoFinal[i];
      rhoAcc[i] += merged;
      begMerged += pSharpBeg[i] * merged;
      endMerged += pSharpEnd[i] * merged;
      const initExt = rhoInit[i] + pFinalBeg[i];
      begInitExt += pSharpBeg[i] * initExt;
      finalBegInitExt += pSharpFinalBeg[i] * initExt;
      const finalExt = rhoFinal[i] + pInitEnd[i];
      initEndFinalExt += pSharpInitEnd[i] * finalExt;
      endFinalExt += pSharpEnd[i] * finalExt;
    }
    return begMerged > 0 && endMerged > 0 && begInitExt > 0 && finalBegInitExt > 0 && initEndFinalExt > 0 && endFinalExt > 0;
  }

  return {
    init(position: Float64Array): NutsState {
      checkPosition(`${fn}.init`, position, dim);
      const gradient = new Float64Array(dim);
      const q = Float64Array.from(position);
      const logDensity = target.logDensityAndGrad(q, gradient);
      if (!Number.isFinite(logDensity)) {
        throw new RangeError(`${fn}.init: log density must be finite at the initial position (got ${logDensity} at [${Array.from(position).join(', ')}])`);
      }
      return { position: q, logDensity, gradient };
    },

    step(stepRng: Rng, state: NutsState): { state: NutsState; info: NutsInfo } {
      rng = stepRng;
      assign(zFwd.position, state.position);
      assign(zFwd.grad, state.gradient);
      zFwd.logDensity = state.logDensity;
      sampleMomentum(rng, inverseMassDiag, zFwd.momentum);
      copyPhasePoint(zFwd, zBck);
      copyPhasePoint(zFwd, zSample);
      const p0 = zFwd.momentum;
      velocity(p0, inverseMassDiag, pSharpFwdFwd);
      assign(pSharpFwdBck, pSharpFwdFwd); assign(pSharpBckFwd, pSharpFwdFwd); assign(pSharpBckBck, pSharpFwdFwd);
      assign(pFwdFwd, p0); assign(pFwdBck, p0); assign(pBckFwd, p0); assign(pBckBck, p0);
      assign(rho, p0);

      H0 = -state.logDensity + kineticEnergy(p0, inverseMassDiag);
      let logWeight = 0; // log exp(H₀ − H₀): the initial point
      numSteps = 0;
      sumMetroProb = 0;
      divergent = false;
      let depth = 0;
      let moved = false;

      while (depth < maxTreeDepth) {
        zero(rhoFwd);
        zero(rhoBck);
        let valid: boolean;
        if (rng.uniform() > 0.5) {
          // Extend forwards: the old tree becomes the backward half.
          assign(rhoBck, rho); assign(pBckFwd, pFwdFwd); assign(pSharpBckFwd, pSharpFwdFwd);
          valid = buildTree(depth, zFwd, zPropose, pSharpFwdBck, pSharpFwdFwd, rhoFwd, pFwdBck, pFwdFwd, stepSize);
        } else {
          assign(rhoFwd, rho); assign(pFwdBck, pBckBck); assign(pSharpFwdBck, pSharpBckBck);
          valid = buildTree(depth, zBck, zPropose, pSharpBckFwd, pSharpBckBck, rhoBck, pBckFwd, pBckBck, -stepSize);
        }
        if (!valid) break;
        depth++;

        // Biased progressive sampling: move to the new subtree with probability min(1, w_new / w_old).
        const logWeightSubtree = subtreeLogWeight;
        if (logWeightSubtree > logWeight || rng.uniform() < Math.exp(logWeightSubtree - logWeight)) {
          copyPhasePoint(zPropose, zSample);
          moved = true;
        }
        logWeight = logAddExp(logWeight, logWeightSubtree);

        let bckMerged = 0, fwdMerged = 0, bckBckExt = 0, fwdBckExt = 0, bckFwdExt = 0, fwdFwdExt = 0;
        for (let i = 0; i < dim; i++) {
          const r = rhoBck[i] + rhoFwd[i];
          rho[i] = r;
          bckMerged += pSharpBckBck[i] * r;
          fwdMerged += pSharpFwdFwd[i] * r;
          const bckExt = rhoBck[i] + pFwdBck[i];
          bckBckExt += pSharpBckBck[i] * bckExt;
          fwdBckExt += pSharpFwdBck[i] * bckExt;
          const fwdExt = rhoFwd[i] + pBckFwd[i];
          bckFwdExt += pSharpBckFwd[i] * fwdExt;
          fwdFwdExt += pSharpFwdFwd[i] * fwdExt;
        }
        if (!(bckMerged > 0 && fwdMerged > 0 && bckBckExt > 0 && fwdBckExt > 0 && bckFwdExt > 0 && fwdFwdExt > 0)) break;
      }

      const acceptance = numSteps > 0 ? sumMetroProb / numSteps : 0;
      const energy = -zSample.logDensity + kineticEnergy(zSample.momentum, inverseMassDiag);
      const info: NutsInfo = { acceptance, accepted: moved, divergent, gradientEvaluations: numSteps, treeDepth: depth, numSteps, energy };
      if (!moved) return { state, info };
      return { state: { position: zSample.position.slice(), logDensity: zSample.logDensity, gradient: zSample.grad.slice() }, info };
    },
  };
}

/** log(eᵃ + eᵇ) without overflow; −∞ when both are −∞. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

// Element loops rather than TypedArray#set/#fill: a transition makes dozens of these copies of
// length-dim vectors, and for small dim the built-ins' call overhead dominates.
function assign(to: Float64Array, from: Float64Array): void {
  for (let i = 0; i < to.length; i++) to[i] = from[i];
}

function zero(a: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] = 0;
}
