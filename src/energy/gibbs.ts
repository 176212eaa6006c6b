import { Observable } from 'rxjs';
import { Rng } from '../random/rng.ts';
import type { Kernel, KernelInfo, KernelState } from '../samplers/kernel.ts';
import { batchSize, freeEnergy, hiddenInput, sampleBernoulli, sigmoid, visibleInput, type Rbm, type Rows } from './rbm.ts';

/**
 * Block Gibbs sampling of an RBM: the seed's v → h → v chain. Given v, the hidden units are
 * independent, h_j ~ Bernoulli(σ(c_j + W_j·v)); given h, so are the visible ones,
 * v_i ~ Bernoulli(σ(b_i + (Wᵀh)_i)). One sweep leaves p(v) = e^{−F(v)}/Z invariant.
 */

/** A chain's state: `position` is v (length visible), `logDensity` = −F(v) (unnormalised log p(v)). */
export interface GibbsState extends KernelState {
  /** The hidden configuration drawn on the way to `position`, length hidden (zeros after init). */
  readonly hidden: Float64Array;
}

/** Gibbs moves always: acceptance 1, never divergent, no gradients. */
export type GibbsInfo = KernelInfo;

export interface TemperOptions {
  /** Inverse temperature β ∈ [0, 1] of the tempered model (AIS); default 1, the RBM itself. */
  beta?: number;
  /** Visible biases of the base model mixed in with weight 1 − β, length visible; default zeros. */
  baseVBias?: ArrayLike<number>;
}

/**
 * One sweep v → h → v for a batch of chains, shape [batch, visible] in and out, at inverse
 * temperature β between the base model (W = 0, visible biases b_A, hidden biases 0) and `model`:
 * h_j ~ σ(β(c_j + W_j·v)), v_i ~ σ((1 − β) b_A,i + β(b_i + (Wᵀh)_i)), which leaves
 * p_β(v) ∝ exp((1 − β) b_A·v + β b·v) Π_j (1 + e^{β(c_j + W_j·v)}) invariant.
 */
export function gibbsSweep(model: Rbm, rng: Rng, v: Rows, options: TemperOptions = {}): { v: Float64Array; h: Float64Array } {
  const beta = options.beta ?? 1;
  if (!(beta >= 0 && beta <= 1)) throw new RangeError(`gibbsSweep: beta must lie in [0, 1] (got ${beta})`);
  const base = options.baseVBias;
  if (base != null && base.length !== model.visible) throw new RangeError(`gibbsSweep: baseVBias must have length visible = ${model.visible} (got ${base.length})`);
  batchSize('gibbsSweep', 'v', v, model.visible);
  return gibbsSweepFromInput(model, rng, hiddenInput(model, v), beta, base);
}

/**
 * gibbsSweep given the chains' raw hidden pre-activations c + W v (β = 1), shape [batch, hidden],
 * so a caller that already has them (AIS) skips a product. Options are not re-validated.
 */
export function gibbsSweepFromInput(model: Rbm, rng: Rng, pre: Float64Array, beta: number, base?: ArrayLike<number>): { v: Float64Array; h: Float64Array } {
  const hPre = new Float64Array(pre.length);
  for (let k = 0; k < hPre.length; k++) hPre[k] = sigmoid(beta * pre[k]);
  const h = sampleBernoulli(rng, hPre);
  const vPre = visibleInput(model, h);
  const V = model.visible;
  for (let k = 0; k < vPre.length; k++) {
    const a = beta * vPre[k] + (base ? (1 - beta) * base[k % V] : 0);
    vPre[k] = sigmoid(a);
  }
  return { v: sampleBernoulli(rng, vPre), h };
}

/**
 * Block Gibbs as a kernel (samplers/kernel.ts contract): `init(v)`, `step(rng, state)` is one
 * sweep v → h → v'.
 *
 * @example
 *   const k = gibbs(model);
 *   let s = k.init(new Float64Array(model.visible));
 *   s = k.step(rng, s).state;
 */
export function gibbs(model: Rbm): Kernel<GibbsState, GibbsInfo> {
  const info: GibbsInfo = Object.freeze({ acceptance: 1, accepted: true, divergent: false, gradientEvaluations: 0 });
  return {
    init(position) {
      if (position.length !== model.visible) throw new RangeError(`gibbs.init: position must have length visible = ${model.visible} (got ${position.length})`);
      return { position: position.slice(), logDensity: -freeEnergy(model, position)[0], hidden: new Float64Array(model.hidden) };
    },
    step(rng, state) {
      const { v, h } = gibbsSweep(model, rng, state.position);
      return { state: { position: v, logDensity: -freeEnergy(model, v)[0], hidden: h }, info };
    },
  };
}

export interface GibbsChainOptions {
  /** Sweeps to emit, an integer ≥ 1 or Infinity (stop by unsubscribing). */
  steps: number;
  /** Sweeps per synchronous chunk before yielding to the event loop; default 64. */
  chunk?: number;
}

/**
 * The chain as a cold stream of states, one per sweep (the initial state is not emitted). Each
 * subscription replays from `rng`'s state at call time (forked once), so the same seed gives the same chain.
 *
 * @example gibbsChain(model, v0, rng.fork(), { steps: 1000 }).pipe(map((s) => s.position))
 */
export function gibbsChain(model: Rbm, initial: Float64Array, rng: Rng, options: GibbsChainOptions): Observable<GibbsState> {
  const { steps, chunk = 64 } = options;
  if (!(steps === Infinity || (Number.isInteger(steps) && steps >= 1))) throw new RangeError(`gibbsChain: steps must be an integer ≥ 1 or Infinity (got ${steps})`);
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`gibbsChain: chunk must be an integer ≥ 1 (got ${chunk})`);
  const kernel = gibbs(model);
  const start = kernel.init(initial);
  const seed = rng.fork().state();
  return new Observable<GibbsState>((subscriber) => {
    // Fresh generator per subscription, replaying the same stream.
    const local = Rng.fromState(seed);
    let state = start;
    let done = 0;
    let handle: NodeJS.Immediate | undefined;
    const tick = () => {
      for (let c = 0; c < chunk && done < steps; c++, done++) {
        if (subscriber.closed) return;
        state = kernel.step(local, state).state;
        subscriber.next(state);
      }
      if (subscriber.closed) return;
      if (done >= steps) subscriber.complete();
      else handle = setImmediate(tick);
    };
    handle = setImmediate(tick);
    return () => {
      if (handle) clearImmediate(handle);
    };
  });
}
