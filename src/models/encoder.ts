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
  /**
   * A learned qubit-index embedding eᵢ ∈ R^dim concatenated to every outcome, so that attention
   * and values can depend on which qubit spoke (heterogeneous sensors). Off by default: the seed's
   * encoder is permutation invariant. Records must then have exactly `qubits` qubits. `modulate`
   * also feeds the products xᵢ ⊗ eᵢ, so that the pooled shortcut Σ aᵢ xᵢ eᵢ holds position-weighted
   * sums of the outcomes (group magnetisations, εᵢ-weighted sums) without a nonlinearity.
   */
  positions?: { qubits: number; dim: number; modulate?: boolean };
  /**
   * Let gradients flow back to the records in training (the pool's backward pass then also
   * computes ∂/∂x, ~2× its cost): needed when the records themselves depend on parameters, as through a learned
   * pointer frame. Default false; always so with `positions`.
   */
  inputGradient?: boolean;
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
  /** Qubits and dimension of the position embedding, or null (permutation invariant). */
  readonly positions: { readonly qubits: number; readonly dim: number; readonly modulate: boolean } | null;
  readonly zDim: number;
  readonly vDim: number;
  readonly hidden: number;
  private readonly first: Linear; // xDim → 2·hidden (score | value)
  private readonly score: Linear; // hidden → 1
  private readonly value: Linear; // hidden → vDim
  private readonly mu: Linear; // xDim + vDim → zDim
  private readonly logStd: Linear; // xDim + vDim → zDim
  private readonly pool: AttentionPoolOp;
  /** The same pool differentiated in x as well: for the embedding's gradient and input saliencies. */
  private readonly poolGradX: AttentionPoolOp;
  /** eᵢ, shape [N, E], initialised at zero (the untrained encoder is still exchangeable). */
  private readonly embedding: Variable | null;
  private readonly inputGradient: boolean;

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
    const pos = options.positions ?? null;
    if (pos != null) {
      for (const [k, v] of [['qubits', pos.qubits], ['dim', pos.dim]] as const) {
        if (!Number.isInteger(v) || v < 1) throw new RangeError(`Encoder: positions.${k} must be an integer ≥ 1 (got ${v})`);
      }
    }
    this.positions = pos == null ? null : { qubits: pos.qubits, dim: pos.dim, modulate: pos.modulate ?? false };
    // Each qubit's input: [xᵢ, eᵢ], and with `modulate` also xᵢ ⊗ eᵢ.
    const inDim = xDim + (pos == null ? 0 : pos.dim * (pos.modulate ? 1 + xDim : 1));
    // Initialise the fused layer as the seed's two separate layers would be (same bound 1/√inDim).
    this.first = new Linear(inDim, 2 * this.hidden, rng, 'first');
    this.score = new Linear(this.hidden, 1, rng, 'score');
    this.value = new Linear(this.hidden, this.vDim, rng, 'value');
    this.mu = new Linear(inDim + this.vDim, zDim, rng, 'mu');
    this.logStd = new Linear(inDim + this.vDim, zDim, rng, 'logstd');
    this.embedding = pos == null ? null : tf.tidy(() => tf.variable(tf.zeros([pos.qubits, pos.dim]), true));
    this.inputGradient = options.inputGradient ?? false;
    this.pool = attentionPool({ kernel: options.kernel });
    this.poolGradX = attentionPool({ kernel: options.kernel, gradX: true });
  }

  /**
   * @param x outcomes, shape [batch, N, xDim]
   * @param options.inputGradient let gradients flow back to x (for saliencies ∂μ_z/∂xᵢ). Always so
   *   with a position embedding or the `inputGradient` option.
   */
  apply(x: Tensor, options: { inputGradient?: boolean } = {}): Encoding {
    if (x.rank !== 3 || x.shape[2] !== this.xDim) {
      throw new RangeError(`Encoder.apply: x must have shape [batch, N, ${this.xDim}] (got [${x.shape.join(', ')}])`);
    }
    if (this.positions != null && x.shape[1] !== this.positions.qubits) {
      throw new RangeError(`Encoder.apply: this encoder embeds N = ${this.positions.qubits} qubit positions; x has N = ${x.shape[1]}`);
    }
    return tidy(() => {
      const batch = x.shape[0] as number;
      const e = this.embedding;
      let input = x;
      if (e != null) {
        const [n, dim] = e.shape as [number, number];
        const tiled = tf.tile(tf.expandDims(e, 0), [batch, 1, 1]); // [B, N, E]
        const parts = [x, tiled];
        if (this.positions!.modulate) parts.push(tf.reshape(tf.mul(tf.expandDims(x, 3), tf.expandDims(tiled, 2)), [batch, n, this.xDim * dim])); // xᵢ ⊗ eᵢ
        input = tf.concat(parts, 2); // [B, N, inDim]
      }
      const inDim = input.shape[2] as number;
      // First layer with its bias as an extra input row.
      const wb = tf.concat([this.first.weight, tf.reshape(this.first.bias, [1, 2 * this.hidden])], 0); // [inDim+1, 2·hidden]
      const pool = e != null || this.inputGradient || options.inputGradient ? this.poolGradX : this.pool;
      const pooled = pool(input, wb, this.score.weight); // [B, inDim + hidden]
      const px = tf.slice(pooled, [0, 0], [batch, inDim]);
      const pv = tf.slice(pooled, [0, inDim], [batch, this.hidden]);
      const h = tf.concat([px, this.value.apply(pv)], 1); // [B, inDim + vDim]: the input is a shortcut
      const loc = this.mu.apply(h);
      const logScale = this.logStd.apply(h);
      return { q: new Normal(loc, tf.exp(logScale), { validate: false }), logScale };
    });
  }

  /**
   * Redraws the position embedding as eᵢ ~ N(0, std²) from `rng`. It starts at zero (exchangeable);
   * a model that must tell groups of qubits apart from the start (several system qubits) needs the
   * symmetry broken, or every qubit gets the same gradient in expectation.
   * @throws RangeError without a position embedding, or for std not finite and > 0.
   */
  randomisePositions(std: number, rng: Rng): void {
    const e = this.embedding;
    if (e == null) throw new RangeError('Encoder.randomisePositions: this encoder has no position embedding (options.positions)');
    if (!Number.isFinite(std) || std <= 0) throw new RangeError(`Encoder.randomisePositions: std must be a finite number > 0 (got ${std})`);
    const values = Float32Array.from({ length: e.size }, () => std * rng.normal());
    tf.tidy(() => e.assign(tf.tensor(values, e.shape)));
  }

  /** The learned position embedding eᵢ as a copy, shape [N, E], or null. */
  positionEmbedding(): Float32Array | null {
    return this.embedding == null ? null : (this.embedding.dataSync() as Float32Array).slice();
  }

  namedVariables(): Array<[string, Variable]> {
    const layers = [this.first, this.score, this.value, this.mu, this.logStd].flatMap((l) => prefixed('encoder', l));
    return this.embedding == null ? layers : [...layers, ['encoder/positions', this.embedding]];
  }

  dispose(): void {
    [this.first, this.score, this.value, this.mu, this.logStd].forEach((l) => l.dispose());
    this.embedding?.dispose();
  }
}
