import type { Rng } from '../random/rng.ts';

/**
 * A Bernoulli–Bernoulli restricted Boltzmann machine, the seed's (004) `RBM` in plain arrays:
 *
 *   E(v, h) = −b·v − c·h − hᵀ W v,   v ∈ {0,1}^visible, h ∈ {0,1}^hidden
 *   F(v)    = −log Σ_h exp(−E(v, h)) = −b·v − Σ_j softplus(c_j + W_j·v)
 *
 * Shapes (row-major, float64): `W` [hidden, visible] (PyTorch's `nn.Linear` layout, the seed's
 * `self.W`), `vBias` [visible] (b, the seed's `v_bias`), `hBias` [hidden] (c, `h_bias`).
 * Batches of configurations are row-major [batch, visible] or [batch, hidden]; the batch size is
 * the array's length over the row width. Values are 0/1 for samples, any real for mean-field inputs.
 */
export interface Rbm {
  readonly visible: number;
  readonly hidden: number;
  /** Shape [hidden, visible]. */
  readonly W: Float64Array;
  /** Shape [visible]. */
  readonly vBias: Float64Array;
  /** Shape [hidden]. */
  readonly hBias: Float64Array;
}

/** Row data accepted as a batch: [batch, width] row-major. */
export type Rows = ArrayLike<number>;

export interface CreateRbmOptions {
  /** Standard deviation of the initial weights; default 0.01 (the seed's `torch.randn(n_hid, n_vis) * 1e-2`). */
  weightStd?: number;
  /** Initial visible biases, length visible; default zeros (the seed). */
  vBias?: ArrayLike<number>;
  /** Initial hidden biases, length hidden; default zeros (the seed). */
  hBias?: ArrayLike<number>;
}

/**
 * A fresh RBM initialised as the seed's: W ~ N(0, weightStd²) drawn from `rng` row by row, biases zero.
 *
 * @example const model = createRbm(784, 500, new Rng(0));
 */
export function createRbm(visible: number, hidden: number, rng: Rng, options: CreateRbmOptions = {}): Rbm {
  checkSize('createRbm', 'visible', visible);
  checkSize('createRbm', 'hidden', hidden);
  const std = options.weightStd ?? 0.01;
  if (!Number.isFinite(std) || std < 0) throw new RangeError(`createRbm: weightStd must be a finite number ≥ 0 (got ${std})`);
  const W = new Float64Array(hidden * visible);
  for (let k = 0; k < W.length; k++) W[k] = std * rng.normal();
  return rbmFrom({ visible, hidden, W, vBias: options.vBias ?? new Float64Array(visible), hBias: options.hBias ?? new Float64Array(hidden) });
}

/**
 * An RBM from given parameters (copied into float64), checking every shape.
 *
 * @throws RangeError naming the parameter, the expected length and the actual one
 */
export function rbmFrom(fields: { visible: number; hidden: number; W: ArrayLike<number>; vBias: ArrayLike<number>; hBias: ArrayLike<number> }): Rbm {
  const { visible, hidden } = fields;
  checkSize('rbmFrom', 'visible', visible);
  checkSize('rbmFrom', 'hidden', hidden);
  const want = (name: string, a: ArrayLike<number>, n: number, shape: string) => {
    if (a.length !== n) throw new RangeError(`rbmFrom: ${name} must have shape ${shape} = ${n} values (got ${a.length})`);
    const out = Float64Array.from(a);
    for (let k = 0; k < n; k++) if (!Number.isFinite(out[k])) throw new RangeError(`rbmFrom: ${name} must be finite (entry ${k} is ${out[k]})`);
    return out;
  };
  return {
    visible,
    hidden,
    W: want('W', fields.W, hidden * visible, `[hidden, visible] = [${hidden}, ${visible}]`),
    vBias: want('vBias', fields.vBias, visible, `[visible] = [${visible}]`),
    hBias: want('hBias', fields.hBias, hidden, `[hidden] = [${hidden}]`),
  };
}

