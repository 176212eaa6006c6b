/**
 * qubit-rx: the public API. Simulators, distributions, model stages, losses, optimisers and
 * metrics are plain classes and RxJS operators that compose with `pipe`.
 */
export { tf } from './backend/tf.ts';
export { selectBackend, BACKENDS, type BackendName, type BackendInfo } from './backend/selectBackend.ts';
export { Rng } from './random/rng.ts';

export * from './distributions/index.ts';
export * from './simulators/index.ts';

export { Encoder, type EncoderOptions, type Encoding } from './models/encoder.ts';
export { Decoder, type DecoderOptions, type Decoding } from './models/decoder.ts';
export { ReadoutDecoder, type ReadoutDecoderOptions } from './models/readoutDecoder.ts';
export { attentionPool, type PoolKernel, type AttentionPoolOp } from './models/attentionPool.ts';
export { AxisFrame, type AxisFrameOptions } from './models/axisFrame.ts';
export { Linear, affine } from './nn/linear.ts';
export { variablesOf, type Module } from './nn/module.ts';
export { Adam, type AdamOptions } from './optim/adam.ts';

export { toTensor, type Sample } from './operators/toTensor.ts';
export { imagesToTensor, type ImageSample } from './operators/imagesToTensor.ts';
export { encode } from './operators/encode.ts';
export { toFrame } from './operators/toFrame.ts';
export { sampleLatent, type Plan } from './operators/sampleLatent.ts';
export { decode } from './operators/decode.ts';
export { elbo, type ElboTerms } from './operators/elbo.ts';
export { minimize, runSync } from './operators/minimize.ts';
export { withSchedule, parseSchedule, constant, tanhWarmup, linearWarmup, type Schedule } from './operators/schedule.ts';
export { checkpointEvery } from './operators/checkpointEvery.ts';

export { histogram, type MetricRecord, type ScalarsRecord, type HistogramRecord, type TableRowRecord } from './metrics/records.ts';
export { vaeMetrics, evaluate, type VaeMetricsOptions, type VaeStep } from './metrics/vaeMetrics.ts';
export { latentBranchInformation } from './metrics/branchInformation.ts';
export { sensorSaliency, type SensorSaliency } from './metrics/sensorSaliency.ts';
export { axisAngle } from './metrics/axisAngle.ts';
export { assignmentAccuracy, bitLatentInformation } from './metrics/assignment.ts';
export { systemsMetrics, type SystemsMetricsOptions } from './metrics/systemsMetrics.ts';
export { linearFit } from './stats/regression.ts';
export { bimodalityCoefficient } from './stats/bimodality.ts';
export { fitGaussianMixture2 } from './stats/gaussianMixture2.ts';

export { openRun, persist, superviseRun, guardFinite, type Run } from './sinks/index.ts';

export * from './targets/index.ts';
export * from './data/index.ts';
export * from './flows/index.ts';
export * from './samplers/index.ts';
export * from './inference/index.ts';
export { iwaeBound, importanceEss, logMeanExp, flowIwae, type IwaeEstimate } from './objectives/iwae.ts';
export { trainingSteps } from './objectives/trainingSteps.ts';
export * from './models/image/index.ts';
export { sampleLatents, iwaeObjective, iwaeLogLikelihood, iwaeLogLikelihoods } from './objectives/iwaeObjective.ts';
export { imageVaeTerms, type ImageVaeStepTerms } from './metrics/imageVaeTerms.ts';
export { principalAxes } from './stats/principalAxes.ts';
export { encodeSafetensors, decodeSafetensors, saveSafetensors, loadSafetensors } from './checkpoint/safetensors.ts';
export * from './energy/index.ts';
export * from './ebm/index.ts';
