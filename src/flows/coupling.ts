import type { Rng } from '../random/rng.ts';
import { Conditioner, type ConditionerOptions } from './conditioner.ts';
import { KernelTransform, type KernelPass, type ParamValues } from './layerKernel.ts';

/**
 * A scalar bijection g(x; φ) applied to every transformed coordinate, its parameters φ from the
 * conditioner: additive (shift), affine (log-scale and shift), rational-quadratic spline.
 * All arrays hold m elements (φ: m × paramsPerDim, element-major).
 */
export interface Elementwise {
  /** Parameters per transformed coordinate. */
  readonly paramsPerDim: number;
  /** y = g(x; φ) and lg = log g′(x; φ); may return what `vjp` at the same (x, φ) can reuse. */
  forward(x: Float64Array, phi: Float64Array, y: Float64Array, lg: Float64Array): unknown;
  /** x = g⁻¹(y; φ) and lg = log g′(x; φ) at that x; may return what `vjp` at (x, φ) can reuse. */
  inverse(y: Float64Array, phi: Float64Array, x: Float64Array, lg: Float64Array): unknown;
  /**
   * Writes gx = ∂J/∂x and gPhi = ∂J/∂φ of J = Σ gy·g(x; φ) + gl·log g′(x; φ) (overwrites both).
   * `cache`: what forward or inverse returned for this (x, φ), when they did.
   */
  vjp(x: Float64Array, phi: Float64Array, gy: Float64Array, gl: Float64Array, gx: Float64Array, gPhi: Float64Array, cache?: unknown): void;
}

export interface CouplingOptions extends ConditionerOptions {
  /**
   * Which half is transformed: 0 (default) transforms the odd coordinates given the even ones (the
   * seed's first layer: off = x[:, 0::2], on = x[:, 1::2]), 1 the even ones given the odd ones.
   * Alternate it between consecutive layers so every coordinate gets transformed.
   */
  parity?: 0 | 1;
  /** Explicit mask, length dim: true = transformed; overrides `parity`. Needs both kinds. */
  mask?: readonly boolean[];
  /** Prefix of the variable's name (default: the layer's kind, e.g. `affineCoupling`). */
  name?: string;
}

/**
 * A coupling layer (Dinh et al.): y_off = x_off, y_on = g(x_on; c(x_off)) elementwise, where c is a
 * `Conditioner` MLP; log|det| = Σ_on log g′. One kernel: MLP, bijection and both reverse modes.
 *
 * The seed alternates halves by reshaping to [B, d/2, 2] and stacking (on, off) back, which swaps
 * each pair (2k, 2k + 1) after every layer: for d = 2 consecutive layers do alternate, but the
 * output of an odd number of couplings has its coordinates swapped (a fixed permutation folded into
 * the flow, and it needs even d). A mask alternates without moving coordinates, for any d ≥ 2.
 *
 * The inverse is differentiable in its input and the parameters by the implicit function theorem
 * (dx = (dy − ∂g/∂φ dφ)/g′), reusing the forward reverse mode; so a coupling flow can also be
 * trained by maximum likelihood through `Flow.logProb`.
 *
 * Parameters: one variable `<name>/params` holding the conditioner's (see `Conditioner`).
 */
export abstract class Coupling extends KernelTransform {
  /** Indices of the transformed coordinates. */
  readonly on: readonly number[];
  /** Indices of the conditioning coordinates. */
  readonly off: readonly number[];
  readonly conditioner: Conditioner;

  protected constructor(dim: number, label: string, defaultName: string, protected readonly element: Elementwise, rng: Rng, options: CouplingOptions) {
    const mask = couplingMask(label, dim, options);
    const on = mask.flatMap((m, i) => (m ? [i] : []));
    const off = mask.flatMap((m, i) => (m ? [] : [i]));
    const conditioner = new Conditioner(off.length, on.length * element.paramsPerDim, options);
    const initial = new Float32Array(conditioner.size);
    conditioner.init(rng, initial, 0);
    super(dim, label, options.name ?? defaultName, initial);
    this.on = on;
    this.off = off;
    this.conditioner = conditioner;
  }

