/**
 * Seeds 003 (problem 4) and 004 on the operator toolkit: VAEs of MNIST-style images, trained by
 * the very pipeline that trains the qubit VAE — only the encoder, the decoder and the data differ.
 *
 *   minibatches (seeded shuffle, dynamic binarisation) ──imagesToTensor──►
 *     minimize( encode ▸ sampleLatent ▸ decode ▸ elbo )             (--objective elbo)
 *     minimize( encode ▸ sampleLatents(K) ▸ decode ▸ iwaeObjective ) (--objective iwae)
 *   ──imageVaeTerms──► at each epoch's last batch: test NLL by L_K (K = 1, 10, 100, 1000 from one
 *   set of draws), test ELBO, the four figures, checkpoint and safetensors weights ──► after the
 *   last epoch: L_K up to K = 5000 on a subset, the latents table
 *
 * Every stage is an RxJS operator or a plain function of the model; the run is a cold Observable
 * of metric records (scalars per epoch, rows of `test_nll` and `latents`).
 */
import { concat, concatMap, defer, EMPTY, pipe, type Observable, type OperatorFunction } from 'rxjs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { onHostMemory } from '../src/backend/hostMemory.ts';
import type { Tensor } from '../src/backend/tf.ts';
import { loadCheckpoint, restore, saveCheckpoint, snapshot } from '../src/checkpoint/checkpoint.ts';
import { encodeSafetensors } from '../src/checkpoint/safetensors.ts';
import { fixedBinarizedTestSet, TEST_BINARIZATION_SEED } from '../src/data/fixedBinarizedTestSet.ts';
import { subset, type ImageDataset } from '../src/data/imageDataset.ts';
import { minibatches } from '../src/data/minibatches.ts';
import type { Distribution } from '../src/distributions/distribution.ts';
import { encodeMoments } from '../src/inference/imageVaeMoments.ts';
import { imageVaeFigures } from '../src/inference/imageVaeFigures.ts';
import { testElbo } from '../src/inference/testElbo.ts';
import { imageVaeTerms } from '../src/metrics/imageVaeTerms.ts';
import type { MetricRecord, ScalarsRecord, TableRowRecord } from '../src/metrics/records.ts';
import type { Encoding } from '../src/models/encoder.ts';
import { imageVae, type ImageArchitecture, type ImageVae } from '../src/models/image/imageVae.ts';
import { variablesOf } from '../src/nn/module.ts';
import { iwaeLogLikelihoods, iwaeObjective } from '../src/objectives/iwaeObjective.ts';
import { decode } from '../src/operators/decode.ts';
import { elbo } from '../src/operators/elbo.ts';
import { encode } from '../src/operators/encode.ts';
import { imagesToTensor, type ImageSample } from '../src/operators/imagesToTensor.ts';
import { minimize } from '../src/operators/minimize.ts';
import { sampleLatent } from '../src/operators/sampleLatent.ts';
import { sampleLatents } from '../src/operators/sampleLatents.ts';
import { Adam } from '../src/optim/adam.ts';
import { Rng } from '../src/random/rng.ts';
import { writeFileAtomicSync } from '../src/sinks/writeFileAtomic.ts';

export const IMAGE_VAE_PIPELINE = 'image-vae';
export const ARCHITECTURES = ['mlp', 'mlp8', 'conv'] as const satisfies readonly ImageArchitecture[];
export const LIKELIHOODS = ['bernoulli', 'normal'] as const;
export const OBJECTIVES = ['elbo', 'iwae'] as const;
export type ImageLikelihood = (typeof LIKELIHOODS)[number];
export type ImageObjective = (typeof OBJECTIVES)[number];

/** The seeds' latent sizes: seed 003's MLP and the Keras conv VAE 2, seed 004's MLP 8. */
export const DEFAULT_LATENT: Record<ImageArchitecture, number> = { mlp: 2, mlp8: 8, conv: 2 };

