/** Autoregressive models over lattice configurations (seed 002). */
export { autoregressiveMask, visibleUnits } from './autoregressiveMask.ts';
export { AutoregressiveLinear, type AutoregressiveLinearOptions } from './AutoregressiveLinear.ts';
export { AutoregressiveModel, type Activation, type AutoregressiveModelOptions } from './AutoregressiveModel.ts';
export { ancestralSampleJs, type AutoregressiveWeights } from './ancestralSampleJs.ts';
export { CyclicSymmetrized } from './CyclicSymmetrized.ts';
export { gumbelMax, gumbelNoise, gumbelSoftmax, straightThrough } from './gumbelSoftmax.ts';
export { matMulExplicitGrad } from '../nn/matMulExplicitGrad.ts';
export type { RelaxedSiteDistribution, RsampleOptions, SiteDistribution } from './SiteDistribution.ts';