  forwardPass(x: Float64Array, n: number, p: ParamValues): KernelPass {
    const { on, dim } = this;
    const m = n * on.length;
    const cond = this.conditioner.forward(p, 0, gather(x, n, dim, this.off), n);
    const phi = cond.out;
    const xOn = gather(x, n, dim, on);
    const yOn = new Float64Array(m);
    const lg = new Float64Array(m);
    const cache = this.element.forward(xOn, phi, yOn, lg);
    const y = Float64Array.from(x);
    scatter(y, yOn, n, dim, on);
    const logAbsDet = rowSums(lg, n, on.length, 1);
    const backward = (gy: Float64Array, gl: Float64Array, gp: Float64Array): Float64Array => {
      const gxOn = new Float64Array(m);
      const gPhi = new Float64Array(phi.length);
      this.element.vjp(xOn, phi, gather(gy, n, dim, on), perElement(gl, n, on.length), gxOn, gPhi, cache);
      const gx = Float64Array.from(gy);
      scatter(gx, gxOn, n, dim, on);
      addScatter(gx, this.conditioner.backward(p, 0, cond, gPhi, gp, n), n, dim, this.off);
      return gx;
    };
    return { y, logAbsDet, backward };
  }

  inversePass(y: Float64Array, n: number, p: ParamValues): KernelPass {
    const { on, dim } = this;
    const m = n * on.length;
    const cond = this.conditioner.forward(p, 0, gather(y, n, dim, this.off), n);
    const phi = cond.out;
    const xOn = new Float64Array(m);
    const lg = new Float64Array(m);
    const cache = this.element.inverse(gather(y, n, dim, on), phi, xOn, lg);
    const x = Float64Array.from(y);
    scatter(x, xOn, n, dim, on);
    const logAbsDet = rowSums(lg, n, on.length, -1);
    const backward = (gx: Float64Array, gl: Float64Array, gp: Float64Array): Float64Array => {
      // J = gx·x + gl·(−Σ lg(x, φ)), x = g⁻¹(y; φ): with c = ∂lg/∂x and A = (gx − gl·c)/g′,
      // ∂J/∂y = A and ∂J/∂φ = −(A·∂g/∂φ + gl·∂lg/∂φ), the forward reverse mode at (gy = A, gl).
      const glE = perElement(gl, n, on.length);
      const c = new Float64Array(m);
      const scratch = new Float64Array(phi.length);
      this.element.vjp(xOn, phi, new Float64Array(m), new Float64Array(m).fill(1), c, scratch, cache);
      const gxOn = gather(gx, n, dim, on);
      const a = new Float64Array(m);
      for (let k = 0; k < m; k++) a[k] = (gxOn[k] - glE[k] * c[k]) / Math.exp(lg[k]);
      const gPhi = new Float64Array(phi.length);
      this.element.vjp(xOn, phi, a, glE, new Float64Array(m), gPhi, cache);
      for (let k = 0; k < gPhi.length; k++) gPhi[k] = -gPhi[k];
      const gy = Float64Array.from(gx);
      scatter(gy, a, n, dim, on);
      addScatter(gy, this.conditioner.backward(p, 0, cond, gPhi, gp, n), n, dim, this.off);
      return gy;
    };
    return { y: x, logAbsDet, backward };
  }
}

function couplingMask(label: string, dim: number, options: CouplingOptions): boolean[] {
  if (!Number.isInteger(dim) || dim < 2) throw new RangeError(`${label}: dim must be an integer ≥ 2 (got ${dim})`);
  if (options.mask != null) {
    const mask = Array.from(options.mask, Boolean);
    if (mask.length !== dim) throw new RangeError(`${label}: mask must have length ${dim} (got ${mask.length})`);
    if (mask.every((v) => v) || !mask.some((v) => v)) {
      throw new RangeError(`${label}: mask must mark at least one coordinate transformed and one conditioning (got [${mask.join(', ')}])`);
    }
    return mask;
  }
  const parity = options.parity ?? 0;
  if (parity !== 0 && parity !== 1) throw new RangeError(`${label}: parity must be 0 or 1 (got ${String(parity)})`);
  return Array.from({ length: dim }, (_, i) => i % 2 !== parity);
}

/** Columns `cols` of an n × dim array, n × cols.length. */
function gather(a: Float64Array, n: number, dim: number, cols: readonly number[]): Float64Array {
  const k = cols.length;
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) out[r * k + j] = a[r * dim + cols[j]];
  return out;
}

function scatter(a: Float64Array, v: Float64Array, n: number, dim: number, cols: readonly number[]): void {
  const k = cols.length;
  for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) a[r * dim + cols[j]] = v[r * k + j];
}

function addScatter(a: Float64Array, v: Float64Array, n: number, dim: number, cols: readonly number[]): void {
  const k = cols.length;
  for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) a[r * dim + cols[j]] += v[r * k + j];
}

function rowSums(v: Float64Array, n: number, k: number, sign: number): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += v[r * k + j];
    out[r] = sign * s;
  }
  return out;
}

/** A per-row value repeated for each of the row's k elements. */
function perElement(v: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) out.fill(v[r], r * k, (r + 1) * k);
  return out;
}
