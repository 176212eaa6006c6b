import { paddedExtent, scale, type Scale } from './scale.ts';
import { categorical, escapeXml, formatTick, px, svgDocument } from './svg.ts';

/** One parameter's draws: one array per chain, index = iteration. */
export interface TraceSeries {
  label: string;
  chains: readonly Float64Array[];
}

export interface TracePlotOptions {
  /** One row per parameter. */
  series: readonly TraceSeries[];
  title: string;
  /** Points per chain's line at most; a longer chain is drawn as its min/max envelope over equal blocks of iterations. Default 2000. */
  maxPoints?: number;
  /** Bins of the marginal histograms. Default 40. */
  bins?: number;
}

const ROW_H = 170;
const HEADER = 46;
const TRACE = { left: 64, width: 600 };
const HIST = { left: TRACE.left + TRACE.width + 18, width: 170 };
const WIDTH = HIST.left + HIST.width + 16;
const ROW_M = { top: 22, bottom: 34 };

/**
 * MCMC trace plots in the manner of ArviZ's `plot_trace`: one row per parameter, on the left one
 * coloured line per chain over iterations, on the right each chain's marginal histogram sharing the
 * row's value axis. Lines of long chains are their min/max envelope (`maxPoints` points at most),
 * so the file stays small and a stuck or spiking chain still shows; histograms use every draw.
 * Non-finite draws break a line and are left out of the histograms. Elements: `<g class="row"
 * data-label=…>` per parameter, `<path class="chain" data-chain=… data-points=…>` per chain and
 * `<path class="marginal" data-chain=…>` per chain's histogram.
 * @example tracePlotSvg({ series: [{ label: 'θ₁', chains: [c0, c1, c2, c3] }], title: 'NUTS traces' })
 */
export function tracePlotSvg(options: TracePlotOptions): string {
  const { series, title } = options;
  const maxPoints = options.maxPoints ?? 2000;
  const bins = options.bins ?? 40;
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) throw new RangeError(`tracePlotSvg: maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`tracePlotSvg: bins must be an integer ≥ 1, got ${bins}`);
  const chainCount = Math.max(0, ...series.map((s) => s.chains.length));

  let body = `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>\n`;
  body += '<g class="chain-legend">';
  for (let c = 0; c < chainCount; c++) {
    body += `<line x1="${12 + c * 80}" x2="${30 + c * 80}" y1="36" y2="36" stroke="${categorical(c)}" stroke-width="2.5"/><text x="${34 + c * 80}" y="40">chain ${c + 1}</text>`;
  }
  body += '</g>\n';
  series.forEach((s, r) => {
    body += row(s, HEADER + r * ROW_H, maxPoints, bins);
  });
  if (series.length === 0) body += `<text x="12" y="${HEADER + 20}">no draws to show</text>\n`;
  return svgDocument(WIDTH, HEADER + Math.max(1, series.length) * ROW_H, body, title);
}

function row(s: TraceSeries, y0: number, maxPoints: number, bins: number): string {
  const top = y0 + ROW_M.top;
  const bottom = y0 + ROW_H - ROW_M.bottom;
  const length = Math.max(0, ...s.chains.map((c) => c.length));
  let out = `<g class="row" data-label="${escapeXml(s.label)}">\n`;
  out += `<text x="${TRACE.left}" y="${y0 + 15}" font-size="12" font-weight="bold">${escapeXml(s.label)}</text>\n`;
  out += `<rect x="${TRACE.left}" y="${top}" width="${TRACE.width}" height="${bottom - top}" fill="#fafafa" stroke="#c8ccd4"/>`;
  out += `<rect x="${HIST.left}" y="${top}" width="${HIST.width}" height="${bottom - top}" fill="#fafafa" stroke="#c8ccd4"/>\n`;
  const domain = paddedExtent(allValues(s.chains));
  if (!domain) return out + `<text x="${TRACE.left + 8}" y="${top + 18}" fill="#888888">no finite draws</text>\n</g>\n`;

  const sx = scale([0, Math.max(1, length - 1)], [TRACE.left, TRACE.left + TRACE.width], false, 6);
  const sy = scale(domain, [bottom, top], false, 4);
  out += axes(sx, sy, top, bottom);

  // Histograms on shared bins over the row's value range, each chain as a density so chains of
  // different lengths compare; the largest density spans the panel.
  const width = (domain[1] - domain[0]) / bins;
  const densities = s.chains.map((chain) => {
    const counts = new Float64Array(bins);
    let n = 0;
    for (const v of chain) {
      if (!Number.isFinite(v)) continue;
      counts[Math.min(bins - 1, Math.floor((v - domain[0]) / width))]++;
      n++;
    }
    return counts.map((c) => (n > 0 ? c / (n * width) : 0));
  });
  const peak = Math.max(0, ...densities.map((d) => Math.max(0, ...d)));

  s.chains.forEach((chain, c) => {
    const color = categorical(c);
    const pts = envelope(chain, maxPoints);
    let d = '';
    let pen = false;
    let drawn = 0;
    for (const [i, v] of pts) {
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(sx(i))} ${px(sy(v))}`;
      pen = true;
      drawn++;
    }
    out += `<path class="chain" data-chain="${c}" data-points="${drawn}" d="${d}" fill="none" stroke="${color}" stroke-width="0.8" stroke-opacity="0.8" stroke-linejoin="round"/>\n`;
    if (peak > 0) {
      const hx = (v: number) => HIST.left + (v / peak) * (HIST.width - 6);
      let h = `M${HIST.left} ${px(sy(domain[0]))}`;
      densities[c].forEach((v, b) => {
        h += `H${px(hx(v))}V${px(sy(domain[0] + (b + 1) * width))}`;
      });
      h += `H${HIST.left}`;
      out += `<path class="marginal" data-chain="${c}" d="${h}" fill="${color}" fill-opacity="0.08" stroke="${color}" stroke-width="1"/>\n`;
    }
  });
  return out + '</g>\n';
}

