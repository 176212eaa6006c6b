import type { Kernel, KernelInfo, KernelState } from './kernel.ts';

/**
 * The tuning parameters that warm-up adapts, shared by every gradient-based kernel (HMC, NUTS,
 * MALA…): what BlackJAX's `window_adaptation` hands back as `parameters`.
 */
export interface KernelParams {
  /** Leapfrog step size ε > 0. */
  readonly stepSize: number;
  /** Diagonal of the inverse mass matrix M⁻¹ (≈ posterior variances after adaptation), length dim. */
  readonly inverseMassDiag: Float64Array;
}

/**
 * Builds a kernel from tuning parameters, closing over everything else (target, numSteps,
 * maxTreeDepth…). Adaptation and `sampleChains` take one of these, so HMC and NUTS share them:
 *
 * @example
 *   const makeKernel: KernelFactory<NutsState, NutsInfo> = (params) => nuts(target, params);
 */
export type KernelFactory<S extends KernelState = KernelState, I extends KernelInfo = KernelInfo> = (
  params: KernelParams,
) => Kernel<S, I>;
