import { contourPaths, type DensityGrid } from './contourPaths.ts';
import { scale, type Scale } from './scale.ts';
import { categorical, escapeXml, formatTick, px, svgDocument } from './svg.ts';

/** One method's draws. */
export interface ScatterPanel {
  title: string;
  /** Draws as x, y pairs, row-major: shape [n, 2]. */
  points: Float64Array;
  color?: string;
}

export interface ScatterContoursOptions {
  /** The exact density on a grid; its x and y ranges are every panel's axes. */
  grid: DensityGrid;
  /** Density thresholds to draw as contours, e.g. the 50 %, 90 % and 99 % highest-density levels. */
  levels: readonly number[];
  /** One label per level for the legend, e.g. `['50 %', '90 %', '99 %']`. Default the threshold values. */
  levelLabels?: readonly string[];
  panels: readonly ScatterPanel[];
  xLabel: string;
  yLabel: string;
  title: string;
  /** Panels per row. Default up to 3. */
  columns?: number;
  /** Draws drawn per panel at most: an even stride through longer sets keeps files small. Default 2000. */
  maxPoints?: number;
}

const PLOT = 260;
const M = { left: 52, right: 16, top: 40, bottom: 42 };
const PANEL_W = M.left + PLOT + M.right;
const PANEL_H = M.top + PLOT + M.bottom;
const HEADER = 52;
/** Line styles of successive levels: the innermost solid and boldest. */
const LEVEL_STYLES = [
  { width: 1.6, dash: '' },
  { width: 1.3, dash: '6 3' },
  { width: 1.1, dash: '2 2' },
  { width: 1, dash: '8 2 2 2' },
];

/**
 * Small multiples of samples against the truth: one panel per method, its draws as small
 * semi-transparent dots over the contours of the exact density, the same axes on every panel.
 * Each panel is `<g class="panel" data-title=…>` with `<g class="points" data-drawn=… data-total=…
 * data-outside=…>` (draws outside the grid's ranges are not drawn) and one `<path class="contour"
 * data-level=…>` per level.
 * @example scatterContoursSvg({ grid, levels: [hpd50, hpd90, hpd99], levelLabels: ['50 %', '90 %', '99 %'], panels: [{ title: 'NUTS', points }], xLabel: 'θ₁', yLabel: 'θ₂', title: 'banana posterior' })
 */
export function scatterContoursSvg(options: ScatterContoursOptions): string {
  const { grid, levels, panels } = options;
  const maxPoints = options.maxPoints ?? 2000;
  if (!(Number.isInteger(maxPoints) && maxPoints >= 1)) throw new RangeError(`scatterContoursSvg: maxPoints must be an integer ≥ 1, got ${maxPoints}`);
  if (options.levelLabels && options.levelLabels.length !== levels.length) {
    throw new RangeError(`scatterContoursSvg: levelLabels must have one label per level (${levels.length}), got ${options.levelLabels.length}`);
  }
  panels.forEach((p, k) => {
    if (p.points.length % 2 !== 0) throw new RangeError(`scatterContoursSvg: panels[${k}].points must hold x, y pairs (shape [n, 2]), got ${p.points.length} numbers`);
  });
  const columns = Math.max(1, Math.min(options.columns ?? 3, panels.length));
  const rows = Math.max(1, Math.ceil(panels.length / columns));

  // Panel-local pixels; every panel is the same frame translated, so the contours are computed once.
  const sx = scale(grid.x, [M.left, M.left + PLOT], false, 5);
  const sy = scale(grid.y, [M.top + PLOT, M.top], false, 5);
  const contours = levels.map((level) => contourPaths(grid, level, (x, y) => [sx(x), sy(y)]));
  const labels = options.levelLabels ?? levels.map((l) => `density ${formatTick(l)}`);

  let body = `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>\n`;
  body += levelLegend(labels);
  panels.forEach((panel, k) => {
    const x0 = (k % columns) * PANEL_W;
    const y0 = HEADER + Math.floor(k / columns) * PANEL_H;
    body += `<g class="panel" data-title="${escapeXml(panel.title)}" transform="translate(${x0} ${y0})">\n`;
    body += drawPanel(panel, panel.color ?? categorical(k), options, contours, sx, sy, maxPoints);
    body += '</g>\n';
  });
  if (panels.length === 0) body += `<text x="12" y="${HEADER + 20}">no samples to show</text>\n`;
  return svgDocument(columns * PANEL_W, HEADER + rows * PANEL_H, body, options.title);
}

