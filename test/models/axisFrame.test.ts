import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { axisAngle } from '../../src/metrics/axisAngle.ts';
import { AxisFrame } from '../../src/models/axisFrame.ts';
import { Adam } from '../../src/optim/adam.ts';
import { Rng } from '../../src/random/rng.ts';
import { RotatedApparatus, tiltedAxes } from '../../src/simulators/index.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** A frame whose raw v is set to the given rows (any length, far from ẑ included). */
function frameWith(v: number[][], shared: boolean): AxisFrame {
  const frame = new AxisFrame(shared ? { shared } : { shared, qubits: v.length }, new Rng(0));
  tf.tidy(() => frame.v.assign(shared ? tf.tensor1d(v[0]) : tf.tensor2d(v)));
  return frame;
}
const V = [[0.3, -0.2, 1.1], [-2, 1, 0.5], [0.1, 0.9, -0.4], [1, 1, -1.9]];

describe('AxisFrame', () => {
  it('validates its options and x’s shape', () => {
    expect(() => new AxisFrame({ shared: false }, new Rng(1))).toThrow(/AxisFrame: qubits must be an integer ≥ 1 for per-qubit axes \(got undefined\)/);
    expect(() => new AxisFrame({ shared: true, initialTilt: 2 }, new Rng(1))).toThrow(/initialTilt must be an angle in \[0, π\/2\] radians \(got 2\)/);
    const frame = new AxisFrame({ shared: false, qubits: 4 }, new Rng(1));
    const x = tf.zeros([2, 3, 3]);
    expect(() => frame.toFrame(x)).toThrow(/AxisFrame.toFrame: x must have shape \[batch, N, 3\] with N = 4 \(got \[2, 3, 3\]\)/);
    x.dispose();
    frame.dispose();
  });

  it('starts at ẑ tilted by initialTilt, at azimuths from the Rng', () => {
    const frame = new AxisFrame({ shared: false, qubits: 5, initialTilt: 0.1 }, new Rng(2));
    const u = frame.axis().arraySync() as number[][];
    expect(frame.v.shape).toEqual([5, 3]);
    for (const r of u) expect(Math.acos(r[2])).toBeCloseTo(0.1, 5);
    expect(new Set(u.map((r) => Math.atan2(r[1], r[0]).toFixed(3))).size).toBe(5);
    expect(frame.angleTo([0, 0, 1])).toBeCloseTo(0.1, 5);
    const again = new AxisFrame({ shared: false, qubits: 5 }, new Rng(2));
    expect(again.v.arraySync()).toEqual(frame.v.arraySync());
    const shared = new AxisFrame({ shared: true }, new Rng(2));
    expect(shared.v.shape).toEqual([3]);
    expect(shared.namedVariables().map(([n, v]) => [n, v.shape])).toEqual([['axisFrame/v', [3]]]);
    [frame, again, shared].forEach((f) => f.dispose());
  });

  it.each([true, false])('shared = %s: R is orthogonal with det 1, maps ẑ to u, and toFrame maps u to ẑ (1e-5)', (shared) => {
    const frame = frameWith(V, shared);
    const rows = shared ? 1 : V.length;
    const R = (frame.rotation().arraySync() as number[][] | number[][][]);
    const Rs = (shared ? [R] : R) as number[][][];
    const u = (shared ? [frame.axis().arraySync()] : frame.axis().arraySync()) as number[][];
    expect(Rs.length).toBe(rows);
    Rs.forEach((r, i) => {
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          const rtr = r[0][a] * r[0][b] + r[1][a] * r[1][b] + r[2][a] * r[2][b];
          expect(Math.abs(rtr - (a === b ? 1 : 0))).toBeLessThan(1e-5);
        }
        expect(Math.abs(r[a][2] - u[i][a])).toBeLessThan(1e-6); // R ẑ = u
      }
      const det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
      expect(Math.abs(det - 1)).toBeLessThan(1e-5);
    });
    // u itself, as a record of each of the N = 4 qubits, lands on ẑ
    const y = tf.tidy(() => frame.toFrame(tf.tensor3d([V.map((_, i) => u[shared ? 0 : i])]))).arraySync() as number[][][];
    for (const r of y[0]) {
      expect(Math.abs(r[0])).toBeLessThan(1e-5);
      expect(Math.abs(r[1])).toBeLessThan(1e-5);
      expect(Math.abs(r[2] - 1)).toBeLessThan(1e-5);
    }
    frame.dispose();
  });

  it('toFrame preserves lengths and y₃ = u·x on random records', () => {
    const frame = frameWith(V, false);
    const x = new RotatedApparatus({ epsilon: 0.5, qubits: 4, axes: [0, 0, 1] }).sample(50, new Rng(3));
    const y = tf.tidy(() => frame.toFrame(tf.tensor3d(x, [50, 4, 3]))).dataSync();
    const u = frame.axis().dataSync();
    for (let b = 0; b < 50; b++) {
      for (let i = 0; i < 4; i++) {
        const k = (b * 4 + i) * 3;
        expect(Math.hypot(y[k], y[k + 1], y[k + 2])).toBeCloseTo(1, 5);
        expect(y[k + 2]).toBeCloseTo(u[3 * i] * x[k] + u[3 * i + 1] * x[k + 1] + u[3 * i + 2] * x[k + 2], 5);
      }
    }
    frame.dispose();
  });

  it.each([true, false])('shared = %s: the gradient wrt v matches a central finite difference', (shared) => {
    const frame = frameWith(V, shared);
    const rng = new Rng(4);
    const x = tf.tensor3d(new RotatedApparatus({ epsilon: 1, qubits: 4, axes: [1, 0, 1] }).sample(6, rng), [6, 4, 3]);
    const w = tf.tensor3d(Float32Array.from({ length: 6 * 4 * 3 }, () => rng.normal()), [6, 4, 3]);
    const loss = () => tf.sum(tf.mul(w, tf.sin(frame.toFrame(x)))) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, [frame.v]);
    const g = grads[frame.v.name].dataSync();
    const v0 = Float32Array.from(frame.v.dataSync());
    const h = 1e-2;
    for (let k = 0; k < v0.length; k++) {
      const at = (d: number) => {
        const v = v0.slice();
        v[k] += d;
        tf.tidy(() => frame.v.assign(tf.tensor(v, frame.v.shape)));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(fd - g[k])).toBeLessThan(2e-3 * (1 + Math.abs(g[k])));
    }
    expect(Array.from(g).some((v) => Math.abs(v) > 0.1)).toBe(true);
    tf.dispose([value, grads[frame.v.name], x, w]);
    frame.dispose();
  });

  it('allocates nothing that survives: numTensors unchanged after apply + dispose', () => {
    const before = tf.memory().numTensors;
    const frame = new AxisFrame({ shared: false, qubits: 4 }, new Rng(5));
    const s = tf.tidy(() => {
      const y = frame.toFrame(tf.ones([2, 4, 3]));
      frame.rotation();
      frame.axis();
      return tf.sum(y);
    });
    frame.angleTo([0, 0, 1]);
    s.dispose();
    frame.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['shared', true, 5, 4000],
    ['per-qubit', false, 3, 20_000],
  ] as [string, boolean, number, number][])('%s: Adam on mean(s · (toFrame x)₃) recovers the true axes to 0.05 rad', (_, shared, n, batch) => {
    // t = tanh 1: the axis estimate Σ s x has transverse noise ≈ √(1/3 / records) / (t/3) per axis,
    // ≈ 0.016 rad both for 5·4000 shared records and for 20 000 records per qubit.
    const axes = shared ? tiltedAxes({ qubits: n, tilt: 0.6, rng: new Rng(6), shared: true }) : tiltedAxes({ qubits: n, tilt: 0.8, rng: new Rng(7) });
    const app = new RotatedApparatus({ epsilon: 1, qubits: n, axes });
    const { x, branch } = app.sampleWithBranch(batch, new Rng(8));
    const frame = new AxisFrame({ shared, qubits: n }, new Rng(9));
    expect(frame.angleTo(axes)).toBeGreaterThan(0.5);
    // toFrame is linear in x, so mean over records of s · (toFrame x)₃ is exactly (toFrame x̄)₃ with
    // x̄ = mean of s x, shape [1, N, 3]: the same objective at the cost of one record per step.
    const xbar = new Float32Array(3 * n);
    for (let b = 0; b < batch; b++) for (let k = 0; k < 3 * n; k++) xbar[k] += (branch[b] * x[b * 3 * n + k]) / batch;
    const xt = tf.tensor3d(xbar, [1, n, 3]);
    const adam = new Adam([frame.v], { lr: 0.05 });
    const before = tf.memory().numTensors;
    for (let step = 0; step < 300; step++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.neg(tf.mean(tf.slice(frame.toFrame(xt), [0, 0, 2], [-1, -1, 1]))) as tf.Scalar, [frame.v]);
        adam.apply([grads[frame.v.name]]);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(frame.angleTo(axes)).toBeLessThan(0.05);
    // the objective is linear in u, so its maximiser is x̄ itself (per qubit, or summed when shared): the optimiser reached it
    const best = new Float64Array(shared ? 3 : 3 * n);
    for (let k = 0; k < 3 * n; k++) best[shared ? k % 3 : k] += xbar[k];
    expect(frame.angleTo(best)).toBeLessThan(2e-3);
    xt.dispose();
    adam.dispose();
    frame.dispose();
  });
});

