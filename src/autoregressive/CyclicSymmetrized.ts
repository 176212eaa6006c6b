import { tf } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';
import { toOneHot } from '../lattice/configurations.ts';
import type { RelaxedSiteDistribution, RsampleOptions, SiteDistribution } from './SiteDistribution.ts';

/**
 * The base distribution averaged over the cyclic relabelling of states a → a + k (mod q), k = 0 … q−1:
 *   p_s(x) = (1/q) Σ_k p(x + k).
 * For Ising (q = 2) this is VAN's Z2 symmetrisation ½[p(x) + p(−x)]. Both magnetised sectors then
 * carry equal weight by construction, so a model that has learned one sector represents the
 * symmetric ordered phase instead of collapsing onto one mode (the seed's complaint). Costs q forward passes per logProb.
 *
 * @example const sym = new CyclicSymmetrized(model); sym.logProb(x); sym.sampleStates(100, rng);
 */
export class CyclicSymmetrized implements RelaxedSiteDistribution {
  readonly units: number;
  readonly states: number;

  constructor(readonly base: SiteDistribution) {
    this.units = base.units;
    this.states = base.states;
  }

  get variables(): tf.Variable[] {
    return this.base.variables;
  }

  /** @param x shape [batch, units·q] @returns [batch] */
  logProb(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const q = this.states, b = x.shape[0];
      const terms: tf.Tensor1D[] = [];
      for (let k = 0; k < q; k++) terms.push(this.base.logProb(relabel(x, k, this.units, q)));
      return tf.sub(tf.logSumExp(tf.stack(terms), 0), Math.log(q)) as tf.Tensor1D;
    });
  }

  sample(n: number, rng: Rng): tf.Tensor2D {
    return tf.tensor2d(toOneHot(this.sampleStates(n, rng), this.units, this.states), [n, this.units * this.states]);
  }

  /**
   * Relaxed base draws, each relabelled by a uniform random k (a permutation of features: differentiable).
   * @throws if the base distribution has no `rsample`.
   */
  rsample(n: number, rng: Rng, options: RsampleOptions = {}): tf.Tensor2D {
    const base = this.base as Partial<RelaxedSiteDistribution>;
    if (typeof base.rsample !== 'function') throw new TypeError('CyclicSymmetrized.rsample: the base distribution has no rsample');
    const q = this.states;
    const shifts = Array.from({ length: n }, () => Math.floor(rng.uniform() * q));
    return tf.tidy(() => {
      const y = (base.rsample as RelaxedSiteDistribution['rsample'])(n, rng, options);
      let out: tf.Tensor2D | null = null;
      for (let k = 0; k < q; k++) {
        const pick = tf.tensor2d(shifts.map((s) => (s === k ? 1 : 0)), [n, 1]);
        const term = tf.mul(relabel(y, k, this.units, q), pick) as tf.Tensor2D;
        out = out ? (tf.add(out, term) as tf.Tensor2D) : term;
      }
      return out as tf.Tensor2D;
    });
  }

  /** Base draws, each relabelled by a uniform random k. @returns [n, units] */
  sampleStates(n: number, rng: Rng): Uint8Array {
    const s = this.base.sampleStates(n, rng);
    const q = this.states;
    for (let k = 0; k < n; k++) {
      const shift = Math.floor(rng.uniform() * q);
      if (shift === 0) continue;
      for (let i = 0; i < this.units; i++) s[k * this.units + i] = (s[k * this.units + i] + shift) % q;
    }
    return s;
  }
}

/**
 * Relabels every site a → a + k (mod q): feature a of the result is feature a − k of x.
 * @param x shape [batch, units·q] @returns same shape
 */
function relabel(x: tf.Tensor2D, k: number, units: number, q: number): tf.Tensor2D {
  if (k === 0) return x;
  return tf.tidy(() => {
    const b = x.shape[0];
    const X = tf.reshape(x, [b, units, q]);
    const shifted = tf.concat([tf.slice(X, [0, 0, q - k], [b, units, k]), tf.slice(X, [0, 0, 0], [b, units, q - k])], 2);
    return tf.reshape(shifted, [b, units * q]) as tf.Tensor2D;
  });
}
