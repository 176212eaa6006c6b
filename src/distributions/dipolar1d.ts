import { tf, type Tensor } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';
import { extendedShape, type Distribution } from './distribution.ts';
import { polarisationParam, xlogx, type ParamLike } from './parameter.ts';

/**
 * The d = 1 dipolar distribution: x = ±1 with p(x) = (1 + x m)/2, polarisation m ∈ [−1, 1].
 * A Bernoulli on {−1, +1}: mean m, variance 1 − m². Not reparameterisable (discrete).
 *
 * @example
 *   const d = new Dipolar1D([0.5, -1]);   // batchShape [2]
 *   d.sample([3], rng);                    // shape [3, 2], entries ±1
 */
export class Dipolar1D implements Distribution {
  readonly m: Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly hasRsample = false;
  private readonly owned: boolean;

  /** @param m polarisation, any shape (the batch shape), values in [−1, 1]. */
  constructor(m: ParamLike, options: { validate?: boolean } = {}) {
    const p = polarisationParam('Dipolar1D', m, options.validate ?? true);
    this.m = p.tensor;
    this.owned = p.owned;
    this.batchShape = this.m.shape;
  }

  sample(sampleShape: readonly number[], rng: Rng): Tensor {
    return tf.tidy(() => {
      const u = tf.randomUniform(extendedShape(this, sampleShape), 0, 1, 'float32', rng.seed());
      // x = +1 with probability (1 + m)/2: compare u against it.
      const pPlus = tf.div(tf.add(1, this.m), 2);
      return tf.sub(tf.mul(tf.cast(tf.less(u, pPlus), 'float32'), 2), 1);
    });
  }

  rsample(): Tensor {
    throw new Error('Dipolar1D: rsample is not available (discrete outcomes ±1 have no reparameterisation); use sample');
  }

  /** @param x outcomes ±1, shape [...sampleShape, ...batchShape]. */
  logProb(x: Tensor): Tensor {
    return tf.tidy(() => tf.sub(tf.log1p(tf.mul(x, this.m)), Math.LN2));
  }

  mean(): Tensor {
    return tf.clone(this.m);
  }

  variance(): Tensor {
    return tf.tidy(() => tf.sub(1, tf.square(this.m)));
  }

  /** Binary entropy −Σ p log p with p = (1 ± m)/2, finite at |m| = 1. */
  entropy(): Tensor {
    return tf.tidy(() => {
      const plus = tf.div(tf.add(1, this.m), 2);
      const minus = tf.div(tf.sub(1, this.m), 2);
      return tf.neg(tf.add(xlogx(plus), xlogx(minus)));
    });
  }

  dispose(): void {
    if (this.owned) this.m.dispose();
  }
}
