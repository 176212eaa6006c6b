import { map, type OperatorFunction } from 'rxjs';
import { meanStandardError } from '../stats/meanStandardError.ts';
import { tf, type Tensor } from '../backend/tf.ts';
import { tensorsIn, tidy } from '../backend/tensors.ts';
import type { ImageDataset } from '../data/imageDataset.ts';
import type { Distribution } from '../distributions/distribution.ts';
import type { Normal } from '../distributions/normal.ts';
import type { Encoding } from '../models/encoder.ts';
import type { Rng } from '../random/rng.ts';
import { logMeanExp } from './iwae.ts';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The importance-weighted bound (Burda et al. 2015) of a VAE on flat records x [batch, D] (images):
 *
 *   L_K(x) = log (1/K) Σ_k w_k,   log w_k = log p(x|z_k) + log N(z_k; 0, I) − log q(z_k|x),   z_k ~ q(z|x),
 *
 * L_1 is the single-sample ELBO (with a Monte-Carlo KL); L_1 ≤ L_K ≤ L_K′ ≤ log p(x) in expectation
 * for K ≤ K′ (seed 003 problem 2). As a training objective it replaces `elbo` after a K-sample
 * latent stage — the same pipeline with one stage swapped:
 *
 *   encode(encoder) ▸ sampleLatent({ plan: 'A', rng }) ▸ decode(decoder) ▸ elbo()
 *   encode(encoder) ▸ sampleLatents({ k, rng })      ▸ decode(decoder) ▸ iwaeObjective()
 *
 * Gradients are the plain reparameterised IWAE gradient (no DReG correction).
 */

// sampleLatents lives with the other latent stages; re-exported here, beside the objective it feeds.
export { sampleLatents } from '../operators/sampleLatents.ts';

export interface IwaeTerms {
  /** −Σ_batch L_K(x), a scalar: what the optimiser minimises. */
  loss: Tensor;
  /** log w_k per sample and record, [K, batch]. */
  logWeights: Tensor;
  /** L_K(x) per record, [batch] (float32 log-mean-exp of logWeights over K). */
  bound: Tensor;
}

/**
 * The IWAE objective: needs z [K, batch, zDim] (sampleLatents), p(x|z) with batch shape
 * [K, batch, ...] (decode), q(z|x) (encode) and the records x [batch, ...].
 *
 * @example
 *   const forward = pipe(encode(encoder), sampleLatents({ k: 5, rng: rng.fork() }), decode(decoder), iwaeObjective());
 *   batches$.pipe(minimize(forward, adam));
 */
export function iwaeObjective<T extends { x: Tensor; z: Tensor; p: Distribution; q: Normal }>(): OperatorFunction<T, T & IwaeTerms> {
  return map((ctx) => {
    if (ctx.z.rank !== 3) throw new RangeError(`iwaeObjective: z must have shape [K, batch, zDim] (sampleLatents; got [${ctx.z.shape.join(', ')}])`);
    const terms = tidy((): IwaeTerms => {
      const logWeights = logImportanceWeights(ctx.x, ctx.z, ctx.p, ctx.q);
      const k = ctx.z.shape[0] as number;
      const bound = tf.sub(tf.logSumExp(logWeights, 0), Math.log(k));
      return { loss: tf.neg(tf.sum(bound)), logWeights, bound };
    });
    return { ...ctx, ...terms };
  });
}

/**
 * log w = Σ log p(x|z) + Σ log N(z; 0, I) − Σ log q(z|x), summed over each record's axes.
 * @param x [batch, ...]   @param z [K, batch, zDim]   @returns [K, batch]
 */
function logImportanceWeights(x: Tensor, z: Tensor, p: Distribution, q: Normal): Tensor {
  return tf.tidy(() => {
    const lp = p.logProb(x); // [K, batch, ...]
    const logLik = lp.rank === 2 ? lp : tf.sum(lp, Array.from({ length: lp.rank - 2 }, (_, i) => i + 2));
    const logPrior = tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), 2)), HALF_LOG_2PI * (z.shape[2] as number));
    const logQ = tf.sum(q.logProb(z), 2);
    return tf.sub(tf.add(logLik, logPrior), logQ);
  });
}

