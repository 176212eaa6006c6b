import { tf, type Tensor } from '../backend/tf.ts';
import type { Distribution } from './distribution.ts';
import { Normal } from './normal.ts';

type Ctor<T> = abstract new (...args: never[]) => T;
type KLFn = (p: Distribution, q: Distribution) => Tensor;

/**
 * KL(p‖q) in closed form through a registry keyed by the pair of classes (torch.distributions' kl.py).
 * A missing pair is an error naming both; `monteCarloKL` covers the rest.
 */
export class KLRegistry {
  private readonly table = new Map<Function, Map<Function, KLFn>>();

  register<P extends Distribution, Q extends Distribution>(p: Ctor<P>, q: Ctor<Q>, fn: (p: P, q: Q) => Tensor): this {
    if (!this.table.has(p)) this.table.set(p, new Map());
    this.table.get(p)!.set(q, fn as KLFn);
    return this;
  }

  divergence(p: Distribution, q: Distribution): Tensor {
    const fn = this.table.get(p.constructor)?.get(q.constructor);
    if (fn == null) {
      throw new Error(`klDivergence: no closed form registered for KL(${p.constructor.name} ‖ ${q.constructor.name}); use monteCarloKL`);
    }
    return fn(p, q);
  }
}

/** KL(N(μ₁, σ₁) ‖ N(μ₂, σ₂)) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − 1/2, elementwise. */
export function klNormalNormal(p: Normal, q: Normal): Tensor {
  return tf.tidy(() => {
    const varRatio = tf.square(tf.div(p.scale, q.scale));
    const t = tf.square(tf.div(tf.sub(p.loc, q.loc), q.scale));
    return tf.mul(0.5, tf.sub(tf.add(varRatio, t), tf.add(1, tf.log(varRatio))));
  });
}

/**
 * KL(N(μ, σ) ‖ N(0, 1)) = (μ² + σ² − 1)/2 − log σ, elementwise — the VAE's KL term.
 * Takes log σ directly when the encoder predicts it, which is exact and avoids log(exp(·)).
 */
export function klStandardNormal(loc: Tensor, scale: Tensor, logScale?: Tensor): Tensor {
  return tf.tidy(() => {
    const ls = logScale ?? tf.log(scale);
    return tf.sub(tf.mul(0.5, tf.sub(tf.add(tf.square(loc), tf.square(scale)), 1)), ls);
  });
}

/** The toolkit's default registry. */
export const klRegistry = new KLRegistry().register(Normal, Normal, klNormalNormal);

/** KL(p‖q) in closed form, elementwise over the broadcast batch shape. */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  return klRegistry.divergence(p, q);
}
