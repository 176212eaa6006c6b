import type { Rng } from '../random/rng.ts';
import { Coupling, type CouplingOptions, type Elementwise } from './coupling.ts';

export interface AffineCouplingOptions extends CouplingOptions {
  /** Bound B of the log-scale, s = B·tanh(raw/B) ∈ (−B, B) (default 3: a layer scales by at most e³ ≈ 20). */
  scaleBound?: number;
}

/**
 * RealNVP's affine coupling (Dinh et al. 2016): y_on = x_on·exp(s) + t, y_off = x_off,
 * log|det| = Σ_on s, with (raw s, t) = c(x_off) from one `Conditioner` (2 outputs per transformed
 * coordinate).
 *
 * The log-scale is soft-clamped, s = B·tanh(raw/B): the identity near 0 (so the zero-initialised net
 * starts the layer as the identity, and small log-scales train as unclamped ones), but bounded, so
 * one bad draw cannot make exp(s) overflow or collapse the layer — an unbounded exp(raw) is what
 * makes RealNVP training blow up early on (Glow and nflows bound it with a sigmoid for the same reason).
 *
 * The seed's `Scale` net computes its hidden blocks into a variable it never reads
 * (`off_ = self.mid_block[i](x)`), so its nets are one hidden layer deep whatever `hidden` says, and
 * it uses two separate nets for s and t; here every layer is used and s, t share one net.
 *
 * @example
 *   const layer = new AffineCoupling(2, new Rng(1), { parity: 0, hidden: [8, 8] });
 */
export class AffineCoupling extends Coupling {
  readonly scaleBound: number;

  constructor(dim: number, rng: Rng, options: AffineCouplingOptions = {}) {
    const bound = options.scaleBound ?? 3;
    if (!(Number.isFinite(bound) && bound > 0)) throw new RangeError(`AffineCoupling: scaleBound must be finite and > 0 (got ${bound})`);
    super(dim, 'AffineCoupling', 'affineCoupling', affine(bound), rng, options);
    this.scaleBound = bound;
  }
}

/** g(x; raw, t) = x·exp(s) + t, s = B·tanh(raw/B): log g′ = s. φ per element: [raw, t]. */
function affine(bound: number): Elementwise {
  return {
    paramsPerDim: 2,
    forward(x, phi, y, lg) {
      for (let k = 0; k < x.length; k++) {
        const s = bound * Math.tanh(phi[2 * k] / bound);
        y[k] = x[k] * Math.exp(s) + phi[2 * k + 1];
        lg[k] = s;
      }
    },
    inverse(y, phi, x, lg) {
      for (let k = 0; k < y.length; k++) {
        const s = bound * Math.tanh(phi[2 * k] / bound);
        x[k] = (y[k] - phi[2 * k + 1]) * Math.exp(-s);
        lg[k] = s;
      }
    },
    vjp(x, phi, gy, gl, gx, gPhi) {
      for (let k = 0; k < x.length; k++) {
        const th = Math.tanh(phi[2 * k] / bound);
        const e = Math.exp(bound * th);
        gx[k] = gy[k] * e;
        gPhi[2 * k] = (gy[k] * x[k] * e + gl[k]) * (1 - th * th);
        gPhi[2 * k + 1] = gy[k];
      }
    },
  };
}