export interface ImageVaeConfig {
  model: ImageArchitecture;
  /** bernoulli: binarised pixels (dynamic binarisation in training, one fixed binarisation of the test set); normal: grey levels, learned scale. */
  likelihood: ImageLikelihood;
  /** elbo: encode ▸ sampleLatent ▸ decode ▸ elbo; iwae: encode ▸ sampleLatents(k) ▸ decode ▸ iwaeObjective. */
  objective: ImageObjective;
  /** Importance samples K of the IWAE training objective (unused by elbo). */
  k: number;
  latent: number;
  batch: number;
  /** Total epochs (a resumed run continues up to this). */
  epochs: number;
  lr: number;
  /** K of the test NLLs reported every epoch, ascending; the largest K's samples serve every K (iwaeLogLikelihoods). */
  evalK: number[];
  /** Test images of the per-epoch evaluation: the first this many of the test set. */
  testSubset: number;
  /** The largest K, evaluated once after the last epoch (Burda et al.'s 5000). */
  finalK: number;
  /** Test images of the final evaluation: the first this many. */
  finalSubset: number;
  /** Draw the figures every this many epochs and after the last (0: only after the last). */
  figuresEvery: number;
  /** Train on the first this many training images (null: all). */
  trainSubset: number | null;
  /** Where the images came from: `shipped-digits`, or the --data directory. */
  data: string;
  seed: number;
}

/**
 * The default run: seed 003's MLP VAE on the shipped digits, Bernoulli likelihood, ELBO, Adam 1e-3,
 * batch 128 (66 full batches and one of 47 per epoch of the 8 495 training digits), 10 epochs.
 *
 * Evaluation sizes come from measurements on the 2-core wasm machine (MLP: 65–80 ms per step,
 * 4.3–5.4 s per epoch; L_K costs ≈ 60 µs per draw and image with the MLP decoder, 1.3 ms with the
 * conv decoder): the per-epoch L_1 … L_1000 on 50 test images take ≈ 3 s, the final L_5000 on 100
 * images ≈ 27 s, the whole default run ≈ 2 minutes. See MODEL_DEFAULTS for the other architectures.
 */
export const DEFAULT_CONFIG: ImageVaeConfig = {
  model: 'mlp',
  likelihood: 'bernoulli',
  objective: 'elbo',
  k: 5,
  latent: DEFAULT_LATENT.mlp,
  batch: 128,
  epochs: 10,
  lr: 1e-3,
  evalK: [1, 10, 100, 1000],
  testSubset: 50,
  finalK: 5000,
  finalSubset: 100,
  figuresEvery: 1,
  trainSubset: null,
  data: 'shipped-digits',
  seed: 1,
};

/**
 * Per-architecture defaults of what depends on the decoder's cost. The conv decoder costs ≈ 20× the
 * MLP's per draw (1.3 ms per draw and image on 2 wasm cores, 36 s per training epoch), so its
 * per-epoch evaluation stops at K = 100 (≈ 6 s on 50 images) and its final K = 5000 runs on 20 images (≈ 2 min).
 */
export const MODEL_DEFAULTS: Record<ImageArchitecture, Pick<ImageVaeConfig, 'latent' | 'evalK' | 'testSubset' | 'finalSubset'>> = {
  mlp: { latent: 2, evalK: [1, 10, 100, 1000], testSubset: 50, finalSubset: 100 },
  mlp8: { latent: 8, evalK: [1, 10, 100, 1000], testSubset: 50, finalSubset: 100 },
  conv: { latent: 2, evalK: [1, 10, 100], testSubset: 50, finalSubset: 20 },
};

/** Decoder rows per pass of the L_K evaluation: big passes run faster, the conv decoder's activations need small ones (512 rows ≈ 250 MB). */
const EVAL_CHUNK: Record<ImageArchitecture, number> = { mlp: 2048, mlp8: 2048, conv: 512 };

/**
 * Burda, Grosse & Salakhutdinov (2016), "Importance Weighted Autoencoders", Table 1: test NLL on
 * MNIST with dynamic binarisation, one stochastic layer of 50 units, trained ≈ 3 280 epochs, NLL
 * estimated with L_5000 on the 10 000 test images. The anchor runs are compared against, not a claim.
 */
export const BURDA_TABLE1 = Object.freeze({ vae: 86.76, iwae50: 84.78 });

