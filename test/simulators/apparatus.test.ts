import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, type Scheme } from '../../src/simulators/index.ts';

/**
 * Exactness of the apparatus: closed-form joint vs the sequential (autoregressive) factorisation,
 * normalisation, stability, determinism and argument validation. Statistical checks of the samples
 * live in apparatusStatistics.test.ts.
 */

const SCHEMES: Scheme[] = ['fixed', 'random'];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Uniform unit vectors (not apparatus samples), shape [batch, N, 3], float64. */
function uniformSphere(batch: number, n: number, rng: Rng): Float64Array {
  const x = new Float64Array(batch * n * 3);
  for (let k = 0; k < x.length; k += 3) {
    const x3 = 2 * rng.uniform() - 1, phi = 2 * Math.PI * rng.uniform(), r = Math.sqrt(1 - x3 * x3);
    x[k] = r * Math.cos(phi); x[k + 1] = r * Math.sin(phi); x[k + 2] = x3;
  }
  return x;
}

/** Seed's random-axis chain with a pluggable backaction (same draw order as the library sampler). */
function referenceRandomChain(
  epsilon: number, n: number, alpha0: number, batch: number, rng: Rng,
  backaction: (x3: number) => number,
): { x: Float32Array; logq: Float64Array } {
  const t = Math.tanh(epsilon);
  const x = new Float32Array(batch * n * 3);
  const logq = new Float64Array(batch);
  for (let b = 0, k = 0; b < batch; b++) {
    let a = alpha0;
    for (let i = 0; i < n; i++, k += 3) {
      const m = Math.tanh(a) * t, u = rng.uniform();
      const x3 = Math.fround((m - 2 + 4 * u) / (1 + Math.sqrt(Math.max(0, (m - 1) ** 2 + 4 * m * u))));
      const phi = 2 * Math.PI * rng.uniform(), r = Math.sqrt(Math.max(0, 1 - x3 * x3));
      x[k] = r * Math.cos(phi); x[k + 1] = r * Math.sin(phi); x[k + 2] = x3;
      logq[b] += Math.log1p(m * x3) - Math.log(4 * Math.PI);
      a += backaction(x3);
    }
  }
  return { x, logq };
}

describe('Apparatus: closed-form joint = product of the sampler\'s conditionals', () => {
  it.each(SCHEMES)('%s: accumulated conditional log-probabilities equal logProb to round-off', (scheme) => {
    const n = 50, batch = 200;
    for (const epsilon of [0, 0.1, 1, 2, 5]) {
      for (const alpha0 of [0, 0.7, -2.5]) {
        const app = new Apparatus({ scheme, epsilon, qubits: n, alpha0 });
        const { x, logProb } = app.sampleWithLogProb(batch, new Rng(11));
        const closed = app.logProb(x, batch);
        expect(closed.every(Number.isFinite)).toBe(true);
        expect(maxAbsDiff(logProb, closed)).toBeLessThan(1e-10);
        expect(maxAbsDiff(app.sequentialLogProb(x, batch), closed)).toBeLessThan(1e-10);
      }
    }
  });

  it('random: the chain factorisation holds on arbitrary unit vectors, not only on samples', () => {
    const n = 40, batch = 100;
    const x = uniformSphere(batch, n, new Rng(5));
    for (const [epsilon, alpha0] of [[0.3, 0], [1, 0.3], [2, -1.7], [5, 4]]) {
      const app = new Apparatus({ scheme: 'random', epsilon, qubits: n, alpha0 });
      expect(maxAbsDiff(app.sequentialLogProb(x, batch), app.logProb(x, batch))).toBeLessThan(1e-10);
    }
  });

  it('random: the textbook backaction artanh(x3 tanh ε) reproduces the library sampler; the seed\'s 2 artanh(x3 tanh(ε/2)) breaks the identity', () => {
    const n = 20, batch = 300, epsilon = 1, alpha0 = 0.3;
    const app = new Apparatus({ scheme: 'random', epsilon, qubits: n, alpha0 });
    const t = Math.tanh(epsilon), tHalf = Math.tanh(epsilon / 2);
    const exact = referenceRandomChain(epsilon, n, alpha0, batch, new Rng(2), (x3) => Math.atanh(x3 * t));
    expect(maxAbsDiff(exact.x, app.sample(batch, new Rng(2)))).toBeLessThan(1e-5);
    expect(maxAbsDiff(exact.logq, app.logProb(exact.x, batch))).toBeLessThan(1e-8);
    const seed = referenceRandomChain(epsilon, n, alpha0, batch, new Rng(2), (x3) => 2 * Math.atanh(x3 * tHalf));
    // The seed chain's own conditionals do not multiply up to the joint of the data it produced.
    expect(maxAbsDiff(seed.logq, app.logProb(seed.x, batch))).toBeGreaterThan(1e-2);
  });

  it('is stable for N = 10⁴ and ε = 5 (no overflow, conditionals still sum to the joint)', () => {
    for (const scheme of SCHEMES) {
      const app = new Apparatus({ scheme, epsilon: 5, qubits: 10_000, alpha0: 3 });
      const { x, logProb } = app.sampleWithLogProb(4, new Rng(8));
      const closed = app.logProb(x, 4);
      expect(closed.every(Number.isFinite)).toBe(true);
      for (let b = 0; b < 4; b++) expect(Math.abs(logProb[b] - closed[b])).toBeLessThan(1e-9 * Math.max(1, Math.abs(closed[b])));
    }
    // Fixed, all +1: log p = log 2cosh(α0 + εN) − log 2cosh α0 − N log 2cosh ε, large cancelling terms.
    const app = new Apparatus({ scheme: 'fixed', epsilon: 5, qubits: 10_000, alpha0: 3 });
    const expected = 3 + 5e4 - (3 + Math.log1p(Math.exp(-6))) - 1e4 * (5 + Math.log1p(Math.exp(-10)));
    expect(app.logProb(new Float32Array(10_000).fill(1), 1)[0]).toBeCloseTo(expected, 6);
  });
});

