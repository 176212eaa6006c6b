import type { ExactPosterior2D } from '../targets/exactPosterior.ts';
import type { PosteriorGrid } from '../targets/posteriorGrid.ts';
import { binnedKl, marginalW1, momentErrors } from '../targets/sampleDistance.ts';

/** What a 2-D posterior's exact answer gives every method to be scored against. */
export interface ExactReference {
  /** log p(y) from the independent 1-D quadrature. */
  readonly logEvidence: number;
  readonly exact: ExactPosterior2D;
  /** The fine grid: contours for figures, bins for the binned KL. */
  readonly grid: PosteriorGrid;
}

/** Scores of a sample set [n*2] against the exact posterior, as named columns. */
export function scoreSamples(samples: Float64Array, ref: ExactReference): Record<string, number> {
  const m = momentErrors(samples, ref.exact);
  return {
    mean_theta1_error: m.mean[0],
    mean_theta2_error: m.mean[1],
    sd_theta1_error: m.sd[0],
    sd_theta2_error: m.sd[1],
    corr_error: m.corr,
    w1_theta1: marginalW1(samples, ref.exact, 0),
    w1_theta2: marginalW1(samples, ref.exact, 1),
    binned_kl: binnedKl(samples, ref.grid),
  };
}
