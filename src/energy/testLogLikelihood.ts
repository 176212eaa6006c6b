import type { Rbm, Rows } from './rbm.ts';
import { freeEnergies } from './rbmEngine.ts';

/**
 * log p(v) = −F(v) − log Z per row, shape [batch], given log Z (exactLogZ, or ais's estimate; an
 * AIS standard error s on log Z is a common shift of every row's value, so the mean carries ±s).
 *
 * @param v shape [batch, visible]
 */
export function logLikelihood(model: Rbm, v: Rows, logZ: number): Float64Array {
  if (!Number.isFinite(logZ)) throw new RangeError(`logLikelihood: logZ must be finite (got ${logZ})`);
  const f = freeEnergies(model, v);
  for (let r = 0; r < f.length; r++) f[r] = -f[r] - logZ;
  return f;
}

/** The mean of logLikelihood over the rows of `v`: the test log-likelihood in nats per image. */
export function meanLogLikelihood(model: Rbm, v: Rows, logZ: number): number {
  const ll = logLikelihood(model, v, logZ);
  let s = 0;
  for (let r = 0; r < ll.length; r++) s += ll[r];
  return s / ll.length;
}