function* allValues(chains: readonly Float64Array[]): Generator<number> {
  for (const c of chains) yield* c;
}

/**
 * [iteration, value] points to draw: every draw of a chain of at most `maxPoints`, else per block
 * of iterations its smallest and largest draw, in iteration order (a NaN block stays NaN: a gap).
 */
export function envelope(chain: Float64Array, maxPoints: number): [number, number][] {
  const n = chain.length;
  if (n <= maxPoints) return Array.from(chain, (v, i) => [i, v]);
  const blocks = Math.floor(maxPoints / 2);
  const out: [number, number][] = [];
  for (let b = 0; b < blocks; b++) {
    const start = Math.floor((b * n) / blocks);
    const end = Math.floor(((b + 1) * n) / blocks);
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = chain[i];
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < chain[lo]) lo = i;
      if (hi < 0 || v > chain[hi]) hi = i;
    }
    if (lo < 0) out.push([start, NaN]);
    else if (lo === hi) out.push([lo, chain[lo]]);
    else for (const i of lo < hi ? [lo, hi] : [hi, lo]) out.push([i, chain[i]]);
  }
  return out;
}

function axes(sx: Scale, sy: Scale, top: number, bottom: number): string {
  let out = '<g fill="#555555">';
  for (const t of sy.ticks) {
    const y = px(sy(t));
    out += `<line x1="${TRACE.left}" x2="${TRACE.left + TRACE.width}" y1="${y}" y2="${y}" stroke="#e3e6eb"/><line x1="${HIST.left}" x2="${HIST.left + HIST.width}" y1="${y}" y2="${y}" stroke="#e3e6eb"/>`;
    out += `<text x="${TRACE.left - 6}" y="${px(sy(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`;
  }
  for (const t of sx.ticks) {
    const x = px(sx(t));
    out += `<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}" stroke="#888888"/><text x="${x}" y="${bottom + 16}" text-anchor="middle">${formatTick(t)}</text>`;
  }
  out += `<text x="${TRACE.left + TRACE.width / 2}" y="${bottom + 30}" text-anchor="middle">iteration</text>`;
  out += `<text x="${HIST.left + HIST.width / 2}" y="${bottom + 16}" text-anchor="middle">density</text>`;
  return out + '</g>\n';
}
