import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../../src/backend/tf.ts';
import { attentionPool } from '../../src/models/attentionPool.ts';
import { Decoder } from '../../src/models/decoder.ts';
import { Encoder } from '../../src/models/encoder.ts';
import { sensorSaliency } from '../../src/metrics/sensorSaliency.ts';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus } from '../../src/simulators/apparatus.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const rand = (n: number, rng: Rng, s = 1) => Float32Array.from({ length: n }, () => s * (2 * rng.uniform() - 1));

describe('attentionPool with gradX', () => {
  const [batch, n, d, hidden] = [3, 5, 4, 8];
  const rng = new Rng(7);
  const x = tf.tensor3d(rand(batch * n * d, rng), [batch, n, d]);
  const w1 = tf.tensor2d(rand((d + 1) * 2 * hidden, rng, 0.7), [d + 1, 2 * hidden]);
  const ws = tf.tensor2d(rand(hidden, rng, 0.7), [hidden, 1]);
  const probe = tf.tensor2d(rand(batch * (d + hidden), rng), [batch, d + hidden]);
  const loss = (pool: ReturnType<typeof attentionPool>) => (a: Tensor, b: Tensor, c: Tensor) => tf.sum(tf.mul(pool(a, b, c), probe));

  it('∂/∂x agrees with central finite differences (float64 reference through the same op)', () => {
    const pool = attentionPool({ gradX: true });
    const [dx] = tf.grads(loss(pool))([x, w1, ws]);
    const g = dx.dataSync();
    const base = x.arraySync() as number[][][];
    const h = 1e-2;
    for (const [b, i, k] of [[0, 0, 0], [1, 3, 2], [2, 4, 3], [2, 1, 0]]) {
      const at = (delta: number) => {
        const shifted = base.map((r) => r.map((q) => q.slice()));
        shifted[b][i][k] += delta;
        return tf.tidy(() => loss(pool)(tf.tensor3d(shifted), w1, ws).dataSync()[0]);
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      expect(g[(b * n + i) * d + k]).toBeCloseTo(fd, 2);
    }
    dx.dispose();
  });

  it('leaves the weight gradients unchanged and gives x none without it', () => {
    const [, a1, a2] = tf.grads(loss(attentionPool({ kernel: 'tfjs', gradX: true })))([x, w1, ws]);
    const [dx0, b1, b2] = tf.grads(loss(attentionPool({ kernel: 'tfjs' })))([x, w1, ws]);
    expect(Array.from(a1.dataSync())).toEqual(Array.from(b1.dataSync()));
    expect(Array.from(a2.dataSync())).toEqual(Array.from(b2.dataSync()));
    expect(Math.max(...Array.from(dx0.dataSync(), Math.abs))).toBe(0);
    tf.dispose([a1, a2, dx0, b1, b2]);
  });

  it('gives the same ∂/∂x with the native kernel as with tfjs', () => {
    const [n1] = tf.grads(loss(attentionPool({ kernel: 'native', gradX: true })))([x, w1, ws]);
    const [t1] = tf.grads(loss(attentionPool({ kernel: 'tfjs', gradX: true })))([x, w1, ws]);
    const nv = n1.dataSync(), tv = t1.dataSync();
    const scale = Math.max(...Array.from(tv, Math.abs));
    expect(scale).toBeGreaterThan(0);
    nv.forEach((v, i) => expect(Math.abs(v - tv[i])).toBeLessThanOrEqual(1e-4 * scale));
    tf.dispose([n1, t1]);
  });
});

describe('Encoder with a position embedding', () => {
  const app = new Apparatus({ scheme: 'random', epsilon: 0.5, qubits: 6 });

  it('starts exchangeable (eᵢ = 0) and learns eᵢ from the gradient, which then breaks the symmetry', () => {
    const enc = new Encoder({ xDim: 3, zDim: 1, positions: { qubits: 6, dim: 2 } }, new Rng(1));
    expect(enc.namedVariables().map(([k]) => k)).toContain('encoder/positions');
    const xs = app.sample(4, new Rng(2));
    const reversed = new Float32Array(xs.length);
    for (let b = 0; b < 4; b++) for (let i = 0; i < 6; i++) reversed.set(xs.subarray((b * 6 + i) * 3, (b * 6 + i + 1) * 3), (b * 6 + 5 - i) * 3);
    const mu = (data: Float32Array) => tf.tidy(() => Array.from(enc.apply(tf.tensor3d(data, [4, 6, 3])).q.loc.dataSync()));
    const m0 = mu(xs), r0 = mu(reversed);
    m0.forEach((v, i) => expect(r0[i]).toBeCloseTo(v, 5));
    const embedding = enc.namedVariables().find(([k]) => k === 'encoder/positions')![1];
    const grad = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(enc.apply(tf.tensor3d(xs, [4, 6, 3])).q.loc)) as tf.Scalar, [embedding]);
      return grads[embedding.name];
    });
    const g = grad.dataSync();
    expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-5);
    grad.dispose();
    // Distinct embeddings tell the qubits apart: reversing their order now changes μ_z.
    tf.tidy(() => embedding.assign(tf.tensor2d(rand(12, new Rng(3)), [6, 2])));
    const m1 = mu(xs), r1 = mu(reversed);
    expect(Math.max(...m1.map((v, i) => Math.abs(v - r1[i])))).toBeGreaterThan(1e-3);
    enc.dispose();
  });

  it('with modulate also feeds xᵢ ⊗ eᵢ: the first layer reads d + E + d·E inputs, and the products carry the gradient', () => {
    const enc = new Encoder({ xDim: 3, zDim: 2, positions: { qubits: 6, dim: 2, modulate: true } }, new Rng(1));
    const shapes = Object.fromEntries(enc.namedVariables().map(([k, v]) => [k, v.shape]));
    expect(shapes['encoder/first/weight']).toEqual([3 + 2 + 6, 2 * enc.hidden]);
    expect(shapes['encoder/mu/weight']).toEqual([11 + enc.vDim, 2]);
    // eᵢ = 0: the products vanish and the encoder is still exchangeable.
    const xs = app.sample(2, new Rng(4));
    const swapped = xs.slice();
    swapped.set(xs.subarray(0, 3), 3);
    swapped.set(xs.subarray(3, 6), 0);
    const mu = (data: Float32Array) => tf.tidy(() => Array.from(enc.apply(tf.tensor3d(data, [2, 6, 3])).q.loc.dataSync()));
    mu(xs).forEach((v, i) => expect(mu(swapped)[i]).toBeCloseTo(v, 5));
    // The products' weights get a gradient once eᵢ ≠ 0 (and not before: x ⊗ 0 = 0).
    enc.randomisePositions(1, new Rng(5));
    const first = enc.namedVariables().find(([k]) => k === 'encoder/first/weight')![1];
    const g = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(enc.apply(tf.tensor3d(xs, [2, 6, 3])).q.loc)) as tf.Scalar, [first]);
      return Array.from(tf.slice(grads[first.name], [5, 0], [6, 2 * enc.hidden]).dataSync());
    });
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1e-6);
    enc.dispose();
  });

  it('needs records of exactly its N qubits and positive sizes', () => {
    const enc = new Encoder({ xDim: 3, zDim: 1, positions: { qubits: 6, dim: 2 } }, new Rng(1));
    expect(() => tf.tidy(() => enc.apply(tf.zeros([2, 5, 3])).q.loc)).toThrow(/embeds N = 6 qubit positions; x has N = 5/);
    enc.dispose();
    expect(() => new Encoder({ xDim: 3, zDim: 1, positions: { qubits: 6, dim: 0 } }, new Rng(1))).toThrow(/positions.dim must be an integer ≥ 1 \(got 0\)/);
  });
});