/** A deep copy (so an update can return a new model and leave its input untouched). */
export function cloneRbm(model: Rbm): Rbm {
  return { visible: model.visible, hidden: model.hidden, W: model.W.slice(), vBias: model.vBias.slice(), hBias: model.hBias.slice() };
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** 1 / (1 + e^−x). */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Number of rows in `rows` of width `width`, checking it divides. */
export function batchSize(owner: string, name: string, rows: Rows, width: number): number {
  const n = rows.length / width;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${owner}: ${name} must have shape [batch, ${width}] with batch ≥ 1 (got ${rows.length} values)`);
  return n;
}

/**
 * The non-zero entries of row `v[offset … offset + width)`: their indices into `idx`, values into
 * `val` (both ≥ width long), in ascending order; returns how many.
 */
export function nonZeros(v: Rows, offset: number, width: number, idx: Int32Array, val: Float64Array): number {
  let nz = 0;
  for (let i = 0; i < width; i++) {
    const x = v[offset + i];
    if (x !== 0) { idx[nz] = i; val[nz] = x; nz++; }
  }
  return nz;
}

/**
 * Hidden pre-activations β·(c + W v) per row, shape [batch, hidden] (β = 1 unless tempering).
 * @param v shape [batch, visible]
 */
export function hiddenInput(model: Rbm, v: Rows, beta = 1): Float64Array {
  const { visible: V, hidden: H, W, hBias } = model;
  const n = batchSize('hiddenInput', 'v', v, V);
  const out = new Float64Array(n * H);
  // Binary images are mostly zeros: sum over each row's non-zero entries only.
  const idx = new Int32Array(V);
  const val = new Float64Array(V);
  for (let r = 0; r < n; r++) {
    const nz = nonZeros(v, r * V, V, idx, val);
    for (let j = 0; j < H; j++) {
      const w = j * V;
      let s = hBias[j];
      for (let q = 0; q < nz; q++) s += W[w + idx[q]] * val[q];
      out[r * H + j] = beta * s;
    }
  }
  return out;
}

/**
 * Visible pre-activations b + Wᵀ h per row, shape [batch, visible].
 * @param h shape [batch, hidden]
 */
export function visibleInput(model: Rbm, h: Rows): Float64Array {
  const { visible: V, hidden: H, W, vBias } = model;
  const n = batchSize('visibleInput', 'h', h, H);
  const out = new Float64Array(n * V);
  for (let r = 0; r < n; r++) {
    const o = r * V;
    out.set(vBias, o);
    for (let j = 0; j < H; j++) {
      const x = h[r * H + j];
      if (x === 0) continue;
      const w = j * V;
      for (let i = 0; i < V; i++) out[o + i] += x * W[w + i];
    }
  }
  return out;
}

/** p(h_j = 1 | v) = σ(c_j + W_j·v), shape [batch, hidden]. @param v shape [batch, visible] */
export function hiddenProb(model: Rbm, v: Rows): Float64Array {
  const a = hiddenInput(model, v);
  for (let k = 0; k < a.length; k++) a[k] = sigmoid(a[k]);
  return a;
}

/** p(v_i = 1 | h) = σ(b_i + (Wᵀh)_i), shape [batch, visible]. @param h shape [batch, hidden] */
export function visibleProb(model: Rbm, h: Rows): Float64Array {
  const a = visibleInput(model, h);
  for (let k = 0; k < a.length; k++) a[k] = sigmoid(a[k]);
  return a;
}

/**
 * Free energy per row, F(v) = −b·v − Σ_j softplus(c_j + W_j·v), shape [batch]; the seed's
 * `free_energy` is its mean. @param v shape [batch, visible]
 */
export function freeEnergy(model: Rbm, v: Rows): Float64Array {
  return freeEnergyFromInput(model, v, hiddenInput(model, v));
}

/**
 * F(v) per row given the hidden pre-activations `pre` = hiddenInput(model, v), shape [batch, hidden]
 * (so a training step that already has them skips a product).
 */
export function freeEnergyFromInput(model: Rbm, v: Rows, pre: Float64Array): Float64Array {
  const { visible: V, hidden: H, vBias } = model;
  const n = pre.length / H;
  if (v.length !== n * V) throw new RangeError(`freeEnergyFromInput: v has ${v.length} values but pre implies [${n}, ${V}]`);
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let f = 0;
    for (let i = 0; i < V; i++) f -= vBias[i] * v[r * V + i];
    for (let j = 0; j < H; j++) f -= softplus(pre[r * H + j]);
    out[r] = f;
  }
  return out;
}

/** Energy E(v, h) = −b·v − c·h − hᵀWv of one pair (for brute-force checks). */
export function energy(model: Rbm, v: ArrayLike<number>, h: ArrayLike<number>): number {
  const { visible: V, hidden: H, W, vBias, hBias } = model;
  let e = 0;
  for (let i = 0; i < V; i++) e -= vBias[i] * v[i];
  for (let j = 0; j < H; j++) {
    if (h[j] === 0) continue;
    let s = hBias[j];
    for (let i = 0; i < V; i++) s += W[j * V + i] * v[i];
    e -= h[j] * s;
  }
  return e;
}

/**
 * Independent Bernoulli draws, x_k = 1 with probability p_k, from `rng` in order: one 32-bit word
 * u per draw, x = 1 when u < p · 2³² (exact for p = 0 and 1, within 2⁻³² otherwise; half the cost
 * of rng.uniform(), and what the wasm engine draws too).
 */
export function sampleBernoulli(rng: Rng, p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p.length);
  for (let k = 0; k < p.length; k++) out[k] = rng.nextUint32() < p[k] * 4294967296 ? 1 : 0;
  return out;
}

function checkSize(owner: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${owner}: ${name} must be an integer ≥ 1 (got ${n})`);
}
