import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import { hostKernels } from '../backend/hostKernels.ts';
import { HostAdamKernel } from './hostAdamKernel.ts';
import { NativeAdamKernel } from './nativeAdamKernel.ts';

export interface AdamOptions {
  /** Learning rate, > 0. Default 1e-3 (PyTorch's). */
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /**
   * Run the update on the host instead of as TF.js kernels: read each gradient, update float32
   * moments kept in our own WebAssembly kernel's memory (hostAdamKernel.ts), write each variable
   * back. On wasm and cpu the tensors live in host memory already. For a model of a few hundred
   * parameters (a flow on a 2-D posterior) the ~30 kernel launches of the device update cost more
   * than the arithmetic (measured 0.28 of a 0.9 ms planar-flow step); for the 0.8 M of the MLP
   * image VAE the device update's split, square and concat passes do (21 ms against 7 ms on the
   * host, copies included). Off by default: on a GPU backend every step would copy the parameters
   * to the host and back. With the host kernels built (backend/hostKernels.ts) the same update runs
   * there, bit for bit, reading and writing the tensors in place (nativeAdamKernel.ts).
   */
  host?: boolean;
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
 *
 * The moments of all variables live in one flat vector each, and an update is one chain of
 * elementwise kernels over all parameters (then split back per variable) instead of one chain per
 * variable: the same arithmetic element by element, a third of the kernel launches, which is what
 * an update of a few thousand parameters costs.
 */
export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private t = 0;
  /** Parameter count per variable, in the optimiser's variable order. */
  private readonly sizes: number[];
  /** Flat first and second moments, shape [Σ sizes]. */
  private readonly m: Variable | null;
  private readonly v: Variable | null;
  /** The host update (the `host` option), which keeps the flat moments. */
  private readonly kernel: HostAdamKernel | NativeAdamKernel | null;

  constructor(readonly variables: readonly Variable[], options: AdamOptions = {}) {
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    if (!(this.lr > 0) || !Number.isFinite(this.lr)) throw new RangeError(`Adam: lr must be a finite number > 0 (got ${this.lr})`);
    for (const [k, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new RangeError(`Adam: ${k} must be in [0, 1) (got ${b})`);
    }
    this.sizes = variables.map((x) => x.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    const host = options.host ?? false;
    this.m = host ? null : tf.tidy(() => tf.variable(tf.zeros([total]), false));
    this.v = host ? null : tf.tidy(() => tf.variable(tf.zeros([total]), false));
    const kernels = host ? hostKernels() : null;
    this.kernel = !host ? null : kernels ? new NativeAdamKernel(kernels, total) : new HostAdamKernel(total, Math.max(0, ...this.sizes));
  }

  get step(): number {
    return this.t;
  }

  /** Applies one update. `grads[i]` belongs to `variables[i]`; the caller keeps ownership of the gradients. */
  apply(grads: readonly Tensor[]): void {
    if (grads.length !== this.variables.length) {
      throw new RangeError(`Adam.apply: expected ${this.variables.length} gradients, got ${grads.length}`);
    }
    grads.forEach((g, i) => {
      if (g.size !== this.sizes[i]) throw new RangeError(`Adam.apply: gradient ${i} has ${g.size} elements, its variable ${this.sizes[i]}`);
    });
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    const stepSize = this.lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    if (this.kernel) {
      this.applyOnHost(grads, stepSize, sqrtBc2);
      return;
    }
    const [mv, vv] = [this.m!, this.v!];
    tf.tidy(() => {
      const g = grads.length === 1 ? tf.reshape(grads[0], [-1]) : tf.concat(grads.map((x) => tf.reshape(x, [-1])));
      const m = tf.add(tf.mul(mv, this.beta1), tf.mul(g, 1 - this.beta1));
      const v = tf.add(tf.mul(vv, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
      mv.assign(m);
      vv.assign(v);
      const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), this.eps);
      const update = tf.mul(tf.div(m, denom), stepSize);
      const parts = this.variables.length === 1 ? [update] : tf.split(update, this.sizes);
      this.variables.forEach((x, i) => x.assign(tf.sub(x, tf.reshape(parts[i], x.shape))));
    });
  }

  /** The same update element by element, in float32 storage with float64 arithmetic (hostAdamKernel.ts). */
  private applyOnHost(grads: readonly Tensor[], stepSize: number, sqrtBc2: number): void {
    let offset = 0;
    this.variables.forEach((x, i) => {
      tf.tidy(() => x.assign(this.kernel!.apply(offset, x, grads[i], this.beta1, this.beta2, this.eps, stepSize, sqrtBc2)));
      offset += x.size;
    });
  }

  state(): AdamState {
    const m = this.kernel?.m ?? (this.m!.dataSync() as Float32Array);
    const v = this.kernel?.v ?? (this.v!.dataSync() as Float32Array);
    return { step: this.t, m: this.unflatten(Float32Array.from(m)), v: this.unflatten(Float32Array.from(v)) };
  }

  load(state: AdamState): void {
    if (state.m.length !== this.sizes.length || state.v.length !== this.sizes.length) {
      throw new RangeError(`Adam.load: state has ${state.m.length} moments, optimiser has ${this.sizes.length} variables`);
    }
    for (const [name, parts] of [['m', state.m], ['v', state.v]] as const) {
      parts.forEach((a, i) => {
        if (a.length !== this.sizes[i]) throw new RangeError(`Adam.load: ${name}[${i}] has ${a.length} elements, its variable ${this.sizes[i]}`);
      });
    }
    this.t = state.step;
    const total = this.sizes.reduce((a, b) => a + b, 0);
    const flat = (parts: Float32Array[]) => {
      const out = new Float32Array(total);
      let offset = 0;
      parts.forEach((a) => { out.set(a, offset); offset += a.length; });
      return out;
    };
    if (this.kernel) {
      this.kernel.m.set(flat(state.m));
      this.kernel.v.set(flat(state.v));
      return;
    }
    tf.tidy(() => {
      this.m!.assign(tf.tensor1d(flat(state.m)));
      this.v!.assign(tf.tensor1d(flat(state.v)));
    });
  }

  dispose(): void {
    if (this.m && this.v) tf.dispose([this.m, this.v]);
  }

  private unflatten(flat: Float32Array): Float32Array[] {
    let offset = 0;
    return this.sizes.map((n) => flat.slice(offset, (offset += n)));
  }
}

