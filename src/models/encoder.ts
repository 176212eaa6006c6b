import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import { tidy } from '../backend/tensors.ts';
import { Normal } from '../distributions/normal.ts';
import { Linear } from '../nn/linear.ts';
import { attentionPool, type AttentionPoolOp, type PoolKernel } from './attentionPool.ts';
import { prefixed, type Module } from '../nn/module.ts';
import type { Rng } from '../random/rng.ts';

export interface EncoderOptions {
  /** Dimension d of one qubit's outcome x_i (1 fixed axis, 3 random axis). */
  xDim: number;
  /** Latent dimension. */
  zDim: number;
  /** Value-feature dimension; default 2·xDim² + zDim + 5 (the seed's). */
  vDim?: number;
  /** Implementation of the per-qubit trunk (same function): see `attentionPool`. Default `auto`. */
  kernel?: PoolKernel;
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
 * The first layers of s and v read the same x_i and are stored as one layer of width 8·vDim
 * (score | value). The per-qubit part runs as one op with a hand-written backward pass
 * (`attentionPool`), and v's second layer is applied after pooling: Σ_i a_i v(x_i) = v̄(Σ_i a_i h_i)
 * because the a_i sum to 1 — the seed's function, computed N× cheaper. The score's bias cancels in
 * the softmax; it is kept as a parameter (so checkpoints keep the seed's layout) and gets zero gradient.
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
  private readonly pool: AttentionPoolOp;

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
    this.pool = attentionPool({ kernel: options.kernel });
  }

  /** @param x outcomes, shape [batch, N, xDim] */
  apply(x: Tensor): Encoding {
    if (x.rank !== 3 || x.shape[2] !== this.xDim) {
      throw new RangeError(`Encoder.apply: x must have shape [batch, N, ${this.xDim}] (got [${x.shape.join(', ')}])`);
    }
    return tidy(() => {
      const batch = x.shape[0] as number;
      // First layer with its bias as an extra input row.
      const wb = tf.concat([this.first.weight, tf.reshape(this.first.bias, [1, 2 * this.hidden])], 0); // [xDim+1, 2·hidden]
      const pooled = this.pool(x, wb, this.score.weight); // [B, xDim + hidden]
      const px = tf.slice(pooled, [0, 0], [batch, this.xDim]);
      const pv = tf.slice(pooled, [0, this.xDim], [batch, this.hidden]);
      const h = tf.concat([px, this.value.apply(pv)], 1); // [B, xDim + vDim]: the input is a shortcut
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
