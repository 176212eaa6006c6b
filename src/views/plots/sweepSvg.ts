import { escapeXml, formatTick, niceTicks, px, svgDocument, viridis } from './svg.ts';

export interface SweepPanel {
  key: string;
  label: string;
  /** Log scale on y (values ≤ 0 are left out). */
  logY?: boolean;
  /** A horizontal guide, e.g. Ashman's D = 2. */
  guide?: { y: number; label: string };
  /** A fitted power law y = A·x^b drawn as a line. */
  powerLaw?: { prefactor: number; exponent: number };
  /** Column of the error-bar half-widths of `key` (a standard error); none where it is non-finite. */
  errKey?: string;
  /** Legend label of `key`'s points (a legend is drawn when the panel has one, `also` or `curves`). */
  seriesLabel?: string;
  /** More columns drawn as hollow squares in the same panel, e.g. the VAE's estimate beside the exact value. */
  also?: readonly SweepSeries[];
  /** Lines computed off the grid, e.g. a closed form on a dense Nε² grid; they set the axes' range too. */
  curves?: readonly SweepCurve[];
  /** Fixed y range [lo, hi] (in data units); default the data's range with 6 % margins. */
  yRange?: readonly [number, number];
  /** Corner of the panel's legend. Default `top-left`. */
  legend?: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
}

/** A further column of points in a {@link SweepPanel}. */
export interface SweepSeries {
  key: string;
  errKey?: string;
  label: string;
}

/** A line (x[i], y[i]) in a {@link SweepPanel}; x is Nε². */
export interface SweepCurve {
  label: string;
  x: readonly number[];
  y: readonly number[];
  color?: string;
  dashed?: boolean;
}

/** What a sweep figure plots against and colours by; the default is the VAE's: Nε² (log) coloured by N. */
export interface SweepLayout {
  /** Column of the x axis. */
  x: string;
  /** Its axis title. */
  xLabel: string;
  /** Log x axis (values ≤ 0 are left out). */
  logX: boolean;
  /** Column whose values get one colour each (none: one colour). */
  group?: string;
  /** Its name in the legend, `N` in `N = 50`. */
  groupLabel?: string;
}

export const NEPS2_LAYOUT: SweepLayout = { x: 'n_eps2', xLabel: 'Nε² (log)', logX: true, group: 'qubits', groupLabel: 'N' };

const W = 380, H = 250;
const M = { left: 56, right: 14, top: 28, bottom: 40 };

/**
 * Sweep results against Nε² (log axis), one panel per metric, one colour per qubit count N:
 * points of equal Nε² that coincide across N show the seed's Nε² universality. Another `layout`
 * plots any sweep: against another column (log or linear), coloured by another (or by none).
 * @param points rows with the layout's columns (`n_eps2`, `qubits` by default) and the panels' keys
 */
export function sweepSvg(points: ReadonlyArray<Record<string, number | string | boolean>>, panels: readonly SweepPanel[], title: string, layout: SweepLayout = NEPS2_LAYOUT): string {
  const groupOf = (p: Record<string, number | string | boolean>) => (layout.group == null ? '' : String(p[layout.group]));
  const groups = [...new Set(points.map(groupOf))].sort((a, b) => (Number.isFinite(Number(a)) && Number.isFinite(Number(b)) ? Number(a) - Number(b) : a < b ? -1 : 1));
  const colour = (g: string) => viridis(groups.length > 1 ? groups.indexOf(g) / (groups.length - 1) : 0.3);
  const cols = Math.min(3, panels.length);
  const rows = Math.ceil(panels.length / cols);
  let body = `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>\n`;
  const legendY = 40;
  if (layout.group != null) {
    groups.forEach((g, i) => {
      body += `<circle cx="${20 + i * 90}" cy="${legendY}" r="4" fill="${colour(g)}"/><text x="${28 + i * 90}" y="${legendY + 4}">${escapeXml(`${layout.groupLabel ?? layout.group} = ${g}`)}</text>\n`;
    });
  }
  panels.forEach((panel, k) => {
    body += drawPanel(points, panel, (k % cols) * W, 56 + Math.floor(k / cols) * H, colour, groupOf, layout);
  });
  return svgDocument(cols * W, 56 + rows * H, body, title);
}

interface PanelPoint {
  x: number;
  y: number;
  err: number;
  n: string;
}

