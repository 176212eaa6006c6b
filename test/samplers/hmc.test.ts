import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { hmc, type HmcState } from '../../src/samplers/hmc.ts';
import { createPhasePoint, leapfrog } from '../../src/samplers/leapfrog.ts';
import { runChains } from '../../src/samplers/sampleChains.ts';
import type { LogDensity } from '../../src/targets/target.ts';
import { estimate, gaussian2, gaussianMomentErrors, gumbel } from './targets.ts';

/** The iid standard error of the mean of `values`. */
function iidMean(values: ArrayLike<number>): { mean: number; se: number } {
  const n = values.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += values[i];
  m /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - m) ** 2;
  return { mean: m, se: Math.sqrt(ss / (n - 1) / n) };
}

describe('hmc', () => {
  const g = gaussian2(1, 2, 0.9, [0.5, -1]);

  it('validates its options at the boundary, naming the option and the range', () => {
    const t = g.target;
    expect(() => hmc(t, { stepSize: 0, numSteps: 10 })).toThrow(/hmc: stepSize must be a finite number > 0 \(got 0\)/);
    expect(() => hmc(t, { stepSize: Number.NaN, numSteps: 10 })).toThrow(/stepSize/);
    expect(() => hmc(t, { stepSize: Infinity, numSteps: 10 })).toThrow(/stepSize/);
    expect(() => hmc(t, { stepSize: 0.1, numSteps: 0 })).toThrow(/hmc: numSteps must be an integer ≥ 1 \(got 0\)/);
    expect(() => hmc(t, { stepSize: 0.1, numSteps: 2.5 })).toThrow(/numSteps/);
    expect(() => hmc(t, { stepSize: 0.1, numSteps: 5, inverseMassDiag: [1, 0] })).toThrow(/inverseMassDiag entries must be finite and > 0 \(entry 1 is 0\)/);
    expect(() => hmc(t, { stepSize: 0.1, numSteps: 5, inverseMassDiag: [1] })).toThrow(/inverseMassDiag must have length dim = 2 \(got length 1\)/);
    expect(() => hmc(t, { stepSize: 0.1, numSteps: 5, jitter: 1 })).toThrow(/jitter must lie in \[0, 1\)/);
    const k = hmc(t, { stepSize: 0.1, numSteps: 5 });
    expect(() => k.init(new Float64Array([1]))).toThrow(/hmc.init: position must have length dim = 2/);
    const support: LogDensity = { dim: 1, logDensityAndGrad: (x, gr) => { gr[0] = 0; return x[0] > 0 ? 0 : -Infinity; } };
    expect(() => hmc(support, { stepSize: 0.1, numSteps: 1 }).init(new Float64Array([-1]))).toThrow(/log density must be finite/);
  });

  it('samples a correlated Gaussian: means, variances, correlation within 5 MCSE', () => {
    const run = runChains({
      makeKernel: (p) => hmc(g.target, { ...p, numSteps: 12, jitter: 0.2 }),
      initialPositions: [[0, 0], [1, -2], [-1, 1], [0.5, 0.5]].map((x) => new Float64Array(x)),
      warmup: 200, draws: 5000, adapt: false,
      params: { stepSize: 0.2, inverseMassDiag: [1, 4] },
      rng: new Rng(11),
    });
    const errors = gaussianMomentErrors(run.draws, g);
    for (const [name, e] of Object.entries(errors)) expect(e.z, `${name}: ${e.estimate} vs ${e.truth}`).toBeLessThan(5);
  });

  it('leaves the target invariant: one step from exact Gumbel draws keeps mean and variance (iid SE)', () => {
    const kernel = hmc(gumbel, { stepSize: 0.9, numSteps: 3 });
    const rng = new Rng(5);
    const n = 40_000;
    const x = new Float64Array(n), x2 = new Float64Array(n);
    let acceptance = 0;
    for (let i = 0; i < n; i++) {
      const { state, info } = kernel.step(rng, kernel.init(gumbel.sample(rng)));
      x[i] = state.position[0];
      x2[i] = (x[i] - gumbel.mean) ** 2;
      acceptance += info.acceptance / n;
    }
    expect(acceptance).toBeGreaterThan(0.5);
    expect(acceptance).toBeLessThan(0.95);
    const m = iidMean(x), v = iidMean(x2);
    expect(Math.abs(m.mean - gumbel.mean)).toBeLessThan(5 * m.se);
    expect(Math.abs(v.mean - gumbel.variance)).toBeLessThan(5 * v.se);
  });

  it('on rejection returns the previous state exactly: one draw per iteration, repeated once', () => {
    const kernel = hmc(gumbel, { stepSize: 1.2, numSteps: 3 });
    const rng = new Rng(8);
    let state: HmcState = kernel.init(new Float64Array([0.3]));
    let rejected = 0;
    const problems: string[] = [];
    const grad = new Float64Array(1);
    for (let i = 0; i < 2000; i++) {
      const previous = state;
      const out = kernel.step(rng, state);
      state = out.state;
      if (!out.info.accepted) {
        rejected++;
        if (state !== previous) problems.push(`${i}: rejected but a new state`);
      } else if (state === previous || state.position === previous.position) {
        problems.push(`${i}: accepted but the old state or array`);
      }
      // The state's caches are the target's values at its position.
      const logDensity = gumbel.logDensityAndGrad(state.position, grad);
      if (state.logDensity !== logDensity || state.gradient[0] !== grad[0]) problems.push(`${i}: stale cache`);
    }
    expect(problems).toEqual([]);
    expect(rejected).toBeGreaterThan(100);
    // runChains keeps exactly one row per iteration.
    const run = runChains({
      makeKernel: (p) => hmc(gumbel, { ...p, numSteps: 3 }), initialPositions: [new Float64Array([0.3])],
      warmup: 0, draws: 777, adapt: false, params: { stepSize: 1.2 }, rng: new Rng(1),
    });
    expect(run.draws[0].length).toBe(777);
    expect(run.infos[0].length).toBe(777);
    const repeats = run.infos[0].map((info, i) => (i > 0 && !info.accepted ? run.draws[0][i] === run.draws[0][i - 1] : true));
    expect(repeats.every(Boolean)).toBe(true);
    expect(run.infos[0].some((info) => !info.accepted)).toBe(true);
  });

  it("fixes the seed notebook's bug: appending the rejected proposal too biases the moments, ours does not", () => {
    // The notebook's fixed-L HMC (section 3.(3)), bookkeeping and all: on rejection it appended
    // the proposal and then the previous point. Same leapfrog as ours; only the appending differs.
    const eps = 1.2, L = 3, iterations = 40_000;
    const seedHmc = (rng: Rng): Float64Array => {
      const samples: number[] = [0.3];
      const z = createPhasePoint(1), one = new Float64Array([1]);
      for (let i = 0; i < iterations; i++) {
        const xPrev = samples[samples.length - 1];
        const r = rng.normal();
        z.position[0] = xPrev;
        z.momentum[0] = r;
        const uPrev = -gumbel.logDensityAndGrad(z.position, z.grad);
        leapfrog(gumbel, z, eps, L, one);
        const ratio = Math.exp(-(-z.logDensity + 0.5 * z.momentum[0] ** 2) + (uPrev + 0.5 * r * r));
        if (rng.uniform() <= Math.min(1, ratio)) samples.push(z.position[0]);
        else samples.push(z.position[0], xPrev);
      }
      return Float64Array.from(samples.filter(Number.isFinite));
    };
    const buggy = [seedHmc(new Rng(1)), seedHmc(new Rng(2))];
    const ours = runChains({
      makeKernel: (p) => hmc(gumbel, { ...p, numSteps: L }), initialPositions: [new Float64Array([0.3]), new Float64Array([0.3])],
      warmup: 0, draws: iterations, adapt: false, params: { stepSize: eps }, rng: new Rng(3),
    }).draws;
    const sq = (xs: Float64Array[]) => xs.map((x) => x.map((v) => (v - gumbel.mean) ** 2));
    const oursMean = estimate(ours), oursVar = estimate(sq(ours));
    expect(Math.abs(oursMean.mean - gumbel.mean)).toBeLessThan(5 * oursMean.se);
    expect(Math.abs(oursVar.mean - gumbel.variance)).toBeLessThan(5 * oursVar.se);
    const buggyMean = estimate(buggy), buggyVar = estimate(sq(buggy));
    expect(Math.abs(buggyMean.mean - gumbel.mean)).toBeGreaterThan(20 * buggyMean.se);
    expect(Math.abs(buggyVar.mean - gumbel.variance)).toBeGreaterThan(8 * buggyVar.se);
  });

  it('flags divergences and never accepts a non-finite end point', () => {
    const narrow = gaussian2(0.01, 0.01, 0);
    const kernel = hmc(narrow.target, { stepSize: 1, numSteps: 10 });
    const rng = new Rng(2);
    const { state, info } = kernel.step(rng, kernel.init(new Float64Array([0.01, 0])));
    expect(info.divergent).toBe(true);
    expect(info.accepted).toBe(false);
    expect(info.energyError).toBeGreaterThan(1000);
    expect(state.position[0]).toBe(0.01);
    const cliff: LogDensity = { dim: 1, logDensityAndGrad: (x, gr) => { gr[0] = 1; return x[0] < 0.5 ? x[0] : Number.NaN; } };
    const k2 = hmc(cliff, { stepSize: 0.2, numSteps: 20 });
    for (let i = 0; i < 20; i++) {
      const out = k2.step(rng, k2.init(new Float64Array([0])));
      expect(out.info.divergent).toBe(true);
      expect(out.info.acceptance).toBe(0);
      expect(out.info.accepted).toBe(false);
      expect(out.info.gradientEvaluations).toBeLessThan(20);
    }
  });

  it('does not mutate the state it is given', () => {
    const kernel = hmc(g.target, { stepSize: 0.2, numSteps: 5 });
    const s0 = kernel.init(new Float64Array([0.1, 0.2]));
    const copy = { position: Array.from(s0.position), gradient: Array.from(s0.gradient), logDensity: s0.logDensity };
    const rng = new Rng(4);
    for (let i = 0; i < 10; i++) kernel.step(rng, s0);
    expect({ position: Array.from(s0.position), gradient: Array.from(s0.gradient), logDensity: s0.logDensity }).toEqual(copy);
  });
});
