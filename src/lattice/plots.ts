/**
 * Dependency-free SVG plots for the statmech pipeline: sampled configurations and a line chart
 * (F vs steps against the exact line). Pure functions from data and options to an SVG string.
 */

export interface ConfigurationsOptions {
  /** Sites per configuration. */
  units: number;
  /** States per site. */
  q: number;
  /** Columns of one configuration's image: L for an L×L lattice (rows = units / columns), N for a ring (one row). */
  columns: number;
  /** Configurations per row of the grid (default 8). */
  perRow?: number;
  /** Pixel size of a site (default 6). */
  cell?: number;
  title?: string;
}

const PALETTE = ['#111111', '#f2f2f2', '#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/**
 * A grid of sampled configurations, one small image each; for Ising state 0 (↑) is black, 1 (↓) white.
 * @param states integer configurations, shape [n, units]
 */
export function configurationsSvg(states: ArrayLike<number>, options: ConfigurationsOptions): string {
  const { units, q, columns } = options;
  if (units % columns !== 0) throw new RangeError(`configurationsSvg: units (${units}) must be a multiple of columns (${columns})`);
  const n = Math.floor(states.length / units);
  const rows = units / columns;
  const perRow = Math.max(1, Math.min(options.perRow ?? 8, n));
  const cell = options.cell ?? 6;
  const gap = cell * 2;
  const top = options.title ? 24 : 4;
  const w = perRow * (columns * cell + gap) + gap;
  const h = top + Math.ceil(n / perRow) * (rows * cell + gap) + gap;
  const parts: string[] = [svgOpen(w, h)];
  if (options.title) parts.push(text(gap, 16, options.title, 13));
  const color = (a: number) => (q <= PALETTE.length ? PALETTE[a] : `hsl(${(360 * a) / q},70%,50%)`);
  for (let k = 0; k < n; k++) {
    const ox = gap + (k % perRow) * (columns * cell + gap);
    const oy = top + gap + Math.floor(k / perRow) * (rows * cell + gap);
    parts.push(`<rect x="${ox - 1}" y="${oy - 1}" width="${columns * cell + 2}" height="${rows * cell + 2}" fill="none" stroke="#888"/>`);
    for (let i = 0; i < units; i++) {
      const a = states[k * units + i];
      parts.push(`<rect x="${ox + (i % columns) * cell}" y="${oy + Math.floor(i / columns) * cell}" width="${cell}" height="${cell}" fill="${color(a)}"/>`);
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export interface LineSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** y range; default the data's range with 5 % margins (non-finite points are skipped). */
  yRange?: [number, number];
}

/** A line chart of one or more series with axes, ticks and a legend. */
export function lineChartSvg(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  const width = options.width ?? 720, height = options.height ?? 420;
  const m = { left: 80, right: 20, top: options.title ? 36 : 16, bottom: 52 };
  const finite = (s: LineSeries) => Array.from({ length: s.x.length }, (_, i) => [s.x[i], s.y[i]]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  const pts = series.flatMap(finite);
  if (pts.length === 0) throw new RangeError('lineChartSvg: no finite points to plot');
  let [x0, x1] = extent(pts.map((p) => p[0]));
  let [y0, y1] = options.yRange ?? extent(pts.map((p) => p[1]));
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= Math.abs(y0) * 0.01 + 1e-9; y1 += Math.abs(y1) * 0.01 + 1e-9; }
  if (!options.yRange) { const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad; }
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + (1 - (y - y0) / (y1 - y0)) * ph;
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];
  const parts: string[] = [svgOpen(width, height)];
  if (options.title) parts.push(text(m.left, 22, options.title, 14));
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  for (const t of ticks(x0, x1, 6)) {
    parts.push(`<line x1="${sx(t)}" y1="${m.top + ph}" x2="${sx(t)}" y2="${m.top + ph + 5}" stroke="#444"/>`);
    parts.push(text(sx(t), m.top + ph + 18, fmt(t), 11, 'middle'));
  }
  for (const t of ticks(y0, y1, 6)) {
    parts.push(`<line x1="${m.left - 5}" y1="${sy(t)}" x2="${m.left}" y2="${sy(t)}" stroke="#444"/>`);
    parts.push(`<line x1="${m.left}" y1="${sy(t)}" x2="${m.left + pw}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(text(m.left - 8, sy(t) + 4, fmt(t), 11, 'end'));
  }
  if (options.xLabel) parts.push(text(m.left + pw / 2, height - 12, options.xLabel, 12, 'middle'));
  if (options.yLabel) parts.push(`<text x="16" y="${m.top + ph / 2}" font-family="sans-serif" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${m.top + ph / 2})">${escape(options.yLabel)}</text>`);
  series.forEach((s, k) => {
    const c = s.color ?? colors[k % colors.length];
    const d = finite(s).map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(Math.min(y1, Math.max(y0, y))).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    const ly = m.top + 14 + 16 * k;
    parts.push(`<line x1="${m.left + pw - 170}" y1="${ly - 4}" x2="${m.left + pw - 145}" y2="${ly - 4}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(text(m.left + pw - 140, ly, s.label, 11));
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function svgOpen(w: number, h: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="100%" height="100%" fill="white"/>`;
}

function text(x: number, y: number, s: string, size: number, anchor: 'start' | 'middle' | 'end' = 'start'): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="sans-serif" font-size="${size}" text-anchor="${anchor}">${escape(s)}</text>`;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function extent(v: number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const x of v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  return [lo, hi];
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}
