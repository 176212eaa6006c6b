/**
 * Energy-based models of 2-D densities (Du & Mordatch 2019): toy data with exact densities, an
 * energy net, short-run Langevin from a replay buffer, the training step and operator, exact
 * normalisation on a grid and the scores and figures built on it.
 */
export { DEFAULT_BOX, boxArea, uniformInBox, type Box } from './box.ts';
export { type ToyDistribution } from './toyData.ts';
export { moons, type MoonsOptions } from './moons.ts';
export { rings, type RingsOptions } from './rings.ts';
export { checkerboard } from './checkerboard.ts';
export { curveLogDensity } from './curveDensity.ts';
export { toyDistribution, TOY_DATASETS, type ToyDatasetName } from './toyDatasets.ts';
export { EnergyNet } from './energyNet.ts';
export { shortRunLangevin, type EnergyGradient, type ShortRunLangevinOptions } from './shortRunLangevin.ts';
export { ReplayBuffer, type ReplayDraw } from './replayBuffer.ts';
export { ebmStep, type EbmStepInfo } from './ebmStep.ts';
export { ebmUpdates, type EbmStepInput, type EbmUpdate, type EbmUpdatesOptions } from './ebmUpdates.ts';
export { gridCentres, gridDensity, type GridDensity } from './gridDensity.ts';
export { densityScores, meanSe, type DensityScores } from './densityScores.ts';
export { chainsPng, densityPng, type ChainsFigureInput, type DensityFigureInput } from './ebmFigures.ts';
export { viridis } from './heatmap.ts';
