import { KernelTransform, type KernelPass, type ParamValues } from './layerKernel.ts';

export interface ScalingOptions {
  /** Initial log-scales s, length dim (default zeros: the identity, as the seed). */
  logScale?: ArrayLike<number>;
  /** Prefix of the variable's name (default `scaling`). */
  name?: string;
}

/**
 * NICE's diagonal scaling layer: y = x ⊙ exp(s), log|det| = Σ_j s_j (the same for every row); the
 * only volume change in a NICE flow, whose couplings are volume preserving.
 * Parameters: one variable `<name>/params` = s, shape [dim].
 *
 * @example
 *   const layer = new Scaling(2);   // starts as the identity
 */
export class Scaling extends KernelTransform {
  constructor(dim: number, options: ScalingOptions = {}) {
    const s = new Float32Array(dim);
    if (options.logScale != null) {
      if (options.logScale.length !== dim) throw new RangeError(`Scaling: logScale must have length ${dim} (got ${options.logScale.length})`);
      s.set(options.logScale);
    }
    if (!s.every(Number.isFinite)) throw new RangeError(`Scaling: logScale must be finite (got [${Array.from(s).join(', ')}])`);
    super(dim, 'Scaling', options.name ?? 'scaling', s);
  }

  forwardPass(x: Float64Array, n: number, p: ParamValues): KernelPass {
    return this.pass(x, n, p, 1);
  }

  inversePass(y: Float64Array, n: number, p: ParamValues): KernelPass {
    return this.pass(y, n, p, -1);
  }

  /** y = x ⊙ exp(sign·s), logAbsDet = sign·Σ s. */
  private pass(x: Float64Array, n: number, p: ParamValues, sign: number): KernelPass {
    const d = this.dim;
    const e = Float64Array.from(p, (s) => Math.exp(sign * s));
    let total = 0;
    for (let j = 0; j < d; j++) total += p[j];
    const y = new Float64Array(n * d);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) y[r * d + j] = x[r * d + j] * e[j];
    const logAbsDet = new Float64Array(n).fill(sign * total);
    const backward = (gy: Float64Array, gl: Float64Array, gp: Float64Array): Float64Array => {
      const gx = new Float64Array(n * d);
      let glSum = 0;
      for (let r = 0; r < n; r++) glSum += gl[r];
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let r = 0; r < n; r++) {
          gx[r * d + j] = gy[r * d + j] * e[j];
          s += gy[r * d + j] * y[r * d + j];
        }
        gp[j] += sign * (s + glSum);
      }
      return gx;
    };
    return { y, logAbsDet, backward };
  }
}
