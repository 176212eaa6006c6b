import { map, type OperatorFunction } from 'rxjs';
import type { Tensor } from '../backend/tf.ts';

/**
 * Records into a learned frame, x ↦ frame(x), before `encode` and `elbo` read them: the rotation
 * layer shared by encoder and decoder that the seed asks for (rotated measurement bases). Inside
 * `minimize` the frame's parameters get the gradient of the whole objective.
 *
 * @example
 *   const forward = pipe(toFrame(axisFrame), encode(encoder), sampleLatent({ plan: 'A', rng }), decode(decoder), elbo());
 */
export function toFrame<T extends { x: Tensor }>(frame: { toFrame(x: Tensor): Tensor }): OperatorFunction<T, T> {
  return map((ctx) => ({ ...ctx, x: frame.toFrame(ctx.x) }));
}
