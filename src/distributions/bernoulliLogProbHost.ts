import type { HostKernels } from '../backend/hostKernels.ts';
import { hostIo } from '../backend/hostViews.ts';
import { tf, type Tensor } from '../backend/tf.ts';

/**
 * Bernoulli.logProb as one differentiable op on the host kernels (src/backend/addon/bernoulli.c):
 * −softplus((1 − 2x)·l) and its two gradients in one pass each, instead of five TF.js kernels each
 * way. The same function (float32, a few ulps from float64); null when the shapes are not l's own
 * or x broadcast over l's leading axes, which the TF.js path then handles.
 *
 * @param logits [..., *x.shape]   @param x outcomes in {0, 1}
 * @returns log p(x | l), logits' shape, or null
 */
export function bernoulliLogProbHost(kernels: HostKernels, logits: Tensor, x: Tensor): Tensor | null {
  if (logits.dtype !== 'float32' || x.dtype !== 'float32' || x.rank > logits.rank || x.size === 0) return null;
  const trailing = logits.shape.slice(logits.rank - x.rank);
  if (trailing.some((d, i) => d !== x.shape[i])) return null;
  const op = tf.customGrad(((l: Tensor, xs: Tensor, save: tf.GradSaveFunc) => {
    const io = hostIo();
    const out = io.output(l.shape);
    kernels.bernoulliLogProb(io.read(l), io.read(xs), out.view());
    save([l, xs]);
    return {
      value: out.tensor(),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sl, sx] = saved;
        const g = hostIo();
        const dl = g.output(sl.shape), dx = g.output(sx.shape);
        kernels.bernoulliLogProbGrad(g.read(sl), g.read(sx), g.read(dy), dl.view(), dx.view());
        return [dl.tensor(), dx.tensor()];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (l: Tensor, x: Tensor) => Tensor;
  return op(logits, x);
}
