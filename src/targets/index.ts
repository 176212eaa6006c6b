export type { LogDensity, Target } from './target.ts';
export { BananaPosterior, generateBananaData, type BananaPosteriorOptions } from './banana.ts';
export type { Axis, ExactPosterior2D } from './exactPosterior.ts';
export { bananaExact, type BananaExact, type BananaExactOptions } from './bananaExact.ts';
export {
  BANANA_GRID_NODES, bananaGrid, evaluateGrid, gridMarginalDensity,
  type BananaGridOptions, type GridMarginal, type GridOptions, type PosteriorGrid,
} from './posteriorGrid.ts';
export { binMasses, binnedKl, energyDistance, marginalW1, momentErrors, type MomentErrors } from './sampleDistance.ts';
export { erfc, normalCdf } from './normalCdf.ts';
export { gaussLegendre, type QuadratureRule } from './gaussLegendre.ts';
