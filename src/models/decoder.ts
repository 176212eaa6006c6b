import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import { tidy } from '../backend/tensors.ts';
import { Dipolar1D } from '../distributions/dipolar1d.ts';
import { Dipolar3D } from '../distributions/dipolar3d.ts';
import { Linear } from '../nn/linear.ts';
import { prefixed, type Module } from '../nn/module.ts';
import type { Rng } from '../random/rng.ts';

export interface DecoderOptions {
  zDim: number;
  /** Outcome dimension: 1 → Dipolar1D (fixed axis), 3 → Dipolar3D (random axis). */
  xDim: 1 | 3;
  /** Hidden width; default 4·zDim (the seed's Linear(1, 4)). */
  hidden?: number;
  /**
   * N: a learned gain gᵢ per qubit, mᵢ(z) = tanh(gᵢ·a(z)), initialised at 1 (heterogeneous sensors:
   * the exact branch-conditional polarisation is s·tanh εᵢ, so gᵢ ∝ εᵢ fits it). Off by default: one
   * m(z) for every qubit, as the seed.
   */
  gains?: number;
}

/** The decoder's output: the polarisation and p(x|z) built on it. */
export interface Decoding {
  /** m(z) ∈ (−1, 1), shape [batch, 1] (plan A), [batch, N] (plan B, or with per-qubit gains). */
  m: Tensor;
  p: Dipolar1D | Dipolar3D;
}

/**
 * tanh keeps m inside [−1, 1], but float32 tanh saturates to exactly ±1, where an opposite outcome
 * has log p = −∞. Shrinking by 1e-6 bounds a qubit's log-likelihood at log(1e-6) instead.
 */
const M_MAX = 1 - 1e-6;

/**
 * z → polarisation m(z) = tanh(FFN(z)) → p(x_i|z) = Dipolar(m) of the apparatus's scheme (seed 000, "Decoder").
 *
 * @example
 *   const dec = new Decoder({ zDim: 1, xDim: 3 }, rng);
 *   const { p } = dec.apply(z);     // z: [batch, 1] (plan A) or [batch, N, 1] (plan B)
 *   p.logProb(x);                   // x: [batch, N, 3] → [batch, N]
 */
export class Decoder implements Module {
  readonly zDim: number;
  readonly xDim: 1 | 3;
  private readonly l1: Linear;
  private readonly l2: Linear;
  /** gᵢ, shape [N], or null. */
  private readonly gain: Variable | null;

  constructor(options: DecoderOptions, rng: Rng) {
    if (!Number.isInteger(options.zDim) || options.zDim < 1) throw new RangeError(`Decoder: zDim must be an integer ≥ 1 (got ${options.zDim})`);
    if (options.xDim !== 1 && options.xDim !== 3) throw new RangeError(`Decoder: xDim must be 1 or 3 (got ${options.xDim})`);
    this.zDim = options.zDim;
    this.xDim = options.xDim;
    const hidden = options.hidden ?? 4 * options.zDim;
    this.l1 = new Linear(options.zDim, hidden, rng, 'l1');
    this.l2 = new Linear(hidden, 1, rng, 'l2');
    const gains = options.gains;
    if (gains != null && (!Number.isInteger(gains) || gains < 1)) throw new RangeError(`Decoder: gains must be an integer N ≥ 1 (got ${gains})`);
    this.gain = gains == null ? null : tf.tidy(() => tf.variable(tf.ones([gains]), true));
  }

  /** m(z) = tanh(a(z)): [..., zDim] → [...] (with gains: the polarisation of a unit-gain qubit). */
  polarisation(z: Tensor): Tensor {
    return tf.tidy(() => tf.mul(tf.tanh(this.activation(z)), M_MAX));
  }

  /** a(z), the pre-tanh output: [..., zDim] → [...] */
  private activation(z: Tensor): Tensor {
    return tf.tidy(() => {
      const a = this.l2.apply(tf.elu(this.l1.apply(z)));
      return tf.squeeze(a, [a.rank - 1]);
    });
  }

  /** The learned gains gᵢ as a copy, shape [N], or null. */
  gains(): Float32Array | null {
    return this.gain == null ? null : (this.gain.dataSync() as Float32Array).slice();
  }

  /**
   * @param z [batch, zDim] (plan A: one z per record, broadcast over qubits → m [batch, 1])
   *          or [batch, N, zDim] (plan B: one z per qubit → m [batch, N])
   */
  apply(z: Tensor): Decoding {
    return tidy(() => {
      let m: Tensor;
      if (this.gain == null) {
        m = this.polarisation(z);
        if (z.rank === 2) m = tf.expandDims(m, 1);
      } else {
        let a = this.activation(z);
        if (z.rank === 2) a = tf.expandDims(a, 1); // [B, 1] → broadcast against gᵢ [N]
        m = tf.mul(tf.tanh(tf.mul(a, this.gain)), M_MAX); // [B, N]
      }
      const p = this.xDim === 1 ? new Dipolar1D(m, { validate: false }) : new Dipolar3D(m, { validate: false });
      return { m, p };
    });
  }

  namedVariables(): Array<[string, Variable]> {
    const layers = [this.l1, this.l2].flatMap((l) => prefixed('decoder', l));
    return this.gain == null ? layers : [...layers, ['decoder/gains', this.gain]];
  }

  dispose(): void {
    this.l1.dispose();
    this.l2.dispose();
    this.gain?.dispose();
  }
}
