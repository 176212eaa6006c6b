import { describe, expect, it } from 'vitest';
import { contourLines, contourPaths, type DensityGrid } from '../../../src/views/plots/contourPaths.ts';

/** f at the nodes of an nx × ny grid over [x0, x1] × [y0, y1]. */
function gridOf(f: (x: number, y: number) => number, nx: number, ny: number, x: [number, number] = [-2, 2], y: [number, number] = [-2, 2]): DensityGrid {
  const density = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) density[j * nx + i] = f(x[0] + (i * (x[1] - x[0])) / (nx - 1), y[0] + (j * (y[1] - y[0])) / (ny - 1));
  }
  return { x, y, nx, ny, density };
}

const pairs = (p: number[]) => Array.from({ length: p.length / 2 }, (_, k) => [p[2 * k], p[2 * k + 1]] as const);

describe('contourLines / contourPaths', () => {
  it('the contour of a Gaussian bump at exp(−r²/2) is one closed loop on the circle of radius r, within one cell', () => {
    const nx = 61, ny = 41; // unequal, so a swapped x and y would show
    const grid = gridOf((x, y) => Math.exp(-(x * x + y * y) / 2), nx, ny, [-3, 3], [-2, 2]);
    const cell = Math.max(6 / (nx - 1), 4 / (ny - 1));
    for (const r of [0.7, 1, 1.6]) {
      const lines = contourLines(grid, Math.exp((-r * r) / 2));
      expect(lines.length).toBe(1);
      expect(lines[0].closed).toBe(true);
      const pts = pairs(lines[0].points);
      expect(pts.length).toBeGreaterThan(20);
      for (const [x, y] of pts) expect(Math.abs(Math.hypot(x, y) - r)).toBeLessThan(cell);
      // It goes all the way round: points in every quadrant.
      expect(new Set(pts.map(([x, y]) => `${Math.sign(x)}${Math.sign(y)}`)).size).toBeGreaterThanOrEqual(4);
    }
  });

  it('path data: one closed M…L…Z subpath per loop, through the projection, rounded to 0.01', () => {
    const grid = gridOf((x, y) => x * x + y * y, 41, 41);
    // Inside means value ≥ level, so for x² + y² the "inside" is outside the circle: still one loop.
    const d = contourPaths(grid, 1, (x, y) => [100 + 50 * x, 100 - 50 * y]);
    expect(d).toMatch(/^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+Z$/);
    const pts = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [(Number(m[1]) - 100) / 50, (100 - Number(m[2])) / 50]);
    for (const [x, y] of pts) expect(Math.abs(Math.hypot(x, y) - 1)).toBeLessThan(0.1);
    expect(d.split(/[ML ]/).every((n) => n === '' || /^\d+(\.\d{1,2})?Z?$/.test(n))).toBe(true);
  });

  it('a level cut by the border gives open pieces that end on the border', () => {
    const grid = gridOf((x) => x, 11, 11); // level 0.5: the vertical line x = 0.5
    const lines = contourLines(grid, 0.5);
    expect(lines.length).toBe(1);
    expect(lines[0].closed).toBe(false);
    const pts = pairs(lines[0].points);
    expect(pts.length).toBe(11);
    for (const [x] of pts) expect(x).toBeCloseTo(0.5, 12);
    expect(Math.min(...pts.map((p) => p[1]))).toBe(-2);
    expect(Math.max(...pts.map((p) => p[1]))).toBe(2);
    expect(contourPaths(grid, 0.5)).not.toContain('Z');
    expect(contourLines(grid, 10)).toEqual([]); // nothing crosses
  });

  it('saddles are resolved by the mean of the cell corners, the same way for both diagonals', () => {
    // 2 × 2 checkerboards: corners a (0,0) and c (1,1) high, or b and d high. Mean 0.5.
    const diag = (high: 'ac' | 'bd'): DensityGrid => ({ x: [0, 1], y: [0, 1], nx: 2, ny: 2, density: Float64Array.from(high === 'ac' ? [1, 0, 0, 1] : [0, 1, 1, 0]) });
    const corners = (g: DensityGrid, level: number) =>
      contourLines(g, level)
        .map((l) => {
          const [[x0, y0], [x1, y1]] = pairs(l.points);
          // The corner a segment cuts off is the one both its ends are nearest to.
          return `${Math.round((x0 + x1) / 2)}${Math.round((y0 + y1) / 2)}`;
        })
        .sort();
    // Level below the mean: the high corners join through the centre, the low corners are cut off.
    expect(corners(diag('ac'), 0.4)).toEqual(['01', '10']);
    expect(corners(diag('bd'), 0.4)).toEqual(['00', '11']);
    // Level above the mean: the high corners are islands, each cut off.
    expect(corners(diag('ac'), 0.6)).toEqual(['00', '11']);
    expect(corners(diag('bd'), 0.6)).toEqual(['01', '10']);
  });

  it('is deterministic and checks its grid', () => {
    const grid = gridOf((x, y) => Math.sin(3 * x) * Math.cos(2 * y), 30, 25);
    expect(contourPaths(grid, 0.3)).toBe(contourPaths(gridOf((x, y) => Math.sin(3 * x) * Math.cos(2 * y), 30, 25), 0.3));
    expect(() => contourLines({ ...grid, density: new Float64Array(10) }, 0)).toThrow(/grid.density must have ny·nx = 750 values \(shape \[ny, nx\]\), got 10/);
    expect(() => contourLines({ ...grid, nx: 1 }, 0)).toThrow(/nx and grid.ny must be integers ≥ 2/);
    expect(() => contourLines({ ...grid, x: [1, 1] }, 0)).toThrow(/lo < hi/);
  });
});
