import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, parsePointerAxes, RotatedApparatus, sampleWithBranch, tiltedAxes } from '../../src/simulators/index.ts';

/**
 * The rotated-axis apparatus against exact values, with fixed seeds. z-tests use the sample
 * standard deviation and Z = 5 (two-sided p ≈ 6·10⁻⁷ per check, so ~100 checks per run stay quiet).
 */
const Z = 5;
const EPS = [0.5, 1, 1.5, 2];
const N = EPS.length;
const T = EPS.map(Math.tanh);

function zScore(values: ArrayLike<number>, exact: number): number {
  let s = 0, s2 = 0;
  const n = values.length;
  for (let k = 0; k < n; k++) { s += values[k]; s2 += values[k] * values[k]; }
  const mean = s / n, variance = s2 / n - mean * mean;
  return variance === 0 ? (mean === exact ? 0 : Infinity) : (mean - exact) / Math.sqrt(variance / n);
}
/** Component a of qubit i, per record. */
function component(x: ArrayLike<number>, batch: number, n: number, i: number, a: number): Float64Array {
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) out[b] = x[(b * n + i) * 3 + a];
  return out;
}
/** nᵢ·xᵢ per record. */
function cosine(x: ArrayLike<number>, batch: number, n: number, i: number, axes: Float64Array): Float64Array {
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    const k = (b * n + i) * 3;
    out[b] = axes[3 * i] * x[k] + axes[3 * i + 1] * x[k + 1] + axes[3 * i + 2] * x[k + 2];
  }
  return out;
}
/** A uniformly random rotation, row-major 3×3, from a random unit quaternion. */
function randomRotation(rng: Rng): Float64Array {
  const q = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  const norm = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / norm);
  return Float64Array.from([
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ]);
}
/** Q v for each row of v, shape [rows, 3]. */
function rotateRows(q: Float64Array, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(v.length);
  for (let k = 0; k < v.length; k += 3) {
    for (let a = 0; a < 3; a++) out[k + a] = q[3 * a] * v[k] + q[3 * a + 1] * v[k + 1] + q[3 * a + 2] * v[k + 2];
  }
  return out;
}
/** Per-qubit axes 1 rad from ẑ at seeded azimuths, one of them (qubit 1) within 0.2 rad of −ẑ. */
function perQubitAxes(n: number): Float64Array {
  const axes = tiltedAxes({ qubits: n, tilt: 1, rng: new Rng(31) });
  axes.set(tiltedAxes({ qubits: 1, tilt: Math.PI - 0.2, rng: new Rng(32) }), 3);
  return axes;
}

