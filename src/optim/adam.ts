import { tf, type Tensor, type Variable } from '../backend/tf.ts';

export interface AdamOptions {
  /** Learning rate, > 0. Default 1e-3 (PyTorch's). */
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export interface AdamState {
  step: number;
  /** First and second moments per variable, in the optimiser's variable order. */
  m: Float32Array[];
  v: Float32Array[];
}

/**
 * Adam (Kingma & Ba), in PyTorch's form: θ ← θ − lr·m̂/(√v̂ + ε).
 *
 * Our own rather than tf.train.adam so that its whole state (moments and step count, with bias
 * corrections computed in float64 from the step) can be checkpointed and restored exactly:
 * tf.train.adam's setWeights recomputes β^t by pow, which differs in float32 from the running
 * product, so a resumed run would drift from an uninterrupted one.
 */
export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private t = 0;
  private readonly m: Variable[];
  private readonly v: Variable[];

  constructor(readonly variables: readonly Variable[], options: AdamOptions = {}) {
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    if (!(this.lr > 0) || !Number.isFinite(this.lr)) throw new RangeError(`Adam: lr must be a finite number > 0 (got ${this.lr})`);
    for (const [k, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new RangeError(`Adam: ${k} must be in [0, 1) (got ${b})`);
    }
    this.m = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  get step(): number {
    return this.t;
  }

  /** Applies one update. `grads[i]` belongs to `variables[i]`; the caller keeps ownership of the gradients. */
  apply(grads: readonly Tensor[]): void {
    if (grads.length !== this.variables.length) {
      throw new RangeError(`Adam.apply: expected ${this.variables.length} gradients, got ${grads.length}`);
    }
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    const stepSize = this.lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    tf.tidy(() => {
      grads.forEach((g, i) => {
        const m = tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), this.eps);
        this.variables[i].assign(tf.sub(this.variables[i], tf.mul(tf.div(m, denom), stepSize)));
      });
    });
  }

  state(): AdamState {
    return { step: this.t, m: this.m.map((x) => x.dataSync() as Float32Array), v: this.v.map((x) => x.dataSync() as Float32Array) };
  }

  load(state: AdamState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new RangeError(`Adam.load: state has ${state.m.length} moments, optimiser has ${this.m.length} variables`);
    }
    this.t = state.step;
    tf.tidy(() => {
      state.m.forEach((a, i) => this.m[i].assign(tf.tensor(a, this.m[i].shape)));
      state.v.forEach((a, i) => this.v[i].assign(tf.tensor(a, this.v[i].shape)));
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
