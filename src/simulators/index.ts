export { Apparatus, SCHEMES } from './apparatus.ts';
export type { ApparatusConfig, ApparatusParams, SampleWithLogProb, Scheme } from './apparatus.ts';
export { apparatusSource } from './apparatusSource.ts';
export type { ApparatusBatch, ApparatusSourceOptions } from './apparatusSource.ts';
export { exactMoments } from './exactMoments.ts';
export type { ExactMoments } from './exactMoments.ts';
export { sumDistribution } from './sumDistribution.ts';
export type { SumDistribution } from './sumDistribution.ts';
