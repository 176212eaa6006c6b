import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { principalAxes } from '../../src/stats/principalAxes.ts';

describe('principalAxes', () => {
  it('finds the axes of a known covariance: variances 9, 4, 1 along a rotated frame, signs fixed', () => {
    // An orthonormal frame in 3-D, and points with independent N(0, s²) coordinates along it.
    const c = Math.cos(0.6), s = Math.sin(0.6);
    const frame = [[c, s, 0], [-s, c, 0], [0, 0, 1]];
    const sd = [3, 2, 1];
    const rng = new Rng(4);
    const n = 20000;
    const points = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const a = sd.map((v) => v * rng.normal());
      for (let k = 0; k < 3; k++) points[3 * i + k] = 5 + a[0] * frame[0][k] + a[1] * frame[1][k] + a[2] * frame[2][k];
    }
    const { axes, variances } = principalAxes(points, 3, 2);
    expect(variances[0]).toBeCloseTo(9, 0);
    expect(variances[1]).toBeCloseTo(4, 0);
    for (let r = 0; r < 2; r++) {
      const v = Array.from(axes.subarray(3 * r, 3 * r + 3));
      expect(Math.hypot(...v)).toBeCloseTo(1, 12);
      const dot = v.reduce((acc, x, k) => acc + x * frame[r][k], 0);
      expect(Math.abs(dot)).toBeGreaterThan(0.999);
      const big = v.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
      expect(big).toBeGreaterThan(0);
    }
  });

  it('diagonalises exactly: axes of an axis-aligned cloud are the coordinate axes', () => {
    // The 8 corners (±2, ±1, ±0.5): uncorrelated coordinates of variances 32/7, 8/7, 2/7.
    const points = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7].flatMap((c) => [c & 1 ? 2 : -2, c & 2 ? 1 : -1, c & 4 ? 0.5 : -0.5]));
    const { axes, variances } = principalAxes(points, 3, 3);
    expect(Array.from(variances).map((v) => v * 7)).toEqual([32, 8, 2].map((v) => expect.closeTo(v, 12)));
    expect(Array.from(axes).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('names the bad argument', () => {
    expect(() => principalAxes(new Float64Array(6), 3, 4)).toThrow(/principalAxes: count must be an integer in \[1, dim = 3\] \(got 4\)/);
    expect(() => principalAxes(new Float64Array(5), 3, 1)).toThrow(/principalAxes: points must have shape \[n, 3\] \(got 5 values\)/);
    expect(() => principalAxes(new Float64Array(3), 3, 1)).toThrow(/need at least 2 points/);
  });
});