/** The settings a checkpoint must share with the run that resumes it (the others may change: epochs, evaluation, figures). */
export const RESUME_KEYS = ['model', 'likelihood', 'objective', 'k', 'latent', 'batch', 'lr', 'trainSubset', 'data', 'seed'] as const;

/** Independent random streams of a run, all from its seed; the same for a fresh and a resumed run. */
export function streams(seed: number): { init: Rng; data: Rng; latent: Rng; evalSeed: number; figureSeed: number; finalSeed: number } {
  const root = new Rng(seed);
  return { init: root.fork(), data: root.fork(), latent: root.fork(), evalSeed: root.nextUint32(), figureSeed: root.nextUint32(), finalSeed: root.nextUint32() };
}

export interface ImageVaeData {
  train: ImageDataset;
  test: ImageDataset;
}

export interface ImageVaeModel extends ImageVae {
  readonly optimizer: Adam;
  /** The generator of the training latents; its state is checkpointed every epoch. */
  readonly rngs: { latent: Rng };
  /** Epochs trained so far (non-zero after resuming; advanced by the pipeline). */
  epoch: number;
  dispose(): void;
}

/**
 * The VAE of `config` for images of `rows` × `cols`, weights from the config's seed — or restored
 * from a checkpoint written by the pipeline (weights, Adam moments, latent generator, epoch), which
 * must have been written with the same RESUME_KEYS.
 *
 * @throws Error (one line) when the checkpoint cannot be read or was written with other settings
 */
export function createImageVae(config: ImageVaeConfig, shape: { rows: number; cols: number }, resumeFrom?: string): ImageVaeModel {
  const s = streams(config.seed);
  const vae = imageVae({ architecture: config.model, likelihood: config.likelihood, zDim: config.latent, rows: shape.rows, cols: shape.cols }, s.init);
  const { encoder, decoder } = vae;
  // On wasm and cpu the tensors live in host memory, and one host loop over the 0.8 M parameters
  // (mlp) replaces the device update's split, square and concat kernels over the flat vector.
  const optimizer = new Adam(variablesOf(encoder, decoder), { lr: config.lr, host: onHostMemory() });
  const dispose = () => {
    encoder.dispose();
    decoder.dispose();
    optimizer.dispose();
  };
  let latent = s.latent;
  let epoch = 0;
  if (resumeFrom != null) {
    try {
      const ckpt = loadCheckpoint(resumeFrom);
      for (const key of RESUME_KEYS) {
        const saved = JSON.stringify(ckpt.config[key]);
        if (saved !== JSON.stringify(config[key])) throw new Error(`checkpoint ${resumeFrom} was written with ${key} ${saved}, this run has ${JSON.stringify(config[key])}; resume with the same settings`);
      }
      const restored = restore(ckpt, [encoder, decoder], optimizer);
      if (restored.latent == null) throw new Error(`checkpoint ${resumeFrom} has no latent generator state: was it written by image-vae?`);
      latent = restored.latent;
      epoch = ckpt.step;
    } catch (err) {
      dispose();
      throw err;
    }
  }
  return { ...vae, optimizer, rngs: { latent }, epoch, dispose };
}

export interface ImageVaePipelineOptions {
  /**
   * The run directory: every epoch writes the four PNG figures, `weights.safetensors` and
   * `checkpoints/latest.json` there (synchronously, before the epoch's scalars are emitted, so an
   * interrupted run keeps the last finished epoch). Nothing is written without it.
   */
  dir?: string;
  /** Told the file name of each figure just written (e.g. the dashboard's `views.figure`). */
  onFigure?: (name: string) => void;
}

/** The context after the objective: what imageVaeTerms reads. */
type Trained = ImageSample & Encoding & { z: Tensor; p: Distribution; loss: Tensor; reconstruction?: Tensor; kl?: Tensor };

/** The differentiable stages of one training step, as `minimize` runs them. */
export function trainingForward(config: Pick<ImageVaeConfig, 'objective' | 'k'>, model: ImageVaeModel): OperatorFunction<ImageSample, Trained> {
  const { encoder, decoder, rngs } = model;
  return config.objective === 'iwae'
    ? (pipe(encode<ImageSample>(encoder), sampleLatents({ k: config.k, rng: rngs.latent }), decode(decoder), iwaeObjective()) as OperatorFunction<ImageSample, Trained>)
    : (pipe(encode<ImageSample>(encoder), sampleLatent({ plan: 'A', rng: rngs.latent }), decode(decoder), elbo()) as OperatorFunction<ImageSample, Trained>);
}

