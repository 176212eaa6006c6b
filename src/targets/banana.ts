import { tf, type Tensor } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';
import type { Target } from './target.ts';

const LOG_2PI = Math.log(2 * Math.PI);

export interface BananaPosteriorOptions {
  /** Observations y_i, length n ≥ 1, finite. Copied. */
  y: ArrayLike<number>;
  /** Noise standard deviation σ_y of each observation, > 0 (default 2, as in seed 003). */
  sigmaY?: number;
  /** Prior standard deviation s of each θ_k, θ ~ N(0, s² I₂), > 0 (default 1). */
  priorScale?: number;
}

/**
 * Seed 003's "banana" posterior over θ = (θ₁, θ₂):
 *
 *   θ ~ N(0, s² I₂),   y_i | θ ~ N(θ₁ + θ₂², σ_y²),  i = 1..n.
 *
 * The likelihood only sees μ = θ₁ + θ₂², so it pins θ₁ + θ₂² to ȳ ± σ_y/√n and the posterior is
 * a thin curved ridge θ₁ ≈ ȳ − θ₂² (width ≈ 0.2 for n = 100, σ_y = 2).
 *
 * Both `logJoint` and `logDensityAndGrad` are the fully normalised log p(y, θ), every constant
 * included, so that log ∫ exp(logJoint) dθ is the true evidence log p(y) and ELBOs computed from
 * it are lower bounds on that number. Both cost O(1) per point whatever n is, through the
 * sufficient statistics n, ȳ and S = Σ(y_i − ȳ)²:
 *
 *   Σ_i (y_i − μ)² = S + n (μ − ȳ)²,
 *
 * which, unlike Σy² − 2μΣy + nμ², has no cancellation (it matters in float32).
 *
 * @example
 *   const target = new BananaPosterior({ y: generateBananaData(100, new Rng(3)) });
 *   const grad = new Float64Array(2);
 *   const lp = target.logDensityAndGrad(Float64Array.of(0.3, 0.8), grad);   // grad written in place
 *   const lpT = target.logJoint(tf.tensor2d([[0.3, 0.8]]));                   // [1]
 */
export class BananaPosterior implements Target {
  readonly dim = 2;
  /** The observations (a private copy), length n. */
  readonly y: Float64Array;
  readonly n: number;
  /** ȳ, the sample mean of y. */
  readonly mean: number;
  /** S = Σ_i (y_i − ȳ)², computed in two passes. */
  readonly centredSumOfSquares: number;
  readonly sigmaY: number;
  readonly priorScale: number;
  /** log p(y, θ) at μ = ȳ and θ = 0, i.e. every θ-free term: −log(2πs²) − (n/2) log(2πσ²) − S/(2σ²). */
  private readonly constant: number;
  /** 1/s². */
  private readonly priorPrecision: number;
  /** n/σ², the likelihood's precision for μ. */
  private readonly dataPrecision: number;

  constructor(options: BananaPosteriorOptions) {
    const { sigmaY = 2, priorScale = 1 } = options;
    if (!(Number.isFinite(sigmaY) && sigmaY > 0)) {
      throw new RangeError(`BananaPosterior: sigmaY must be finite and > 0 (got ${sigmaY})`);
    }
    if (!(Number.isFinite(priorScale) && priorScale > 0)) {
      throw new RangeError(`BananaPosterior: priorScale must be finite and > 0 (got ${priorScale})`);
    }
    const y = Float64Array.from(options.y ?? []);
    if (y.length === 0) throw new RangeError('BananaPosterior: y must have at least 1 value (got length 0)');
    const bad = y.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new RangeError(`BananaPosterior: y must be finite (got ${y[bad]} at index ${bad})`);
    const n = y.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += y[i];
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (y[i] - mean) ** 2;
    this.y = y;
    this.n = n;
    this.mean = mean;
    this.centredSumOfSquares = ss;
    this.sigmaY = sigmaY;
    this.priorScale = priorScale;
    const s2 = priorScale * priorScale;
    const sig2 = sigmaY * sigmaY;
    this.priorPrecision = 1 / s2;
    this.dataPrecision = n / sig2;
    this.constant = -(LOG_2PI + Math.log(s2)) - 0.5 * n * (LOG_2PI + Math.log(sig2)) - ss / (2 * sig2);
  }

  /**
   * log p(y, θ) and its gradient, float64, allocation-free (called once per leapfrog step).
   * @param x θ, length 2 (not modified)
   * @param grad written with ∇_θ log p(y, θ), length 2
   */
  logDensityAndGrad(x: Float64Array, grad: Float64Array): number {
    const t1 = x[0];
    const t2 = x[1];
    const d = t1 + t2 * t2 - this.mean;
    const r = this.dataPrecision * d;
    grad[0] = -this.priorPrecision * t1 - r;
    grad[1] = -this.priorPrecision * t2 - 2 * t2 * r;
    return this.constant - 0.5 * this.priorPrecision * (t1 * t1 + t2 * t2) - 0.5 * r * d;
  }

  /** @param theta [batch, 2] @returns log p(y, θ), shape [batch], differentiable in θ. */
  logJoint(theta: Tensor): Tensor {
    if (theta.rank !== 2 || theta.shape[1] !== 2) {
      throw new RangeError(`BananaPosterior.logJoint: theta must have shape [batch, 2] (got [${theta.shape.join(', ')}])`);
    }
    return tf.tidy(() => {
      const [t1, t2] = tf.unstack(theta, 1);
      const d = tf.sub(tf.add(t1, tf.square(t2)), this.mean);
      const prior = tf.mul(-0.5 * this.priorPrecision, tf.add(tf.square(t1), tf.square(t2)));
      const likelihood = tf.mul(-0.5 * this.dataPrecision, tf.square(d));
      return tf.add(tf.add(prior, likelihood), this.constant);
    });
  }
}

/**
 * A synthetic data set for the banana posterior: y_i = mean + sd · ξ_i, ξ_i ~ N(0, 1) from `rng`.
 * The default (n = 100, mean 1, sd 2) stands in for seed 003's `banana shape data.npy`, which we
 * do not have; pass the real file through `readSeries` when you do.
 *
 * @returns y, length n
 * @example
 *   const y = generateBananaData(100, new Rng(2022));
 */
export function generateBananaData(n: number, rng: Rng, options: { mean?: number; sd?: number } = {}): Float64Array {
  const { mean = 1, sd = 2 } = options;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`generateBananaData: n must be an integer ≥ 1 (got ${n})`);
  if (!Number.isFinite(mean)) throw new RangeError(`generateBananaData: mean must be finite (got ${mean})`);
  if (!(Number.isFinite(sd) && sd >= 0)) throw new RangeError(`generateBananaData: sd must be finite and ≥ 0 (got ${sd})`);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = mean + sd * rng.normal();
  return y;
}
