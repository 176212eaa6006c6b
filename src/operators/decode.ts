import { map, type OperatorFunction } from 'rxjs';
import type { Tensor } from '../backend/tf.ts';
import type { Decoder, Decoding } from '../models/decoder.ts';

/** z → p(x|z): adds the polarisation `m` and the dipolar `p`. */
export function decode<T extends { z: Tensor }>(decoder: Decoder): OperatorFunction<T, T & Decoding> {
  return map((ctx) => ({ ...ctx, ...decoder.apply(ctx.z) }));
}
