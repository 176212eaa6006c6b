import { GLYPH_HEIGHT } from '../views/images/bitmapFont.ts';
import { encodePng } from '../views/images/encodePng.ts';
import { TAB10 } from '../views/images/palette.ts';
import { canvas, drawText, fillDisc, fillRect, type Canvas, type Rgb } from '../views/images/raster.ts';
import type { Box } from './box.ts';
import { drawPath, drawPoints, paintGrid, toPixel, type Panel } from './heatmap.ts';

const INK: Rgb = [40, 40, 40];
const FRAME: Rgb = [120, 120, 120];
const DOT: Rgb = [255, 255, 255];
/** Panel side in pixels, margin around and between panels, font pixel size. */
const SIZE = 320;
const MARGIN = 16;
const FONT = 2;
const TITLE = GLYPH_HEIGHT * FONT + 10;

export interface DensityFigureInput {
  box: Box;
  /** Cells per axis of both grids. */
  n: number;
  /** log p of the truth at the cell centres, [n²] (−Infinity where p = 0). */
  trueLogDensity: Float64Array;
  /** log of the grid-normalised model density exp(−E)/Z at the cell centres, [n²]. */
  modelLogDensity: Float64Array;
  /** Training points drawn over the model's panel, row-major [m, 2]. */
  data: Float32Array;
  /** The three panel titles' facts: data set, step, held-out NLLs. */
  dataset: string;
  step: number;
  heldoutNll: number;
  exactNll: number;
}

function frame(c: Canvas, p: Panel, title: string): void {
  drawText(c, p.x, p.y - TITLE + 2, title, INK, FONT);
  fillRect(c, p.x - 1, p.y - 1, p.size + 2, 1, FRAME);
  fillRect(c, p.x - 1, p.y + p.size, p.size + 2, 1, FRAME);
  fillRect(c, p.x - 1, p.y - 1, 1, p.size + 2, FRAME);
  fillRect(c, p.x + p.size, p.y - 1, 1, p.size + 2, FRAME);
}

function panels(box: Box, count: number): { c: Canvas; ps: Panel[] } {
  const c = canvas(MARGIN + count * (SIZE + MARGIN), TITLE + MARGIN + SIZE + MARGIN);
  const ps = Array.from({ length: count }, (_, k) => ({ x: MARGIN + k * (SIZE + MARGIN), y: TITLE + MARGIN, size: SIZE, box }));
  return { c, ps };
}

/** Maps densities to [0, 1] by p / max p over the grid, so each panel uses the whole colour range. */
function byMax(logDensity: Float64Array): (lp: number) => number {
  let max = -Infinity;
  for (const v of logDensity) if (v > max) max = v;
  return (lp) => Math.exp(lp - max);
}

/**
 * The density figure: the true density (left) beside the EBM's grid-normalised exp(−E)/Z with
 * the training points over it (right), both in viridis scaled to their own maximum, titled with
 * the data set, the step and the held-out NLLs of the truth (left) and of the model (right).
 * @returns PNG bytes (RGB), 688 × 376
 */
export function densityPng(input: DensityFigureInput): Uint8Array {
  const { c, ps } = panels(input.box, 2);
  paintGrid(c, ps[0], input.trueLogDensity, input.n, byMax(input.trueLogDensity));
  paintGrid(c, ps[1], input.modelLogDensity, input.n, byMax(input.modelLogDensity));
  drawPoints(c, ps[1], input.data, DOT, 1.2, 0.55);
  frame(c, ps[0], `${input.dataset}: NLL ${input.exactNll.toFixed(3)}`);
  frame(c, ps[1], `EBM step ${input.step}: NLL ${input.heldoutNll.toFixed(3)}`);
  return encodePng(c.width, c.height, c.pixels, 3);
}

export interface ChainsFigureInput {
  box: Box;
  n: number;
  /** The model's energy at the cell centres, [n²]. */
  energy: Float64Array;
  /** One path per chain, each row-major [steps + 1, 2] from its start. */
  chains: Float32Array[];
  step: number;
  /** Langevin steps per path, for the title. */
  langevinSteps: number;
}

/**
 * Langevin chains on the energy: E (low = bright, clipped at its 2nd and 98th percentiles so the
 * wells show) with a few chains' trajectories from uniform starts (open circle) to their ends
 * (filled), each its own tab10 colour.
 * @returns PNG bytes (RGB), 352 × 376
 */
export function chainsPng(input: ChainsFigureInput): Uint8Array {
  const { c, ps } = panels(input.box, 1);
  const sorted = Float64Array.from(input.energy).sort();
  const lo = sorted[Math.floor(0.02 * (sorted.length - 1))];
  const hi = sorted[Math.floor(0.98 * (sorted.length - 1))];
  paintGrid(c, ps[0], input.energy, input.n, (e) => (hi > lo ? (hi - e) / (hi - lo) : 0.5));
  input.chains.forEach((path, k) => {
    const colour = TAB10[k % TAB10.length];
    drawPath(c, ps[0], path, colour, 1.5);
    const [sx, sy] = toPixel(ps[0], path[0], path[1]);
    fillDisc(c, sx, sy, 4, DOT);
    fillDisc(c, sx, sy, 2.5, colour);
    const [ex, ey] = toPixel(ps[0], path[path.length - 2], path[path.length - 1]);
    fillDisc(c, ex, ey, 4, colour);
  });
  frame(c, ps[0], `E, step ${input.step}, ${input.langevinSteps} steps`);
  return encodePng(c.width, c.height, c.pixels, 3);
}
