import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Planar } from '../../src/flows/planar.ts';
import { Rng } from '../../src/random/rng.ts';
import { checkKernelLayer, maxAbsDiff, normals, randomiseParameters, take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('Planar', () => {
  it('keeps the layer invariants at its init and at random parameters (d = 2, 3)', () => {
    const rng = new Rng(11);
    for (const d of [2, 3]) {
      const layer = new Planar(d, rng);
      checkKernelLayer(layer, { rng, differentiableInverse: false });
      for (let trial = 0; trial < 3; trial++) {
        randomiseParameters(layer, rng, 1.5);
        checkKernelLayer(layer, { rng, differentiableInverse: false, spread: 2 });
      }
      layer.dispose();
    }
  });

  it('its û satisfies wᵀû ≥ −1 for adversarial raw u, w, so det > 0 everywhere; the seed\'s raw u folds', () => {
    const rng = new Rng(5);
    const grid64 = normals(rng, 2 * 4000, 3);
    const grid = tf.tensor2d(Float32Array.from(grid64), [4000, 2]);
    for (let trial = 0; trial < 20; trial++) {
      // Raw u pointing against w with wᵀu ≪ −1, and large.
      const w = [rng.normal() * 3, rng.normal() * 3];
      const ww = w[0] ** 2 + w[1] ** 2;
      const k = -(2 + 50 * rng.uniform());
      const c = 10 * rng.normal(); // any component orthogonal to w
      const u = [(k * w[0]) / ww - c * w[1], (k * w[1]) / ww + c * w[0]];
      const b = rng.normal();
      const layer = new Planar(2, rng, { u, w, b });
      const { uHat, w: w64, u: u64 } = layer.parameters();
      const wu = w64[0] * u64[0] + w64[1] * u64[1];
      expect(wu).toBeLessThan(-1);
      expect(w64[0] * uHat[0] + w64[1] * uHat[1]).toBeGreaterThanOrEqual(-1 - 1e-12); // to float64 rounding
      // The seed's layer with the same raw u: det = 1 + tanh′(wᵀx + b)·wᵀu, ≤ 0 on a band around
      // wᵀx + b = 0 — it folds there, and its log(det + 1e-15) is NaN.
      const folded = Array.from({ length: 4000 }, (_, r) => 1 + (1 - Math.tanh(w64[0] * grid64[2 * r] + w64[1] * grid64[2 * r + 1] + b) ** 2) * wu).filter((det) => det <= 0);
      expect(folded.length).toBeGreaterThan(0);
      const out = layer.forward(grid);
      out.y.dispose();
      const ld = take(out.logAbsDet);
      expect(ld.every(Number.isFinite)).toBe(true);
      // Invertible: the inverse recovers the grid (a folded map could not). Near the almost-fold
      // (wᵀû = −1 + e^(wᵀu)) a + wᵀû·tanh(a) ≈ a³/3, so the rounding δ of wᵀy + b costs (3δ)^(1/3):
      // checked in float64 (δ ~ 1e-15, so ~1e-5), where float32 would give ~1e-2.
      const p = Float64Array.from(layer.params.dataSync());
      const pass = layer.forwardPass(grid64, 4000, p);
      expect(pass.logAbsDet.every((v) => Number.isFinite(v) && v > -200)).toBe(true);
      expect(maxAbsDiff(layer.inversePass(pass.y, 4000, p).y, grid64)).toBeLessThan(1e-4);
      layer.dispose();
    }
    grid.dispose();
  });

  it('inverts near the fold (wᵀû → −1) and names the missing gradient of its inverse', () => {
    const layer = new Planar(2, new Rng(1), { u: [-30, 0], w: [1, 0], b: 0.2 });
    expect(layer.parameters().uHat[0]).toBeCloseTo(-1, 10);
    // Away from the fold point itself: there y's float32 rounding is amplified (δa ~ δr^(1/3)).
    const x = tf.tensor2d([[-0.2, 1], [0.5, -1], [3, 0], [-1, 0.3]]);
    const { y, logAbsDet } = layer.forward(x);
    const back = layer.inverse(y);
    expect(maxAbsDiff(take(back.x), x.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(take(back.logAbsDet), take(logAbsDet).map((v) => -v))).toBeLessThan(1e-3);
    // In a tidy, and with no other op on the tape: when a backward pass throws, TF.js keeps the
    // forward's output in the caller's scope and never frees the other ops' saved tensors.
    expect(() => tf.tidy(() => tf.grad((t: tf.Tensor) => layer.inverse(t).x)(y))).toThrow(/Planar.inverse is not differentiable/);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('validates its initial parameters and names its variable', () => {
    expect(() => new Planar(2, new Rng(1), { u: [1, 2, 3] })).toThrow(/Planar: u must have length 2 \(got 3\)/);
    expect(() => new Planar(0, new Rng(1))).toThrow(/Planar: dim must be an integer ≥ 1/);
    const layer = new Planar(2, new Rng(1), { name: 'bend' });
    expect(layer.namedVariables().map(([n, v]) => [n, v.shape])).toEqual([['bend/params', [5]]]);
    const x = tf.zeros([3, 3]);
    expect(() => layer.forward(x)).toThrow(/Planar.forward: input must have shape \[batch, 2\] \(got \[3, 3\]\)/);
    x.dispose();
    layer.dispose();
  });
});
