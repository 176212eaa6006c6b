import { tf, type Tensor } from '../backend/tf.ts';
import { tensorHostKernels } from '../backend/hostKernels.ts';
import type { Rng } from '../random/rng.ts';
import { bernoulliLogProbHost } from './bernoulliLogProbHost.ts';
import { extendedShape, type Distribution } from './distribution.ts';
import { checkParam, toParam, type ParamLike } from './parameter.ts';

/**
 * Bernoulli on {0, 1}, parameterised by logits l = log(p / (1 − p)), elementwise over the batch
 * shape (the logits' shape); event shape []. The image VAEs' pixel likelihood: a decoder emits
 * logits, never probabilities, so that no sigmoid saturates to exactly 0 or 1.
 *
 * log p(x) = x·l − softplus(l) = −softplus((1 − 2x)·l) for x ∈ {0, 1}: written as the second form,
 * one softplus of the "wrong-way" logit, which TF.js evaluates stably (log p(1) = −softplus(−l) stays
 * accurate for l ≫ 1, where x·l − softplus(l) would cancel two large numbers). Its gradient in l is
 * x − sigmoid(l), bounded for any logit. Not reparameterisable (discrete).
 *
 * @example
 *   const p = new Bernoulli(logits, { validate: false });   // logits: [batch, 784]
 *   p.logProb(x);                                           // x ∈ {0, 1}, [batch, 784] → [batch, 784]
 */
export class Bernoulli implements Distribution {
  readonly logits: Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly hasRsample = false;
  private readonly owned: boolean;

  /**
   * @param logits any shape (the batch shape); finite or ±Infinity (p = 1 or 0), never NaN.
   * @param options.validate check the logits (reads them back: a sync); default true. Decoders pass false.
   */
  constructor(logits: ParamLike, options: { validate?: boolean } = {}) {
    const p = toParam(logits);
    if (options.validate ?? true) {
      try {
        checkParam('Bernoulli', 'logits', p.tensor, 'a number (not NaN)', (v) => !Number.isNaN(v));
      } catch (err) {
        if (p.owned) p.tensor.dispose();
        throw err;
      }
    }
    this.logits = p.tensor;
    this.owned = p.owned;
    this.batchShape = this.logits.shape;
  }

  /** Draws in {0, 1}: x = 1 when u < sigmoid(l), u ~ U(0, 1). */
  sample(sampleShape: readonly number[], rng: Rng): Tensor {
    return tf.tidy(() => {
      const u = tf.randomUniform(extendedShape(this, sampleShape), 0, 1, 'float32', rng.seed());
      return tf.cast(tf.less(u, tf.sigmoid(this.logits)), 'float32');
    });
  }

  rsample(): Tensor {
    throw new Error('Bernoulli: rsample is not available (outcomes in {0, 1} have no reparameterisation); use sample');
  }

  /**
   * @param x outcomes in {0, 1}, shape broadcastable against the batch shape, e.g. [...sampleShape, ...batchShape]
   *          or a batch of images [batch, pixels] against logits [K, batch, pixels]. Grey levels are
   *          outside the support: binarise them first (data/binarize.ts).
   */
  logProb(x: Tensor): Tensor {
    // On host-memory backends with the host kernels: one fused op (bernoulliLogProbHost.ts).
    const kernels = tensorHostKernels();
    const fused = kernels ? bernoulliLogProbHost(kernels, this.logits, x) : null;
    return fused ?? tf.tidy(() => tf.neg(tf.softplus(tf.mul(tf.sub(1, tf.mul(2, x)), this.logits))));
  }

  /** p = sigmoid(l). */
  mean(): Tensor {
    return tf.sigmoid(this.logits);
  }

  /** p(1 − p). */
  variance(): Tensor {
    return tf.tidy(() => {
      const p = tf.sigmoid(this.logits);
      return tf.mul(p, tf.sub(1, p));
    });
  }

  /** −p log p − (1 − p) log(1 − p) = p·softplus(−l) + (1 − p)·softplus(l), finite for every finite logit. */
  entropy(): Tensor {
    return tf.tidy(() => {
      const p = tf.sigmoid(this.logits);
      return tf.add(tf.mul(p, tf.softplus(tf.neg(this.logits))), tf.mul(tf.sub(1, p), tf.softplus(this.logits)));
    });
  }

  dispose(): void {
    if (this.owned) this.logits.dispose();
  }
}
