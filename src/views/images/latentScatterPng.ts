import { formatTick, niceTicks } from '../plots/svg.ts';
import { paddedExtent } from '../plots/scale.ts';
import { GLYPH_HEIGHT, textWidth } from './bitmapFont.ts';
import { encodePng } from './encodePng.ts';
import { TAB10 } from './palette.ts';
import { canvas, drawText, fillDisc, fillRect, type Canvas, type Rgb } from './raster.ts';

export interface LatentScatterPngOptions {
  /** Image width in pixels. Default 640. */
  width?: number;
  /** Image height in pixels. Default 480. */
  height?: number;
  /**
   * Axis limits: r for [−r, r] on both axes, or each axis's [lo, hi]. Default: the points' extent
   * padded by 5 % per axis. Points outside are not drawn. A fixed range (e.g. 4) keeps the figures
   * of successive epochs comparable.
   */
  range?: number | { x: readonly [number, number]; y: readonly [number, number] };
  /** Legend names by label, e.g. FASHION_MNIST_CLASSES. Default '0', '1', … up to the largest label (at least 0–9). */
  classes?: readonly string[];
  /** Dot radius in pixels. Default 2.5. */
  radius?: number;
  /** Dot opacity, so dense clusters read darker. Default 0.6. */
  alpha?: number;
  /** Drawn above the plot. Default none. */
  title?: string;
  /** Size of one font pixel, in image pixels. Default 2 (14-pixel-high text). */
  fontSize?: number;
}

const INK: Rgb = [40, 40, 40];
const FRAME: Rgb = [120, 120, 120];
const GRID: Rgb = [232, 232, 232];

/**
 * The latent scatter of a 2-D latent (e.g. the encoder means of the test set), dots coloured by
 * label (tab10, label k → TAB10[k mod 10]), with a legend of the classes on the right, tick labels
 * on both axes and the axis names z1 (horizontal, under its right end) and z2 (vertical, up; above
 * the axis's top). Rendered on an RGB raster
 * with a 5 × 7 bitmap font (text is set in capitals), drawn in the order given, so interleave
 * classes (as the shipped test set is) to avoid one class covering the rest.
 *
 * @param points shape [n, 2], (z₁, z₂) per point; non-finite points are skipped
 * @param labels shape [n], the class of each point
 * @returns PNG bytes (RGB)
 * @example await writePng(join(dir, 'latent.png'), latentScatterPng(zMean, test.labels, { classes: test.classes, range: 4 }));
 */
