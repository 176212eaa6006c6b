import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import { tidy } from '../backend/tensors.ts';
import { Dipolar1D } from '../distributions/dipolar1d.ts';
import { Dipolar3D } from '../distributions/dipolar3d.ts';
import { Linear } from '../nn/linear.ts';
import { prefixed, type Module } from '../nn/module.ts';
import type { Rng } from '../random/rng.ts';
import type { Decoding } from './decoder.ts';

export interface ReadoutDecoderOptions {
  /** Latent dimension L. */
  zDim: number;
  /** Outcome dimension: 1 → Dipolar1D (fixed axis), 3 → Dipolar3D (random axis). */
  xDim: 1 | 3;
  /** N, the number of qubits: one readout per qubit. */
  qubits: number;
  /** Hidden width H; default 4·zDim (the seed decoder's). */
  hidden?: number;
}

/** As in Decoder: float32 tanh saturates to ±1, where an opposite outcome has log p = −∞. */
const M_MAX = 1 - 1e-6;

/**
 * A decoder with one readout per qubit (issue 15, several system qubits): a shared ELU trunk and
 * then a separate output unit per qubit,
 *   aᵢ(z) = elu(z·W1 + b1)·W2[:, i] + b2ᵢ,   mᵢ(z) = (1 − 1e-6)·tanh aᵢ(z),   p(xᵢ|z) = Dipolar(mᵢ),
 * so that each ancilla can follow a different latent dimension (the seed's Decoder gives every
 * qubit the same m(z)). Which latent drives which qubit is read off `sensitivity`.
 *
 * Shapes: W1 [L, H], b1 [H], W2 [H, N], b2 [N].
 *
 * @example
 *   const dec = new ReadoutDecoder({ zDim: 2, xDim: 1, qubits: 40 }, rng);
 *   const { m, p } = dec.apply(z);       // z: [batch, 2] → m: [batch, 40]
 *   dec.sensitivity(zData, batch);       // [40, 2]: mean |∂aᵢ/∂z_k|
 */
export class ReadoutDecoder implements Module {
  readonly zDim: number;
  readonly xDim: 1 | 3;
  readonly qubits: number;
  readonly hidden: number;
  private readonly l1: Linear; // L → H
  private readonly l2: Linear; // H → N

  constructor(options: ReadoutDecoderOptions, rng: Rng) {
    const fn = 'ReadoutDecoder';
    const hidden = options.hidden ?? 4 * options.zDim;
    for (const [k, v] of [['zDim', options.zDim], ['qubits', options.qubits], ['hidden', hidden]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${fn}: ${k} must be an integer ≥ 1 (got ${String(v)})`);
    }
    if (options.xDim !== 1 && options.xDim !== 3) throw new RangeError(`${fn}: xDim must be 1 or 3 (got ${String(options.xDim)})`);
    this.zDim = options.zDim;
    this.xDim = options.xDim;
    this.qubits = options.qubits;
    this.hidden = hidden;
    this.l1 = new Linear(this.zDim, hidden, rng, 'l1');
    this.l2 = new Linear(hidden, this.qubits, rng, 'l2');
  }

  /** a(z), the pre-tanh outputs: [batch, L] → [batch, N]. */
  activation(z: Tensor): Tensor {
    this.checkLatent('activation', z);
    return tf.tidy(() => this.l2.apply(tf.elu(this.l1.apply(z))));
  }

  /** m(z) = (1 − 1e-6)·tanh a(z): [batch, L] → [batch, N]. */
  polarisation(z: Tensor): Tensor {
    return tf.tidy(() => tf.mul(tf.tanh(this.activation(z)), M_MAX));
  }

  /** @param z [batch, L] (plan A: one z per record) → m [batch, N], p of batch shape [batch, N]. */
  apply(z: Tensor): Decoding {
    return tidy(() => {
      const m = this.polarisation(z);
      const p = this.xDim === 1 ? new Dipolar1D(m, { validate: false }) : new Dipolar3D(m, { validate: false });
      return { m, p };
    });
  }

  /**
   * How strongly each qubit's readout follows each latent dimension: the batch mean of |∂aᵢ/∂z_k|,
   * in closed form J[b, k, i] = Σ_h W1[k, h]·elu′(pre[b, h])·W2[h, i] (pre = z·W1 + b1; elu′ = 1 above 0,
   * eᵖʳᵉ below) — no tape, all tensors freed here.
   * @param z latents (e.g. the encoder means μ_z), shape [batch, L] row-major, batch ≥ 1
   * @returns shape [N, L] row-major, float64 (the layout `assignmentAccuracy` reads)
   */
  sensitivity(z: Float32Array, batch: number): Float64Array {
    const fn = 'ReadoutDecoder.sensitivity';
    if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError(`${fn}: batch must be an integer ≥ 1 (got ${String(batch)})`);
    if (z == null || z.length !== batch * this.zDim) {
      throw new RangeError(`${fn}: z must have shape [batch, L] = [${batch}, ${this.zDim}], i.e. length ${batch * this.zDim} (got ${z == null ? String(z) : `length ${z.length}`})`);
    }
    const L = this.zDim, H = this.hidden, N = this.qubits;
    const mean = tf.tidy(() => {
      const pre = tf.add(tf.matMul(tf.tensor2d(z, [batch, L]), this.l1.weight), this.l1.bias); // [B, H]
      const slope = tf.where(tf.greater(pre, 0), tf.onesLike(pre), tf.exp(pre)); // elu′(pre)
      const scaled = tf.mul(tf.expandDims(this.l1.weight, 0), tf.expandDims(slope, 1)); // [B, L, H]
      const jac = tf.matMul(tf.reshape(scaled, [batch * L, H]), this.l2.weight); // [B·L, N]
      const m = tf.mean(tf.abs(tf.reshape(jac, [batch, L, N])), 0); // [L, N]
      return tf.transpose(m); // [N, L]
    });
    const out = Float64Array.from(mean.dataSync());
    mean.dispose();
    return out;
  }

  namedVariables(): Array<[string, Variable]> {
    return [this.l1, this.l2].flatMap((l) => prefixed('decoder', l));
  }

  dispose(): void {
    this.l1.dispose();
    this.l2.dispose();
  }

  private checkLatent(fn: string, z: Tensor): void {
    if (z.rank !== 2 || z.shape[1] !== this.zDim) {
      throw new RangeError(`ReadoutDecoder.${fn}: z must have shape [batch, ${this.zDim}] (got [${z.shape.join(', ')}])`);
    }
  }
}
