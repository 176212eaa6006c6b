import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { dualAveraging } from '../../src/samplers/dualAveraging.ts';
import { findReasonableStepSize } from '../../src/samplers/findReasonableStepSize.ts';
import { hmc } from '../../src/samplers/hmc.ts';
import type { Kernel, KernelInfo, KernelState } from '../../src/samplers/kernel.ts';
import type { KernelParams } from '../../src/samplers/kernelParams.ts';
import { welfordAdd, welfordInit, welfordVariance } from '../../src/samplers/welford.ts';
import { windowAdaptation } from '../../src/samplers/windowAdaptation.ts';
import { windowSchedule } from '../../src/samplers/windowSchedule.ts';
import type { LogDensity } from '../../src/targets/target.ts';
import { gaussian2 } from './targets.ts';

const ends = (n: number) => windowSchedule(n).windows.map((w) => w.end);

describe('windowSchedule', () => {
  it("lays out Stan's windows: 75 | 25 50 100 200 … | 50, the last stretched to the final buffer", () => {
    expect(windowSchedule(1000).windows).toEqual([
      { start: 75, end: 100 }, { start: 100, end: 150 }, { start: 150, end: 250 }, { start: 250, end: 450 }, { start: 450, end: 950 },
    ]);
    // AdvancedHMC prints windows(75, 100, 150, 250, 450, 850, 1950) for its Stan adaptor with 2000 adaptation steps.
    expect(ends(2000)).toEqual([100, 150, 250, 450, 850, 1950]);
    expect(ends(500)).toEqual([100, 150, 250, 450]);
    expect(ends(300)).toEqual([100, 150, 250]);
    expect(ends(150)).toEqual([100]);
  });

  it('splits a short warm-up 15% / 75% / 10% into one slow window, and has none below 20', () => {
    expect(windowSchedule(100)).toMatchObject({ initialBuffer: 15, baseWindow: 75, finalBuffer: 10, windows: [{ start: 15, end: 90 }] });
    expect(windowSchedule(149)).toMatchObject({ initialBuffer: 22, baseWindow: 113, finalBuffer: 14, windows: [{ start: 22, end: 135 }] });
    expect(windowSchedule(20).windows).toEqual([{ start: 3, end: 18 }]);
    expect(windowSchedule(19).windows).toEqual([]);
    expect(windowSchedule(0).windows).toEqual([]);
  });

  it('honours custom buffers and validates them', () => {
    expect(windowSchedule(400, { initialBuffer: 50, finalBuffer: 50, baseWindow: 50 }).windows.map((w) => [w.start, w.end]))
      .toEqual([[50, 100], [100, 350]]);
    expect(() => windowSchedule(100, { baseWindow: 0 })).toThrow(/windowSchedule: baseWindow must be an integer ≥ 1 \(got 0\)/);
    expect(() => windowSchedule(-1)).toThrow(/numWarmup/);
  });
});

describe('dualAveraging', () => {
  it("matches Hoffman & Gelman's recursion with Stan's constants (values computed by hand)", () => {
    const da = dualAveraging({ targetAcceptance: 0.8 });
    let s = da.init(1);
    expect(s.mu).toBeCloseTo(Math.log(10), 15);
    const expected = [
      [1.7571305475395005, 1.7571305475395005],
      [1.8311805722030141, 1.801160955637489],
      [2.3025850929940455, 2.0211313811848504],
      [0.588299378708331, 1.5145487685587269],
    ];
    // 1.3 is clamped to 1.
    [0.5, 0.9, 1.3, 0.2].forEach((a, i) => {
      s = da.update(s, a);
      expect(s.logStepSize).toBeCloseTo(expected[i][0], 12);
      expect(s.logStepSizeAvg).toBeCloseTo(expected[i][1], 12);
    });
    expect(da.final(s)).toBeCloseTo(Math.exp(1.5145487685587269), 12);
    expect(da.update(da.init(1), Number.NaN).gradientAvg).toBeCloseTo(0.8 / 11, 15);
  });

  it('finds the step size whose acceptance is the target', () => {
    // A deterministic acceptance curve α(ε) = exp(−ε): the fixed point is ε* = −log δ.
    const da = dualAveraging({ targetAcceptance: 0.65 });
    let s = da.init(5);
    for (let i = 0; i < 2000; i++) s = da.update(s, Math.exp(-Math.exp(s.logStepSize)));
    expect(da.final(s)).toBeCloseTo(-Math.log(0.65), 2);
  });

  it('validates its options', () => {
    expect(() => dualAveraging({ targetAcceptance: 1 })).toThrow(/targetAcceptance must lie in/);
    expect(() => dualAveraging({ kappa: 0.5 })).toThrow(/kappa/);
    expect(() => dualAveraging().init(0)).toThrow(/stepSize must be a finite number > 0/);
  });
});