export interface IwaeLogLikelihoodOptions {
  /** Importance samples per record, K ≥ 1 (5 000 in Burda et al.'s test log-likelihoods). */
  k: number;
  /** Randomness of the samples; pass a fixed seed for comparable numbers across epochs. */
  rng: Rng;
  /**
   * Decoder rows per pass (samples × records), the memory bound: a pass holds the decoder's
   * activations for this many latents. Default 512 (≈ 250 MB for the conv decoder, ≈ 6 MB for the MLP).
   */
  chunk?: number;
}

export interface IwaeLogLikelihood {
  k: number;
  /** −(1/n) Σ_records L_K(x): the test negative log-likelihood estimate, nats per record. */
  nll: number;
  /** Standard error of `nll` over records: sd of L_K(x) / √n (NaN with one record). */
  standardError: number;
  /** L_K(x) per record, shape [n]: the float64 log-mean-exp of its K log weights (iwaeLogLikelihoods: the mean over its groups of K). */
  bounds: Float64Array;
}

/**
 * Test negative log-likelihood estimated with L_K, K up to thousands, in bounded memory: records are
 * encoded in groups, their K samples decoded `chunk` rows at a time without gradients, and each
 * record's K log weights are reduced by logMeanExp in float64 (objectives/iwae.ts). An upper bound on
 * the true NLL in expectation, tightening as K grows.
 *
 * @param model the encoder and decoder of an image VAE (models/image/imageVae.ts)
 * @param data binarised images for a Bernoulli decoder (data/fixedBinarizedTestSet.ts), grey levels for a Normal one
 * @example
 *   const { nll } = iwaeLogLikelihood({ encoder, decoder }, fixedBinarizedTestSet(test), { k: 5000, rng: new Rng(0) });
 */
export function iwaeLogLikelihood(
  model: IwaeModel,
  data: Pick<ImageDataset, 'n' | 'rows' | 'cols' | 'images' | 'name'>,
  options: IwaeLogLikelihoodOptions,
): IwaeLogLikelihood {
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`iwaeLogLikelihood: k must be an integer ≥ 1 (got ${k})`);
  const bounds = new Float64Array(data.n);
  forEachRecordLogWeights('iwaeLogLikelihood', model, data, k, options, (r, logW) => {
    bounds[r] = logMeanExp(logW);
  });
  return summarise(k, bounds);
}

export interface IwaeLogLikelihoodsOptions extends Omit<IwaeLogLikelihoodOptions, 'k'> {
  /** The K of the bounds L_K to estimate, each an integer in [1, max K]; max K samples are drawn per record. */
  ks: readonly number[];
}

/**
 * Test NLLs for several K from one set of draws: max K log weights per record (drawn exactly as
 * iwaeLogLikelihood draws them for k = max K), and for each K the record's L_K estimated as the
 * mean over its ⌊max K / K⌋ disjoint groups of K consecutive weights of log (1/K) Σ_group w —
 * unbiased for L_K, and far less noisy than one group (L_1 is the mean of all max K single-sample
 * ELBOs). When each K divides the next (1, 10, 100, 1000, 5000), the groups nest, and since a log-mean-exp
 * over a union of groups is ≥ the mean of the groups' log-mean-exps (concavity of log), every
 * record's estimates are ordered exactly: L_1 ≤ L_10 ≤ … ≤ L_max — what the bound guarantees in
 * expectation, visible here without Monte Carlo noise.
 *
 * @returns one estimate per K, in the order of `ks`; `bounds` are the per-record L_K estimates
 * @example
 *   const [l1, l10, l100] = iwaeLogLikelihoods({ encoder, decoder }, testB, { ks: [1, 10, 100], rng: new Rng(0) });
 *   l100.nll <= l1.nll;   // true
 */
