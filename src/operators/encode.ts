import { map, type OperatorFunction } from 'rxjs';
import type { Tensor } from '../backend/tf.ts';
import type { Encoding } from '../models/encoder.ts';

/**
 * x → q(z|x): adds `q` and `logScale` to the context. Any encoder fits: the qubit `Encoder`
 * (x [batch, N, d]) or an image encoder (x [batch, pixels], models/image/).
 */
export function encode<T extends { x: Tensor }, E extends Encoding = Encoding>(encoder: { apply(x: Tensor): E }): OperatorFunction<T, T & E> {
  return map((ctx) => ({ ...ctx, ...encoder.apply(ctx.x) }));
}