describe('RotatedApparatus: validation', () => {
  it('rejects wrong counts, zero and non-finite axes, naming the entry and the value', () => {
    const base = { epsilon: 0.5, qubits: 3 };
    expect(() => new RotatedApparatus({ ...base, axes: [0, 0, 0] })).toThrow(new RangeError('RotatedApparatus: axes must be a non-zero vector (got [0, 0, 0])'));
    expect(() => new RotatedApparatus({ ...base, axes: [[0, 0, 1], [0, 0, 0], [1, 0, 0]] })).toThrow(/axes\[1\] must be a non-zero vector \(got \[0, 0, 0\]\)/);
    expect(() => new RotatedApparatus({ ...base, axes: [0, NaN, 1] })).toThrow(/axes must be a 3-vector of finite numbers \(got \[0, NaN, 1\]\)/);
    expect(() => new RotatedApparatus({ ...base, axes: [[0, 0, 1], [0, Infinity, 1], [1, 0, 0]] })).toThrow(/axes\[1\] must be a 3-vector of finite numbers/);
    expect(() => new RotatedApparatus({ ...base, axes: [0, 1] })).toThrow(/axes must be one 3-vector \[x, y, z\], N = 3 of them, or a flat array of length 3N = 9 \(got length 2\)/);
    expect(() => new RotatedApparatus({ ...base, axes: [[0, 0, 1], [0, 1, 0]] })).toThrow(/\(got 2 vectors\)/);
    expect(() => new RotatedApparatus({ ...base, axes: [[0, 1]] })).toThrow(/axes must be a 3-vector of finite numbers \(got \[0, 1\]\)/);
    expect(() => new RotatedApparatus({ ...base, epsilon: -1, axes: [0, 0, 1] })).toThrow(/^RotatedApparatus: epsilon must be a finite number ≥ 0 \(got -1\)/);
    expect(() => new RotatedApparatus({ ...base, qubits: 0, axes: [0, 0, 1] })).toThrow(/RotatedApparatus: qubits must be an integer ≥ 1 \(got 0\)/);
  });

  it('normalises axes, reports shared, and checks records and indices', () => {
    const app = new RotatedApparatus({ epsilon: 0.5, qubits: 2, axes: [3, 0, 4] });
    expect(Array.from(app.axes)).toEqual([0.6, 0, 0.8, 0.6, 0, 0.8]);
    expect(app.shared).toBe(true);
    expect(new RotatedApparatus({ epsilon: 0.5, qubits: 2, axes: [[0, 0, 1], [0, 0, 2]] }).shared).toBe(true);
    expect(new RotatedApparatus({ epsilon: 0.5, qubits: 2, axes: [[0, 0, 1], [0, 1, 0]] }).shared).toBe(false);
    expect([app.scheme, app.dim, app.uniform, app.qubits, app.alpha0]).toEqual(['random', 3, true, 2, 0]);
    expect(() => app.logProb(new Float32Array(5), 1)).toThrow(/RotatedApparatus.logProb: x must have shape \[batch, N, 3\] = \[1, 2, 3\], i.e. length 6 \(got length 5\)/);
    expect(() => app.sequentialLogProb([1, 0, 0, 2, 0, 0], 1)).toThrow(/RotatedApparatus.sequentialLogProb: outcomes must be unit vectors .*\(got x\[0, 1\] = \[2, 0, 0\]\)/);
    expect(() => app.sample(-1, new Rng(1))).toThrow(/RotatedApparatus.sample: batch must be an integer ≥ 0 \(got -1\)/);
    expect(() => app.sample(2, new Rng(1), new Float32Array(3))).toThrow(/out must have length batch·N·3 = 2·2·3 = 12 \(got 3\)/);
    expect(() => app.pairMoment(0, 2)).toThrow(/RotatedApparatus.pairMoment: j must be an integer in \[0, 1\] \(got 2\)/);
    const again = new RotatedApparatus(app.config);
    expect(again.sample(3, new Rng(4))).toEqual(app.sample(3, new Rng(4)));
  });
});

describe('RotatedApparatus with every axis ẑ is Apparatus', () => {
  it.each([
    ['uniform ε', 0.8, 0],
    ['per-qubit ε', [0.3, 0, 1.2, 2, 0.6], 0.4],
  ] as [string, number | number[], number][])('%s: the same records and log-probs bit for bit', (_, epsilon, alpha0) => {
    const qubits = 5, batch = 500;
    const ref = new Apparatus({ scheme: 'random', epsilon, qubits, alpha0 });
    for (const axes of [[0, 0, 1], [0, 0, 2.5], Array.from({ length: qubits }, () => [0, 0, 1])]) {
      const app = new RotatedApparatus({ epsilon, qubits, alpha0, axes });
      const a = ref.sampleWithLogProb(batch, new Rng(17)), b = app.sampleWithLogProb(batch, new Rng(17));
      expect(b.x).toEqual(a.x);
      expect(b.logProb).toEqual(a.logProb);
      expect(app.sample(batch, new Rng(17))).toEqual(a.x);
      expect(app.logProb(a.x, batch)).toEqual(ref.logProb(a.x, batch));
      expect(app.sequentialLogProb(a.x, batch)).toEqual(ref.sequentialLogProb(a.x, batch));
      const sa = sampleWithBranch(ref, batch, new Rng(18)), sb = app.sampleWithBranch(batch, new Rng(18));
      expect(sb.x).toEqual(sa.x);
      expect(sb.branch).toEqual(sa.branch);
    }
  });
});