describe('welford', () => {
  it('gives the two-pass mean and unbiased variance, without mutating earlier states', () => {
    const xs = [[1, 10], [2, 30], [4, 20], [8, 60]];
    let w = welfordInit(2);
    const w0 = w;
    for (const x of xs) w = welfordAdd(w, x);
    expect(w0.count).toBe(0);
    expect(Array.from(w.mean)).toEqual([3.75, 30]);
    const v = welfordVariance(w);
    expect(v[0]).toBeCloseTo((2.75 ** 2 + 1.75 ** 2 + 0.25 ** 2 + 4.25 ** 2) / 3, 12);
    expect(v[1]).toBeCloseTo((400 + 0 + 100 + 900) / 3, 12);
  });
});

describe('findReasonableStepSize', () => {
  const normal = (sigma: number): LogDensity => ({
    dim: 1,
    logDensityAndGrad: (x, g) => { g[0] = -x[0] / (sigma * sigma); return -0.5 * (x[0] / sigma) ** 2; },
  });

  it('brackets the one-step acceptance of 0.8 from above and from below', () => {
    const ones = new Float64Array([1]);
    const fromBig = findReasonableStepSize(normal(1), new Rng(1), new Float64Array([0.5]), { stepSize: 1000, inverseMassDiag: ones });
    const fromTiny = findReasonableStepSize(normal(1), new Rng(1), new Float64Array([0.5]), { stepSize: 1e-4, inverseMassDiag: ones });
    for (const eps of [fromBig, fromTiny]) {
      expect(eps).toBeGreaterThan(0.2);
      expect(eps).toBeLessThan(5);
    }
  });

  it('is invariant under a preconditioned rescaling: N(0, 100) with M⁻¹ = 100 gives the same ε', () => {
    const a = findReasonableStepSize(normal(1), new Rng(3), new Float64Array([0.7]), { stepSize: 0.01, inverseMassDiag: new Float64Array([1]) });
    const b = findReasonableStepSize(normal(10), new Rng(3), new Float64Array([7]), { stepSize: 0.01, inverseMassDiag: new Float64Array([100]) });
    expect(b).toBe(a);
  });

  it('fails loudly on a flat (improper) target', () => {
    const flat: LogDensity = { dim: 1, logDensityAndGrad: (_x, g) => { g[0] = 0; return 0; } };
    expect(() => findReasonableStepSize(flat, new Rng(1), new Float64Array([0]), { stepSize: 1, inverseMassDiag: new Float64Array([1]) }))
      .toThrow(/step size grew past 1e7/);
  });
});

