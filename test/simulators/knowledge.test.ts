import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { binaryEntropyOfLogit, branchInformation, branchOverlap } from '../../src/simulators/index.ts';

/** Composite Simpson on [a, b] with n (even) intervals. */
function simpson(f: (u: number) => number, a: number, b: number, n = 20_000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** Binary entropy of a probability, nats. */
const h = (p: number): number => (p <= 0 || p >= 1 ? 0 : -p * Math.log(p) - (1 - p) * Math.log(1 - p));
const sigma = (z: number): number => 1 / (1 + Math.exp(-z));

describe('branchOverlap', () => {
  it.each([0.05, 0.3, 1, 3])('BC₁ matches Σ/∫ √(p(x|+) p(x|−)) at ε = %s', (eps) => {
    const t = Math.tanh(eps);
    const fixed = [1, -1].reduce((s, x) => s + Math.sqrt(((1 + t * x) / 2) * ((1 - t * x) / 2)), 0);
    // Random: p(x | s) = (1 + s t x₃)/(4π) on the sphere; dΩ = 2π dx₃ dφ, so ∫ dΩ √(p₊ p₋) = ∫ du √((1+tu)(1−tu))/2.
    const random = simpson((u) => Math.sqrt((1 + t * u) * (1 - t * u)) / 2, -1, 1);
    expect(branchOverlap('fixed', eps, 1).perQubit).toBeCloseTo(fixed, 13);
    expect(branchOverlap('random', eps, 1).perQubit).toBeCloseTo(random, 10);
    expect(branchOverlap('fixed', eps, 1).perQubit).toBeCloseTo(1 / Math.cosh(eps), 14);
  });

  it('is exactly 1 at ε = 0 and for N = 0; logOverlap = N log BC₁', () => {
    for (const scheme of ['fixed', 'random'] as const) {
      expect(branchOverlap(scheme, 0, 1000)).toEqual({ perQubit: 1, logPerQubit: 0, overlap: 1, logOverlap: 0 });
      expect(branchOverlap(scheme, 0.4, 0).overlap).toBe(1);
      const o = branchOverlap(scheme, 0.2, 1e6);
      expect(o.overlap).toBe(0); // underflows …
      expect(o.logOverlap).toBeCloseTo(1e6 * branchOverlap(scheme, 0.2, 1).logPerQubit, 6); // … its log does not
    }
  });

  it('log BC₁ has no cancellation for tiny ε: 1 − BC₁ ≈ ε²/2 (fixed), ε²/6 (random)', () => {
    for (const eps of [1e-4, 1e-6, 1e-9]) {
      expect(-branchOverlap('fixed', eps, 1).logPerQubit / (eps * eps)).toBeCloseTo(0.5, 8);
      expect(-branchOverlap('random', eps, 1).logPerQubit / (eps * eps)).toBeCloseTo(1 / 6, 8);
    }
  });

  // N log BC₁ = −Nε²/2 + Nε⁴/12 + O(Nε⁶) (fixed: −log cosh ε) and −Nε²/6 + 13Nε⁴/180 + O(Nε⁶) (random), so at
  // fixed x = Nε² the first-order error is x ε² times 1/12 or 13/180: checked to 5 % of that next order.
  it.each([
    ['fixed', 1 / 2, 1 / 12],
    ['random', 1 / 6, 13 / 180],
  ] as const)('BC^N ≈ e^{−Nε²·%s} at fixed Nε², next order x ε² × its coefficient (%s)', (scheme, first, second) => {
    for (const x of [1, 3, 10]) {
      for (const eps of [0.1, 0.05, 0.02]) {
        const n = Math.round(x / (eps * eps));
        const xe = n * eps * eps;
        const { logOverlap } = branchOverlap(scheme, eps, n);
        const nextOrder = second * xe * eps * eps;
        expect(Math.abs(logOverlap + first * xe - nextOrder)).toBeLessThan(0.05 * nextOrder);
      }
    }
  });

  it("agrees between schemes at the seed's thresholds Nε² = 1 (fixed) and 3 (random): both ≈ e^{−1/2}", () => {
    const rows = [0.1, 0.05, 0.02].map((eps) => {
      const nf = Math.round(1 / (eps * eps));
      return { eps, fixed: branchOverlap('fixed', eps, nf).overlap, random: branchOverlap('random', eps, 3 * nf).overlap, target: Math.exp(-0.5) };
    });
    console.table(rows);
    for (const r of rows) {
      // Next orders: e^{−1/2}(ε²/12) and e^{−1/2}(3 · 13ε²/180); their difference ≈ 0.13 e^{−1/2} ε².
      expect(Math.abs(r.fixed - r.random)).toBeLessThan(0.2 * r.eps * r.eps);
      expect(Math.abs(r.fixed - r.target)).toBeLessThan(0.1 * r.eps * r.eps);
      expect(Math.abs(r.random - r.target)).toBeLessThan(0.2 * r.eps * r.eps);
    }
  });

  it('rejects bad arguments naming them', () => {
    expect(() => branchOverlap('fixed', -0.1, 3)).toThrow('branchOverlap: epsilon must be a finite number ≥ 0 (got -0.1)');
    expect(() => branchOverlap('fixed', 0.1, 2.5)).toThrow('branchOverlap: qubits must be an integer ≥ 0 (got 2.5)');
    expect(() => branchOverlap('diagonal' as 'fixed', 0.1, 3)).toThrow("branchOverlap: scheme must be one of fixed, random (got 'diagonal')");
  });
});

describe('branchInformation', () => {
  it('binaryEntropyOfLogit(z) = h(σ(z)), stable for large |z|', () => {
    for (const z of [-7, -1, 0, 0.3, 2, 9]) expect(binaryEntropyOfLogit(z)).toBeCloseTo(h(sigma(z)), 13);
    expect(binaryEntropyOfLogit(800)).toBeGreaterThanOrEqual(0);
    expect(binaryEntropyOfLogit(800)).toBeLessThan(1e-300);
  });

  it('fixed N = 1 matches H(s) − Σ_x p(x) H(s | x) by hand', () => {
    for (const [alpha0, eps] of [[0, 0.7], [0.4, 0.7], [-1.3, 0.2], [2, 3]]) {
      const t = Math.tanh(eps);
      const pp = sigma(2 * alpha0);
      const pm = 1 - pp;
      let expected = h(pp);
      let pe = 0;
      for (const x of [1, -1]) {
        const joint = [pp * (1 + t * x) / 2, pm * (1 - t * x) / 2];
        const px = joint[0] + joint[1];
        expected -= px * h(joint[0] / px);
        pe += Math.min(...joint);
      }
      const r = branchInformation({ scheme: 'fixed', epsilon: eps, qubits: 1, alpha0 });
      expect(r.information).toBeCloseTo(expected, 13);
      expect(r.priorEntropy).toBeCloseTo(h(pp), 14);
      expect(r.bayesError).toBeCloseTo(pe, 14);
      expect(r.standardError).toBe(0);
    }
  });

  it('0 ≤ I ≤ H(s); I → H(s) for large Nε²; I → 0 like Nε² as ε → 0', () => {
    for (const alpha0 of [0, 0.5, -2]) {
      for (const [n, eps] of [[1, 0.1], [10, 0.5], [200, 0.1], [50, 2]]) {
        const r = branchInformation({ scheme: 'fixed', epsilon: eps, qubits: n, alpha0 });
        expect(r.information).toBeGreaterThanOrEqual(0);
        expect(r.information).toBeLessThanOrEqual(r.priorEntropy);
      }
      const big = branchInformation({ scheme: 'fixed', epsilon: 0.2, qubits: 2000, alpha0 }); // Nε² = 80
      expect(big.priorEntropy - big.information).toBeLessThan(1e-9);
      expect(big.bayesError).toBeLessThan(1e-9);
      const tiny = branchInformation({ scheme: 'fixed', epsilon: 1e-3, qubits: 10, alpha0 });
      const tinier = branchInformation({ scheme: 'fixed', epsilon: 5e-4, qubits: 10, alpha0 });
      expect(tiny.information).toBeLessThan(10 * 1e-6);
      expect(tiny.information / tinier.information).toBeCloseTo(4, 2); // I ∝ ε² at small ε
      expect(branchInformation({ scheme: 'fixed', epsilon: 0, qubits: 10, alpha0 }).information).toBe(0);
    }
  });

  it('is increasing in N (more records never lose information)', () => {
    let last = 0;
    for (let n = 1; n <= 80; n++) {
      const { information } = branchInformation({ scheme: 'fixed', epsilon: 0.3, qubits: n, alpha0: 0.5 });
      expect(information).toBeGreaterThan(last);
      last = information;
    }
  });

  it('exact sum scales to N = 10⁵', () => {
    const r = branchInformation({ scheme: 'fixed', epsilon: 0.01, qubits: 100_000, alpha0: 0.3 }); // Nε² = 10
    expect(r.information).toBeGreaterThan(0);
    expect(r.information).toBeLessThan(r.priorEntropy);
    const same = branchInformation({ scheme: 'fixed', epsilon: 0.02, qubits: 25_000, alpha0: 0.3 });
    expect(Math.abs(r.information - same.information)).toBeLessThan(1e-3); // universal in Nε²
  });

  it.each([
    [0, 0.2, 50, 1],
    [0.8, 0.2, 50, 2],
    [-0.5, 0.05, 400, 3],
    [0, 1, 5, 4],
  ])('Monte Carlo (fixed) is within 4 SE of the exact sum: α₀ = %s, ε = %s, N = %s', (alpha0, eps, n, seed) => {
    const exact = branchInformation({ scheme: 'fixed', epsilon: eps, qubits: n, alpha0 });
    const mc = branchInformation({ scheme: 'fixed', epsilon: eps, qubits: n, alpha0 }, { method: 'monte-carlo', samples: 20_000, rng: new Rng(seed) });
    expect(mc.standardError).toBeGreaterThan(0);
    expect(Math.abs(mc.information - exact.information)).toBeLessThan(4 * mc.standardError);
    expect(Math.abs(mc.bayesError - exact.bayesError)).toBeLessThan(4 * mc.bayesErrorStandardError);
  });

  it('is reproducible under a seed', () => {
    const run = (seed: number) => branchInformation({ scheme: 'random', epsilon: 0.3, qubits: 20 }, { samples: 500, rng: new Rng(seed) });
    expect(run(7)).toEqual(run(7));
    expect(run(7).information).not.toBe(run(8).information);
  });

  // Universality in Nε²: to leading order in ε both α_N are Gaussian with mean ±v and variance v, v = Nε² (fixed)
  // or Nε²/3 (random: ⟨x₃⟩ = s t/3, ⟨x₃²⟩ = 1/3). The next order is a relative O(ε²) change of the effective v
  // (the BC expansions: ε²/6 fixed, 13ε²/30 random), i.e. |ΔI| ≲ ε² · I; plus 4 SE of Monte Carlo.
  it.each([
    [0, 0.1, 100, 11],
    [0.7, 0.1, 300, 12],
  ])('random I(3N, ε) ≈ fixed I(N, ε): α₀ = %s, ε = %s, N = %s', (alpha0, eps, n, seed) => {
    const fixed = branchInformation({ scheme: 'fixed', epsilon: eps, qubits: n, alpha0 });
    const random = branchInformation({ scheme: 'random', epsilon: eps, qubits: 3 * n, alpha0 }, { samples: 20_000, rng: new Rng(seed) });
    const tolerance = 4 * random.standardError + eps * eps * fixed.information;
    console.log(`α₀ = ${alpha0}, Nε² = ${n * eps * eps}: I_fixed(N) = ${fixed.information.toFixed(5)}, I_random(3N) = ${random.information.toFixed(5)} ± ${random.standardError.toFixed(5)}, tolerance ${tolerance.toFixed(5)}`);
    expect(Math.abs(random.information - fixed.information)).toBeLessThan(tolerance);
    // The 1/3 matters: the random scheme at N (not 3N) is far off.
    const wrong = branchInformation({ scheme: 'random', epsilon: eps, qubits: n, alpha0 }, { samples: 20_000, rng: new Rng(seed) });
    expect(Math.abs(wrong.information - fixed.information)).toBeGreaterThan(5 * tolerance);
  });

  it('Bayes error within the Bhattacharyya bounds ½(1 − √(1 − 4π₊π₋BC²)) ≤ P_e ≤ √(π₊π₋) BC, and Fano', () => {
    for (const alpha0 of [0, 0.6, -1.5]) {
      for (const [n, eps] of [[1, 0.3], [20, 0.3], [100, 0.1], [400, 0.1], [30, 1]]) {
        const r = branchInformation({ scheme: 'fixed', epsilon: eps, qubits: n, alpha0 });
        const bc = branchOverlap('fixed', eps, n).overlap;
        const pp = sigma(2 * alpha0);
        const prod = pp * (1 - pp);
        expect(r.bayesError).toBeLessThanOrEqual(Math.sqrt(prod) * bc * (1 + 1e-12));
        expect(r.bayesError).toBeGreaterThanOrEqual(0.5 * (1 - Math.sqrt(1 - 4 * prod * bc * bc)) * (1 - 1e-9));
        expect(r.priorEntropy - r.information).toBeLessThanOrEqual(h(r.bayesError) + 1e-12); // Fano: H(s|x) ≤ h(P_e)
      }
    }
    const mc = branchInformation({ scheme: 'random', epsilon: 0.2, qubits: 60, alpha0: 0.4 }, { samples: 5000, rng: new Rng(5) });
    const pp = sigma(0.8);
    expect(mc.bayesError).toBeLessThanOrEqual(Math.sqrt(pp * (1 - pp)) * branchOverlap('random', 0.2, 60).overlap + 4 * mc.bayesErrorStandardError);
  });

  it('rejects bad arguments naming them', () => {
    expect(() => branchInformation({ scheme: 'random', epsilon: 0.1, qubits: 3 }, { method: 'exact' })).toThrow("branchInformation: method 'exact' needs scheme 'fixed' (got 'random'); use 'monte-carlo'");
    expect(() => branchInformation({ scheme: 'random', epsilon: 0.1, qubits: 3 })).toThrow('branchInformation: method monte-carlo needs options.rng');
    expect(() => branchInformation({ scheme: 'fixed', epsilon: 0.1, qubits: 3 }, { method: 'monte-carlo', samples: 1, rng: new Rng(1) })).toThrow('branchInformation: samples must be an integer ≥ 2 (got 1)');
    expect(() => branchInformation({ scheme: 'fixed', epsilon: 0.1, qubits: 0 })).toThrow('branchInformation: qubits must be an integer ≥ 1 (got 0)');
    expect(() => branchInformation({ scheme: 'fixed', epsilon: NaN, qubits: 3 })).toThrow('branchInformation: epsilon must be a finite number ≥ 0 (got NaN)');
  });
});

describe('branchInformation with heterogeneous sensors', () => {
  const live = (n: number, eps: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? eps : 0));

  it('dead sensors carry nothing: N sensors, half dead, hold what N/2 live ones do (fixed: against the exact sum)', () => {
    const exact = branchInformation({ scheme: 'fixed', epsilon: 0.3, qubits: 20, alpha0: 0.4 });
    const mc = branchInformation({ scheme: 'fixed', epsilon: live(40, 0.3), qubits: 40, alpha0: 0.4 }, { samples: 20_000, rng: new Rng(11) });
    expect(mc.method).toBe('monte-carlo');
    expect(Math.abs(mc.information - exact.information)).toBeLessThan(4 * mc.standardError);
    expect(Math.abs(mc.bayesError - exact.bayesError)).toBeLessThan(4 * mc.bayesErrorStandardError);
  });

  it('random axis: half dead against the uniform N/2 apparatus, two independent Monte Carlos', () => {
    const a = branchInformation({ scheme: 'random', epsilon: live(60, 0.35), qubits: 60 }, { samples: 20_000, rng: new Rng(12) });
    const b = branchInformation({ scheme: 'random', epsilon: 0.35, qubits: 30 }, { samples: 20_000, rng: new Rng(13) });
    expect(Math.abs(a.information - b.information)).toBeLessThan(4 * Math.hypot(a.standardError, b.standardError));
    // and it is not the information of 60 live sensors
    const all = branchInformation({ scheme: 'random', epsilon: 0.35, qubits: 60 }, { samples: 20_000, rng: new Rng(14) });
    expect(all.information - a.information).toBeGreaterThan(8 * Math.hypot(a.standardError, all.standardError));
  });

  it('a constant array is the scalar case, to the bit', () => {
    expect(branchInformation({ scheme: 'fixed', epsilon: new Array(15).fill(0.2), qubits: 15 })).toEqual(branchInformation({ scheme: 'fixed', epsilon: 0.2, qubits: 15 }));
    const opts = () => ({ samples: 500, rng: new Rng(3) });
    expect(branchInformation({ scheme: 'random', epsilon: new Float64Array(15).fill(0.2), qubits: 15 }, opts())).toEqual(branchInformation({ scheme: 'random', epsilon: 0.2, qubits: 15 }, opts()));
  });

  it('rejects an array of the wrong length, a negative εᵢ and exact on varying ε, by name', () => {
    expect(() => branchInformation({ scheme: 'fixed', epsilon: [0.1, 0.2], qubits: 3 })).toThrow(/epsilon must be a number or N = 3 numbers \(got length 2\)/);
    expect(() => branchInformation({ scheme: 'fixed', epsilon: [0.1, -0.2, 0], qubits: 3 }, { rng: new Rng(1) })).toThrow(/epsilon\[1\] must be a finite number ≥ 0 \(got -0.2\)/);
    expect(() => branchInformation({ scheme: 'fixed', epsilon: [0.1, 0.2, 0], qubits: 3 }, { method: 'exact' })).toThrow(/method 'exact' needs one ε for all qubits/);
  });
});
