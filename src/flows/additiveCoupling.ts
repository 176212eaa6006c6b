import type { Rng } from '../random/rng.ts';
import { Coupling, type CouplingOptions, type Elementwise } from './coupling.ts';

/** g(x; t) = x + t: volume preserving, log g′ = 0. */
const shift: Elementwise = {
  paramsPerDim: 1,
  forward(x, phi, y, lg) {
    for (let k = 0; k < x.length; k++) {
      y[k] = x[k] + phi[k];
      lg[k] = 0;
    }
  },
  inverse(y, phi, x, lg) {
    for (let k = 0; k < y.length; k++) {
      x[k] = y[k] - phi[k];
      lg[k] = 0;
    }
  },
  vjp(_x, _phi, gy, _gl, gx, gPhi) {
    gx.set(gy);
    gPhi.set(gy);
  },
};

/**
 * NICE's additive coupling (Dinh et al. 2014): y_on = x_on + t(x_off), y_off = x_off, log|det| = 0.
 * The shift net t is a `Conditioner` (all its layers used; zero last layer, so it starts as the identity).
 *
 * @example
 *   const layer = new AdditiveCoupling(2, new Rng(1), { parity: 1, hidden: [8, 8] });
 */
export class AdditiveCoupling extends Coupling {
  constructor(dim: number, rng: Rng, options: CouplingOptions = {}) {
    super(dim, 'AdditiveCoupling', 'additiveCoupling', shift, rng, options);
  }
}
