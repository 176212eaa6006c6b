import { describe, expect, it } from 'vitest';
import { HostAdamKernel } from '../../src/optim/hostAdamKernel.ts';
import { Rng } from '../../src/random/rng.ts';

/**
 * The kernel against the update written out in JavaScript, float32 storage and float64 arithmetic
 * in the same order (adam.c's comment): every stored number must agree bit for bit.
 */
function reference(x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, offset: number, b1: number, b2: number, eps: number, stepSize: number, sqrtBc2: number): void {
  for (let k = 0; k < x.length; k++) {
    const j = offset + k;
    const mj = (m[j] = b1 * m[j] + (1 - b1) * g[k]);
    const vj = (v[j] = b2 * v[j] + (1 - b2) * g[k] * g[k]);
    x[k] -= stepSize * (mj / (Math.sqrt(vj) / sqrtBc2 + eps));
  }
}

const draw = (n: number, rng: Rng, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());

describe('HostAdamKernel', () => {
  it('agrees bit for bit with the float64 update over 5 steps of two variables (sizes 4k + 3 and 1)', () => {
    const rng = new Rng(7);
    const sizes = [4 * 257 + 3, 1];
    const total = sizes[0] + sizes[1];
    const kernel = new HostAdamKernel(total, sizes[0]);
    const [m, v] = [new Float32Array(total), new Float32Array(total)];
    let xs: Float32Array[] = sizes.map((n) => draw(n, rng, 1));
    let ys: Float32Array[] = xs.map((x) => x.slice());
    const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 1e-3];
    for (let t = 1; t <= 5; t++) {
      const stepSize = lr / (1 - b1 ** t), sqrtBc2 = Math.sqrt(1 - b2 ** t);
      // gradients over six orders of magnitude, some exactly zero
      const gs = sizes.map((n) => draw(n, rng, 10 ** (t - 3)).map((g, i) => (i % 11 === 0 ? 0 : g)));
      let offset = 0;
      xs = xs.map((x, i) => {
        const next = kernel.update(offset, x, gs[i], b1, b2, eps, stepSize, sqrtBc2);
        reference(ys[i], gs[i], m, v, offset, b1, b2, eps, stepSize, sqrtBc2);
        offset += x.length;
        return next;
      });
      xs.forEach((x, i) => expect(Array.from(x)).toEqual(Array.from(ys[i])));
      expect(Array.from(kernel.m)).toEqual(Array.from(m));
      expect(Array.from(kernel.v)).toEqual(Array.from(v));
      ys = ys.map((y) => y.slice());
    }
  });

  it('leaves the values it was given untouched and returns a fresh array', () => {
    const kernel = new HostAdamKernel(5, 5);
    const x = Float32Array.of(1, 2, 3, 4, 5);
    const lr = 0.1;
    const out = kernel.update(0, x, Float32Array.of(1, 1, 1, 1, 1), 0.9, 0.999, 1e-8, lr / (1 - 0.9), Math.sqrt(1 - 0.999));
    expect(Array.from(x)).toEqual([1, 2, 3, 4, 5]);
    // First step: m̂/√v̂ = g/|g| = 1, so each value moves by lr = 0.1 (ε aside).
    out.forEach((y, i) => expect(y).toBeCloseTo(i + 1 - 0.1, 6));
  });
});
