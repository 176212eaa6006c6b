import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { runChains } from '../../src/samplers/sampleChains.ts';
import { bananaMinibatchGradient, polynomialDecay, sgld } from '../../src/samplers/sgld.ts';
import { bananaExact } from '../../src/targets/bananaExact.ts';
import { BananaPosterior, generateBananaData } from '../../src/targets/banana.ts';

const y = generateBananaData(100, new Rng(2022));
const target = new BananaPosterior({ y });
const exact = bananaExact(target);

/** ε_t-weighted mean and sd per axis over all chains (Welling & Teh's estimator). */
function weightedMoments(draws: Float64Array[], steps: number[][]) {
  const out = [0, 1].map((axis) => {
    let w = 0, m = 0, m2 = 0;
    draws.forEach((x, c) => steps[c].forEach((e, i) => { w += e; m += e * x[2 * i + axis]; m2 += e * x[2 * i + axis] ** 2; }));
    m /= w;
    return { mean: m, sd: Math.sqrt(m2 / w - m * m) };
  });
  return out;
}

function runSgld(gradient: ReturnType<typeof bananaMinibatchGradient>, seed: number) {
  const schedule = polynomialDecay({ a: 0.002 * 2000 ** 0.55, b: 2000, gamma: 0.55 });
  const run = runChains({
    makeKernel: () => sgld(gradient, { dim: 2, stepSize: schedule }),
    initialPositions: [[0, 1], [0, -1], [1, 0], [0.5, 0.5]].map((x) => new Float64Array(x)),
    warmup: 5000, draws: 100_000, adapt: false, params: { stepSize: 1 }, rng: new Rng(seed),
  });
  return weightedMoments(run.draws, run.infos.map((c) => c.map((i) => i.stepSize)));
}

describe('sgld', () => {
  it('validates its options and the schedule', () => {
    const gr = bananaMinibatchGradient(y, { batchSize: 10 });
    expect(() => sgld(gr, { dim: 2, stepSize: 0 })).toThrow(/sgld: stepSize must be a finite number > 0 \(got 0\)/);
    expect(() => sgld(gr, { dim: 0, stepSize: 0.1 })).toThrow(/sgld: dim must be an integer ≥ 1/);
    expect(() => polynomialDecay({ a: 1, b: 1, gamma: 0.5 })).toThrow(/gamma must lie in \(0.5, 1\] \(got 0.5\)/);
    expect(() => bananaMinibatchGradient(y, { batchSize: 101 })).toThrow(/batchSize must lie in \[1, 100\]/);
    const k = sgld(gr, { dim: 2, stepSize: () => -1 });
    expect(() => k.step(new Rng(1), k.init(new Float64Array(2)))).toThrow(/sgld: stepSize\(0\) must be a finite number > 0/);
    expect(polynomialDecay({ a: 2, b: 3, gamma: 1 })(5)).toBe(2 / 8);
  });

  it('counts iterations in its state and uses ε_t in order', () => {
    const eps = (t: number) => 0.01 / (1 + t);
    const k = sgld(bananaMinibatchGradient(y, { batchSize: 10 }), { dim: 2, stepSize: eps });
    const rng = new Rng(2);
    let s = k.init(new Float64Array([0, 1]));
    for (let t = 0; t < 5; t++) {
      const out = k.step(rng, s);
      expect(out.info.stepSize).toBe(eps(t));
      expect(out.state.iteration).toBe(t + 1);
      s = out.state;
    }
  });

  it('the minibatch gradient is unbiased: its average over batches is the full gradient', () => {
    const gr = bananaMinibatchGradient(y, { batchSize: 10 });
    const theta = Float64Array.of(0.3, 0.8), g = new Float64Array(2), full = new Float64Array(2), sum = [0, 0], sq = [0, 0];
    target.logDensityAndGrad(theta, full);
    const rng = new Rng(3), n = 20_000;
    for (let i = 0; i < n; i++) {
      gr(theta, g, rng);
      for (const j of [0, 1]) { sum[j] += g[j]; sq[j] += g[j] * g[j]; }
    }
    for (const j of [0, 1]) {
      const m = sum[j] / n, se = Math.sqrt((sq[j] / n - m * m) / n);
      expect(Math.abs(m - full[j])).toBeLessThan(5 * se);
    }
    // A batch of all N points is the exact gradient.
    bananaMinibatchGradient(y, { batchSize: 100 })(theta, g, rng);
    expect(g[0]).toBeCloseTo(full[0], 10);
    expect(g[1]).toBeCloseTo(full[1], 10);
  });

  it('banana, batches of 10 of 100, ε_t = a(b + t)^−0.55 from 0.002 to ~0.0007: ε-weighted moments within 0.15 of bananaExact', () => {
    // Tolerance 0.15 (~20% of sd(θ₁) ≈ 0.68, sd(θ₂) ≈ 0.84): SGLD has no accept step, so at ε ~ 1e-3
    // it keeps an O(ε) discretisation bias plus a minibatch-noise bias (both → 0 only as ε_t → 0),
    // and at these small steps it crawls along the ridge, so MC error in sd is ~0.03–0.05 even for
    // MALA. Measured with this seed: |Δmean θ₁| 0.13, |Δsd θ₁| 0.11, |Δsd θ₂| 0.08.
    const m = runSgld(bananaMinibatchGradient(y, { batchSize: 10 }), 5);
    const problems: string[] = [];
    for (const axis of [0, 1]) {
      const sd = Math.sqrt(exact.cov[axis][axis]);
      if (!(Math.abs(m[axis].mean - exact.mean[axis]) < 0.15)) problems.push(`mean θ${axis + 1}: ${m[axis].mean} vs ${exact.mean[axis]}`);
      if (!(Math.abs(m[axis].sd - sd) < 0.15)) problems.push(`sd θ${axis + 1}: ${m[axis].sd} vs ${sd}`);
    }
    expect(problems).toEqual([]);
  });

  it('without the N/n rescaling of the batch sum the same run is far off (a wrong formula fails)', () => {
    // Batch size 10 with weight 1 is the likelihood of 10 points: a much wider posterior.
    const base = bananaMinibatchGradient(y, { batchSize: 10 });
    const unscaled: typeof base = (x, g, rng) => {
      base(x, g, rng);
      const prior = [-x[0], -x[1]];
      for (const j of [0, 1]) g[j] = prior[j] + (g[j] - prior[j]) / 10;
    };
    const m = runSgld(unscaled, 5);
    const worst = Math.max(...[0, 1].flatMap((a) => [Math.abs(m[a].mean - exact.mean[a]), Math.abs(m[a].sd - Math.sqrt(exact.cov[a][a]))]));
    expect(worst).toBeGreaterThan(0.1);
  });
});
