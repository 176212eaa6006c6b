import type { Rng } from '../random/rng.ts';
import { Coupling, type CouplingOptions } from './coupling.ts';
import { rationalQuadraticSpline, type RationalQuadraticSplineOptions } from './rationalQuadraticSpline.ts';

export interface SplineCouplingOptions extends CouplingOptions, RationalQuadraticSplineOptions {}

/**
 * A rational-quadratic neural spline coupling (Durkan et al. 2019; nflows'
 * `PiecewiseRationalQuadraticCouplingTransform` with `tails='linear'`): y_on = g(x_on; c(x_off)),
 * g the monotone spline of `rationalQuadraticSpline` on [−B, B] with K bins and the identity outside,
 * its 3K − 1 parameters per transformed coordinate from a `Conditioner` (for d = 2: one input).
 * The inverse solves the bin's quadratic in closed form. Starts as the identity (zero last layer).
 *
 * @example
 *   const layer = new SplineCoupling(2, new Rng(1), { parity: 1, bins: 8, tailBound: 5 });
 */
export class SplineCoupling extends Coupling {
  readonly bins: number;
  readonly tailBound: number;

  constructor(dim: number, rng: Rng, options: SplineCouplingOptions = {}) {
    const spline = rationalQuadraticSpline(options);
    super(dim, 'SplineCoupling', 'splineCoupling', spline, rng, options);
    this.bins = spline.bins;
    this.tailBound = spline.tailBound;
  }
}
