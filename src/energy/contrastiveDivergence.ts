import type { Rng } from '../random/rng.ts';
import { gibbsSweep } from './gibbs.ts';
import { batchSize, cloneRbm, freeEnergyFromInput, hiddenInput, nonZeros, sampleBernoulli, sigmoid, visibleProb, type Rbm, type Rows } from './rbm.ts';

/**
 * Contrastive divergence (Hinton 2002) and persistent CD (Tieleman 2008) for a Bernoulli RBM.
 *
 * The step descends the seed's loss L = mean F(v) − mean F(v_k) with v_k held fixed, whose
 * gradient is −(⟨p(h|v) vᵀ⟩_data − ⟨p(h|v_k) v_kᵀ⟩_chains) for W (and the analogous differences
 * of v and p(h|v) for b and c), with PyTorch's SGD rule:
 *   buf ← momentum · buf + (∇L + weightDecay · W),  W ← W − learningRate · buf
 * (weight decay on W only, as Hinton's practical guide recommends; biases are not decayed).
 * CD-k starts the negative chain at the data (the seed: h ~ p(h|v), then k times v ~ p(v|h),
 * h ~ p(h|v)); PCD-k continues chains kept in the state from one update to the next.
 */

export interface CdOptions {
  /** Gibbs sweeps per update, an integer ≥ 1; default 1 (the seed's `RBM(k=1)`). */
  k?: number;
  /** SGD step; default 0.1 (the seed's `optim.SGD(…, 0.1)`). */
  learningRate?: number;
  /** Momentum in [0, 1); default 0 (the seed). */
  momentum?: number;
  /** L2 penalty on W, ≥ 0; default 0 (the seed). */
  weightDecay?: number;
  /** Persistent CD: keep the negative chains across updates; default false (CD-k). */
  persistent?: boolean;
}

export interface CdState {
  readonly model: Rbm;
  /** Momentum buffers, shaped as the parameters. */
  readonly velocity: { readonly W: Float64Array; readonly vBias: Float64Array; readonly hBias: Float64Array };
  /** PCD's chains, shape [chains, visible]; null until the first persistent update (then the first batch seeds them). */
  readonly chains: Float64Array | null;
}

export interface CdInfo {
  /** The seed's loss, mean F(v) − mean F(v_k). */
  readonly loss: number;
  /** Mean over the batch of Σ_i (v_i − p(v_i | h))², h ~ p(h|v) the chain's first hidden draw. */
  readonly reconstructionError: number;
  /** The negative samples v_k the update used, shape [chains, visible]. */
  readonly negative: Float64Array;
}