describe('axisAngle', () => {
  const f = (...v: number[]) => Float64Array.from(v);
  it('is the sign-blind angle, exact for small angles', () => {
    expect(axisAngle(f(0, 0, 1), f(1, 0, 0))).toBeCloseTo(Math.PI / 2, 15);
    expect(axisAngle(f(0, 0, 1), f(1, 0, 1))).toBeCloseTo(Math.PI / 4, 15);
    expect(axisAngle(f(0, 0, 1), f(-1, 0, -1))).toBeCloseTo(Math.PI / 4, 15);
    expect(axisAngle(f(0.3, -2, 1), f(-0.6, 4, -2))).toBe(0);
    expect(axisAngle(f(0, 0, 1), f(1e-9, 0, 1))).toBeCloseTo(1e-9, 20);
  });

  it('averages over qubits and broadcasts one axis against N', () => {
    expect(axisAngle(f(0, 0, 1, 0, 0, 1), f(0, 0, -1, 1, 0, 0))).toBeCloseTo(Math.PI / 4, 15);
    expect(axisAngle(f(0, 0, 1), f(0, 0, 1, 1, 0, 1, 0, 1, 0))).toBeCloseTo((0 + Math.PI / 4 + Math.PI / 2) / 3, 15);
    expect(axisAngle([1, 0, 1, 0, 2, 0], [0, 0, 1])).toBeCloseTo((Math.PI / 4 + Math.PI / 2) / 2, 15);
  });

  it('rejects bad shapes and zero vectors, naming the argument', () => {
    expect(() => axisAngle(f(0, 0, 1, 0), f(0, 0, 1))).toThrow(/axisAngle: learned must have shape \[3\] or \[N, 3\] \(got length 4\)/);
    expect(() => axisAngle(f(0, 0, 1, 0, 0, 1), f(0, 0, 1, 0, 0, 1, 0, 0, 1))).toThrow(/same number of axes.*\(got 2 and 3\)/);
    expect(() => axisAngle(f(0, 0, 1, 0, 0, 1), f(0, 0, 1, 0, 0, 0))).toThrow(/axisAngle: truth\[1\] must be a finite non-zero vector \(got \[0, 0, 0\]\)/);
    expect(() => axisAngle(f(NaN, 0, 1), f(0, 0, 1))).toThrow(/axisAngle: learned must be a finite non-zero vector/);
  });
});