describe('RotatedApparatus: log-probabilities', () => {
  it.each([
    ['shared', [1, -2, 0.5]],
    ['per qubit', perQubitAxes(N)],
  ] as [string, number[] | Float64Array][])('%s axes: joint = chain = the sampler’s accumulated log-prob to 1e-9', (_, axes) => {
    const app = new RotatedApparatus({ epsilon: EPS, qubits: N, alpha0: 0.6, axes });
    const batch = 2000;
    const { x, logProb } = app.sampleWithLogProb(batch, new Rng(5));
    const joint = app.logProb(x, batch), chain = app.sequentialLogProb(x, batch);
    for (let b = 0; b < batch; b++) {
      expect(Math.abs(joint[b] - chain[b])).toBeLessThan(1e-9);
      expect(Math.abs(joint[b] - logProb[b])).toBeLessThan(1e-9);
    }
  });

  it('is invariant when records and axes are rotated together, and not when only the records are', () => {
    const axes = perQubitAxes(N);
    const app = new RotatedApparatus({ epsilon: EPS, qubits: N, alpha0: -0.3, axes });
    const batch = 300;
    const x = Float64Array.from(app.sample(batch, new Rng(6)));
    const rng = new Rng(7);
    for (let r = 0; r < 3; r++) {
      const q = randomRotation(rng);
      const turned = new RotatedApparatus({ epsilon: EPS, qubits: N, alpha0: -0.3, axes: rotateRows(q, axes) });
      const xq = rotateRows(q, x);
      const lp = app.logProb(x, batch), lq = turned.logProb(xq, batch), only = app.logProb(xq, batch);
      let moved = 0;
      for (let b = 0; b < batch; b++) {
        expect(Math.abs(lq[b] - lp[b])).toBeLessThan(1e-9);
        if (Math.abs(only[b] - lp[b]) > 1e-3) moved++;
      }
      expect(moved).toBeGreaterThan(batch / 2);
    }
  });

  it.each([1, 2])('N = %i: exp(log p) integrates to 1 under the uniform sphere measure (5 SE)', (n) => {
    const axes = perQubitAxes(2).subarray(0, 3 * n);
    const app = new RotatedApparatus({ epsilon: [2, 1.5].slice(0, n), qubits: n, alpha0: 0.7, axes });
    const batch = 200_000;
    const u = new RotatedApparatus({ epsilon: 0, qubits: n, axes: [0, 0, 1] }).sample(batch, new Rng(40 + n));
    const ratio = app.logProb(u, batch).map((lp) => Math.exp(lp + n * Math.log(4 * Math.PI)));
    expect(Math.abs(zScore(ratio, 1))).toBeLessThan(Z);
    // the density is not flat: the check would see a wrong (4π)ᴺ normaliser, e.g. 2π per qubit
    expect(Math.abs(zScore(ratio.map((r) => r * 2 ** n), 1))).toBeGreaterThan(Z);
  });
});

