import { onHostMemory } from '../backend/hostMemory.ts';
import { tf, type Tensor } from '../backend/tf.ts';
import { eluGrad } from '../nn/eluGrad.ts';
import { AttentionPoolKernel } from './attentionPoolKernel.ts';

/** `native`: the fused SIMD kernel (attentionPoolKernel.ts); `tfjs`: TF.js ops on any backend. */
export type PoolKernel = 'auto' | 'native' | 'tfjs';

/** The attention-pool op: (x [batch, N, d], w1 [d + 1, 2H], ws [H, 1]) → [batch, d + H]. */
export type AttentionPoolOp = (x: Tensor, w1: Tensor, ws: Tensor) => Tensor;

/**
 * The encoder's per-qubit trunk and its attention pooling, as one differentiable op with a
 * hand-written backward pass:
 *
 *   x̃_i = [x_i, 1],  s_i = elu(x̃_i·W1s)·ws,  a = softmax_i(−s),  pooled = Σ_i a_i [x_i, elu(x̃_i·W1v)]
 *
 * Why one op: this is where all the [batch·N, hidden] tensors live — nearly all the arithmetic of a
 * training step (bench/RESULTS.md).
 * Two implementations compute the same function and gradients:
 * - `native` (CPU backends): a fused kernel in WebAssembly SIMD that streams over the rows and keeps
 *   the [batch·N, hidden] activations in its own memory; only O(batch·N) numbers are copied.
 * - `tfjs` (any backend): TF.js ops chosen for the wasm backend, where autodiff of the
 *   straightforward graph is slow — matMuls with transposed or large right-hand operands (XNNPACK
 *   repacks the right operand on every call), column slices/splits, sums over non-innermost axes.
 *   Its backward pass uses only plain matMuls with a small right operand, batched matMuls for the
 *   per-record contractions, broadcast products and the backend's EluGrad.
 *
 * The seed's value head maps elu(x̃·W1v) through a second Linear before pooling; since the weights
 * a_i sum to 1, Σ a_i (h_i·Wv + bv) = (Σ a_i h_i)·Wv + bv, so the caller applies that Linear to the
 * pooled [batch, H] features instead of all [batch·N, H] — the same function, N× less work.
 * For the same reason the score's bias is not an input: softmax is shift invariant.
 *
 * The returned op takes
 *   x  outcomes, shape [batch, N, d]
 *   w1 first layers of score and value side by side, bias as the last row, shape [d + 1, 2H]
 *   ws second score layer, shape [H, 1]
 * and returns the pooled [x, hidden value features], shape [batch, d + H]. By default no gradient
 * flows to x (records are data); `gradX: true` computes it (both implementations), for a learned
 * position embedding concatenated to the records and for input saliencies ∂μ_z/∂xᵢ.
 *
 * @param options.kernel `auto` (default): native on the wasm and cpu backends when the kernel fits
 *   (hidden a multiple of 4, d ≤ 16 — always so for the seed's encoder), tfjs otherwise
 * @param options.gradX also differentiate with respect to x (default false); the weights' gradients
 *   are the same bit for bit either way
 * @example
 *   const pool = attentionPool();
 *   const pooled = pool(x, w1, ws);   // x [50, 200, 3], w1 [4, 192], ws [96, 1] → [50, 99]
 */
export function attentionPool(options: { kernel?: PoolKernel; gradX?: boolean } = {}): AttentionPoolOp {
  const choice = options.kernel ?? 'auto';
  if (choice !== 'auto' && choice !== 'native' && choice !== 'tfjs') {
    throw new RangeError(`attentionPool: kernel must be auto, native or tfjs (got ${String(choice)})`);
  }
  const gradX = options.gradX ?? false;
  const tfOp = gradX ? attentionPoolTfGradX : attentionPoolTf;
  let native: AttentionPoolOp | undefined;
  return (x, w1, ws) => {
    const fits = (ws.shape[0] as number) % 4 === 0 && (x.shape[2] as number) <= AttentionPoolKernel.MAX_D;
    const useNative = choice === 'native' || (choice === 'auto' && fits && onHostMemory());
    if (!useNative) return tfOp(x, w1, ws);
    native ??= nativeOp(new AttentionPoolKernel(), gradX);
    return native(x, w1, ws);
  };
}

