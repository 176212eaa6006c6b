/**
 * The seed's VAE loss written the straightforward way — plain TF.js ops, every layer at full
 * [batch·N, …] resolution, autodiff for the gradients — reading the parameters of an Encoder and a
 * Decoder by their checkpoint names. The yardstick for the optimised path (test/perf).
 */
import { tf, type Tensor } from '../../src/backend/tf.ts';
import type { Decoder } from '../../src/models/decoder.ts';
import type { Encoder } from '../../src/models/encoder.ts';

const M_MAX = 1 - 1e-6;

export interface ReferenceInputs {
  /** outcomes [batch, N, d] */
  x: Tensor;
  /** standard-normal noise of the latent draw: [batch, zDim] (plan A) or [N, batch, zDim] (plan B) */
  eps: Tensor;
  reg: number;
}

/** Parameter tensors by name, e.g. `encoder/first/weight`. */
export function parameters(encoder: Encoder, decoder: Decoder): Record<string, Tensor> {
  return Object.fromEntries([...encoder.namedVariables(), ...decoder.namedVariables()]);
}

/** Σ_batch [−Σ_i log p(x_i|z) + reg · KL(q(z|x) ‖ N(0, 1))] from the parameters `p`. */
export function referenceLoss(p: Record<string, Tensor>, { x, eps, reg }: ReferenceInputs): Tensor {
  return tf.tidy(() => {
    const [batch, n, d] = x.shape as [number, number, number];
    const linear = (t: Tensor, name: string) => tf.add(tf.matMul(t, p[`${name}/weight`]), p[`${name}/bias`]);
    const flat = tf.reshape(x, [batch * n, d]);
    // The seed's two first layers, side by side in `first`.
    const [ws1, wv1] = tf.split(p['encoder/first/weight'], 2, 1);
    const [bs1, bv1] = tf.split(p['encoder/first/bias'], 2, 0);
    const hs = tf.elu(tf.add(tf.matMul(flat, ws1), bs1));
    const hv = tf.elu(tf.add(tf.matMul(flat, wv1), bv1));
    const s = tf.reshape(linear(hs, 'encoder/score'), [batch, n]);
    const a = tf.reshape(tf.softmax(tf.neg(s)), [batch, n, 1]);
    const v = tf.reshape(linear(hv, 'encoder/value'), [batch, n, -1]);
    const h = tf.sum(tf.mul(tf.concat([x, v], 2), a), 1);
    const loc = linear(h, 'encoder/mu');
    const logScale = linear(h, 'encoder/logstd');
    const scale = tf.exp(logScale);
    const z = eps.rank === 2 ? tf.add(loc, tf.mul(scale, eps)) : tf.transpose(tf.add(loc, tf.mul(scale, eps)), [1, 0, 2]);
    const flatZ = tf.reshape(z, [-1, z.shape.at(-1) as number]);
    const mFlat = tf.mul(tf.tanh(linear(tf.elu(linear(flatZ, 'decoder/l1')), 'decoder/l2')), M_MAX);
    const m = eps.rank === 2 ? tf.reshape(mFlat, [batch, 1]) : tf.reshape(mFlat, [batch, n]);
    const logProb = d === 1
      ? tf.sub(tf.log1p(tf.mul(tf.reshape(x, [batch, n]), m)), Math.LN2)
      : tf.sub(tf.log1p(tf.mul(tf.reshape(tf.slice(x, [0, 0, 2], [batch, n, 1]), [batch, n]), m)), Math.log(4 * Math.PI));
    const reconstruction = tf.neg(tf.sum(logProb, 1));
    const kl = tf.sum(tf.sub(tf.mul(0.5, tf.sub(tf.add(tf.square(loc), tf.square(scale)), 1)), logScale), 1);
    return tf.sum(tf.add(reconstruction, tf.mul(kl, reg)));
  });
}
