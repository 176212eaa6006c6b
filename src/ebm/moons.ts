import type { Rng } from '../random/rng.ts';
import { gaussLegendre } from '../targets/gaussLegendre.ts';
import { curveLogDensity } from './curveDensity.ts';
import { checkCount, type ToyDistribution } from './toyData.ts';

export interface MoonsOptions {
  /** Noise sd σ (default 0.2: scikit-learn's make_moons(noise=0.1) scaled by 2). */
  sigma?: number;
}

/** Scale of scikit-learn's moons: ×2 about their centre (0.5, 0.25), so they span ≈ [−3, 3] × [−1.5, 1.5]. */
const SCALE = 2;
/** Gauss–Legendre panels over t ∈ [0, π] and nodes per panel: panels of arc length 2π/64 ≈ 0.1 = σ/2. */
const PANELS = 64;
const PER_PANEL = 5;

/**
 * Two interleaved half circles (scikit-learn's make_moons, centred and scaled by 2) plus Gaussian
 * noise: pick a moon k = ±1 with probability ½, t ~ U(0, π), and
 *
 *   x = k · 2 · (cos t − ½, sin t − ¼) + σ ξ,   ξ ~ N(0, I).
 *
 * The exact density is the mixture over the curve, p(x) = ½ Σ_k (1/π) ∫₀^π N(x; k c(t), σ² I) dt,
 * computed by composite Gauss–Legendre quadrature in t (curveLogDensity).
 */
export function moons(options: MoonsOptions = {}): ToyDistribution {
  const sigma = options.sigma ?? 0.2;
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`moons: sigma must be a finite number > 0 (got ${sigma})`);
  const curve = (k: number, t: number): [number, number] => [k * SCALE * (Math.cos(t) - 0.5), k * SCALE * (Math.sin(t) - 0.25)];
  const rule = gaussLegendre(PER_PANEL);
  const q = 2 * PANELS * PER_PANEL;
  const nodes = new Float64Array(2 * q);
  const logWeights = new Float64Array(q);
  let idx = 0;
  const h = Math.PI / PANELS;
  for (const k of [1, -1]) {
    for (let panel = 0; panel < PANELS; panel++) {
      for (let r = 0; r < PER_PANEL; r++) {
        const t = (panel + 0.5) * h + (h / 2) * rule.nodes[r];
        [nodes[2 * idx], nodes[2 * idx + 1]] = curve(k, t);
        // ½ (moon) · (1/π) (uniform t) · (h/2) w_r (the rule on this panel).
        logWeights[idx] = Math.log((0.5 / Math.PI) * (h / 2) * rule.weights[r]);
        idx++;
      }
    }
  }
  return {
    name: 'moons',
    sample(n: number, rng: Rng): Float32Array {
      checkCount('moons.sample', n);
      const out = new Float32Array(2 * n);
      for (let p = 0; p < n; p++) {
        const k = rng.uniform() < 0.5 ? 1 : -1;
        const [cx, cy] = curve(k, Math.PI * rng.uniform());
        out[2 * p] = cx + sigma * rng.normal();
        out[2 * p + 1] = cy + sigma * rng.normal();
      }
      return out;
    },
    logDensity: (points) => curveLogDensity(nodes, logWeights, sigma, points),
  };
}
