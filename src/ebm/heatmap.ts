import { blend, fillDisc, type Canvas, type Rgb } from '../views/images/raster.ts';
import type { Box } from './box.ts';

/** Matplotlib's viridis at 9 evenly spaced stops, linearly interpolated between them. */
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140],
  [40, 174, 128], [94, 201, 98], [173, 220, 48], [253, 231, 37],
];

/** The viridis colour of t ∈ [0, 1] (clamped): dark purple at 0, yellow at 1. */
export function viridis(t: number): Rgb {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - k;
  const [a, b] = [VIRIDIS[k], VIRIDIS[k + 1]];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])].map(Math.round) as unknown as Rgb;
}

/** Where a panel sits on the canvas: its top-left pixel and its side, in pixels (square, like the box). */
export interface Panel {
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly box: Box;
}

/**
 * Paints an n × n grid of values (row-major [n², ...], row j at y = lo + (j + ½)h, so drawn
 * bottom-up) into the panel, each pixel the colour of the cell under its centre, `t` mapping a
 * value to [0, 1] for viridis.
 */
export function paintGrid(c: Canvas, panel: Panel, values: ArrayLike<number>, n: number, t: (v: number) => number): void {
  for (let py = 0; py < panel.size; py++) {
    const j = Math.min(n - 1, Math.floor(((panel.size - 1 - py + 0.5) / panel.size) * n));
    for (let px = 0; px < panel.size; px++) {
      const i = Math.min(n - 1, Math.floor(((px + 0.5) / panel.size) * n));
      blend(c, panel.x + px, panel.y + py, viridis(t(values[j * n + i])));
    }
  }
}

/** Pixel coordinates of a point of the box in the panel (y up). */
export function toPixel(panel: Panel, x: number, y: number): [number, number] {
  const w = panel.box.hi - panel.box.lo;
  return [panel.x + ((x - panel.box.lo) / w) * panel.size, panel.y + panel.size - ((y - panel.box.lo) / w) * panel.size];
}

/** Dots at points [m, 2] row-major. */
export function drawPoints(c: Canvas, panel: Panel, points: ArrayLike<number>, colour: Rgb, radius: number, alpha: number): void {
  for (let p = 0; p < points.length / 2; p++) {
    const [px, py] = toPixel(panel, points[2 * p], points[2 * p + 1]);
    fillDisc(c, px, py, radius, colour, alpha);
  }
}

/** A polyline through `path` [k, 2] row-major, stamped with discs every half pixel (no anti-aliasing needed at this size). */
export function drawPath(c: Canvas, panel: Panel, path: ArrayLike<number>, colour: Rgb, width: number): void {
  for (let p = 1; p < path.length / 2; p++) {
    const [x0, y0] = toPixel(panel, path[2 * p - 2], path[2 * p - 1]);
    const [x1, y1] = toPixel(panel, path[2 * p], path[2 * p + 1]);
    const steps = Math.max(1, Math.ceil(2 * Math.hypot(x1 - x0, y1 - y0)));
    for (let s = 0; s <= steps; s++) fillDisc(c, x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, width / 2, colour);
  }
}