describe.each([
  ['shared axis', [1, 2, 2], 0],
  ['shared axis', [1, 2, 2], 0.7],
  ['per-qubit axes', perQubitAxes(N), 0],
  ['per-qubit axes', perQubitAxes(N), 0.7],
] as [string, number[] | Float64Array, number][])('%s, α₀ = %s: exact moments (5 SE)', (_, axesGiven, alpha0) => {
  const app = new RotatedApparatus({ epsilon: EPS, qubits: N, alpha0, axes: axesGiven });
  const axes = app.axes;
  const batch = 40_000;
  const x = app.sample(batch, new Rng(alpha0 === 0 ? 101 : 202));

  it('E[xᵢ] = tanh α₀ · tᵢ/3 · nᵢ, every component', () => {
    const mean = app.meanX();
    expect(mean.length).toBe(3 * N);
    for (let i = 0; i < N; i++) {
      for (let a = 0; a < 3; a++) {
        expect(mean[3 * i + a]).toBeCloseTo((Math.tanh(alpha0) * T[i] * axes[3 * i + a]) / 3, 15);
        expect(Math.abs(zScore(component(x, batch, N, i, a), mean[3 * i + a]))).toBeLessThan(Z);
      }
    }
  });

  it('E[xᵢ xⱼᵀ] = (tᵢ tⱼ/9) nᵢ nⱼᵀ for i ≠ j, I/3 for i = j, every entry', () => {
    for (let i = 0; i < N; i++) {
      for (let j = i; j < N; j++) {
        const exact = app.pairMoment(i, j);
        for (let a = 0; a < 3; a++) {
          const xi = component(x, batch, N, i, a);
          for (let b = 0; b < 3; b++) {
            const xj = component(x, batch, N, j, b);
            expect(Math.abs(zScore(xi.map((v, k) => v * xj[k]), exact[3 * a + b]))).toBeLessThan(Z);
          }
        }
      }
    }
  });

  it('wrong formulas are rejected: t instead of t/3, tᵢtⱼ instead of tᵢtⱼ/9, and ẑ instead of nᵢ', () => {
    const [i, j] = [2, 3];
    const ci = cosine(x, batch, N, i, axes), cj = cosine(x, batch, N, j, axes);
    expect(Math.abs(zScore(ci.map((v, k) => v * cj[k]), T[i] * T[j]))).toBeGreaterThan(Z);
    // along ẑ the pair moment is (tᵢtⱼ/9) nᵢ₃ nⱼ₃, not tᵢtⱼ/9 (the unrotated apparatus's)
    const zi = component(x, batch, N, i, 2), zj = component(x, batch, N, j, 2);
    expect(Math.abs(zScore(zi.map((v, k) => v * zj[k]), (T[i] * T[j]) / 9))).toBeGreaterThan(Z);
    if (alpha0 !== 0) expect(Math.abs(zScore(ci, Math.tanh(alpha0) * T[i]))).toBeGreaterThan(Z);
  });

  it('the marginal of nᵢ·xᵢ is (1 + tanh α₀ tᵢ c)/2 on [−1, 1] (10 bins, first and last qubit)', () => {
    const bins = 10;
    for (const i of [0, N - 1]) {
      const c = cosine(x, batch, N, i, axes);
      for (const m of [Math.tanh(alpha0) * T[i], T[i]]) {
        let worst = 0;
        for (let k = 0; k < bins; k++) {
          const lo = -1 + (2 * k) / bins, hi = lo + 2 / bins;
          const exact = (hi - lo + (m * (hi * hi - lo * lo)) / 2) / 2;
          const inBin = c.map((v) => (v >= lo && (v < hi || k === bins - 1) ? 1 : 0));
          worst = Math.max(worst, Math.abs(zScore(inBin, exact)));
        }
        // the true polarisation passes; tᵢ alone (the branch's, not the mixture's) fails unless α₀ is 0
        if (m === Math.tanh(alpha0) * T[i]) expect(worst).toBeLessThan(Z);
        else if (alpha0 !== 0) expect(worst).toBeGreaterThan(Z);
      }
    }
  });
});

describe('RotatedApparatus.sampleWithBranch', () => {
  it.each([0, 0.7])('α₀ = %s: P(s = +1) = σ(2α₀) and E[xᵢ | s] = s tᵢ nᵢ/3 (5 SE)', (alpha0) => {
    const app = new RotatedApparatus({ epsilon: EPS, qubits: N, alpha0, axes: perQubitAxes(N) });
    const batch = 40_000;
    const { x, branch } = app.sampleWithBranch(batch, new Rng(303));
    const plus = Float64Array.from(branch, (s) => (s > 0 ? 1 : 0));
    expect(Math.abs(zScore(plus, 1 / (1 + Math.exp(-2 * alpha0))))).toBeLessThan(Z);
    for (const s of [1, -1]) {
      const rows = Array.from(branch.keys()).filter((b) => branch[b] === s);
      for (let i = 0; i < N; i++) {
        for (let a = 0; a < 3; a++) {
          const v = Float64Array.from(rows, (b) => x[(b * N + i) * 3 + a]);
          expect(Math.abs(zScore(v, (s * T[i] * app.axes[3 * i + a]) / 3))).toBeLessThan(Z);
        }
        // t instead of t/3 is rejected
        const c = cosine(Float32Array.from(rows.flatMap((b) => Array.from(x.subarray((b * N) * 3, (b + 1) * N * 3)))), rows.length, N, i, app.axes);
        expect(Math.abs(zScore(c, s * T[i]))).toBeGreaterThan(Z);
      }
    }
  });
});