function levelLegend(labels: readonly string[]): string {
  let out = '<g class="level-legend" fill="#333333">';
  let x = 12;
  out += `<text x="${x}" y="42">exact:</text>`;
  x += 44;
  labels.forEach((label, k) => {
    const s = LEVEL_STYLES[k % LEVEL_STYLES.length];
    out += `<line x1="${x}" x2="${x + 26}" y1="38" y2="38" stroke="#222222" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`;
    out += `<text x="${x + 31}" y="42">${escapeXml(label)}</text>`;
    x += 40 + 6.5 * [...label].length;
  });
  return out + '</g>\n';
}

function drawPanel(
  panel: ScatterPanel,
  color: string,
  options: ScatterContoursOptions,
  contours: readonly string[],
  sx: Scale,
  sy: Scale,
  maxPoints: number,
): string {
  const { grid } = options;
  const n = panel.points.length / 2;
  const take = Math.min(n, maxPoints);
  let dots = '';
  let drawn = 0;
  let outside = 0;
  for (let k = 0; k < take; k++) {
    const i = take === n ? k : Math.floor((k * n) / take);
    const x = panel.points[2 * i];
    const y = panel.points[2 * i + 1];
    if (!(x >= grid.x[0] && x <= grid.x[1] && y >= grid.y[0] && y <= grid.y[1])) {
      outside++;
      continue;
    }
    dots += `<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="1.4"/>`;
    drawn++;
  }
  const shown = ` (${take < n ? `${take} of ${n}` : n} draws${outside > 0 ? `, ${outside} outside the axes` : ''})`;
  let out = `<text x="${M.left}" y="${M.top - 10}" font-size="12"><tspan font-weight="bold">${escapeXml(panel.title)}</tspan>${shown}</text>\n`;
  out += `<rect x="${M.left}" y="${M.top}" width="${PLOT}" height="${PLOT}" fill="#fafafa" stroke="#c8ccd4"/>\n`;
  out += ticks(sx, sy, options);
  out += `<g class="points" data-drawn="${drawn}" data-total="${n}" data-outside="${outside}" fill="${color}" fill-opacity="0.35">${dots}</g>\n`;
  contours.forEach((d, k) => {
    const s = LEVEL_STYLES[k % LEVEL_STYLES.length];
    out += `<path class="contour" data-level="${options.levels[k]}" d="${d}" fill="none" stroke="#222222" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>\n`;
  });
  return out;
}

function ticks(sx: Scale, sy: Scale, options: ScatterContoursOptions): string {
  const bottom = M.top + PLOT;
  let out = '<g fill="#555555">';
  for (const t of sx.ticks) {
    out += `<line x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${bottom}" y2="${bottom + 4}" stroke="#888888"/>`;
    out += `<text x="${px(sx(t))}" y="${bottom + 16}" text-anchor="middle">${formatTick(t)}</text>`;
  }
  for (const t of sy.ticks) {
    out += `<line x1="${M.left - 4}" x2="${M.left}" y1="${px(sy(t))}" y2="${px(sy(t))}" stroke="#888888"/>`;
    out += `<text x="${M.left - 6}" y="${px(sy(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`;
  }
  out += `<text x="${M.left + PLOT / 2}" y="${bottom + 32}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`;
  const cy = M.top + PLOT / 2;
  out += `<text x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ${cy})">${escapeXml(options.yLabel)}</text>`;
  return out + '</g>\n';
}