export function latentScatterPng(points: Float32Array | Float64Array, labels: Uint8Array, options: LatentScatterPngOptions = {}): Uint8Array {
  const { width = 640, height = 480, radius = 2.5, alpha = 0.6, title = '', fontSize: s = 2 } = options;
  const fn = 'latentScatterPng';
  if (points.length !== 2 * labels.length) throw new RangeError(`${fn}: points must have shape [n, 2] for n = ${labels.length} labels, ${2 * labels.length} values (got ${points.length})`);
  if (!Number.isInteger(width) || width < 160 || !Number.isInteger(height) || height < 120) throw new RangeError(`${fn}: width and height must be integers of at least 160 × 120 (got ${width} × ${height})`);
  if (!(radius > 0)) throw new RangeError(`${fn}: radius must be > 0 (got ${radius})`);
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`${fn}: alpha must be in (0, 1] (got ${alpha})`);
  if (!Number.isInteger(s) || s < 1) throw new RangeError(`${fn}: fontSize must be an integer ≥ 1 (got ${s})`);
  const classes = options.classes ?? Array.from({ length: Math.max(10, (labels.reduce((m, l) => Math.max(m, l), 0)) + 1) }, (_, k) => String(k));
  const [xDomain, yDomain] = domains(points, options.range, fn);

  const xTicks = niceTicks(xDomain[0], xDomain[1], 6);
  const yTicks = niceTicks(yDomain[0], yDomain[1], 6);
  const lineHeight = GLYPH_HEIGHT * s;
  const legendWidth = 3 * lineHeight + Math.max(...classes.map((c) => textWidth(c))) * s;
  const left = 12 + Math.max(...yTicks.map((t) => textWidth(formatTick(t)))) * s;
  const top = (title ? 2 * lineHeight : 0) + lineHeight + 16; // room for the z2 label above the axis
  const right = width - legendWidth - 16;
  const bottom = height - 2 * lineHeight - 16;
  if (right - left < 40 || bottom - top < 40) throw new RangeError(`${fn}: ${width} × ${height} leaves no room for the plot beside the legend and labels; enlarge it or lower fontSize`);
  const px = (x: number) => left + ((x - xDomain[0]) / (xDomain[1] - xDomain[0])) * (right - left);
  const py = (y: number) => bottom - ((y - yDomain[0]) / (yDomain[1] - yDomain[0])) * (bottom - top);

  const c = canvas(width, height);
  if (title) drawText(c, left, lineHeight / 2, title, INK, s);
  for (const t of xTicks) {
    const x = Math.round(px(t));
    fillRect(c, x, top, 1, bottom - top, GRID);
    fillRect(c, x, bottom, 1, 5, FRAME);
    const text = formatTick(t);
    drawText(c, x - Math.floor((textWidth(text) * s) / 2), bottom + 8, text, INK, s);
  }
  for (const t of yTicks) {
    const y = Math.round(py(t));
    fillRect(c, left, y, right - left, 1, GRID);
    fillRect(c, left - 5, y, 5, 1, FRAME);
    const text = formatTick(t);
    drawText(c, left - 8 - textWidth(text) * s, y - Math.floor(lineHeight / 2), text, INK, s);
  }
  frame(c, left, top, right, bottom);
  drawText(c, right - textWidth('z1') * s, bottom + 8 + lineHeight + 6, 'z1', INK, s);
  drawText(c, left + 6, top - lineHeight - 6, 'z2', INK, s);

  for (let i = 0; i < labels.length; i++) {
    const x = points[2 * i];
    const y = points[2 * i + 1];
    if (!(x >= xDomain[0] && x <= xDomain[1] && y >= yDomain[0] && y <= yDomain[1])) continue; // also skips NaN
    fillDisc(c, px(x), py(y), radius, TAB10[labels[i] % TAB10.length], alpha);
  }

  const legendLeft = right + 16;
  classes.forEach((name, k) => {
    const y = top + k * (lineHeight + 6);
    fillDisc(c, legendLeft + lineHeight / 2, y + lineHeight / 2, lineHeight / 2, TAB10[k % TAB10.length]);
    drawText(c, legendLeft + 1.5 * lineHeight, y, name, INK, s);
  });
  return encodePng(width, height, c.pixels, 3);
}

function domains(points: Float32Array | Float64Array, range: LatentScatterPngOptions['range'], fn: string): [[number, number], [number, number]] {
  if (typeof range === 'number') {
    if (!(range > 0 && Number.isFinite(range))) throw new RangeError(`${fn}: range must be a finite number > 0 (got ${range})`);
    return [[-range, range], [-range, range]];
  }
  if (range != null) {
    for (const [axis, [lo, hi]] of [['x', range.x], ['y', range.y]] as const) {
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`${fn}: range.${axis} must be [lo, hi] with finite lo < hi (got [${lo}, ${hi}])`);
    }
    return [[range.x[0], range.x[1]], [range.y[0], range.y[1]]];
  }
  const coordinate = (k: number) => Array.from({ length: points.length / 2 }, (_, i) => points[2 * i + k]);
  return [paddedExtent(coordinate(0)) ?? [-3, 3], paddedExtent(coordinate(1)) ?? [-3, 3]];
}

function frame(c: Canvas, left: number, top: number, right: number, bottom: number): void {
  fillRect(c, left, top, right - left + 1, 1, FRAME);
  fillRect(c, left, bottom, right - left + 1, 1, FRAME);
  fillRect(c, left, top, 1, bottom - top + 1, FRAME);
  fillRect(c, right, top, 1, bottom - top + 1, FRAME);
}
