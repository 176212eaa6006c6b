import { px } from './svg.ts';

/**
 * Values of a function of (x, y) at the nodes of a regular grid: node (i, j) sits at
 * x_i = x[0] + i·(x[1] − x[0])/(nx − 1), y_j = y[0] + j·(y[1] − y[0])/(ny − 1), so both ends of each
 * range are nodes, and its value is `density[j * nx + i]` (row-major by y; shape [ny, nx]).
 */
export interface DensityGrid {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  readonly nx: number;
  readonly ny: number;
  readonly density: Float64Array;
}

/** One connected piece of an iso-line, in data coordinates: [x0, y0, x1, y1, …]. */
export interface ContourLine {
  readonly points: number[];
  /** True for a loop; false for a piece that ends on the grid's border. */
  readonly closed: boolean;
}

/** Data coordinates → SVG pixel coordinates. */
export type Projection = (x: number, y: number) => readonly [number, number];

/**
 * The iso-line `density = level` by marching squares: a node is inside when its value ≥ level
 * (NaN is outside), crossings are interpolated linearly along cell edges, and a saddle cell (two
 * opposite corners inside, two outside) is resolved by the mean of its four corners — inside
 * corners are joined through the centre when the mean is ≥ level — so the same data always gives
 * the same topology. Segments are chained into lines, loops closed.
 */
export function contourLines(grid: DensityGrid, level: number): ContourLine[] {
  checkGrid(grid);
  const { nx, ny, density: v } = grid;
  const dx = (grid.x[1] - grid.x[0]) / (nx - 1);
  const dy = (grid.y[1] - grid.y[0]) / (ny - 1);
  const inside = (i: number, j: number) => v[j * nx + i] >= level;

  // Each crossing lies on one grid edge; an edge's key names it: 2·node for the edge to the right
  // of the node, 2·node + 1 for the edge above it. Two cells share an edge, so chaining segments is
  // following keys.
  const where = new Map<number, [number, number]>();
  const links = new Map<number, number[]>();
  const crossing = (i: number, j: number, up: boolean): number => {
    const key = 2 * (j * nx + i) + (up ? 1 : 0);
    if (!where.has(key)) {
      const a = v[j * nx + i];
      const b = up ? v[(j + 1) * nx + i] : v[j * nx + i + 1];
      let t = (level - a) / (b - a);
      if (!Number.isFinite(t)) t = 0.5; // a NaN corner: no slope to interpolate along
      t = Math.min(1, Math.max(0, t));
      where.set(key, up ? [grid.x[0] + i * dx, grid.y[0] + (j + t) * dy] : [grid.x[0] + (i + t) * dx, grid.y[0] + j * dy]);
    }
    return key;
  };
  const link = (p: number, q: number) => {
    for (const [a, b] of [[p, q], [q, p]]) {
      const list = links.get(a);
      if (list) list.push(b);
      else links.set(a, [b]);
    }
  };

  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      // Corners a (i, j), b (i+1, j), c (i+1, j+1), d (i, j+1): counter-clockwise from the bottom left.
      const code = (inside(i, j) ? 1 : 0) | (inside(i + 1, j) ? 2 : 0) | (inside(i + 1, j + 1) ? 4 : 0) | (inside(i, j + 1) ? 8 : 0);
      if (code === 0 || code === 15) continue;
      const B = () => crossing(i, j, false);
      const R = () => crossing(i + 1, j, true);
      const T = () => crossing(i, j + 1, false);
      const L = () => crossing(i, j, true);
      switch (code) {
        case 1: case 14: link(L(), B()); break;
        case 2: case 13: link(B(), R()); break;
        case 3: case 12: link(L(), R()); break;
        case 4: case 11: link(R(), T()); break;
        case 6: case 9: link(B(), T()); break;
        case 7: case 8: link(L(), T()); break;
        case 5: case 10: {
          const mean = (v[j * nx + i] + v[j * nx + i + 1] + v[(j + 1) * nx + i + 1] + v[(j + 1) * nx + i]) / 4;
          // Centre inside: the inside corners are joined, so the two outside corners are cut off.
          const centreInside = mean >= level;
          const cutB = (code === 5) === centreInside; // cut off corners b and d, else a and c
          if (cutB) {
            link(B(), R());
            link(T(), L());
          } else {
            link(L(), B());
            link(R(), T());
          }
          break;
        }
      }
    }
  }
  return chains(where, links);
}

/**
 * The iso-line `density = level` as SVG path data (`M…L…Z`, one subpath per piece, loops closed),
 * through `project` from data to pixel coordinates (default: none), rounded to 0.01.
 * @example `<path d="${contourPaths(grid, hpd90, (x, y) => [sx(x), sy(y)])}" fill="none" stroke="#222"/>`
 */
export function contourPaths(grid: DensityGrid, level: number, project: Projection = (x, y) => [x, y]): string {
  let d = '';
  for (const line of contourLines(grid, level)) {
    const p = line.points;
    for (let k = 0; k < p.length; k += 2) {
      const [x, y] = project(p[k], p[k + 1]);
      d += `${k === 0 ? 'M' : 'L'}${px(x)} ${px(y)}`;
    }
    if (line.closed) d += 'Z';
  }
  return d;
}

function chains(where: Map<number, [number, number]>, links: Map<number, number[]>): ContourLine[] {
  const lines: ContourLine[] = [];
  const used = new Set<number>();
  const walk = (start: number): ContourLine => {
    const points: number[] = [];
    let prev = -1;
    let at = start;
    for (;;) {
      used.add(at);
      points.push(...where.get(at)!);
      const next = links.get(at)!.find((n) => n !== prev && !used.has(n));
      if (next == null) {
        const closed = links.get(at)!.length === 2 && links.get(at)!.includes(start) && points.length > 4;
        return { points, closed };
      }
      prev = at;
      at = next;
    }
  };
  // Open pieces start at an end (a crossing with one neighbour, on the border); loops anywhere.
  for (const [key, list] of links) if (list.length === 1 && !used.has(key)) lines.push(walk(key));
  for (const key of links.keys()) if (!used.has(key)) lines.push(walk(key));
  return lines;
}

function checkGrid(grid: DensityGrid): void {
  const { nx, ny, x, y, density } = grid;
  if (!Number.isInteger(nx) || nx < 2 || !Number.isInteger(ny) || ny < 2) throw new RangeError(`contourLines: grid.nx and grid.ny must be integers ≥ 2, got nx = ${nx}, ny = ${ny}`);
  if (!(x[1] > x[0]) || !(y[1] > y[0])) throw new RangeError(`contourLines: grid.x and grid.y must be [lo, hi] with lo < hi, got x = [${x}], y = [${y}]`);
  if (density.length !== nx * ny) throw new RangeError(`contourLines: grid.density must have ny·nx = ${ny * nx} values (shape [ny, nx]), got ${density.length}`);
}