/** @param gradX return the kernel's dx as x's gradient, zeros otherwise */
function nativeOp(kernel: AttentionPoolKernel, gradX: boolean): AttentionPoolOp {
  return tf.customGrad(((x: Tensor, w1: Tensor, ws: Tensor, save: (t: Tensor[]) => void) => {
      const [batch, n, d] = x.shape as [number, number, number];
      const hidden = ws.shape[0] as number;
      const shape = { batch, n, d, hidden };
      // Keep the activations only while a gradient tape records (training), not for evaluation.
      const taping = tf.engine().state.gradientDepth > 0;
      const out = kernel.forward(shape, x.dataSync() as Float32Array, w1.dataSync() as Float32Array, ws.dataSync() as Float32Array, taping);
      const a = tf.tensor2d(out.a, [batch, n]);
      save([x, w1, ws, a]);
      a.dispose();
      return {
        value: tf.tensor2d(out.pooled, [batch, d + hidden]),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [xs, w1s, wss, as] = saved.map((t) => t.dataSync() as Float32Array);
          const { dw1, dws, dx } = kernel.backward(shape, out.tag, xs, w1s, wss, as, dy.dataSync() as Float32Array, { dx: gradX });
          const gx = dx == null ? tf.zeros(x.shape) : tf.tensor3d(dx, [batch, n, d]);
          return [gx, tf.tensor2d(dw1, [d + 1, 2 * hidden]), tf.tensor2d(dws, [hidden, 1])];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as AttentionPoolOp;
  }

  const attentionPoolTf = tfPool(false);
  const attentionPoolTfGradX = tfPool(true);

  function tfPool(gradX: boolean): AttentionPoolOp {
    return tf.customGrad(((x: Tensor, w1: Tensor, ws: Tensor, save: (t: Tensor[]) => void) => {
    const [batch, n, d] = x.shape as [number, number, number];
    const hidden = ws.shape[0] as number;
    const rows = batch * n;
    const { value, x1, hs, hv, a } = tf.tidy(() => {
      const w1s = tf.slice(w1, [0, 0], [d + 1, hidden]);
      const w1v = tf.slice(w1, [0, hidden], [d + 1, hidden]);
      // x̃ = [x, 1] as x·[I | 0] + [0…0, 1]: exact, and one fused kernel where a column concat
      // would copy row by row.
      const append1 = tf.concat([tf.eye(d), tf.zeros([d, 1])], 1);
      const unit = tf.tensor1d(Array.from({ length: d + 1 }, (_, i) => (i === d ? 1 : 0)));
      const x1 = tf.fused.matMul({ a: tf.reshape(x, [rows, d]), b: append1, bias: unit }); // [B·N, d+1]
      const hs = tf.elu(tf.matMul(x1, w1s)); // [B·N, H]
      const hv = tf.elu(tf.matMul(x1, w1v)); // [B·N, H]
      const a = tf.softmax(tf.neg(tf.reshape(tf.matMul(hs, ws), [batch, n]))); // [B, N]
      const a3 = tf.reshape(a, [batch, 1, n]);
      const pooled = tf.concat([tf.matMul(a3, x), tf.matMul(a3, tf.reshape(hv, [batch, n, hidden]))], 2); // [B, 1, d+H]
      return { value: tf.reshape(pooled, [batch, d + hidden]), x1, hs, hv, a };
    });
    save([x, x1, hs, hv, a, ws, w1]);
    tf.dispose([x1, hs, hv, a]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, x1s, hss, hvs, as, wss, w1s] = saved;
        return tf.tidy(() => {
          const dpx = tf.reshape(tf.slice(dy, [0, 0], [batch, d]), [batch, 1, d]);
          const dpv = tf.reshape(tf.slice(dy, [0, d], [batch, hidden]), [batch, 1, hidden]);
          // ∂pooled/∂a_i = [x_i, hv_i]·dy: products with the record's row of dy, summed over features.
          const da = tf.add(tf.sum(tf.mul(tf.reshape(hvs, [batch, n, hidden]), dpv), 2), tf.sum(tf.mul(xs, dpx), 2)); // [B, N]
          // a = softmax(−s): ∂L/∂s = −a ⊙ (da − Σ_i a_i da_i)
          const ds = tf.reshape(tf.mul(as, tf.sub(tf.sum(tf.mul(as, da), 1, true), da)), [rows, 1]);
          const dhs = tf.matMul(ds, tf.reshape(wss, [1, hidden])); // [B·N, H]
          // dws = hsᵀ·ds as per-record row-vector products, then summed over records.
          const dws = tf.reshape(tf.sum(tf.matMul(tf.reshape(ds, [batch, 1, n]), tf.reshape(hss, [batch, n, hidden])), 0), [hidden, 1]);
          const dhv = tf.reshape(tf.mul(tf.reshape(as, [batch, n, 1]), dpv), [rows, hidden]); // [B·N, H]
          // dW1 = x̃ᵀ·dpre, written (dpreᵀ·x̃)ᵀ so the large operand is on the left.
          const dpreS = eluGrad(dhs, hss), dpreV = eluGrad(dhv, hvs); // [B·N, H]
          const dW1 = (dpre: Tensor) => tf.transpose(tf.matMul(tf.transpose(dpre), x1s));
          const dw1 = tf.concat([dW1(dpreS), dW1(dpreV)], 1);
          if (!gradX) return [tf.zerosLike(xs), dw1, dws];
          // ∂/∂xᵢ: the shortcut a_i·dpx, plus both first layers' pre-activation gradients through W1's
          // first d rows (a small right operand, transposed once).
          const w1x = tf.transpose(tf.slice(w1s, [0, 0], [d, 2 * hidden])); // [2H, d]
          const dpre = tf.concat([dpreS, dpreV], 1); // [B·N, 2H]
          const dx = tf.add(tf.reshape(tf.matMul(dpre, w1x), [batch, n, d]), tf.mul(tf.reshape(as, [batch, n, 1]), dpx));
          return [dx, dw1, dws];
        });
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as AttentionPoolOp;
}
