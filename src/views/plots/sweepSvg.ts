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
}

const W = 380, H = 250;
const M = { left: 56, right: 14, top: 28, bottom: 40 };

/**
 * Sweep results against Nε² (log axis), one panel per metric, one colour per qubit count N:
 * points of equal Nε² that coincide across N show the seed's Nε² universality.
 * @param points rows with `n_eps2`, `qubits` and the panels' keys
 */
export function sweepSvg(points: ReadonlyArray<Record<string, number | string>>, panels: readonly SweepPanel[], title: string): string {
  const qubits = [...new Set(points.map((p) => Number(p.qubits)))].sort((a, b) => a - b);
  const colour = (n: number) => viridis(qubits.length > 1 ? qubits.indexOf(n) / (qubits.length - 1) : 0.3);
  const cols = Math.min(3, panels.length);
  const rows = Math.ceil(panels.length / cols);
  let body = `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>\n`;
  const legendY = 40;
  qubits.forEach((n, i) => {
    body += `<circle cx="${20 + i * 90}" cy="${legendY}" r="4" fill="${colour(n)}"/><text x="${28 + i * 90}" y="${legendY + 4}">N = ${n}</text>\n`;
  });
  panels.forEach((panel, k) => {
    body += drawPanel(points, panel, (k % cols) * W, 56 + Math.floor(k / cols) * H, colour);
  });
  return svgDocument(cols * W, 56 + rows * H, body, title);
}

function drawPanel(points: ReadonlyArray<Record<string, number | string>>, panel: SweepPanel, x0: number, y0: number, colour: (n: number) => string): string {
  const ty = (v: number) => (panel.logY ? Math.log10(v) : v);
  const pts = points
    .map((p) => ({ x: Number(p.n_eps2), y: Number(p[panel.key]), n: Number(p.qubits) }))
    .filter((p) => p.x > 0 && Number.isFinite(p.y) && (!panel.logY || p.y > 0));
  let out = `<g class="panel" data-key="${escapeXml(panel.key)}">\n<text x="${x0 + M.left}" y="${y0 + 18}" font-weight="bold">${escapeXml(panel.label)}</text>\n`;
  if (pts.length === 0) return `${out}<text x="${x0 + M.left}" y="${y0 + 60}">no finite values</text>\n</g>\n`;
  const lx = pts.map((p) => Math.log10(p.x));
  const ys = pts.map((p) => ty(p.y));
  if (panel.guide) ys.push(ty(panel.guide.y));
  let [xlo, xhi] = [Math.min(...lx), Math.max(...lx)];
  let [ylo, yhi] = [Math.min(...ys), Math.max(...ys)];
  if (xhi - xlo < 1e-9) [xlo, xhi] = [xlo - 0.5, xhi + 0.5];
  if (yhi - ylo < 1e-12) [ylo, yhi] = [ylo - 0.5, yhi + 0.5];
  const padY = 0.06 * (yhi - ylo), padX = 0.06 * (xhi - xlo);
  [xlo, xhi, ylo, yhi] = [xlo - padX, xhi + padX, ylo - padY, yhi + padY];
  const iw = W - M.left - M.right, ih = H - M.top - M.bottom;
  const sx = (lv: number) => x0 + M.left + ((lv - xlo) / (xhi - xlo)) * iw;
  const sy = (v: number) => y0 + M.top + ih - ((v - ylo) / (yhi - ylo)) * ih;
  out += `<rect x="${x0 + M.left}" y="${y0 + M.top}" width="${iw}" height="${ih}" fill="#fafafa" stroke="#ccc"/>\n`;
  for (const t of niceTicks(xlo, xhi, 4)) {
    out += `<text x="${px(sx(t))}" y="${y0 + H - M.bottom + 14}" text-anchor="middle" fill="#444">${formatTick(10 ** t)}</text>\n`;
  }
  out += `<text x="${x0 + M.left + iw / 2}" y="${y0 + H - 8}" text-anchor="middle" fill="#444">Nε² (log)</text>\n`;
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
    const line = [xlo + padX, xhi - padX].map((l) => `${px(sx(l))},${px(sy(ty(prefactor * (10 ** l) ** exponent)))}`);
    out += `<polyline class="fit" points="${line.join(' ')}" fill="none" stroke="#555" stroke-dasharray="5 3"/><text x="${x0 + M.left + 6}" y="${y0 + M.top + ih - 6}" fill="#555">fit ∝ (Nε²)^${exponent.toFixed(2)}</text>\n`;
  }
  for (const p of pts) out += `<circle class="point" cx="${px(sx(Math.log10(p.x)))}" cy="${px(sy(ty(p.y)))}" r="4" fill="${colour(p.n)}" stroke="#333" stroke-width="0.5"/>\n`;
  return `${out}</g>\n`;
}

/** Ticks of a log10 axis at 1, 2, 5 × 10^k inside [lo, hi] (log10 units), falling back to even steps. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let k = Math.floor(lo) - 1; k <= Math.ceil(hi); k++) {
    for (const m of [1, 2, 5]) {
      const t = Math.log10(m) + k;
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks.length >= 2 ? ticks : niceTicks(lo, hi, 4);
}