describe('tiltedAxes', () => {
  it('puts every axis θ from the common axis, at seeded azimuths; shared gives one axis', () => {
    const tilt = 0.4;
    for (const about of [[0, 0, 1], [1, 1, -3], [0, 0, -1]]) {
      const a = tiltedAxes({ qubits: 6, tilt, about, rng: new Rng(2) });
      const n = Math.hypot(...about);
      for (let i = 0; i < 6; i++) {
        const r = a.subarray(3 * i, 3 * i + 3);
        expect(Math.hypot(...r)).toBeCloseTo(1, 14);
        expect(Math.acos((r[0] * about[0] + r[1] * about[1] + r[2] * about[2]) / n)).toBeCloseTo(tilt, 12);
      }
      expect(new RotatedApparatus({ epsilon: 1, qubits: 6, axes: a }).shared).toBe(false);
      expect(tiltedAxes({ qubits: 6, tilt, about, rng: new Rng(2) })).toEqual(a);
      const shared = tiltedAxes({ qubits: 6, tilt, about, rng: new Rng(2), shared: true });
      expect(new RotatedApparatus({ epsilon: 1, qubits: 6, axes: shared }).shared).toBe(true);
    }
    expect(Array.from(tiltedAxes({ qubits: 1, tilt: Math.PI / 2 })).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 0, 0]);
    expect(() => tiltedAxes({ qubits: 2, tilt: NaN })).toThrow(/tiltedAxes: tilt must be a finite angle in radians \(got NaN\)/);
    expect(() => tiltedAxes({ qubits: 1.5, tilt: 0 })).toThrow(/tiltedAxes: qubits must be an integer ≥ 1 \(got 1.5\)/);
  });
});

