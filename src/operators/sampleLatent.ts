import { map, type OperatorFunction } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import type { Normal } from '../distributions/normal.ts';
import type { Rng } from '../random/rng.ts';

/**
 * Plan A: one z per record, shared by all its qubits (z: [batch, zDim]).
 * Plan B: an independent z per qubit (z: [batch, N, zDim]), the seed's autoregressive reading.
 */
export type Plan = 'A' | 'B';

/** z ~ q(z|x) by reparameterisation, so gradients reach the encoder. */
export function sampleLatent<T extends { x: Tensor; q: Normal }>(options: { plan: Plan; rng: Rng }): OperatorFunction<T, T & { z: Tensor }> {
  const { plan, rng } = options;
  if (plan !== 'A' && plan !== 'B') throw new RangeError(`sampleLatent: plan must be A or B (got ${String(plan)})`);
  return map((ctx) => {
    if (plan === 'A') return { ...ctx, z: ctx.q.rsample([], rng) };
    const n = ctx.x.shape[1] as number;
    const z = tf.tidy(() => tf.transpose(ctx.q.rsample([n], rng), [1, 0, 2])); // [N, B, zDim] → [B, N, zDim]
    return { ...ctx, z };
  });
}
