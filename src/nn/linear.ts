import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';
import { matMulExplicitGrad } from './matMulExplicitGrad.ts';
import type { Module } from './module.ts';

/**
 * y = x·W + b on a 2-D input. The product's gradient is written out as explicit transposes
 * followed by plain matMuls (see matMulExplicitGrad.ts: ~10× faster on wasm, same maths); the
 * bias's gradient is autodiff's broadcast sum.
 *
 * @param x [M, in]   @param w [in, out]   @param b [out]   @returns [M, out]
 */
export function affine(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return tf.tidy(() => tf.add(matMulExplicitGrad(x as tf.Tensor2D, w as tf.Tensor2D), b));
}

/**
 * A fully connected layer with PyTorch's default initialisation, W, b ~ U(−1/√in, 1/√in),
 * drawn from an explicit Rng so weights are identical on every backend.
 */
export class Linear implements Module {
  readonly weight: Variable; // [in, out]
  readonly bias: Variable; // [out]

  constructor(readonly inFeatures: number, readonly outFeatures: number, rng: Rng, readonly name = 'linear') {
    for (const [k, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Linear: ${k} must be an integer ≥ 1 (got ${v})`);
    }
    const bound = 1 / Math.sqrt(inFeatures);
    const uniform = (n: number) => Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * bound);
    // TF.js variable names are engine-global and must be unique, so they stay auto-generated;
    // the stable names checkpoints key on come from namedVariables().
    // Inside tidy so the initial-value tensors are freed (a variable holds its own copy).
    this.weight = tf.tidy(() => tf.variable(tf.tensor2d(uniform(inFeatures * outFeatures), [inFeatures, outFeatures]), true));
    this.bias = tf.tidy(() => tf.variable(tf.tensor1d(uniform(outFeatures)), true));
  }

  /** @param x [..., in] @returns [..., out] */
  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const flat = x.rank === 2 ? x : tf.reshape(x, [-1, this.inFeatures]);
      const y = affine(flat, this.weight, this.bias);
      return x.rank === 2 ? y : tf.reshape(y, [...lead, this.outFeatures]);
    });
  }

  namedVariables(): Array<[string, Variable]> {
    return [[`${this.name}/weight`, this.weight], [`${this.name}/bias`, this.bias]];
  }

  dispose(): void {
    tf.dispose([this.weight, this.bias]);
  }
}
