import type { Rng } from '../random/rng.ts';
import { batchSize, type Rbm, type Rows } from './rbm.ts';
import { freeEnergies } from './rbmEngine.ts';

/**
 * The stochastic pseudo-log-likelihood per row, as scikit-learn's `BernoulliRBM.score_samples`:
 * flip one visible bit ĩ per row (uniform, from `rng`, or as given by `flipIndices`), then
 *
 *   PL(v) = visible · log σ(F(ṽ) − F(v))
 *
 * an unbiased estimate of Σ_i log p(v_i | v_¬i). Cheap (two free energies), for live monitoring.
 *
 * @param v shape [batch, visible], binary
 * @param flipIndices length batch, each in [0, visible) (tests); default drawn from rng
 * @returns shape [batch]
 */
export function pseudoLikelihood(model: Rbm, v: Rows, rng: Rng, flipIndices?: ArrayLike<number>): Float64Array {
  const V = model.visible;
  const n = batchSize('pseudoLikelihood', 'v', v, V);
  if (flipIndices != null && flipIndices.length !== n) throw new RangeError(`pseudoLikelihood: flipIndices must have length batch = ${n} (got ${flipIndices.length})`);
  const flipped = Float64Array.from(v);
  for (let r = 0; r < n; r++) {
    const i = flipIndices == null ? Math.floor(rng.uniform() * V) : flipIndices[r];
    if (!Number.isInteger(i) || i < 0 || i >= V) throw new RangeError(`pseudoLikelihood: flipIndices[${r}] must be an integer in [0, ${V}) (got ${i})`);
    flipped[r * V + i] = 1 - flipped[r * V + i];
  }
  const f = freeEnergies(model, v);
  const g = freeEnergies(model, flipped);
  const out = new Float64Array(n);
  // log σ(x) = −softplus(−x), written stably.
  for (let r = 0; r < n; r++) {
    const x = g[r] - f[r];
    out[r] = -V * (x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x)));
  }
  return out;
}
