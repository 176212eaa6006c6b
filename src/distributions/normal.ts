import { tf, type Tensor } from '../backend/tf.ts';
import { stopGradient } from '../backend/stopGradient.ts';
import type { Rng } from '../random/rng.ts';
import { extendedShape, type Distribution } from './distribution.ts';
import { checkParam, toParam, type ParamLike } from './parameter.ts';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Normal(loc, scale), elementwise over broadcast batch shape; event shape [].
 * rsample: loc + scale · ε with ε ~ N(0, 1), differentiable in loc and scale.
 *
 * @example
 *   const q = new Normal(mu, sigma, { validate: false });   // mu, sigma: [batch, zDim]
 *   const z = q.rsample([], rng);                          // [batch, zDim]
 */
export class Normal implements Distribution {
  readonly loc: Tensor;
  readonly scale: Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly hasRsample = true;
  private readonly ownedTensors: Tensor[] = [];

  /** @param scale standard deviation, > 0. */
  constructor(loc: ParamLike, scale: ParamLike, options: { validate?: boolean } = {}) {
    const l = toParam(loc);
    const s = toParam(scale);
    this.loc = l.tensor;
    this.scale = s.tensor;
    if (l.owned) this.ownedTensors.push(l.tensor);
    if (s.owned) this.ownedTensors.push(s.tensor);
    this.batchShape = tf.broadcast_util.assertAndGetBroadcastShape(this.loc.shape, this.scale.shape);
    if (options.validate ?? true) {
      checkParam('Normal', 'scale', this.scale, '> 0', (v) => v > 0);
      checkParam('Normal', 'loc', this.loc, 'finite', (v) => Number.isFinite(v));
    }
  }

  sample(sampleShape: readonly number[], rng: Rng): Tensor {
    return tf.tidy(() => stopGradient(this.rsample(sampleShape, rng)));
  }

  rsample(sampleShape: readonly number[], rng: Rng): Tensor {
    return tf.tidy(() => {
      const eps = tf.randomNormal(extendedShape(this, sampleShape), 0, 1, 'float32', rng.seed());
      return tf.add(this.loc, tf.mul(this.scale, eps));
    });
  }

  logProb(x: Tensor): Tensor {
    return tf.tidy(() => {
      const z = tf.div(tf.sub(x, this.loc), this.scale);
      return tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.log(this.scale), HALF_LOG_2PI));
    });
  }

  mean(): Tensor {
    return tf.tidy(() => tf.add(this.loc, tf.zeros(this.batchShape as number[])));
  }

  variance(): Tensor {
    return tf.tidy(() => tf.add(tf.square(this.scale), tf.zeros(this.batchShape as number[])));
  }

  entropy(): Tensor {
    return tf.tidy(() => tf.add(tf.log(tf.add(this.scale, tf.zeros(this.batchShape as number[]))), 0.5 + HALF_LOG_2PI));
  }

  dispose(): void {
    tf.dispose(this.ownedTensors);
  }
}
