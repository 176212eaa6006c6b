import type { HistogramJson } from '../dashboard/sseFrame.ts';
import { escapeXml, formatTick, niceTicks, px, svgDocument, viridis } from './svg.ts';

export interface HistogramsSvgOptions {
  title?: string;
  /** Tags to draw, in order; default every tag in order of first appearance. */
  tags?: readonly string[];
}

const ROW_H = 230;
const HEAT_W = 640;
const FINAL_W = 280;
const MARGIN = { left: 58, right: 16, top: 26, bottom: 34 };
const HEADER = 34;

/**
 * Per histogram tag, one row: a heat-map of the distribution over steps (one column per recorded
 * step, `<g class="heatmap" data-columns=…>`; shade = count relative to that step's fullest bin)
 * and the last step's histogram as bars (`<g class="final" data-bins=…>`).
 * @param histograms records of any tags, any order
 */
export function histogramsSvg(histograms: readonly HistogramJson[], options: HistogramsSvgOptions = {}): string {
  const byTag = new Map<string, HistogramJson[]>();
  for (const h of histograms) {
    let list = byTag.get(h.tag);
    if (!list) byTag.set(h.tag, (list = []));
    list.push(h);
  }
  const tags = options.tags ?? [...byTag.keys()];
  const title = options.title ?? 'histograms';
  const width = HEAT_W + FINAL_W;
  const height = HEADER + Math.max(1, tags.length) * ROW_H;
  let body = `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>\n`;
  tags.forEach((tag, i) => {
    const list = [...(byTag.get(tag) ?? [])].sort((a, b) => a.step - b.step);
    const y0 = HEADER + i * ROW_H;
    body += heatmap(tag, list, 0, y0) + finalBars(tag, list[list.length - 1], HEAT_W, y0);
  });
  if (tags.length === 0) body += `<text x="12" y="${HEADER + 20}">no histograms recorded</text>\n`;
  return svgDocument(width, height, body, title);
}

function heatmap(tag: string, list: HistogramJson[], x0: number, y0: number): string {
  const left = x0 + MARGIN.left;
  const right = x0 + HEAT_W - MARGIN.right;
  const top = y0 + MARGIN.top;
  const bottom = y0 + ROW_H - MARGIN.bottom;
  let out = `<g class="heatmap" data-tag="${escapeXml(tag)}" data-columns="${list.length}" shape-rendering="crispEdges">\n`;
  out += `<text x="${px(left)}" y="${px(y0 + 17)}" font-size="12" font-weight="bold">${escapeXml(tag)} over steps</text>\n`;
  out += `<rect x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top)}" fill="#f0f0f0" stroke="#c8ccd4"/>\n`;
  if (list.length === 0) return out + '</g>\n';
  const lo = Math.min(...list.map((h) => h.edges[0]));
  const hi = Math.max(...list.map((h) => h.edges[h.edges.length - 1]));
  if (!(hi > lo)) return out + '</g>\n';
  const sy = (v: number) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
  const n = list.length;
  const colW = (right - left) / n;
  list.forEach((h, i) => {
    const xa = left + i * colW;
    const w = px(colW + 0.3); // a hair of overlap hides anti-aliasing seams between columns
    let max = 0;
    for (const c of h.counts) max = Math.max(max, c);
    if (!(max > 0)) return;
    const ya = sy(h.edges[h.edges.length - 1]);
    out += `<rect class="cell" x="${px(xa)}" y="${px(ya)}" width="${w}" height="${px(sy(h.edges[0]) - ya)}" fill="${viridis(0)}"/>`;
    h.counts.forEach((c, b) => {
      if (!(c > 0)) return;
      const yTop = sy(h.edges[b + 1]);
      out += `<rect class="cell" x="${px(xa)}" y="${px(yTop)}" width="${w}" height="${px(sy(h.edges[b]) - yTop + 0.3)}" fill="${viridis(c / max)}"/>`;
    });
    out += '\n';
  });
  for (const t of niceTicks(lo, hi, 4)) {
    out += `<text x="${px(left - 5)}" y="${px(sy(t) + 4)}" text-anchor="end" fill="#555">${formatTick(t)}</text>\n`;
  }
  out += `<text x="${px(left)}" y="${px(bottom + 16)}" fill="#555">step ${list[0].step}</text>\n`;
  out += `<text x="${px(right)}" y="${px(bottom + 16)}" text-anchor="end" fill="#555">step ${list[n - 1].step}</text>\n`;
  out += `<text x="${px((left + right) / 2)}" y="${px(bottom + 29)}" text-anchor="middle" fill="#555">${n} recorded steps</text>\n`;
  return out + '</g>\n';
}

function finalBars(tag: string, h: HistogramJson | undefined, x0: number, y0: number): string {
  const left = x0 + 40;
  const right = x0 + FINAL_W - MARGIN.right;
  const top = y0 + MARGIN.top;
  const bottom = y0 + ROW_H - MARGIN.bottom;
  let out = `<g class="final" data-tag="${escapeXml(tag)}" data-bins="${h?.counts.length ?? 0}">\n`;
  out += `<text x="${px(left)}" y="${px(y0 + 17)}" font-size="12" font-weight="bold">${escapeXml(tag)} at step ${h?.step ?? '–'}</text>\n`;
  out += `<rect x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top)}" fill="#fafafa" stroke="#c8ccd4"/>\n`;
  if (!h) return out + '</g>\n';
  const lo = h.edges[0];
  const hi = h.edges[h.edges.length - 1];
  const max = Math.max(0, ...h.counts);
  if (!(hi > lo) || !(max > 0)) return out + '</g>\n';
  const sx = (v: number) => left + ((v - lo) / (hi - lo)) * (right - left);
  const sy = (c: number) => bottom - (c / max) * (bottom - top) * 0.95;
  h.counts.forEach((c, b) => {
    const xa = sx(h.edges[b]);
    out += `<rect class="bar" x="${px(xa)}" y="${px(sy(c))}" width="${px(Math.max(0.5, sx(h.edges[b + 1]) - xa - 0.5))}" height="${px(bottom - sy(c))}" fill="#1f77b4"/>`;
  });
  out += '\n';
  for (const t of niceTicks(lo, hi, 4)) {
    out += `<text x="${px(sx(t))}" y="${px(bottom + 16)}" text-anchor="middle" fill="#555">${formatTick(t)}</text>\n`;
  }
  out += `<text x="${px(left - 5)}" y="${px(top + 10)}" text-anchor="end" fill="#555">${formatTick(max)}</text>\n`;
  out += `<text x="${px(left - 5)}" y="${px(bottom)}" text-anchor="end" fill="#555">0</text>\n`;
  return out + '</g>\n';
}