export function iwaeLogLikelihoods(
  model: IwaeModel,
  data: Pick<ImageDataset, 'n' | 'rows' | 'cols' | 'images' | 'name'>,
  options: IwaeLogLikelihoodsOptions,
): IwaeLogLikelihood[] {
  const { ks } = options;
  if (ks.length === 0) throw new RangeError('iwaeLogLikelihoods: ks must name at least one K (got [])');
  for (const k of ks) if (!Number.isInteger(k) || k < 1) throw new RangeError(`iwaeLogLikelihoods: every K must be an integer ≥ 1 (got ${k} in [${ks.join(', ')}])`);
  const kmax = Math.max(...ks);
  const bounds = ks.map(() => new Float64Array(data.n));
  forEachRecordLogWeights('iwaeLogLikelihoods', model, data, kmax, options, (r, logW) => {
    ks.forEach((k, j) => {
      const groups = Math.floor(kmax / k);
      let s = 0;
      for (let g = 0; g < groups; g++) s += logMeanExp(logW.subarray(g * k, (g + 1) * k));
      bounds[j][r] = s / groups;
    });
  });
  return ks.map((k, j) => summarise(k, bounds[j]));
}

/** What the estimators need of a VAE: an encoder and a decoder. */
type IwaeModel = { encoder: { apply(x: Tensor): Encoding }; decoder: { apply(z: Tensor): { p: Distribution } } };

/**
 * Draws k log weights for every record of `data`, in bounded memory, and hands each record's
 * (float64, in draw order) to `onRecord` — the loop both estimators share, so that they draw the
 * same samples from the same generator state.
 */
function forEachRecordLogWeights(
  fn: string,
  model: IwaeModel,
  data: Pick<ImageDataset, 'n' | 'rows' | 'cols' | 'images' | 'name'>,
  k: number,
  options: { rng: Rng; chunk?: number },
  onRecord: (record: number, logW: Float64Array) => void,
): void {
  const { rng } = options;
  const chunk = options.chunk ?? 512;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`${fn}: chunk must be an integer ≥ 1 (got ${chunk})`);
  if (data.n < 1) throw new RangeError(`${fn}: ${data.name} has no records`);
  const pixels = data.rows * data.cols;
  // Either several records share a pass (K < chunk) or one record's samples span several passes.
  const samplesPerPass = Math.min(k, chunk);
  const recordsPerPass = Math.max(1, Math.floor(chunk / samplesPerPass));
  const logW = new Float64Array(recordsPerPass * k);
  for (let start = 0; start < data.n; start += recordsPerPass) {
    const b = Math.min(recordsPerPass, data.n - start);
    const x = tf.tensor2d(data.images.subarray(start * pixels, (start + b) * pixels), [b, pixels]);
    const encoding = model.encoder.apply(x);
    const { q } = encoding;
    try {
      for (let s = 0; s < k; s += samplesPerPass) {
        const m = Math.min(samplesPerPass, k - s);
        const w = tf.tidy(() => {
          const z = q.sample([m], rng);
          return logImportanceWeights(x, z, model.decoder.apply(z).p, q);
        });
        const values = w.dataSync(); // [m, b]
        w.dispose();
        for (let i = 0; i < m; i++) for (let r = 0; r < b; r++) logW[r * k + s + i] = values[i * b + r];
      }
    } finally {
      tf.dispose([x, ...tensorsIn(encoding)]);
    }
    for (let r = 0; r < b; r++) onRecord(start + r, logW.subarray(r * k, (r + 1) * k));
  }
}

/** NLL and its standard error over records from per-record bounds. */
function summarise(k: number, bounds: Float64Array): IwaeLogLikelihood {
  const { mean, standardError } = meanStandardError(bounds);
  return { k, nll: -mean, standardError, bounds };
}
