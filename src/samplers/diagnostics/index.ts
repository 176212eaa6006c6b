export { essBasic, essBulk, essTail, effectiveSampleSize } from './ess.ts';
export { splitRhat, rankNormalizedSplitRhat, rhat } from './rhat.ts';
export { mcse } from './mcse.ts';
export { summarizeChains, type ParameterSummary, type ChainSummary, type ChainsSummary } from './summarizeChains.ts';
export { autocovariance } from './autocovariance.ts';
export { normalQuantile } from './normalQuantile.ts';
export { rankNormalize, splitChains, type Chains } from './chains.ts';
