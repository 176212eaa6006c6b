import type { ScalarsJson } from '../dashboard/sseFrame.ts';
import { escapeXml, formatTick, niceTicks, px, svgDocument } from './svg.ts';

export interface ScalarsSvgOptions {
  /** Figure title, e.g. the run id. */
  title?: string;
  /** Panels per row. Default 3. */
  columns?: number;
  /** Metrics to draw, in order; default every metric, loss first. */
  keys?: readonly string[];
}

const PANEL_W = 340;
const PANEL_H = 210;
const MARGIN = { left: 58, right: 14, top: 26, bottom: 34 };
const HEADER = 34;

/**
 * Every scalar metric over steps as small multiples: one panel per metric with its own y range,
 * one `<path class="series" data-key=…>` per metric whose points are the finite values
 * (a non-finite value breaks the line).
 * @param scalars rows ordered by step
 */
export function scalarsSvg(scalars: readonly ScalarsJson[], options: ScalarsSvgOptions = {}): string {
  const keys = options.keys ?? metricKeys(scalars);
  const columns = Math.max(1, Math.min(options.columns ?? 3, keys.length));
  const rows = Math.ceil(keys.length / columns);
  const width = columns * PANEL_W;
  const height = HEADER + Math.max(1, rows) * PANEL_H;
  const title = options.title ?? 'scalars';
  let body = `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>\n`;
  keys.forEach((key, k) => {
    const x0 = (k % columns) * PANEL_W;
    const y0 = HEADER + Math.floor(k / columns) * PANEL_H;
    body += panel(scalars, key, x0, y0);
  });
  if (keys.length === 0) body += `<text x="12" y="${HEADER + 20}">no scalars recorded</text>\n`;
  return svgDocument(width, height, body, title);
}

/** Metric names in order of first appearance, loss first. */
export function metricKeys(scalars: readonly ScalarsJson[]): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const row of scalars) {
    for (const k of Object.keys(row.values)) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  return keys.sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
}

function panel(scalars: readonly ScalarsJson[], key: string, x0: number, y0: number): string {
  const pts: [number, number | null][] = [];
  for (const row of scalars) {
    if (!Object.hasOwn(row.values, key)) continue;
    const v = row.values[key];
    pts.push([row.step, v != null && Number.isFinite(v) ? v : null]);
  }
  const finite = pts.filter((p): p is [number, number] => p[1] != null);
  const left = x0 + MARGIN.left;
  const right = x0 + PANEL_W - MARGIN.right;
  const top = y0 + MARGIN.top;
  const bottom = y0 + PANEL_H - MARGIN.bottom;
  let out = `<g class="panel" data-key="${escapeXml(key)}">\n`;
  out += `<text x="${px(left)}" y="${px(y0 + 17)}" font-size="12" font-weight="bold">${escapeXml(key)}</text>\n`;
  out += `<rect x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top)}" fill="#fafafa" stroke="#c8ccd4"/>\n`;
  if (finite.length === 0) return out + `<text x="${px(left + 8)}" y="${px(top + 18)}" fill="#888">no finite values</text>\n</g>\n`;

  let xlo = Math.min(...finite.map((p) => p[0]));
  let xhi = Math.max(...finite.map((p) => p[0]));
  let ylo = Math.min(...finite.map((p) => p[1]));
  let yhi = Math.max(...finite.map((p) => p[1]));
  if (xhi === xlo) [xlo, xhi] = [xlo - 1, xhi + 1];
  if (yhi === ylo) [ylo, yhi] = [ylo - (Math.abs(ylo) || 1) * 0.05, yhi + (Math.abs(yhi) || 1) * 0.05];
  const pad = (yhi - ylo) * 0.05;
  ylo -= pad;
  yhi += pad;
  const sx = (v: number) => left + ((v - xlo) / (xhi - xlo)) * (right - left);
  const sy = (v: number) => bottom - ((v - ylo) / (yhi - ylo)) * (bottom - top);

  for (const t of niceTicks(ylo, yhi, 4)) {
    out += `<line x1="${px(left)}" x2="${px(right)}" y1="${px(sy(t))}" y2="${px(sy(t))}" stroke="#e3e6eb"/>`;
    out += `<text x="${px(left - 5)}" y="${px(sy(t) + 4)}" text-anchor="end" fill="#555">${formatTick(t)}</text>\n`;
  }
  for (const t of niceTicks(xlo, xhi, 5)) {
    out += `<line x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${px(bottom)}" y2="${px(bottom + 4)}" stroke="#888"/>`;
    out += `<text x="${px(sx(t))}" y="${px(bottom + 16)}" text-anchor="middle" fill="#555">${formatTick(t)}</text>\n`;
  }
  out += `<text x="${px((left + right) / 2)}" y="${px(bottom + 29)}" text-anchor="middle" fill="#555">step</text>\n`;

  let d = '';
  let pen = false;
  for (const [s, v] of pts) {
    if (v == null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(sx(s))} ${px(sy(v))}`;
    pen = true;
  }
  out += `<path class="series" data-key="${escapeXml(key)}" data-points="${finite.length}" d="${d}" fill="none" stroke="#1f77b4" stroke-width="1.5" stroke-linejoin="round"/>\n`;
  return out + '</g>\n';
}