describe('Decoder with per-qubit gains', () => {
  it('at gᵢ = 1 is the seed decoder broadcast over qubits; gains scale each qubit', () => {
    const plain = new Decoder({ zDim: 1, xDim: 1 }, new Rng(4));
    const gained = new Decoder({ zDim: 1, xDim: 1, gains: 3 }, new Rng(4));
    const z = tf.tensor2d([[0.3], [-1.2]]);
    const a = tf.tidy(() => plain.apply(z).m.arraySync() as number[][]);
    const b = tf.tidy(() => gained.apply(z).m.arraySync() as number[][]);
    expect(b.map((r) => r.length)).toEqual([3, 3]);
    b.forEach((row, i) => row.forEach((v) => expect(v).toBeCloseTo(a[i][0], 6)));
    const g = gained.namedVariables().find(([k]) => k === 'decoder/gains')![1];
    g.assign(tf.tensor1d([0, 1, 2]));
    const c = tf.tidy(() => gained.apply(z).m.arraySync() as number[][]);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(c[i][0])).toBe(0);
      expect(Math.atanh(c[i][2] / (1 - 1e-6))).toBeCloseTo(2 * Math.atanh(c[i][1] / (1 - 1e-6)), 4);
    }
    expect(Array.from(gained.gains()!)).toEqual([0, 1, 2]);
    [plain, gained, z].forEach((m) => m.dispose());
    expect(() => new Decoder({ zDim: 1, xDim: 1, gains: 0 }, new Rng(1))).toThrow(/gains must be an integer N ≥ 1 \(got 0\)/);
  });
});

describe('sensorSaliency', () => {
  it('is the mean |∂Σμ/∂xᵢ₃| (checked by finite differences) beside the exact 2tᵢ/(1 − tᵢ²xᵢ₃²)', () => {
    const eps = [0, 0.2, 0.5, 1.0];
    const app = new Apparatus({ scheme: 'random', epsilon: eps, qubits: 4 });
    const enc = new Encoder({ xDim: 3, zDim: 1 }, new Rng(5));
    const x = app.sample(3, new Rng(6));
    const before = tf.memory().numTensors;
    const s = sensorSaliency(enc, x, 3, eps);
    expect(tf.memory().numTensors).toBe(before);
    const mu = (data: Float32Array) => tf.tidy(() => tf.sum(enc.apply(tf.tensor3d(data, [3, 4, 3])).q.loc).dataSync()[0]);
    const h = 1e-2;
    for (let i = 0; i < 4; i++) {
      let fd = 0, exact = 0;
      for (let b = 0; b < 3; b++) {
        const k = (b * 4 + i) * 3 + 2;
        const up = x.slice(), down = x.slice();
        up[k] += h;
        down[k] -= h;
        fd += Math.abs((mu(up) - mu(down)) / (2 * h)) / 3;
        const t = Math.tanh(eps[i]);
        exact += (2 * t) / (1 - t * t * x[k] * x[k]) / 3;
      }
      expect(s.saliency[i]).toBeCloseTo(fd, 2);
      expect(s.exact[i]).toBeCloseTo(exact, 10);
    }
    expect(s.exact[0]).toBe(0);
    expect(s.exactCorrelation).toBeGreaterThan(0.9);
    expect(Number.isNaN(sensorSaliency(enc, x, 3, [0.3, 0.3, 0.3, 0.3]).correlation)).toBe(true);
    expect(() => sensorSaliency(enc, x, 2, eps)).toThrow(/sensorSaliency: x must have length batch·N·d = 2·4·3 = 24 \(got 36\)/);
    enc.dispose();
  });
});
