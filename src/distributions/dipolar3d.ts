import { tf, type Tensor } from '../backend/tf.ts';
import { stopGradient } from '../backend/stopGradient.ts';
import type { Rng } from '../random/rng.ts';
import { extendedShape, type Distribution } from './distribution.ts';
import { polarisationParam, type ParamLike } from './parameter.ts';

const LOG_4PI = Math.log(4 * Math.PI);

/**
 * The d = 3 dipolar distribution on the unit sphere: p(x) = (1 + x₃ m)/(4π), m ∈ [−1, 1].
 * Mean (0, 0, m/3); variance (1/3, 1/3, 1/3 − m²/9).
 *
 * Sampler (the seed's): x₃ by inverse CDF of the marginal (1 + m x₃)/2,
 *   x₃ = (m − 2 + 4u)/(1 + √((m − 1)² + 4 m u)),   u ~ U(0, 1),
 * which is the root of m x₃²/2 + x₃ + 1 − m/2 − 2u = 0 rationalised so m → 0 is finite;
 * then an azimuth θ ~ U(0, 2π): x₁ + i x₂ = e^{iθ} √(1 − x₃²). The map is smooth in m,
 * so `rsample` is differentiable in m.
 *
 * @example
 *   new Dipolar3D([1, 0.5, 0, -1]).sample([2], rng);   // shape [2, 4, 3]
 */
export class Dipolar3D implements Distribution {
  readonly m: Tensor;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [3];
  readonly hasRsample = true;
  private readonly owned: boolean;

  /** @param m polarisation, any shape (the batch shape), values in [−1, 1]. */
  constructor(m: ParamLike, options: { validate?: boolean } = {}) {
    const p = polarisationParam('Dipolar3D', m, options.validate ?? true);
    this.m = p.tensor;
    this.owned = p.owned;
    this.batchShape = this.m.shape;
  }

  sample(sampleShape: readonly number[], rng: Rng): Tensor {
    return tf.tidy(() => stopGradient(this.rsample(sampleShape, rng)));
  }

  /** @returns unit vectors, shape [...sampleShape, ...batchShape, 3]. */
  rsample(sampleShape: readonly number[], rng: Rng): Tensor {
    return tf.tidy(() => {
      const shape = [...sampleShape, ...this.batchShape];
      const u = tf.randomUniform(shape, 0, 1, 'float32', rng.seed());
      const theta = tf.randomUniform(shape, 0, 2 * Math.PI, 'float32', rng.seed());
      const m = this.m;
      const root = tf.sqrt(tf.add(tf.square(tf.sub(m, 1)), tf.mul(tf.mul(4, m), u)));
      const x3 = tf.clipByValue(tf.div(tf.add(tf.sub(m, 2), tf.mul(4, u)), tf.add(1, root)), -1, 1);
      const rho = tf.sqrt(tf.relu(tf.sub(1, tf.square(x3))));
      return tf.stack([tf.mul(rho, tf.cos(theta)), tf.mul(rho, tf.sin(theta)), x3], -1);
    });
  }

  /** @param x unit vectors, shape [...sampleShape, ...batchShape, 3]; density w.r.t. the sphere's area. */
  logProb(x: Tensor): Tensor {
    return tf.tidy(() => {
      // x₃ by a [3, 1] selector matMul: exact, and ~10× faster on wasm than a strided slice.
      const x3 = tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), tf.tensor2d([0, 0, 1], [3, 1])), x.shape.slice(0, -1));
      return tf.sub(tf.log1p(tf.mul(x3, this.m)), LOG_4PI);
    });
  }

  mean(): Tensor {
    return tf.tidy(() => {
      const zero = tf.zerosLike(this.m);
      return tf.stack([zero, zero, tf.div(this.m, 3)], -1);
    });
  }

  variance(): Tensor {
    return tf.tidy(() => {
      const third = tf.fill(this.m.shape, 1 / 3);
      return tf.stack([third, third, tf.sub(1 / 3, tf.div(tf.square(this.m), 9))], -1);
    });
  }

  /**
   * S(m) = log 4π + 1/2 − (1+m)² log(1+m)/(4m) + (1−m)² log(1−m)/(4m);
   * near m = 0 the series log 4π − m²/6 − m⁴/60 − m⁶/210 avoids 0/0.
   */
  entropy(): Tensor {
    return tf.tidy(() => {
      const m = this.m;
      const small = tf.less(tf.abs(m), 1e-2);
      const ms = tf.where(small, tf.onesLike(m).mul(0.5), m);
      const h = (s: Tensor) => {
        const pos = tf.greater(s, 0);
        return tf.where(pos, tf.mul(tf.square(s), tf.log(tf.where(pos, s, tf.onesLike(s)))), tf.zerosLike(s));
      };
      const closed = tf.add(LOG_4PI + 0.5, tf.div(tf.sub(h(tf.sub(1, ms)), h(tf.add(1, ms))), tf.mul(4, ms)));
      const m2 = tf.square(m);
      const series = tf.sub(LOG_4PI, tf.mul(m2, tf.add(1 / 6, tf.mul(m2, tf.add(1 / 60, tf.mul(m2, 1 / 210))))));
      return tf.where(small, series, closed);
    });
  }

  dispose(): void {
    if (this.owned) this.m.dispose();
  }
}
