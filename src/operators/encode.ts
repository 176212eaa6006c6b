import { map, type OperatorFunction } from 'rxjs';
import type { Tensor } from '../backend/tf.ts';
import type { Encoder, Encoding } from '../models/encoder.ts';

/** x → q(z|x): adds `q` and `logScale` to the context. */
export function encode<T extends { x: Tensor }>(encoder: Encoder): OperatorFunction<T, T & Encoding> {
  return map((ctx) => ({ ...ctx, ...encoder.apply(ctx.x) }));
}
