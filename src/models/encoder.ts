import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import { tidy } from '../backend/tensors.ts';
import { Normal } from '../distributions/normal.ts';
import { Linear } from '../nn/linear.ts';
import { prefixed, type Module } from '../nn/module.ts';
import type { Rng } from '../random/rng.ts';

export interface EncoderOptions {
  /** Dimension d of one qubit's outcome x_i (1 fixed axis, 3 random axis). */
  xDim: number;
  /** Latent dimension. */
  zDim: number;
  /** Value-feature dimension; default 2·xDim² + zDim + 5 (the seed's). */
  vDim?: number;
}

/** The encoder's output: q(z|x) and log σ_z (kept for an exact KL term). */
export interface Encoding {
  /** q(z|x) = Normal(μ_z, σ_z), batch shape [batch, zDim]. */
  q: Normal;
  /** log σ_z, [batch, zDim]. */
  logScale: Tensor;
}

/**
 * Permutation-invariant attention encoder (seed 000, "Encoder"):
 *   h[x] = Σ_i [x_i, v(x_i)] e^{−s(x_i)} / Σ_i e^{−s(x_i)},   μ_z = μ(h),  log σ_z = log σ(h),
 * with score s and value v two-layer ELU networks of hidden width 4·vDim.
 *
 * The first layers of s and v read the same x_i, so they run as one matMul of width 8·vDim and
 * are split after — the same function as two separate layers, one kernel call fewer.
 *
 * @example
 *   const enc = new Encoder({ xDim: 3, zDim: 1 }, rng);
 *   const { q } = enc.apply(x);            // x: [batch, N, 3] → q: Normal [batch, 1]
 */
export class Encoder implements Module {
  readonly xDim: number;
  readonly zDim: number;
  readonly vDim: number;
  readonly hidden: number;
  private readonly first: Linear; // xDim → 2·hidden (score | value)
  private readonly score: Linear; // hidden → 1
  private readonly value: Linear; // hidden → vDim
  private readonly mu: Linear; // xDim + vDim → zDim
  private readonly logStd: Linear; // xDim + vDim → zDim

  constructor(options: EncoderOptions, rng: Rng) {
    const { xDim, zDim } = options;
    for (const [k, v] of [['xDim', xDim], ['zDim', zDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Encoder: ${k} must be an integer ≥ 1 (got ${v})`);
    }
    this.xDim = xDim;
    this.zDim = zDim;
    this.vDim = options.vDim ?? 2 * xDim * xDim + zDim + 5;
    if (!Number.isInteger(this.vDim) || this.vDim < 1) throw new RangeError(`Encoder: vDim must be an integer ≥ 1 (got ${this.vDim})`);
    this.hidden = 4 * this.vDim;
    // Initialise the fused layer as the seed's two separate layers would be (same bound 1/√xDim).
    this.first = new Linear(xDim, 2 * this.hidden, rng, 'first');
    this.score = new Linear(this.hidden, 1, rng, 'score');
    this.value = new Linear(this.hidden, this.vDim, rng, 'value');
    this.mu = new Linear(xDim + this.vDim, zDim, rng, 'mu');
    this.logStd = new Linear(xDim + this.vDim, zDim, rng, 'logstd');
  }

  /** @param x outcomes, shape [batch, N, xDim] */
  apply(x: Tensor): Encoding {
    if (x.rank !== 3 || x.shape[2] !== this.xDim) {
      throw new RangeError(`Encoder.apply: x must have shape [batch, N, ${this.xDim}] (got [${x.shape.join(', ')}])`);
    }
    return tidy(() => {
      const [batch, n] = x.shape as [number, number, number];
      const flat = tf.reshape(x, [batch * n, this.xDim]);
      const hid = tf.elu(this.first.apply(flat)); // [B·N, 2·hidden]
      const [hs, hv] = tf.split(hid, 2, 1);
      const s = tf.reshape(this.score.apply(hs), [batch, n]);
      const v = tf.reshape(this.value.apply(hv), [batch, n, this.vDim]);
      const w = tf.expandDims(tf.softmax(tf.neg(s), -1), 2); // attention over the qubit axis, [B, N, 1]
      const feats = tf.concat([x, v], 2); // [B, N, xDim + vDim]: the input is a shortcut
      const h = tf.sum(tf.mul(w, feats), 1); // [B, xDim + vDim]
      const loc = this.mu.apply(h);
      const logScale = this.logStd.apply(h);
      return { q: new Normal(loc, tf.exp(logScale), { validate: false }), logScale };
    });
  }

  namedVariables(): Array<[string, Variable]> {
    return [this.first, this.score, this.value, this.mu, this.logStd].flatMap((l) => prefixed('encoder', l));
  }

  dispose(): void {
    [this.first, this.score, this.value, this.mu, this.logStd].forEach((l) => l.dispose());
  }
}
