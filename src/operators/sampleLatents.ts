import { map, type OperatorFunction } from 'rxjs';
import type { Tensor } from '../backend/tf.ts';
import type { Normal } from '../distributions/normal.ts';
import type { Rng } from '../random/rng.ts';

/**
 * z_k ~ q(z|x), k = 1 … K, by reparameterisation (gradients reach the encoder): adds z [K, batch, zDim].
 * The first sample of `rsample([K])` is `sampleLatent`'s z for the same generator state, so
 * K = 1 reproduces the ELBO pipeline's draw. The K-sample sibling of sampleLatent, feeding
 * objectives/iwaeObjective.ts:
 *
 *   encode(encoder) ▸ sampleLatent({ plan: 'A', rng }) ▸ decode(decoder) ▸ elbo()
 *   encode(encoder) ▸ sampleLatents({ k, rng })      ▸ decode(decoder) ▸ iwaeObjective()
 *
 * @example pipe(encode(encoder), sampleLatents({ k: 5, rng: rng.fork() }), decode(decoder), iwaeObjective())
 */
export function sampleLatents<T extends { q: Normal }>(options: { k: number; rng: Rng }): OperatorFunction<T, T & { z: Tensor }> {
  const { k, rng } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`sampleLatents: k must be an integer ≥ 1 (got ${k})`);
  return map((ctx) => ({ ...ctx, z: ctx.q.rsample([k], rng) }));
}