/** The first `n` images of `ds` (all of them when it has fewer). */
function firstImages(ds: ImageDataset, n: number): ImageDataset {
  return n >= ds.n ? ds : subset(ds, Array.from({ length: n }, (_, i) => i), `${ds.name}[0:${n}]`);
}

/** The 100 prior draws of the sample grid, [100, zDim], the same every epoch. */
function priorDraws(seed: number, zDim: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: 100 * zDim }, () => rng.normal());
}

/**
 * The run as a cold Observable of metric records. Subscribing trains from `model.epoch` up to
 * `config.epochs`; unsubscribing (Ctrl-C) stops after the current batch.
 *
 * Emits, per epoch, one `scalars` record at step = optimiser steps so far, with columns
 * - `epoch` (epochs done), `loss`, `reconstruction`, `kl`: training means per image over the epoch (nats);
 * - `test_nll_<K>`, `test_nll_<K>_se` for each K of `evalK`: −L_K on the first `testSubset` test images;
 *   `test_nll` and `iwae_k`: the largest K's estimate and that K;
 * - `test_elbo` (≈ −test_nll_1), `test_reconstruction`, `test_kl`: the ELBO by the training stages;
 * - `test_records`, `train_seconds` (the epoch's optimiser steps), `eval_seconds` (evaluation, figures, checkpoint);
 *
 * and after the last epoch the rows of table `test_nll` (k, nll, se, records, samples, epoch,
 * seconds: L_K for every K ≤ finalK on the first `finalSubset` test images, from finalK draws per
 * image) and of table `latents` (index, label, mu, sigma: q(z|x) of every test image).
 *
 * Test images are `fixedBinarizedTestSet(test)` (seed TEST_BINARIZATION_SEED) for a Bernoulli
 * decoder and the grey levels for a Normal one (whose NLL is a density on [0, 1]^pixels, not
 * comparable with a Bernoulli NLL).
 */