describe('parsePointerAxes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qubit-rx-axes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rows = (a: Float64Array) => Array.from({ length: a.length / 3 }, (_, i) => Array.from(a.subarray(3 * i, 3 * i + 3)));

  it('accepts every form', () => {
    expect(rows(parsePointerAxes('z', 2))).toEqual([[0, 0, 1], [0, 0, 1]]);
    expect(rows(parsePointerAxes(' x ', 1))).toEqual([[1, 0, 0]]);
    expect(rows(parsePointerAxes('3, 0, -4', 2))).toEqual([[0.6, 0, -0.8], [0.6, 0, -0.8]]);
    const tilt = parsePointerAxes('tilt:30deg', 3);
    for (const r of rows(tilt)) {
      expect(r[0]).toBeCloseTo(0.5, 14);
      expect(r[1]).toBeCloseTo(0, 14);
      expect(r[2]).toBeCloseTo(Math.sqrt(3) / 2, 14);
    }
    expect(parsePointerAxes('tilt:30', 3)).toEqual(tilt);
    const spread = parsePointerAxes('spread:20deg@7', 5);
    expect(spread).toEqual(tiltedAxes({ qubits: 5, tilt: (20 * Math.PI) / 180, rng: new Rng(7) }));
    expect(parsePointerAxes('spread:20deg@8', 5)).not.toEqual(spread);
    for (const r of rows(spread)) expect(Math.acos(r[2])).toBeCloseTo((20 * Math.PI) / 180, 12);
    const file = join(dir, 'axes.txt');
    writeFileSync(file, '# one axis per qubit\n0 0 2\n1, 0, 0\n\n0 3 4\n');
    expect(rows(parsePointerAxes(`file:${file}`, 3))).toEqual([[0, 0, 1], [1, 0, 0], [0, 0.6, 0.8]]);
  });

  it.each([
    ['', 2, '--axes: expected z | x,y,z | tilt:θdeg | spread:θdeg@seed | file:PATH, got ""'],
    ['0,1', 2, '--axes: expected z | x,y,z | tilt:θdeg | spread:θdeg@seed | file:PATH, got "0,1"'],
    ['0,1,2,3', 2, '--axes: expected z | x,y,z | tilt:θdeg | spread:θdeg@seed | file:PATH, got "0,1,2,3"'],
    ['w', 2, '--axes: expected z | x,y,z | tilt:θdeg | spread:θdeg@seed | file:PATH, got "w"'],
    ['0,0,0', 2, '--axes: the axis must be a non-zero vector, got "0,0,0"'],
    ['0,abc,1', 2, '--axes: x,y,z must be three finite numbers, got "0,abc,1"'],
    ['0,,1', 2, '--axes: x,y,z must be three finite numbers, got "0,,1"'],
    ['tilt:xdeg', 2, '--axes: tilt:θdeg needs a finite angle in degrees, got "tilt:xdeg"'],
    ['spread:10deg', 2, '--axes: spread:θdeg@seed needs a seed, got "spread:10deg"'],
    ['spread:10deg@1.5', 2, '--axes: spread:θdeg@seed needs an integer seed, got "spread:10deg@1.5"'],
    ['spread:@3', 2, '--axes: spread:θdeg@seed needs a finite angle in degrees, got "spread:@3"'],
  ])('rejects %j (N = %i) in one line naming --axes', (spec, n, message) => {
    expect(() => parsePointerAxes(spec, n)).toThrow(new RangeError(message));
  });

  it('rejects bad files: wrong line count, bad numbers, zero vectors, unreadable', () => {
    const file = join(dir, 'bad.txt');
    writeFileSync(file, '0 0 1\n1 0 0\n');
    expect(() => parsePointerAxes(`file:${file}`, 3)).toThrow(new RangeError(`--axes: expected N = 3 lines of x y z (one per qubit) in ${file}, got 2`));
    writeFileSync(file, '0 0 1\n1 zero 0\n');
    expect(() => parsePointerAxes(`file:${file}`, 2)).toThrow(new RangeError(`--axes: line 2 of ${file} must be three finite numbers, got "1 zero 0"`));
    writeFileSync(file, '0 0 1\n1 0\n');
    expect(() => parsePointerAxes(`file:${file}`, 2)).toThrow(/--axes: line 2 .* must be three finite numbers, got "1 0"/);
    writeFileSync(file, '0 0 0\n1 0 0\n');
    expect(() => parsePointerAxes(`file:${file}`, 2)).toThrow(new RangeError(`--axes: axis 0 in ${file} must be a non-zero vector, got "0 0 0"`));
    expect(() => parsePointerAxes(`file:${join(dir, 'missing.txt')}`, 2)).toThrow(/--axes: cannot read .*missing\.txt \(ENOENT\)/);
  });
});

describe('RotatedApparatus.magnetisation', () => {
  it('is 3⟨nᵢ·xᵢ⟩ per record, Apparatus.magnetisation at nᵢ = ẑ, with exact mean tanh α₀ · mean tᵢ within 5 SE', () => {
    const axes = tiltedAxes({ qubits: N, tilt: 1.1, rng: new Rng(21) });
    const app = new RotatedApparatus({ epsilon: EPS, qubits: N, alpha0: 0.6, axes });
    const batch = 40_000;
    const x = app.sample(batch, new Rng(22));
    const m = app.magnetisation(x, batch);
    expect(m).toHaveLength(batch);
    for (const b of [0, 1, batch - 1]) {
      let s = 0;
      for (let i = 0; i < N; i++) s += cosine(x, batch, N, i, app.axes)[b];
      expect(m[b]).toBeCloseTo((3 * s) / N, 12);
    }
    const meanT = T.reduce((a, t) => a + t, 0) / N;
    expect(Math.abs(zScore(m, Math.tanh(0.6) * meanT))).toBeLessThan(Z);

    const z = new RotatedApparatus({ epsilon: EPS, qubits: N, alpha0: 0.6, axes: [0, 0, 1] });
    const xz = z.sample(50, new Rng(23));
    expect(z.magnetisation(xz, 50)).toEqual(new Apparatus({ scheme: 'random', epsilon: EPS, qubits: N, alpha0: 0.6 }).magnetisation(xz, 50));
    expect(() => app.magnetisation(new Float32Array(5), 1)).toThrow(/RotatedApparatus\.magnetisation: x must have shape \[batch, N, 3\]/);
  });
});
