import { tf } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';
import { autoregressiveMask, checkLayerShape, visibleUnits } from './autoregressiveMask.ts';
import { matMulExplicitGrad } from '../nn/matMulExplicitGrad.ts';

export interface AutoregressiveLinearOptions {
  /** Initialises the weights (uniform, scaled per output unit by its visible fan-in). */
  rng: Rng;
  /** Learnable bias per output (default true). The seed had none; without it the first unit of the first layer is stuck at the uniform distribution. */
  bias?: boolean;
}

/**
 * A linear map on `units` blocks of features whose output block i depends only on input blocks
 * j ≤ i + diagonal: the seed's multi-feature masked layer (any number of one-hot states per site).
 *
 * Shapes: input [batch, units·inFeatures], output [batch, units·outFeatures];
 * `weight` [units·inFeatures, units·outFeatures] (masked entries are stored but never used), `bias` [units·outFeatures].
 *
 * @example
 *   const layer = new AutoregressiveLinear(4, 2, 3, -1, { rng: new Rng(0) });
 *   const y = layer.apply(x);        // x [batch, 8] → y [batch, 12]
 *   const y1 = layer.applyAt(x, 1);  // only output block 1: [batch, 3], reads x[:, 0:2]
 */
export class AutoregressiveLinear {
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  /** The 0/1 mask, shape [units·inFeatures, units·outFeatures]; constant. */
  readonly mask: tf.Tensor2D;

  constructor(
    readonly units: number,
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly diagonal: number,
    options: AutoregressiveLinearOptions,
  ) {
    checkLayerShape('AutoregressiveLinear', units, inFeatures, outFeatures, diagonal);
    const rows = units * inFeatures;
    const cols = units * outFeatures;
    const mask = autoregressiveMask(units, inFeatures, outFeatures, diagonal);
    const w = new Float32Array(rows * cols);
    for (let i = 0; i < units; i++) {
      const fanIn = visibleUnits(i, diagonal, units) * inFeatures;
      const scale = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      for (let r = 0; r < fanIn; r++) {
        for (let c = i * outFeatures; c < (i + 1) * outFeatures; c++) w[r * cols + c] = scale * (2 * options.rng.uniform() - 1);
      }
    }
    this.mask = tf.tensor2d(mask, [rows, cols]);
    this.weight = variableFrom(tf.tensor2d(w, [rows, cols]));
    this.bias = options.bias === false ? null : variableFrom(tf.zeros([cols]) as tf.Tensor1D);
  }

  /** Trainable variables, in a fixed order. */
  get variables(): tf.Variable[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  /**
   * Full masked forward pass.
   * @param x shape [batch, units·inFeatures]
   * @returns shape [batch, units·outFeatures]
   */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const y = matMulExplicitGrad(x, tf.mul(this.weight, this.mask));
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  /**
   * Output block `i` only (the seed's `forward_at`): reads the first (i + 1 + diagonal) input blocks.
   * Costs one [batch, (i+1+diagonal)·in] × [(i+1+diagonal)·in, out] product instead of the full layer.
   * @param x shape [batch, k] with k ≥ (i + 1 + diagonal)·inFeatures; columns past the visible prefix are ignored.
   * @returns shape [batch, outFeatures]
   */
  applyAt(x: tf.Tensor2D, i: number): tf.Tensor2D {
    if (!Number.isInteger(i) || i < 0 || i >= this.units) {
      throw new RangeError(`AutoregressiveLinear.applyAt: unit i must be an integer in [0, ${this.units - 1}] (got ${i})`);
    }
    const k = visibleUnits(i, this.diagonal, this.units) * this.inFeatures;
    if (x.shape[1] < k) {
      throw new RangeError(`AutoregressiveLinear.applyAt: input must have ≥ ${k} columns for unit ${i} (got shape [${x.shape}])`);
    }
    return tf.tidy(() => {
      const batch = x.shape[0];
      const b = this.bias ? tf.slice(this.bias, [i * this.outFeatures], [this.outFeatures]) : null;
      if (k === 0) {
        const zeros = tf.zeros([batch, this.outFeatures]) as tf.Tensor2D;
        return b ? tf.add(zeros, b) : zeros;
      }
      const xi = x.shape[1] === k ? x : tf.slice(x, [0, 0], [batch, k]);
      const wi = tf.slice(this.weight, [0, i * this.outFeatures], [k, this.outFeatures]);
      const y = matMulExplicitGrad(xi, wi);
      return b ? tf.add(y, b) : y;
    });
  }

  dispose(): void {
    this.mask.dispose();
    this.weight.dispose();
    this.bias?.dispose();
  }
}


/** A trainable variable holding `init`'s values; `init` is disposed (the variable keeps the data). */
function variableFrom<R extends tf.Rank>(init: tf.Tensor<R>): tf.Variable<R> {
  const v = tf.variable(init, true);
  init.dispose();
  return v;
}
