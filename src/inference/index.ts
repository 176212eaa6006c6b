export { StageClock } from './stageClock.ts';
export { scoreSamples, type ExactReference } from './reference.ts';
export { fitFlow, drawWeighted, type FitFlowOptions } from './fitFlow.ts';
export { runMcmc, kernelFactory, type RunMcmcOptions } from './runMcmc.ts';
export { refineWithMcmc, doublingSchedule, type RefineOptions } from './refineWithMcmc.ts';
export { bananaFigures, writeBananaFigures } from './bananaFigures.ts';
export { encodeMoments, decodeMeans, type ImageVaePair } from './imageVaeMoments.ts';
export { imageVaeFigures, latentPlane, IMAGE_VAE_FIGURES, type ImageVaeFigure, type ImageVaeFiguresOptions } from './imageVaeFigures.ts';
export { testElbo, type TestElbo } from './testElbo.ts';
