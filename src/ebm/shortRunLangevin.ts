import { tf, type Tensor } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';
import { checkBox, type Box } from './box.ts';

/** What the sampler needs of an energy: ∇ₓE at a batch of points, [n, 2] → [n, 2] (EnergyNet has it; so does a closed-form test energy). */
export interface EnergyGradient {
  gradient(x: Tensor): Tensor;
}

export interface ShortRunLangevinOptions {
  /** Langevin steps K, an integer ≥ 1. */
  steps: number;
  /** Step size λ > 0 of Du & Mordatch's form (see shortRunLangevin). */
  stepSize: number;
  /** Temperature T > 0 of the noise (default 1: the chain targets exp(−E) itself). */
  temperature?: number;
  /** Chains are clamped to this box after every step (the model's domain). */
  box: Box;
  /** Source of the Gaussian noise, drawn on the host so runs repeat bit for bit on every backend. */
  rng: Rng;
  /** Called with the positions after each step, row-major [n, 2] (for drawing trajectories). */
  onStep?: (k: number, x: Float32Array) => void;
}

/**
 * K steps of Langevin dynamics on the energy, all chains at once, from `x0`:
 *
 *   x ← clamp_box( x − (λ/2) ∇ₓE_θ(x) + √(λT) ξ ),   ξ ~ N(0, I),
 *
 * Du & Mordatch's (2019) step with the noise variance written as λT. At T = 1 this is exactly
 * the unadjusted Langevin algorithm of src/samplers/ula.ts (x' = x + ε ∇log p + √(2ε) ξ) with
 * ε = λ/2 and log p = −E: its stationary law approaches exp(−E)/Z as λ → 0, which is what the
 * maximum-likelihood gradient of the EBM needs. T < 1 is the common "cold" trick (samples sharper
 * than the model); the default keeps T = 1 so the grid-normalised exp(−E) is the density the
 * training matched. No Metropolis correction: short-run chains are part of the learning rule.
 *
 * The gradient is EnergyNet.gradient, ∇ₓE by the chain rule written out (equal to tf.grad of
 * Σ E(x) w.r.t. x, twice as fast on wasm); the energy's parameters get no gradient here.
 *
 * @param x0 starting points, row-major [n, 2]   @returns the final points, row-major [n, 2]
 * @example const x = shortRunLangevin(net, buffer.draws, { steps: 20, stepSize: 0.01, box, rng });
 */
export function shortRunLangevin(net: EnergyGradient, x0: Float32Array, options: ShortRunLangevinOptions): Float32Array {
  const { steps, stepSize, box, rng } = options;
  const temperature = options.temperature ?? 1;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`shortRunLangevin: steps must be an integer ≥ 1 (got ${steps})`);
  if (!(stepSize > 0 && Number.isFinite(stepSize))) throw new RangeError(`shortRunLangevin: stepSize must be a finite number > 0 (got ${stepSize})`);
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new RangeError(`shortRunLangevin: temperature must be a finite number > 0 (got ${temperature})`);
  if (x0.length % 2 !== 0) throw new RangeError(`shortRunLangevin: x0 must be row-major [n, 2] (got ${x0.length} values)`);
  checkBox('shortRunLangevin', box);
  const n = x0.length / 2;
  const noiseScale = Math.sqrt(stepSize * temperature);
  const noise = new Float32Array(2 * n);
  let x: Tensor = tf.tensor2d(x0, [n, 2]);
  for (let k = 0; k < steps; k++) {
    for (let i = 0; i < noise.length; i++) noise[i] = noiseScale * rng.normal();
    const next = tf.tidy(() => tf.clipByValue(tf.add(tf.sub(x, tf.mul(net.gradient(x), stepSize / 2)), tf.tensor2d(noise, [n, 2])), box.lo, box.hi));
    x.dispose();
    x = next;
    if (options.onStep) options.onStep(k, x.dataSync() as Float32Array);
  }
  const out = Float32Array.from(x.dataSync() as Float32Array);
  x.dispose();
  return out;
}