function drawPanel(
  points: ReadonlyArray<Record<string, number | string | boolean>>,
  panel: SweepPanel,
  x0: number,
  y0: number,
  colour: (g: string) => string,
  groupOf: (p: Record<string, number | string | boolean>) => string,
  layout: SweepLayout,
): string {
  const ty = (v: number) => (panel.logY ? Math.log10(v) : v);
  const tx = (v: number) => (layout.logX ? Math.log10(v) : v);
  const shown = (x: number, y: number) => Number.isFinite(x) && (!layout.logX || x > 0) && Number.isFinite(y) && (!panel.logY || y > 0);
  const columns = [{ key: panel.key, errKey: panel.errKey, label: panel.seriesLabel ?? panel.label }, ...(panel.also ?? [])];
  const series = columns.map((c) =>
    points
      .map((p): PanelPoint => ({ x: Number(p[layout.x]), y: Number(p[c.key]), err: c.errKey ? Math.abs(Number(p[c.errKey])) : NaN, n: groupOf(p) }))
      .filter((p) => shown(p.x, p.y)),
  );
  const curves = (panel.curves ?? []).map((c) => ({ ...c, pts: c.x.map((x, i) => ({ x, y: c.y[i] })).filter((p) => shown(p.x, p.y)) }));
  let out = `<g class="panel" data-key="${escapeXml(panel.key)}">\n<text x="${x0 + M.left}" y="${y0 + 18}" font-weight="bold">${escapeXml(panel.label)}</text>\n`;
  const all = [...series.flat(), ...curves.flatMap((c) => c.pts)];
  if (all.length === 0) return `${out}<text x="${x0 + M.left}" y="${y0 + 60}">no finite values</text>\n</g>\n`;
  const lx = all.map((p) => tx(p.x));
  const ys = all.map((p) => ty(p.y));
  for (const p of series.flat()) {
    if (Number.isFinite(p.err)) ys.push(...[p.y - p.err, p.y + p.err].filter((v) => !panel.logY || v > 0).map(ty));
  }
  if (panel.guide) ys.push(ty(panel.guide.y));
  let [xlo, xhi] = [Math.min(...lx), Math.max(...lx)];
  let [ylo, yhi] = panel.yRange ? panel.yRange.map(ty) : [Math.min(...ys), Math.max(...ys)];
  if (xhi - xlo < 1e-9) [xlo, xhi] = [xlo - 0.5, xhi + 0.5];
  if (yhi - ylo < 1e-12) [ylo, yhi] = [ylo - 0.5, yhi + 0.5];
  const padY = panel.yRange ? 0 : 0.06 * (yhi - ylo), padX = 0.06 * (xhi - xlo);
  [xlo, xhi, ylo, yhi] = [xlo - padX, xhi + padX, ylo - padY, yhi + padY];
  const iw = W - M.left - M.right, ih = H - M.top - M.bottom;
  const sx = (lv: number) => x0 + M.left + ((lv - xlo) / (xhi - xlo)) * iw;
  const sy = (v: number) => y0 + M.top + ih - ((v - ylo) / (yhi - ylo)) * ih;
  out += `<rect x="${x0 + M.left}" y="${y0 + M.top}" width="${iw}" height="${ih}" fill="#fafafa" stroke="#ccc"/>\n`;
  for (const t of layout.logX ? logTicks(xlo, xhi) : niceTicks(xlo, xhi, 5)) {
    out += `<text x="${px(sx(t))}" y="${y0 + H - M.bottom + 14}" text-anchor="middle" fill="#444">${formatTick(layout.logX ? 10 ** t : t)}</text>\n`;
  }
  out += `<text x="${x0 + M.left + iw / 2}" y="${y0 + H - 8}" text-anchor="middle" fill="#444">${escapeXml(layout.xLabel)}</text>\n`;
  for (const t of panel.logY ? logTicks(ylo, yhi) : niceTicks(ylo, yhi, 6)) {
    out += `<line x1="${x0 + M.left}" x2="${x0 + M.left + iw}" y1="${px(sy(t))}" y2="${px(sy(t))}" stroke="#e4e4e4"/>`;
    out += `<text x="${x0 + M.left - 6}" y="${px(sy(t) + 4)}" text-anchor="end" fill="#444">${formatTick(panel.logY ? 10 ** t : t)}</text>\n`;
  }
  if (panel.guide) {
    const gy = px(sy(ty(panel.guide.y)));
    out += `<line x1="${x0 + M.left}" x2="${x0 + M.left + iw}" y1="${gy}" y2="${gy}" stroke="#c33" stroke-dasharray="4 3"/><text x="${x0 + M.left + iw - 4}" y="${Number(gy) - 4}" text-anchor="end" fill="#c33">${escapeXml(panel.guide.label)}</text>\n`;
  }
  if (panel.powerLaw && Number.isFinite(panel.powerLaw.exponent)) {
    const { prefactor, exponent } = panel.powerLaw;
    const line = [xlo + padX, xhi - padX].map((l) => `${px(sx(l))},${px(sy(ty(prefactor * (layout.logX ? 10 ** l : l) ** exponent)))}`);
    out += `<polyline class="fit" points="${line.join(' ')}" fill="none" stroke="#555" stroke-dasharray="5 3"/><text x="${x0 + M.left + 6}" y="${y0 + M.top + ih - 6}" fill="#555">fit ∝ (Nε²)^${exponent.toFixed(2)}</text>\n`;
  }
  curves.forEach((c, k) => {
    const line = c.pts.map((p) => `${px(sx(tx(p.x)))},${px(sy(ty(p.y)))}`);
    out += `<polyline class="curve" data-label="${escapeXml(c.label)}" data-points="${c.pts.length}" points="${line.join(' ')}" fill="none" stroke="${curveColour(c, k)}" stroke-width="1.5"${c.dashed ? ' stroke-dasharray="5 3"' : ''}/>\n`;
  });
  series.forEach((pts, k) => {
    const bars = pts
      .filter((p) => Number.isFinite(p.err) && p.err > 0)
      .map((p) => {
        const x = sx(tx(p.x));
        const lo = p.y - p.err > 0 || !panel.logY ? sy(ty(p.y - p.err)) : y0 + M.top + ih;
        const hi = sy(ty(p.y + p.err));
        return `M${px(x)} ${px(lo)}V${px(hi)}M${px(x - 3)} ${px(lo)}h6M${px(x - 3)} ${px(hi)}h6`;
      });
    if (bars.length > 0) out += `<path class="errorbars" data-key="${escapeXml(columns[k].key)}" d="${bars.join('')}" fill="none" stroke="#333" stroke-width="0.8"/>\n`;
    for (const p of pts) {
      const [cx, cy] = [sx(tx(p.x)), sy(ty(p.y))];
      out +=
        k === 0
          ? `<circle class="point" data-key="${escapeXml(columns[k].key)}" cx="${px(cx)}" cy="${px(cy)}" r="4" fill="${colour(p.n)}" stroke="#333" stroke-width="0.5"/>\n`
          : `<rect class="point" data-key="${escapeXml(columns[k].key)}" x="${px(cx - 3.5)}" y="${px(cy - 3.5)}" width="7" height="7" fill="none" stroke="${colour(p.n)}" stroke-width="1.8"/>\n`;
    }
  });
  if (panel.seriesLabel != null || panel.also || panel.curves) out += panelLegend(panel, curves, x0 + M.left, y0 + M.top, iw, ih);
  return `${out}</g>\n`;
}

