import type { Rng } from '../random/rng.ts';
import { curveLogDensity } from './curveDensity.ts';
import { checkCount, type ToyDistribution } from './toyData.ts';

export interface RingsOptions {
  /** Ring radii (default 1, 2, 3). */
  radii?: readonly number[];
  /** Noise sd σ (default 0.15). */
  sigma?: number;
}

/** Trapezoid nodes per ring: on the outer ring (r = 3) 2π·3/256 ≈ 0.074 ≈ σ/2 apart. */
const NODES_PER_RING = 256;

/**
 * Concentric rings plus Gaussian noise: pick ring k with probability ∝ r_k (so points are uniform
 * along the total length), θ ~ U(0, 2π), and x = r_k (cos θ, sin θ) + σ ξ, ξ ~ N(0, I).
 *
 * The exact density p(x) = Σ_k w_k (1/2π) ∫ N(x; r_k u(θ), σ² I) dθ is computed by the periodic
 * trapezoid rule in θ, which converges geometrically for this smooth periodic integrand.
 */
export function rings(options: RingsOptions = {}): ToyDistribution {
  const radii = options.radii ?? [1, 2, 3];
  const sigma = options.sigma ?? 0.15;
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`rings: sigma must be a finite number > 0 (got ${sigma})`);
  if (radii.length === 0 || radii.some((r) => !(r > 0 && Number.isFinite(r)))) throw new RangeError(`rings: radii must be finite numbers > 0 (got [${radii.join(', ')}])`);
  const total = radii.reduce((a, b) => a + b, 0);
  const weights = radii.map((r) => r / total);
  const q = radii.length * NODES_PER_RING;
  const nodes = new Float64Array(2 * q);
  const logWeights = new Float64Array(q);
  radii.forEach((r, k) => {
    for (let j = 0; j < NODES_PER_RING; j++) {
      const theta = (2 * Math.PI * j) / NODES_PER_RING;
      const idx = k * NODES_PER_RING + j;
      nodes[2 * idx] = r * Math.cos(theta);
      nodes[2 * idx + 1] = r * Math.sin(theta);
      logWeights[idx] = Math.log(weights[k] / NODES_PER_RING);
    }
  });
  return {
    name: 'rings',
    sample(n: number, rng: Rng): Float32Array {
      checkCount('rings.sample', n);
      const out = new Float32Array(2 * n);
      for (let p = 0; p < n; p++) {
        let u = rng.uniform();
        let k = 0;
        while (k < radii.length - 1 && u >= weights[k]) u -= weights[k++];
        const theta = 2 * Math.PI * rng.uniform();
        out[2 * p] = radii[k] * Math.cos(theta) + sigma * rng.normal();
        out[2 * p + 1] = radii[k] * Math.sin(theta) + sigma * rng.normal();
      }
      return out;
    },
    logDensity: (points) => curveLogDensity(nodes, logWeights, sigma, points),
  };
}
