/**
 * MCMC: kernels sharing one contract (`init(position) → state`, `step(rng, state) → {state, info}`),
 * the adaptation that wraps any of them, the operator that streams their draws, and diagnostics.
 */
export type { Kernel, KernelState, KernelInfo } from './kernel.ts';
export type { KernelParams, KernelFactory } from './kernelParams.ts';
export { leapfrog, createPhasePoint, copyPhasePoint, type PhasePoint } from './leapfrog.ts';
export { sampleMomentum, kineticEnergy, velocity } from './metric.ts';
export { hmc, type HmcOptions, type HmcState, type HmcInfo } from './hmc.ts';
export { nuts, type NutsOptions, type NutsState, type NutsInfo } from './nuts.ts';
export { dualAveraging, type DualAveraging, type DualAveragingOptions, type DualAveragingState } from './dualAveraging.ts';
export { findReasonableStepSize, type FindReasonableStepSizeOptions } from './findReasonableStepSize.ts';
export { windowSchedule, type WindowSchedule, type WindowScheduleOptions } from './windowSchedule.ts';
export { windowAdaptation, type WindowAdaptation, type WindowAdaptationOptions, type WindowAdaptationState } from './windowAdaptation.ts';
export { welfordInit, welfordAdd, welfordVariance, type WelfordState } from './welford.ts';
export { sampleChains, runChains, type SampleChainsOptions, type ChainsDraw, type ChainsResult } from './sampleChains.ts';
export * from './diagnostics/index.ts';
export { langevinStep, langevinLogProposal } from './langevinStep.ts';
export { ula, initLangevin, type UlaOptions, type LangevinState } from './ula.ts';
export { mala, type MalaOptions, type MalaInfo } from './mala.ts';
export { sgld, polynomialDecay, minibatchGradient, bananaMinibatchGradient, type PerDatumModel, type GradientEstimate, type SgldOptions, type SgldState, type SgldInfo } from './sgld.ts';