function curveColour(c: SweepCurve, k: number): string {
  return c.color ?? ['#c33', '#555', '#1f77b4'][k % 3];
}

/** The panel's key of marker shapes and curves, in one corner of its plot area. */
function panelLegend(panel: SweepPanel, curves: readonly SweepCurve[], left: number, top: number, iw: number, ih: number): string {
  const rows: string[] = [];
  const labels: string[] = [];
  const rowH = 14;
  const at = (k: number) => 4 + rowH * k + rowH / 2;
  if (panel.seriesLabel != null || panel.also) {
    labels.push(panel.seriesLabel ?? panel.label);
    rows.push(`<circle cx="16" cy="${at(0)}" r="3.5" fill="#888" stroke="#333" stroke-width="0.5"/>`);
  }
  for (const s of panel.also ?? []) {
    const y = at(labels.length);
    labels.push(s.label);
    rows.push(`<rect x="12.5" y="${y - 3.5}" width="7" height="7" fill="none" stroke="#888" stroke-width="1.8"/>`);
  }
  curves.forEach((c, k) => {
    const y = at(labels.length);
    labels.push(c.label);
    rows.push(`<line x1="6" x2="26" y1="${y}" y2="${y}" stroke="${curveColour(c, k)}" stroke-width="1.5"${c.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
  });
  // About 6 px per character at the document's font size.
  const w = 40 + 6 * Math.max(...labels.map((l) => [...l].length));
  const h = 8 + rowH * labels.length;
  const corner = panel.legend ?? 'top-left';
  const lx = corner.endsWith('left') ? left + 6 : left + iw - 6 - w;
  const ly = corner.startsWith('top') ? top + 6 : top + ih - 6 - h;
  const texts = labels.map((l, k) => `<text x="32" y="${at(k) + 4}">${escapeXml(l)}</text>`);
  return `<g class="legend" transform="translate(${px(lx)} ${px(ly)})"><rect width="${px(w)}" height="${h}" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>${rows.join('')}${texts.join('')}</g>\n`;
}

/** Ticks of a log10 axis at 1, 2, 5 × 10^k inside [lo, hi] (log10 units; decades only when that is more than 7), falling back to even steps. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let k = Math.floor(lo) - 1; k <= Math.ceil(hi); k++) {
    for (const m of [1, 2, 5]) {
      const t = Math.log10(m) + k;
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  // Over many decades 1, 2, 5 crowd the axis: decades only.
  const decades = ticks.filter((t) => Number.isInteger(Math.round(t * 1e9) / 1e9));
  if (ticks.length > 7 && decades.length >= 2) return decades;
  return ticks.length >= 2 ? ticks : niceTicks(lo, hi, 4);
}