describe('Apparatus: normalisation of the closed form', () => {
  it('fixed: sums to 1 over all 2^N records (N ≤ 10)', () => {
    for (const n of [1, 2, 5, 10]) {
      const records = 1 << n;
      const x = new Float32Array(records * n);
      for (let r = 0; r < records; r++) for (let i = 0; i < n; i++) x[r * n + i] = (r >> i) & 1 ? 1 : -1;
      for (const epsilon of [0, 0.3, 1, 5]) {
        for (const alpha0 of [0, -1.3, 4]) {
          const lp = new Apparatus({ scheme: 'fixed', epsilon, qubits: n, alpha0 }).logProb(x, records);
          let total = 0;
          for (const v of lp) total += Math.exp(v);
          expect(Math.abs(total - 1)).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('random: integrates to 1 over the sphere for N = 1, 2 (Simpson in x3 is exact; azimuths give 2π each)', () => {
    const m = 64; // Simpson intervals; the density is polynomial of degree ≤ 1 in each x3
    const nodes = Array.from({ length: m + 1 }, (_, j) => -1 + (2 * j) / m);
    const weights = nodes.map((_, j) => ((j === 0 || j === m ? 1 : j % 2 ? 4 : 2) * (2 / m)) / 3);
    const unit = (x3: number, phi: number) => {
      const r = Math.sqrt(1 - x3 * x3);
      return [r * Math.cos(phi), r * Math.sin(phi), x3];
    };
    for (const [epsilon, alpha0] of [[0.2, 0], [1, 0.8], [3, -2]]) {
      const one = new Apparatus({ scheme: 'random', epsilon, qubits: 1, alpha0 });
      const lp1 = one.logProb(nodes.flatMap((x3, j) => unit(x3, 0.37 * j)), m + 1);
      const total1 = 2 * Math.PI * weights.reduce((s, w, j) => s + w * Math.exp(lp1[j]), 0);
      expect(Math.abs(total1 - 1)).toBeLessThan(1e-12);

      const two = new Apparatus({ scheme: 'random', epsilon, qubits: 2, alpha0 });
      const grid = nodes.flatMap((a, j) => nodes.flatMap((b, l) => [...unit(a, 1.1 * j), ...unit(b, 2.3 * l)]));
      const lp2 = two.logProb(grid, (m + 1) ** 2);
      let total2 = 0;
      for (let j = 0; j <= m; j++) for (let l = 0; l <= m; l++) total2 += weights[j] * weights[l] * Math.exp(lp2[j * (m + 1) + l]);
      expect(Math.abs((2 * Math.PI) ** 2 * total2 - 1)).toBeLessThan(1e-12);
    }
  });

  it('random: the density does not depend on the azimuths (the measured qubits carry no |0…⟩⟨1…| coherence)', () => {
    const n = 5, batch = 50;
    const x = uniformSphere(batch, n, new Rng(9));
    const rotated = x.slice();
    const rng = new Rng(10);
    for (let k = 0; k < x.length; k += 3) {
      const phi = 2 * Math.PI * rng.uniform(), c = Math.cos(phi), s = Math.sin(phi);
      rotated[k] = c * x[k] - s * x[k + 1];
      rotated[k + 1] = s * x[k] + c * x[k + 1];
    }
    const app = new Apparatus({ scheme: 'random', epsilon: 1.5, qubits: n, alpha0: 0.4 });
    expect(maxAbsDiff(app.logProb(rotated, batch), app.logProb(x, batch))).toBeLessThan(1e-12);
  });
});

describe('Apparatus: samples', () => {
  it.each(SCHEMES)('%s: same seed → identical samples; different seed → different; independent of batch split', (scheme) => {
    const app = new Apparatus({ scheme, epsilon: 0.4, qubits: 30, alpha0: 0.2 });
    const a = app.sample(6, new Rng(1));
    expect(app.sample(6, new Rng(1))).toEqual(a);
    expect(app.sample(6, new Rng(2))).not.toEqual(a);
    const rng = new Rng(1);
    const split = new Float32Array(a.length);
    split.set(app.sample(2, rng), 0);
    split.set(app.sample(4, rng), 2 * 30 * app.dim);
    expect(split).toEqual(a);
    const out = new Float32Array(a.length);
    expect(app.sample(6, new Rng(1), out)).toBe(out);
    expect(out).toEqual(a);
  });

  it('magnetisation is ⟨x⟩ (fixed) and 3⟨x3⟩ (random)', () => {
    const fixed = new Apparatus({ scheme: 'fixed', epsilon: 1, qubits: 4 });
    expect(Array.from(fixed.magnetisation([1, 1, -1, 1, -1, -1, -1, -1], 2))).toEqual([0.5, -1]);
    const random = new Apparatus({ scheme: 'random', epsilon: 1, qubits: 2 });
    const m = random.magnetisation([1, 0, 0, 0, 0.6, 0.8], 1);
    expect(m[0]).toBeCloseTo(1.2, 12);
  });
});

describe('Apparatus: validation', () => {
  const base = { scheme: 'random' as Scheme, epsilon: 0.2, qubits: 10 };
  it('rejects bad configs with a message naming the parameter, its range and the value', () => {
    expect(() => new Apparatus({ ...base, epsilon: -0.1 })).toThrow(/epsilon must be a finite number ≥ 0 \(got -0\.1\)/);
    expect(() => new Apparatus({ ...base, epsilon: NaN })).toThrow(/epsilon .*≥ 0 \(got NaN\)/);
    expect(() => new Apparatus({ ...base, epsilon: Infinity })).toThrow(/epsilon .*\(got Infinity\)/);
    expect(() => new Apparatus({ ...base, qubits: 0 })).toThrow(/qubits must be an integer ≥ 1 \(got 0\)/);
    expect(() => new Apparatus({ ...base, qubits: 2.5 })).toThrow(/qubits must be an integer ≥ 1 \(got 2\.5\)/);
    expect(() => new Apparatus({ ...base, qubits: NaN })).toThrow(/qubits .*\(got NaN\)/);
    expect(() => new Apparatus({ ...base, scheme: 'diagonal' as Scheme })).toThrow(/scheme must be one of 'fixed', 'random' \(got 'diagonal'\)/);
    expect(() => new Apparatus({ ...base, alpha0: NaN })).toThrow(/alpha0 must be a finite number \(got NaN\)/);
    expect(() => new Apparatus({ ...base, epsilon: '0.2' as unknown as number })).toThrow(RangeError);
    expect(new Apparatus({ ...base, epsilon: 0 }).alpha0).toBe(0);
  });

  it('rejects records of the wrong shape or off the support', () => {
    const fixed = new Apparatus({ scheme: 'fixed', epsilon: 1, qubits: 3 });
    expect(() => fixed.logProb([1, 1, 1, 1], 1)).toThrow(/shape \[batch, N, d\] = \[1, 3, 1\].*got length 4/);
    expect(() => fixed.logProb([1, 0.5, 1], 1)).toThrow(/must be ±1 \(got x\[0, 1\] = 0\.5\)/);
    expect(() => fixed.logProb([1, 1, 1], 1.5)).toThrow(/batch must be an integer ≥ 0 \(got 1\.5\)/);
    const random = new Apparatus({ scheme: 'random', epsilon: 1, qubits: 1 });
    expect(() => random.logProb([0, 0, 0.5], 1)).toThrow(/unit vectors/);
    expect(() => random.sequentialLogProb([0, 0, 2], 1)).toThrow(/unit vectors/);
    expect(() => random.sample(-1, new Rng(0))).toThrow(/batch must be an integer ≥ 0 \(got -1\)/);
    expect(() => random.sample(2, new Rng(0), new Float32Array(5))).toThrow(/out must have length/);
  });
});
