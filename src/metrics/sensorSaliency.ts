/**
 * Which sensors does the encoder listen to (issue 15, heterogeneous sensors)? The saliency of qubit i
 * is the mean size of the encoder mean's response to its pointer component,
 *   Sᵢ = E_x |∂(Σ_k μ_k(x)) / ∂xᵢ₃|   (xᵢ₃ := xᵢ on the fixed axis),
 * the first-order effect of that qubit's outcome on the latent. The best possible summary, the exact
 * posterior log-odds L(x) = 2α₀ + 2 Σᵢ artanh(tᵢ xᵢ₃), has
 *   ∂L/∂xᵢ₃ = 2 tᵢ / (1 − tᵢ² xᵢ₃²),
 * which grows with εᵢ and is 0 for a dead sensor: a model that has discovered the good sensors has
 * Sᵢ increasing in εᵢ. A permutation-invariant encoder cannot tell qubits apart, so its Sᵢ depend on
 * εᵢ only through the outcomes' distribution.
 */
import { tf, type Tensor } from '../backend/tf.ts';
import type { Encoder } from '../models/encoder.ts';
import { linearFit } from '../stats/regression.ts';

/** Per-qubit saliencies of the model and of the exact posterior log-odds, shape [N] each. */
export interface SensorSaliency {
  /** Sᵢ of the encoder, shape [N]. */
  readonly saliency: Float64Array;
  /** E_x[2 tᵢ / (1 − tᵢ² xᵢ₃²)] on the same records: the exact posterior's, shape [N]. */
  readonly exact: Float64Array;
  /** Pearson correlation of `saliency` with εᵢ across qubits (NaN when all εᵢ are equal). */
  readonly correlation: number;
  /** The same for `exact`: what a perfect encoder would reach on these records. */
  readonly exactCorrelation: number;
}

/**
 * @param encoder the trained encoder (any, with or without a position embedding)
 * @param x records, shape [batch, N, d], row-major
 * @param epsilons εᵢ, shape [N]
 * @example
 *   const { correlation } = sensorSaliency(encoder, app.sample(200, rng), 200, app.epsilons);
 * @throws RangeError naming the argument for a bad batch or mismatched lengths.
 */
export function sensorSaliency(encoder: Encoder, x: Float32Array, batch: number, epsilons: ArrayLike<number>): SensorSaliency {
  const n = epsilons.length, d = encoder.xDim;
  if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError(`sensorSaliency: batch must be an integer ≥ 1 (got ${batch})`);
  if (x.length !== batch * n * d) {
    throw new RangeError(`sensorSaliency: x must have length batch·N·d = ${batch}·${n}·${d} = ${batch * n * d} (got ${x.length})`);
  }
  const grad = tf.tidy(() => {
    const xs = tf.tensor3d(x, [batch, n, d]);
    const g = tf.grad((input: Tensor) => tf.sum(encoder.apply(input, { inputGradient: true }).q.loc))(xs);
    return tf.slice(g, [0, 0, d - 1], [batch, n, 1]);
  });
  const g = grad.dataSync();
  grad.dispose();
  const saliency = new Float64Array(n), exact = new Float64Array(n);
  const t = Array.from(epsilons, Math.tanh);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      const u = x[(b * n + i) * d + d - 1];
      saliency[i] += Math.abs(g[b * n + i]) / batch;
      exact[i] += (2 * t[i]) / (1 - t[i] * t[i] * u * u) / batch;
    }
  }
  const eps = Float64Array.from(epsilons);
  const spread = eps.some((e) => e !== eps[0]);
  return {
    saliency,
    exact,
    correlation: spread ? linearFit(eps, saliency).correlation : NaN,
    exactCorrelation: spread ? linearFit(eps, exact).correlation : NaN,
  };
}
