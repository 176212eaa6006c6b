/**
 * Dependency-free SVG plots for the statmech pipeline: sampled configurations. Pure functions from
 * data and options to an SVG string. The line chart (F vs steps against the exact line) is the
 * general one in views; it is re-exported here for existing callers.
 */

export { lineChartSvg, type LineChartOptions, type LineSeries } from '../views/plots/lineChartSvg.ts';

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

function svgOpen(w: number, h: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="100%" height="100%" fill="white"/>`;
}

function text(x: number, y: number, s: string, size: number, anchor: 'start' | 'middle' | 'end' = 'start'): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="sans-serif" font-size="${size}" text-anchor="${anchor}">${escape(s)}</text>`;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
