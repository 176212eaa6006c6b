/**
 * The scaling plot: ms per step against N (batch 50) and against batch (N 200), log–log, ours and
 * PyTorch, totals solid and sampling alone dashed. Written as SVG (no dependencies), rendered to PNG
 * with headless Chromium when /usr/bin/chromium is there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';

export interface ScalingPoint {
  axis: 'N' | 'batch';
  N: number;
  batch: number;
  impl: 'ours' | 'torch';
  /** medians over repeats */
  stepMs: number;
  sampleMs: number;
  trainMs: number;
  min: number;
  max: number;
}

const PANEL = 440, TOP = 40, LEFT = 70, GAP = 90, H = 440, W = LEFT + 2 * PANEL + GAP + 40;
const COLORS = { ours: '#1f77b4', torch: '#ff7f0e' } as const;

function panel(points: ScalingPoint[], axis: 'N' | 'batch', x0: number): string {
  const pts = points.filter((p) => p.axis === axis);
  const xs = pts.map((p) => (axis === 'N' ? p.N : p.batch));
  const ys = pts.flatMap((p) => [p.stepMs, Math.max(p.sampleMs, 1e-3), p.max]);
  const [xLo, xHi] = [Math.min(...xs), Math.max(...xs)];
  const [yLo, yHi] = [10 ** Math.floor(Math.log10(Math.min(...ys.filter((y) => y > 0)))), 10 ** Math.ceil(Math.log10(Math.max(...ys)))];
  const plotH = H - TOP - 60;
  const sx = (x: number) => x0 + ((Math.log(x) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo))) * PANEL;
  const sy = (y: number) => TOP + plotH - ((Math.log(y) - Math.log(yLo)) / (Math.log(yHi) - Math.log(yLo))) * plotH;
  const out: string[] = [];
  out.push(`<rect x="${x0}" y="${TOP}" width="${PANEL}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (let e = Math.log10(yLo); e <= Math.log10(yHi) + 1e-9; e++) {
    const y = sy(10 ** e);
    out.push(`<line x1="${x0}" x2="${x0 + PANEL}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${x0 - 6}" y="${y + 4}" text-anchor="end" font-size="12">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)}</text>`);
  }
  for (const x of [...new Set(xs)]) {
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${TOP + plotH}" y2="${TOP + plotH + 5}" stroke="#666"/><text x="${sx(x)}" y="${TOP + plotH + 18}" text-anchor="middle" font-size="12">${x}</text>`);
  }
  out.push(`<text x="${x0 + PANEL / 2}" y="${TOP + plotH + 40}" text-anchor="middle" font-size="14">${axis === 'N' ? 'qubits N (batch 50)' : 'batch (N = 200)'}</text>`);
  out.push(`<text x="${x0 - 50}" y="${TOP + plotH / 2}" text-anchor="middle" font-size="14" transform="rotate(-90 ${x0 - 50} ${TOP + plotH / 2})">ms per step</text>`);
  for (const impl of ['ours', 'torch'] as const) {
    const series = pts.filter((p) => p.impl === impl).sort((a, b) => (axis === 'N' ? a.N - b.N : a.batch - b.batch));
    const xOf = (p: ScalingPoint) => sx(axis === 'N' ? p.N : p.batch);
    out.push(`<polyline fill="none" stroke="${COLORS[impl]}" stroke-width="2.5" points="${series.map((p) => `${xOf(p)},${sy(p.stepMs)}`).join(' ')}"/>`);
    out.push(`<polyline fill="none" stroke="${COLORS[impl]}" stroke-width="1.5" stroke-dasharray="5 4" points="${series.map((p) => `${xOf(p)},${sy(Math.max(p.sampleMs, yLo))}`).join(' ')}"/>`);
    for (const p of series) {
      out.push(`<circle cx="${xOf(p)}" cy="${sy(p.stepMs)}" r="3.5" fill="${COLORS[impl]}"/><line x1="${xOf(p)}" x2="${xOf(p)}" y1="${sy(p.min)}" y2="${sy(p.max)}" stroke="${COLORS[impl]}"/>`);
    }
  }
  return out.join('\n');
}

/** Writes `<png minus .png>.svg` and the PNG; returns a Markdown line describing what was written. */
export function renderScalingPlot(points: ScalingPoint[], pngPath: string): string {
  const legend = [
    ['ours: step', COLORS.ours, ''], ['ours: sampling', COLORS.ours, '5 4'],
    ['PyTorch: step', COLORS.torch, ''], ['PyTorch: sampling', COLORS.torch, '5 4'],
  ].map(([label, color, dash], i) => {
    const x = LEFT + i * 200;
    return `<line x1="${x}" x2="${x + 30}" y1="18" y2="18" stroke="${color}" stroke-width="2.5" stroke-dasharray="${dash}"/><text x="${x + 36}" y="22" font-size="13">${label}</text>`;
  }).join('\n');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
${legend}
${panel(points, 'N', LEFT)}
${panel(points, 'batch', LEFT + PANEL + GAP)}
</svg>
`;
  const svgPath = pngPath.replace(/\.png$/, '.svg');
  writeFileSync(svgPath, svg);
  const chromium = '/usr/bin/chromium';
  if (!existsSync(chromium)) return `wrote ${svgPath} (no ${chromium} to render ${pngPath})`;
  const res = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--window-size=${W},${H}`, `--screenshot=${pngPath}`, `file://${svgPath}`], { encoding: 'utf8', timeout: 60_000 });
  return res.status === 0 ? `wrote ${svgPath} and ${pngPath}` : `wrote ${svgPath}; chromium failed (${(res.stderr ?? '').trim().split('\n').at(-1)})`;
}
