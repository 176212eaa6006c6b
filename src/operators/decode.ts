import { map, type OperatorFunction } from 'rxjs';
import type { Tensor } from '../backend/tf.ts';
import type { Distribution } from '../distributions/distribution.ts';
import type { Decoding } from '../models/decoder.ts';

/**
 * z → p(x|z): adds what the decoder returns — the qubit `Decoder`'s polarisation `m` and dipolar
 * `p`, or an image decoder's pixel distribution `p` (models/image/).
 */
export function decode<T extends { z: Tensor }, D extends { p: Distribution } = Decoding>(decoder: { apply(z: Tensor): D }): OperatorFunction<T, T & D> {
  return map((ctx) => ({ ...ctx, ...decoder.apply(ctx.z) }));
}
