import { map, type OperatorFunction } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import { tidy } from '../backend/tensors.ts';
import type { Distribution } from '../distributions/distribution.ts';
import { klStandardNormal } from '../distributions/kl.ts';
import type { Normal } from '../distributions/normal.ts';

export interface ElboTerms {
  /** The objective Σ_batch (reconstruction + reg · KL), a scalar: what the optimiser minimises. */
  loss: Tensor;
  /** −Σ_i log p(x_i|z) per record (over qubits or pixels i), [batch]; not normalised by N (seed 000 explains why). */
  reconstruction: Tensor;
  /** KL[q(z|x) ‖ N(0, 1)] per record, closed form, [batch]. */
  kl: Tensor;
}

/**
 * The negative ELBO with a KL weight: L = Σ_batch [−Σ_i log p(x_i|z) + reg · KL(q(z|x) ‖ N(0, I))].
 * `reg` comes from the context (a schedule, see `withSchedule`), 1 when absent.
 */
export function elbo<T extends { x: Tensor; p: Distribution; q: Normal; logScale: Tensor; reg?: number }>(): OperatorFunction<T, T & ElboTerms> {
  return map((ctx) => {
    const terms = tidy((): ElboTerms => {
      // Qubit records keep a trailing outcome axis d that a scalar-event p (d = 1) lacks: drop it.
      // Image batches [batch, pixels] already have p's batch shape and are read as they are.
      const squeeze = ctx.p.eventShape.length === 0 && ctx.x.rank > ctx.p.batchShape.length;
      const x = squeeze ? tf.squeeze(ctx.x, [ctx.x.rank - 1]) : ctx.x;
      const reconstruction = tf.neg(tf.sum(ctx.p.logProb(x), 1));
      const kl = tf.sum(klStandardNormal(ctx.q.loc, ctx.q.scale, ctx.logScale), 1);
      const loss = tf.sum(tf.add(reconstruction, tf.mul(kl, ctx.reg ?? 1)));
      return { reconstruction, kl, loss };
    });
    return { ...ctx, ...terms };
  });
}
