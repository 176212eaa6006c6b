/**
 * Image figures of a run, as PNG files (fast-png): the sample grid, reconstructions beside their
 * originals, the 2-D latent traversal and the latent scatter. Each builder is a pure function from
 * arrays to PNG bytes; writePng puts them in the run directory atomically.
 */
export { tileGrid, type RasterImage, type TileGridOptions } from './tileGrid.ts';
export { encodePng, type PngChannels } from './encodePng.ts';
export { writePng } from './writePng.ts';
export { sampleGridPng, type ImageGridPngOptions } from './sampleGridPng.ts';
export { reconstructionsPng, type ReconstructionsPngOptions } from './reconstructionsPng.ts';
export { traversalLatents, traversalPng, type TraversalOptions } from './traversalPng.ts';
export { latentScatterPng, type LatentScatterPngOptions } from './latentScatterPng.ts';
export { TAB10 } from './palette.ts';
