import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../../src/backend/tf.ts';
import { attentionPool, type AttentionPoolOp } from '../../src/models/attentionPool.ts';
import { AttentionPoolKernel } from '../../src/models/attentionPoolKernel.ts';
import { Rng } from '../../src/random/rng.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const rand = (n: number, rng: Rng, s = 1) => Float32Array.from({ length: n }, () => s * (2 * rng.uniform() - 1));

interface Problem { batch: number; n: number; d: number; hidden: number; x: Float32Array; w1: Float32Array; ws: Float32Array; probe: Float32Array }

function problem(batch: number, n: number, d: number, hidden: number, seed: number): Problem {
  const rng = new Rng(seed);
  return {
    batch, n, d, hidden,
    x: rand(batch * n * d, rng),
    w1: rand((d + 1) * 2 * hidden, rng, 1 / Math.sqrt(d)),
    ws: rand(hidden, rng, 1 / Math.sqrt(hidden)),
    probe: rand(batch * (d + hidden), rng),
  };
}

/** Gradients [dx, dw1, dws] of Σ pool(x, w1, ws)·probe, as arrays. */
function grads(pool: AttentionPoolOp, p: Problem): Float32Array[] {
  const { batch, n, d, hidden } = p;
  const x = tf.tensor3d(p.x, [batch, n, d]), w1 = tf.tensor2d(p.w1, [d + 1, 2 * hidden]), ws = tf.tensor2d(p.ws, [hidden, 1]);
  const probe = tf.tensor2d(p.probe, [batch, d + hidden]);
  const gs = tf.grads((a: Tensor, b: Tensor, c: Tensor) => tf.sum(tf.mul(pool(a, b, c), probe)))([x, w1, ws]);
  const out = gs.map((g) => g.dataSync() as Float32Array);
  tf.dispose([x, w1, ws, probe, ...gs]);
  return out;
}

/** max |a − b| ≤ tol · max |b| */
function expectClose(a: Float32Array, b: Float32Array, tol: number, name: string): void {
  expect(a.length, name).toBe(b.length);
  let diff = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  expect(scale, name).toBeGreaterThan(0);
  expect(diff, name).toBeLessThanOrEqual(tol * scale);
}

/** Σ pooled·probe in float64, straight from the definition (attentionPool.ts). */
function loss64(p: Problem, x: Float64Array): number {
  const { batch, n, d, hidden: H, w1, ws, probe } = p;
  const elu = (v: number) => (v > 0 ? v : Math.expm1(v));
  const pre = (r: number, col: number) => {
    let s = w1[d * 2 * H + col];
    for (let k = 0; k < d; k++) s += x[r * d + k] * w1[k * 2 * H + col];
    return s;
  };
  let total = 0;
  for (let b = 0; b < batch; b++) {
    const s = Array.from({ length: n }, (_, i) => {
      let v = 0;
      for (let f = 0; f < H; f++) v += elu(pre(b * n + i, f)) * ws[f];
      return -v;
    });
    const mx = Math.max(...s);
    const e = s.map((v) => Math.exp(v - mx));
    const z = e.reduce((u, v) => u + v, 0);
    for (let i = 0; i < n; i++) {
      const r = b * n + i, a = e[i] / z;
      const q = probe.subarray(b * (d + H), (b + 1) * (d + H));
      for (let k = 0; k < d; k++) total += a * x[r * d + k] * q[k];
      for (let f = 0; f < H; f++) total += a * elu(pre(r, H + f)) * q[d + f];
    }
  }
  return total;
}

describe('attentionPool gradX: native kernel vs TF.js', () => {
  for (const d of [1, 3, 5]) {
    for (const hidden of [8, 96]) {
      it(`d ${d}, hidden ${hidden}: same dx, dw1 and dws (relative 1e-4) over several batch sizes`, () => {
        const native = attentionPool({ kernel: 'native', gradX: true });
        const tfjs = attentionPool({ kernel: 'tfjs', gradX: true });
        for (const [batch, n] of [[1, 6], [4, 13], [7, 37]]) {
          const p = problem(batch, n, d, hidden, 100 * d + hidden + batch);
          const before = tf.memory().numTensors;
          const ours = grads(native, p), ref = grads(tfjs, p);
          expect(tf.memory().numTensors).toBe(before);
          ['dx', 'dw1', 'dws'].forEach((name, j) => expectClose(ours[j], ref[j], 1e-4, `${name} batch ${batch}`));
        }
      });
    }
  }

  it('auto picks the native kernel with gradX on the wasm backend (same numbers bit for bit)', () => {
    const p = problem(3, 11, 3, 16, 5);
    const auto = grads(attentionPool({ gradX: true }), p), native = grads(attentionPool({ kernel: 'native', gradX: true }), p);
    auto.forEach((g, j) => expect(Array.from(g)).toEqual(Array.from(native[j])));
  });
});

describe('attentionPool gradX: the native weight gradients do not change', () => {
  for (const d of [1, 3, 5]) {
    it(`d ${d}: dw1 and dws with gradX are bit-identical to those without, which give x zeros`, () => {
      const p = problem(4, 21, d, 24, 40 + d);
      const [dx, dw1, dws] = grads(attentionPool({ kernel: 'native', gradX: true }), p);
      const [dx0, dw10, dws0] = grads(attentionPool({ kernel: 'native' }), p);
      expect(Array.from(dw1)).toEqual(Array.from(dw10));
      expect(Array.from(dws)).toEqual(Array.from(dws0));
      expect(Math.max(...Array.from(dx0, Math.abs))).toBe(0);
      expect(Math.max(...Array.from(dx, Math.abs))).toBeGreaterThan(0);
    });
  }

  it('the kernel gives the same dw1 and dws with and without dx, from kept or recomputed activations', () => {
    const k = new AttentionPoolKernel();
    const p = problem(3, 9, 3, 16, 8);
    const shape = { batch: p.batch, n: p.n, d: p.d, hidden: p.hidden };
    const dpooled = rand(p.batch * (p.d + p.hidden), new Rng(9));
    for (const keep of [true, false]) {
      const first = k.forward(shape, p.x, p.w1, p.ws, keep);
      const plain = k.backward(shape, first.tag, p.x, p.w1, p.ws, first.a, dpooled);
      const again = k.forward(shape, p.x, p.w1, p.ws, keep);
      const withDx = k.backward(shape, again.tag, p.x, p.w1, p.ws, again.a, dpooled, { dx: true });
      expect(plain.dx).toBeUndefined();
      expect(withDx.dx?.length).toBe(p.batch * p.n * p.d);
      expect(Array.from(withDx.dw1)).toEqual(Array.from(plain.dw1));
      expect(Array.from(withDx.dws)).toEqual(Array.from(plain.dws));
    }
  });
});

describe('attentionPool gradX: native dx vs finite differences', () => {
  for (const d of [1, 3, 5]) {
    it(`d ${d}: dx matches central differences of the float64 definition`, () => {
      const p = problem(2, 5, d, 8, 70 + d);
      const [dx] = grads(attentionPool({ kernel: 'native', gradX: true }), p);
      const x = Float64Array.from(p.x), h = 1e-5;
      const fd = new Float32Array(x.length);
      for (let j = 0; j < x.length; j++) {
        const shifted = (delta: number) => {
          const y = x.slice();
          y[j] += delta;
          return loss64(p, y);
        };
        fd[j] = (shifted(h) - shifted(-h)) / (2 * h);
      }
      expectClose(dx, fd, 1e-4, 'dx');
    });
  }
});
