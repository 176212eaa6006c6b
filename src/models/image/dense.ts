import { tensorHostKernels, type HostKernels } from '../../backend/hostKernels.ts';
import { onHostMemory } from '../../backend/hostMemory.ts';
import { hostIo } from '../../backend/hostViews.ts';
import { tf, type Tensor } from '../../backend/tf.ts';
import { activationGrad, checkActivation, hostActivationGrad, type Activation } from './activation.ts';
import { BinaryDenseKernel, binaryRows, type BinaryRows } from './binaryDenseKernel.ts';
import { fusedMatMulKernel } from './fusedKernels.ts';
import { GemmKernel } from './gemmKernel.ts';

export interface DenseOptions {
  /** Applied after the bias; default 'linear'. */
  activation?: Activation;
  /**
   * Whether to compute ∂L/∂x. False for a layer that reads data (an encoder's first): a custom
   * gradient computes every input's gradient, and this one — a full-size product — would be thrown
   * away. Default true.
   */
  inputGradient?: boolean;
  /**
   * For a layer without an input gradient on a host-memory backend (wasm, cpu) without the host
   * kernels (which take the dense product at several times this path's speed): when every entry of
   * x is 0 or 1 (binarised images), compute x·W as sums of the weight rows of the pixels that are on
   * and Xᵀ·G as sums over the records that have each pixel on (binaryDenseKernel.ts) — ~13 % of the
   * dense products' work on binarised MNIST. The same function; sums in another order, so agreement
   * with the dense product is to float32 rounding. Grey-level batches take the dense product.
   * Default true.
   */
  sparseBinary?: boolean;
}

/**
 * The fully connected layer op y = act(x·W + b) as one differentiable op: forward by the fused kernel
 * (product, bias and ReLU in one, fusedKernels.ts), backward with explicit transposes and plain
 * matMuls (wasm runs transposed matMuls ~10× slower, nn/matMulExplicitGrad.ts). The same function and
 * gradients as nn/linear.ts's `affine` followed by the activation.
 *
 * @returns (x [M, in], w [in, out], b [out]) → [M, out]
 * @example
 *   const hidden = dense({ activation: 'relu', inputGradient: false });
 *   const h = hidden(x, layer.weight, layer.bias);
 */
export function dense(options: DenseOptions = {}): (x: Tensor, w: Tensor, b: Tensor) => Tensor {
  const activation = checkActivation('dense', options.activation ?? 'linear');
  const inputGradient = options.inputGradient ?? true;
  const sparse = !inputGradient && (options.sparseBinary ?? true);
  // Created on first use, one per layer op: their scratch memory is only touched inside one call.
  let kernel: BinaryDenseKernel | null = null;
  let gemm: GemmKernel | null = null;
  return tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const [m, k] = x.shape;
    const n = w.shape[1];
    const kernels = tensorHostKernels();
    if (kernels) return hostDense(kernels, x, w, b, activation, inputGradient, save);
    // Reading x back costs a copy on host-memory backends only; a GPU backend keeps the dense product.
    const rows: BinaryRows | null = sparse && onHostMemory() ? binaryRows(x.dataSync(), m, k) : null;
    let y: tf.Tensor2D;
    if (rows) {
      kernel ??= new BinaryDenseKernel();
      y = tf.tensor2d(kernel.forward(rows, w.dataSync() as Float32Array, b.dataSync() as Float32Array, n, activation === 'relu'), [m, n]);
    } else {
      y = fusedMatMulKernel(x, w, b, activation) as tf.Tensor2D;
    }
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const g = activationGrad(activation, dy, sy);
        return [
          inputGradient ? inputGrad(g, sw, () => (gemm ??= new GemmKernel())) : tf.zerosLike(sx),
          rows ? tf.tensor2d(kernel!.weightGrad(rows, g.dataSync() as Float32Array, n), [k, n]) : tf.matMul(tf.transpose(sx), g),
          tf.sum(g, 0),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: Tensor, w: Tensor, b: Tensor) => Tensor;
}

/**
 * The layer on the host kernels (backend/hostKernels.ts): x·W + b with the ReLU in one pass, G·Wᵀ and
 * Xᵀ·G reading W and X as stored. Dense products for every input: at the host kernels' speed the
 * sums over on-pixels (binaryDenseKernel.ts) no longer pay for building their lists.
 */
function hostDense(kernels: HostKernels, x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation, inputGradient: boolean, save: tf.GradSaveFunc) {
  const [m, k] = x.shape;
  const n = w.shape[1];
  const io = hostIo();
  const y = io.output([m, n]);
  kernels.gemmInto(y.view(), io.read(x), io.read(w), m, n, k, { bias: io.read(b), relu: activation === 'relu' });
  const value = y.tensor() as tf.Tensor2D;
  save([x, w, value]);
  return {
    value,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const g = hostActivationGrad(kernels, activation, dy, sy);
      const io = hostIo();
      const dx = inputGradient ? io.output([m, k]) : null;
      const dw = io.output([k, n]);
      const db = io.output([n]);
      const gv = io.read(g);
      if (dx) kernels.gemmInto(dx.view(), gv, io.read(sw), m, k, n, { transB: true });
      kernels.gemmInto(dw.view(), io.read(sx), gv, k, n, m, { transA: true });
      kernels.colSum(gv, m, n, db.view());
      return [dx ? dx.tensor() : tf.zerosLike(sx), dw.tensor(), db.tensor()];
    },
  };
}

/**
 * ∂L/∂x = G·Wᵀ for g [M, N] and w [K, N]. On host-memory backends by our A·Bᵀ kernel (gemm.c),
 * which reads W as stored: TF.js would transpose W first and run XNNPACK's product, 10–12 ms
 * against 5–7 ms for the MLP decoder's [128, 784]·[784, 512]. The same sums in the same order.
 */
function inputGrad(g: Tensor, w: Tensor, gemm: () => GemmKernel): Tensor {
  if (!onHostMemory()) return tf.matMul(g, tf.transpose(w));
  const [m, n] = g.shape as [number, number];
  const k = w.shape[0];
  return tf.tensor2d(gemm().abt(g.dataSync() as Float32Array, m, n, w.dataSync() as Float32Array, k), [m, k]);
}
