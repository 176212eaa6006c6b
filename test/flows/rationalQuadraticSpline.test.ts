import { describe, expect, it } from 'vitest';
import { rationalQuadraticSpline } from '../../src/flows/rationalQuadraticSpline.ts';
import { Rng } from '../../src/random/rng.ts';
import { maxAbsDiff, normals, richardson } from './helpers.ts';

describe('rationalQuadraticSpline', () => {
  it('inverts in closed form and its reverse mode equals finite differences, in x and in φ, at extreme parameters', () => {
    for (const [K, B] of [[8, 5], [3, 2], [1, 1]]) {
      const spline = rationalQuadraticSpline({ bins: K, tailBound: B });
      const P = 3 * K - 1;
      const m = 120;
      const rng = new Rng(90 + K);
      const phi = normals(rng, m * P, 1.5);
      const x = normals(rng, m, B);
      const y = new Float64Array(m);
      const lg = new Float64Array(m);
      const cache = spline.forward(x, phi, y, lg);
      const back = new Float64Array(m);
      const lgBack = new Float64Array(m);
      spline.inverse(y, phi, back, lgBack);
      expect(maxAbsDiff(back, x)).toBeLessThan(1e-9);
      expect(maxAbsDiff(lgBack, lg)).toBeLessThan(1e-8);
      // Monotone (g′ > 0) and onto [−B, B] inside, the identity outside.
      for (let e = 0; e < m; e++) {
        expect(Number.isFinite(lg[e])).toBe(true);
        if (Math.abs(x[e]) > B) expect(y[e]).toBe(x[e]);
        else expect(Math.abs(y[e])).toBeLessThanOrEqual(B + 1e-12);
      }
      const gy = normals(rng, m);
      const gl = normals(rng, m);
      const J = (xs: Float64Array, ph: Float64Array) => {
        const yy = new Float64Array(m);
        const ll = new Float64Array(m);
        spline.forward(xs, ph, yy, ll);
        let s = 0;
        for (let e = 0; e < m; e++) s += gy[e] * yy[e] + gl[e] * ll[e];
        return s;
      };
      const gx = new Float64Array(m);
      const gPhi = new Float64Array(m * P);
      spline.vjp(x, phi, gy, gl, gx, gPhi, cache);
      const gxFresh = new Float64Array(m);
      const gPhiFresh = new Float64Array(m * P);
      spline.vjp(x, phi, gy, gl, gxFresh, gPhiFresh);
      expect(maxAbsDiff(gxFresh, gx)).toBe(0);
      expect(maxAbsDiff(gPhiFresh, gPhi)).toBe(0);
      for (let e = 0; e < 30; e++) {
        const fdX = richardson((h) => J(Float64Array.from(x, (v, k) => (k === e ? v + h : v)), phi), 1e-6);
        expect(Math.abs(fdX - gx[e])).toBeLessThan(1e-5 * (1 + Math.abs(gx[e])));
        for (let q = 0; q < P; q++) {
          const k = e * P + q;
          const fd = richardson((h) => J(x, Float64Array.from(phi, (v, j) => (j === k ? v + h : v))), 1e-6);
          expect(Math.abs(fd - gPhi[k])).toBeLessThan(1e-5 * (1 + Math.abs(gPhi[k])));
        }
      }
    }
  });

  it('is exactly the identity at zero parameters (uniform bins, unit knot derivatives)', () => {
    const spline = rationalQuadraticSpline({ bins: 6, tailBound: 3 });
    const x = Float64Array.from({ length: 121 }, (_, i) => -4 + i / 15);
    const y = new Float64Array(121);
    const lg = new Float64Array(121);
    spline.forward(x, new Float64Array(121 * 17), y, lg);
    expect(maxAbsDiff(y, x)).toBeLessThan(1e-12);
    expect(maxAbsDiff(lg, new Float64Array(121))).toBeLessThan(1e-12);
  });
});