export function imageVaePipeline(config: ImageVaeConfig, data: ImageVaeData, model: ImageVaeModel, options: ImageVaePipelineOptions = {}): Observable<MetricRecord> {
  return defer(() => {
    const { encoder, decoder, optimizer } = model;
    const bernoulli = config.likelihood === 'bernoulli';
    const train = config.trainSubset == null ? data.train : firstImages(data.train, config.trainSubset);
    const testInputs = bernoulli ? fixedBinarizedTestSet(data.test, TEST_BINARIZATION_SEED) : data.test;
    const evalSet = firstImages(testInputs, config.testSubset);
    const finalSet = firstImages(testInputs, config.finalSubset);
    const evalK = [...new Set(config.evalK)].sort((a, b) => a - b);
    const seeds = streams(config.seed);
    const draws = priorDraws(seeds.figureSeed, config.latent);
    const { dir } = options;
    if (dir != null) mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    const startEpoch = model.epoch;
    const remaining = config.epochs - startEpoch;

    const writeWeights = () => {
      const tensors = Object.fromEntries(
        [encoder, decoder].flatMap((m) => m.namedVariables()).map(([name, v]) => [name, { dtype: 'F32' as const, shape: v.shape.slice(), data: v.dataSync() as Float32Array }]),
      );
      const metadata = { format: 'qubit-rx/1', architecture: config.model, likelihood: config.likelihood, latent: String(config.latent), rows: String(data.test.rows), cols: String(data.test.cols), epoch: String(model.epoch) };
      writeFileAtomicSync(join(dir!, 'weights.safetensors'), encodeSafetensors(tensors, metadata));
    };

    let sums = { loss: 0, reconstruction: 0, kl: 0, records: 0 };
    let epochStarted = performance.now();
    const endOfEpoch = (stepsDone: number, epoch: number): MetricRecord[] => {
      const trainSeconds = (performance.now() - epochStarted) / 1000;
      const evalStarted = performance.now();
      model.epoch = epoch;
      const values: Record<string, number> = {
        epoch,
        loss: sums.loss / sums.records,
        reconstruction: sums.reconstruction / sums.records,
        kl: sums.kl / sums.records,
      };
      const nlls = iwaeLogLikelihoods(model, evalSet, { ks: evalK, rng: new Rng(seeds.evalSeed), chunk: EVAL_CHUNK[config.model] });
      for (const r of nlls) {
        values[`test_nll_${r.k}`] = r.nll;
        values[`test_nll_${r.k}_se`] = r.standardError;
      }
      values.test_nll = nlls.at(-1)!.nll;
      values.iwae_k = nlls.at(-1)!.k;
      const te = testElbo(model, evalSet, new Rng(seeds.evalSeed + 1));
      Object.assign(values, { test_elbo: te.elbo, test_reconstruction: te.reconstruction, test_kl: te.kl, test_records: evalSet.n });
      if (dir != null) {
        const due = epoch === config.epochs || (config.figuresEvery > 0 && epoch % config.figuresEvery === 0);
        if (due) {
          for (const { name, png } of imageVaeFigures(model, testInputs, { epoch, priorDraws: draws })) {
            writeFileAtomicSync(join(dir, name), png);
            options.onFigure?.(name);
          }
        }
        writeWeights();
        saveCheckpoint(join(dir, 'checkpoints', 'latest.json'), snapshot(epoch, { ...config }, [encoder, decoder], optimizer, { latent: model.rngs.latent }));
      }
      values.train_seconds = trainSeconds;
      values.eval_seconds = (performance.now() - evalStarted) / 1000;
      sums = { loss: 0, reconstruction: 0, kl: 0, records: 0 };
      epochStarted = performance.now();
      return [{ kind: 'scalars', step: stepsDone, wallTime: Date.now(), values } satisfies ScalarsRecord];
    };

    const training$ =
      remaining <= 0
        ? EMPTY
        : minibatches(train, { batch: config.batch, epochs: remaining, shuffle: true, rng: seeds.data, binarize: bernoulli ? 'dynamic' : 'none', startEpoch }).pipe(
            imagesToTensor(),
            minimize(trainingForward(config, model), optimizer),
            imageVaeTerms(),
            concatMap((s): MetricRecord[] => {
              sums.loss += s.terms.loss;
              sums.reconstruction += s.terms.reconstruction;
              sums.kl += s.terms.kl;
              sums.records += s.terms.records;
              return s.isLastInEpoch ? endOfEpoch(s.step + 1, s.epoch + 1) : [];
            }),
          );

    const final$ = defer((): MetricRecord[] => {
      const started = performance.now();
      const ks = [...new Set([...evalK.filter((k) => k <= config.finalK), config.finalK])].sort((a, b) => a - b);
      const results = iwaeLogLikelihoods(model, finalSet, { ks, rng: new Rng(seeds.finalSeed), chunk: EVAL_CHUNK[config.model] });
      const seconds = (performance.now() - started) / 1000;
      const nllRows: TableRowRecord[] = results.map((r) => ({
        kind: 'row',
        table: 'test_nll',
        row: { k: r.k, nll: r.nll, se: r.standardError, records: finalSet.n, samples: config.finalK, epoch: model.epoch, seconds },
      }));
      const { mu, sigma } = encodeMoments(encoder, testInputs);
      const d = config.latent;
      const latentRows: TableRowRecord[] = Array.from({ length: testInputs.n }, (_, i) => ({
        kind: 'row',
        table: 'latents',
        row: { index: i, label: testInputs.labels[i], mu: mu.slice(i * d, (i + 1) * d), sigma: sigma.slice(i * d, (i + 1) * d) },
      }));
      return [...nllRows, ...latentRows];
    });

    return concat(training$, final$);
  });
}

/** Optimiser steps per epoch: ⌈training images / batch⌉ (the last batch may be smaller). */
export function stepsPerEpoch(config: Pick<ImageVaeConfig, 'batch' | 'trainSubset'>, train: Pick<ImageDataset, 'n'>): number {
  const n = config.trainSubset == null ? train.n : Math.min(config.trainSubset, train.n);
  return Math.ceil(n / config.batch);
}
