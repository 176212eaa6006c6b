import { map, type OperatorFunction } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import type { Distribution } from '../distributions/distribution.ts';
import { klStandardNormal } from '../distributions/kl.ts';
import type { Normal } from '../distributions/normal.ts';

/** One training step's terms, summed over the batch's records (divide by `records` for per-image nats). */
export interface ImageVaeStepTerms {
  /** The minimised objective: −Σ ELBO (elbo) or −Σ L_K (iwaeObjective). */
  loss: number;
  /** −Σ log p(x|z), averaged over the K samples of an IWAE step. */
  reconstruction: number;
  /** Σ KL[q(z|x) ‖ N(0, I)], closed form. */
  kl: number;
  records: number;
}

/**
 * After `minimize`: reads the step's loss, reconstruction and KL as numbers (one read-back of
 * three values per step) and adds them as `terms`. Works after either objective: it takes `elbo`'s
 * own reconstruction and KL when the context has them, and otherwise (an IWAE step, whose loss is
 * −Σ L_K) computes them from q, p and x, so that runs with either objective report the same columns.
 *
 * @example batches$.pipe(imagesToTensor(), minimize(forward, adam), imageVaeTerms(), map((s) => s.terms.loss / s.terms.records))
 */
export function imageVaeTerms<T extends { x: Tensor; q: Normal; logScale: Tensor; p: Distribution; loss: Tensor; reconstruction?: Tensor; kl?: Tensor }>(): OperatorFunction<T, T & { terms: ImageVaeStepTerms }> {
  return map((ctx) => {
    const sums = tf.tidy(() => {
      let reconstruction: Tensor;
      if (ctx.reconstruction != null) {
        reconstruction = tf.sum(ctx.reconstruction);
      } else {
        const lp = tf.sum(ctx.p.logProb(ctx.x), -1); // [batch] or [K, batch]
        reconstruction = tf.neg(lp.rank === 2 ? tf.sum(tf.mean(lp, 0)) : tf.sum(lp));
      }
      const kl = ctx.kl != null ? tf.sum(ctx.kl) : tf.sum(klStandardNormal(ctx.q.loc, ctx.q.scale, ctx.logScale));
      return tf.stack([tf.reshape(ctx.loss, []), reconstruction, kl]);
    });
    const [loss, reconstruction, kl] = sums.dataSync();
    sums.dispose();
    return { ...ctx, terms: { loss, reconstruction, kl, records: ctx.x.shape[0] as number } };
  });
}