describe('windowAdaptation', () => {
  /**
   * A stand-in kernel that draws iid N(mean, diag(sd²)) whatever its state, with acceptance
   * exp(−ε): the test can recompute exactly what adaptation should have learned.
   */
  function iidKernelFactory(mean: number[], sd: number[], seen: Float64Array[]) {
    return (params: KernelParams): Kernel<KernelState, KernelInfo> => ({
      init: (position) => ({ position: Float64Array.from(position), logDensity: 0 }),
      step: (rng) => {
        const position = Float64Array.from(mean, (m, i) => m + sd[i] * rng.normal());
        seen.push(position);
        const acceptance = Math.exp(-params.stepSize);
        return { state: { position, logDensity: 0 }, info: { acceptance, accepted: true, divergent: false, gradientEvaluations: 1 } };
      },
    });
  }
  const regularised = (draws: Float64Array[], j: number): number => {
    const n = draws.length;
    const m = draws.reduce((s, x) => s + x[j], 0) / n;
    const v = draws.reduce((s, x) => s + (x[j] - m) ** 2, 0) / (n - 1);
    return (n / (n + 5)) * v + 1e-3 * (5 / (n + 5));
  };

  it("sets M⁻¹ to Stan's regularised variance of each slow window and restarts dual averaging after each", () => {
    const seen: Float64Array[] = [];
    const warmup = windowAdaptation(iidKernelFactory([1, -2], [0.5, 3], seen), { numWarmup: 1000 });
    const rng = new Rng(7);
    let a = warmup.init(rng, new Float64Array([0, 0]), { stepSize: 1, inverseMassDiag: new Float64Array([1, 1]) });
    for (let i = 0; i < 1000; i++) {
      a = warmup.step(rng, a).state;
      const closing = warmup.schedule.windows.find((w) => w.end === i + 1);
      if (closing) {
        const window = seen.slice(closing.start, closing.end);
        expect(a.params.inverseMassDiag[0]).toBeCloseTo(regularised(window, 0), 12);
        expect(a.params.inverseMassDiag[1]).toBeCloseTo(regularised(window, 1), 12);
        expect(a.dualAveraging.iteration).toBe(0);
        expect(a.dualAveraging.mu).toBeCloseTo(Math.log(10 * a.params.stepSize), 12);
      } else {
        expect(a.dualAveraging.iteration).toBeGreaterThan(0);
      }
    }
    const { params } = warmup.final(a);
    expect(params.inverseMassDiag[0]).toBeCloseTo(regularised(seen.slice(450, 950), 0), 12);
    // The final buffer's 50 iterations of dual averaging land near ε* = −log 0.8 for α(ε) = exp(−ε).
    expect(params.stepSize).toBeGreaterThan(0.15);
    expect(params.stepSize).toBeLessThan(0.32);
  });

  it('adapts only the step size for a warm-up under 20 iterations, or with adaptMass: false', () => {
    for (const options of [{ numWarmup: 19 }, { numWarmup: 200, adaptMass: false }]) {
      const warmup = windowAdaptation(iidKernelFactory([0], [2], []), options);
      const out = warmup.run(new Rng(1), new Float64Array([0]), { stepSize: 1, inverseMassDiag: new Float64Array([3]) });
      expect(Array.from(out.params.inverseMassDiag)).toEqual([3]);
      expect(out.params.stepSize).not.toBe(1);
      expect(out.infos.length).toBe(options.numWarmup);
    }
  });

  it('wraps any kernel factory: HMC reaches its target acceptance and learns the variances', () => {
    const g = gaussian2(1, 2, 0.9);
    const warmup = windowAdaptation((p) => hmc(g.target, { ...p, numSteps: 8 }), { numWarmup: 1000, target: g.target, targetAcceptance: 0.7 });
    const out = warmup.run(new Rng(4), new Float64Array([1, 1]), { stepSize: 1, inverseMassDiag: new Float64Array([1, 1]) });
    const last = out.infos.slice(950).reduce((s, i) => s + i.acceptance, 0) / 50;
    expect(Math.abs(last - 0.7)).toBeLessThan(0.1);
    expect(out.params.inverseMassDiag[0]).toBeGreaterThan(0.7);
    expect(out.params.inverseMassDiag[0]).toBeLessThan(1.3);
    expect(out.params.inverseMassDiag[1]).toBeGreaterThan(2.8);
    expect(out.params.inverseMassDiag[1]).toBeLessThan(5.2);
  });
});