/** `options` with the seed's defaults filled in, each checked (a RangeError naming the option and its range). */
export function resolveCdOptions(owner: string, options: CdOptions): Required<CdOptions> {
  const { k = 1, learningRate = 0.1, momentum = 0, weightDecay = 0, persistent = false } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${owner}: k must be an integer ≥ 1 (got ${k})`);
  if (!(Number.isFinite(learningRate) && learningRate > 0)) throw new RangeError(`${owner}: learningRate must be a finite number > 0 (got ${learningRate})`);
  if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`${owner}: momentum must lie in [0, 1) (got ${momentum})`);
  if (!(Number.isFinite(weightDecay) && weightDecay >= 0)) throw new RangeError(`${owner}: weightDecay must be a finite number ≥ 0 (got ${weightDecay})`);
  return { k, learningRate, momentum, weightDecay, persistent };
}

/** The starting state for `model`: zero momentum, no persistent chains. */
export function cdInit(model: Rbm): CdState {
  return { model, velocity: { W: new Float64Array(model.W.length), vBias: new Float64Array(model.visible), hBias: new Float64Array(model.hidden) }, chains: null };
}

/**
 * One CD-k / PCD-k update on `batch` (shape [batch, visible], binary). Pure: returns a new state,
 * leaving `state` untouched; randomness comes from `rng` only.
 *
 * @example
 *   let s = cdInit(createRbm(784, 500, rng));
 *   const { state, info } = cdStep(rng, s, images, { k: 1, learningRate: 0.1 });
 */
export function cdStep(rng: Rng, state: CdState, batch: Rows, options: CdOptions = {}): { state: CdState; info: CdInfo } {
  const { k, learningRate, momentum, weightDecay, persistent } = resolveCdOptions('cdStep', options);
  const m = state.model;
  const { visible: V, hidden: H } = m;
  const n = batchSize('cdStep', 'batch', batch, V);
  const v0 = Float64Array.from(batch);

  // Positive phase, and the first hidden draw (the seed's h1).
  const pre0 = hiddenInput(m, v0);
  const fe0 = freeEnergyFromInput(m, v0, pre0);
  const ph0 = pre0.map(sigmoid);
  const h0 = sampleBernoulli(rng, ph0);
  const recon = visibleProb(m, h0);
  let reconstructionError = 0;
  for (let q = 0; q < v0.length; q++) reconstructionError += (v0[q] - recon[q]) ** 2;
  reconstructionError /= n;

  // Negative phase.
  let vk: Float64Array;
  if (persistent) {
    vk = state.chains ?? v0;
    for (let s = 0; s < k; s++) vk = gibbsSweep(m, rng, vk).v;
  } else {
    vk = sampleBernoulli(rng, recon);
    for (let s = 1; s < k; s++) vk = gibbsSweep(m, rng, vk).v;
  }
  const nk = vk.length / V;
  const preK = hiddenInput(m, vk);
  const fek = freeEnergyFromInput(m, vk, preK);
  const phk = preK.map(sigmoid);
  let loss = 0;
  for (let r = 0; r < n; r++) loss += fe0[r] / n;
  for (let r = 0; r < nk; r++) loss -= fek[r] / nk;

  // Gradient of the loss: negative statistics minus positive ones.
  const gW = new Float64Array(H * V);
  const gb = new Float64Array(V);
  const gc = new Float64Array(H);
  accumulate(gW, gb, gc, vk, phk, nk, V, H, 1 / nk);
  accumulate(gW, gb, gc, v0, ph0, n, V, H, -1 / n);

  const next = cloneRbm(m);
  const vel = { W: state.velocity.W.slice(), vBias: state.velocity.vBias.slice(), hBias: state.velocity.hBias.slice() };
  for (let q = 0; q < gW.length; q++) {
    vel.W[q] = momentum * vel.W[q] + gW[q] + weightDecay * m.W[q];
    next.W[q] -= learningRate * vel.W[q];
  }
  for (let i = 0; i < V; i++) {
    vel.vBias[i] = momentum * vel.vBias[i] + gb[i];
    next.vBias[i] -= learningRate * vel.vBias[i];
  }
  for (let j = 0; j < H; j++) {
    vel.hBias[j] = momentum * vel.hBias[j] + gc[j];
    next.hBias[j] -= learningRate * vel.hBias[j];
  }
  return {
    state: { model: next, velocity: vel, chains: persistent ? vk : state.chains },
    info: { loss, reconstructionError, negative: vk },
  };
}

/** g += scale · Σ_rows (p(h|v) vᵀ, v, p(h|v)). */
function accumulate(gW: Float64Array, gb: Float64Array, gc: Float64Array, v: Float64Array, ph: Float64Array, n: number, V: number, H: number, scale: number): void {
  // Over each row's non-zero visible entries only (binary images are mostly zeros).
  const idx = new Int32Array(V);
  const val = new Float64Array(V);
  for (let r = 0; r < n; r++) {
    const nz = nonZeros(v, r * V, V, idx, val);
    for (let q = 0; q < nz; q++) gb[idx[q]] += scale * val[q];
    for (let j = 0; j < H; j++) {
      const p = scale * ph[r * H + j];
      gc[j] += p;
      if (p === 0) continue;
      const w = j * V;
      for (let q = 0; q < nz; q++) gW[w + idx[q]] += p * val[q];
    }
  }
}
