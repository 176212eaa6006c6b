import { histogram, type MetricRecord } from '../../src/metrics/records.ts';
import { Rng } from '../../src/random/rng.ts';

/**
 * A deterministic stand-in for the VAE's metric stream: scalars every `every` steps
 * (a decaying loss with noise, kl, latent_norm, latent_fluctuation) and histograms
 * magnetisation / m / z whose spread shrinks as "training" goes on.
 */
export function syntheticMetrics(steps: number, every: number, seed = 7, t0 = Date.UTC(2025, 0, 1)): MetricRecord[] {
  const rng = new Rng(seed);
  const out: MetricRecord[] = [];
  for (let step = every; step <= steps; step += every) {
    const t = step / steps;
    const wallTime = t0 + step * 10;
    const loss = 40 * Math.exp(-3 * t) + 25 + 1.5 * rng.normal();
    out.push({
      kind: 'scalars',
      step,
      wallTime,
      values: {
        loss,
        kl: 2 * (1 - Math.exp(-4 * t)) + 0.1 * rng.normal(),
        latent_norm: 0.2 + 0.8 * t + 0.05 * rng.normal(),
        latent_fluctuation: 1 - 0.7 * t + 0.03 * rng.normal(),
      },
    });
    const spread = 1 - 0.8 * t;
    const draw = (scale: number) => Array.from({ length: 200 }, () => Math.tanh(scale * (rng.normal() * spread + (rng.uniform() < 0.5 ? -t : t))));
    out.push(histogram('magnetisation', step, draw(1.5), 30, -1, 1, wallTime));
    out.push(histogram('m', step, draw(1), 30, -1, 1, wallTime));
    out.push(histogram('z', step, draw(2).map((x) => 2 * x), 30, -2, 2, wallTime));
  }
  return out;
}
