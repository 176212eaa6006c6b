import { paddedExtent, scale, type Scale } from './scale.ts';
import { categorical, escapeXml, formatTick, px, svgDocument } from './svg.ts';

/** One line of a {@link lineChartSvg}: points (x[i], y[i]); a non-finite point (or ≤ 0 on a log axis) breaks the line. */
export interface LineSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Error-bar half-widths: a bar from y[i] − err[i] to y[i] + err[i] (none where err[i] is non-finite). */
  err?: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
  /** Dots at the points. Default: when the series has error bars or at most 12 points. */
  markers?: boolean;
}

/** A labelled horizontal line across the chart, e.g. an exact value to compare against. */
export interface ReferenceLine {
  y: number;
  label: string;
  color?: string;
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Whole figure in px. Default 720 × 420. */
  width?: number;
  height?: number;
  /** Log10 x axis (ticks at decades); points with x ≤ 0 are left out. */
  logX?: boolean;
  /** Log10 y axis (ticks at decades); points with y ≤ 0 are left out. */
  logY?: boolean;
  /** x range; default the data's range with 5 % margins. */
  xRange?: [number, number];
  /** y range; default the data's range (error bars and reference lines included) with 5 % margins. Lines leaving it are clipped. */
  yRange?: [number, number];
  references?: readonly ReferenceLine[];
  /** Corner of the plot the legend sits in, or `none`. Default `top-right`. */
  legend?: 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'none';
}

const MARKERS_UP_TO = 12;
const CAP = 3;

/**
 * A line chart of one or more series with axes, ticks, a legend, and optionally log axes, error
 * bars and reference lines. Elements tests and readers can find: `<path class="series">` per series,
 * `<path class="errorbars">` per series with error bars (one `M…V…` bar and two caps per point),
 * `<line class="reference">`, and `data-ticks` on `<g class="x-axis">` / `<g class="y-axis">`.
 * @example lineChartSvg([{ label: 'L_K', x: [1, 10, 100, 1000], y: lk, err: se }], { logX: true, references: [{ y: logZ, label: 'log p(y) exact' }] })
 */
export function lineChartSvg(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  const width = options.width ?? 720;
  const height = options.height ?? 420;
  const logX = options.logX ?? false;
  const logY = options.logY ?? false;
  const m = { left: 80, right: 20, top: options.title ? 36 : 16, bottom: 52 };
  const right = width - m.right;
  const bottom = height - m.bottom;

  const shown = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!logX || x > 0) && (!logY || y > 0);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      if (!shown(s.x[i], s.y[i])) continue;
      xs.push(s.x[i]);
      ys.push(s.y[i]);
      const e = s.err?.[i];
      if (e != null && Number.isFinite(e)) ys.push(s.y[i] - Math.abs(e), s.y[i] + Math.abs(e));
    }
  }
  if (xs.length === 0) throw new RangeError(`lineChartSvg: no finite points to plot${logX || logY ? ' (a log axis leaves out values ≤ 0)' : ''}`);
  for (const r of options.references ?? []) ys.push(r.y);
  const xDomain = options.xRange ?? paddedExtent(xs, logX)!;
  const yDomain = options.yRange ?? paddedExtent(ys, logY)!;
  checkRange('xRange', xDomain, logX);
  checkRange('yRange', yDomain, logY);
  const sx = scale(xDomain, [m.left, right], logX, 6);
  const sy = scale(yDomain, [bottom, m.top], logY, 6);

  let body = '';
  if (options.title) body += `<text x="${m.left}" y="22" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>\n`;
  body += `<clipPath id="plot-area"><rect x="${m.left}" y="${m.top}" width="${right - m.left}" height="${bottom - m.top}"/></clipPath>\n`;
  body += axes(sx, sy, m.left, right, m.top, bottom);
  if (options.xLabel) body += `<text x="${px((m.left + right) / 2)}" y="${height - 12}" font-size="12" text-anchor="middle">${escapeXml(options.xLabel)}</text>\n`;
  if (options.yLabel) {
    const cy = px((m.top + bottom) / 2);
    body += `<text x="16" y="${cy}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeXml(options.yLabel)}</text>\n`;
  }

  body += '<g clip-path="url(#plot-area)">\n';
  for (const r of options.references ?? []) {
    const y = sy(r.y);
    if (!Number.isFinite(y)) continue;
    const c = r.color ?? '#555555';
    body += `<line class="reference" data-label="${escapeXml(r.label)}" x1="${m.left}" x2="${right}" y1="${px(y)}" y2="${px(y)}" stroke="${c}" stroke-dasharray="2 3" stroke-width="1.2"/>`;
    body += `<text x="${px(m.left + 6)}" y="${px(y - 4)}" fill="${c}">${escapeXml(r.label)}</text>\n`;
  }
  series.forEach((s, k) => {
    const c = s.color ?? categorical(k);
    const pts: [number, number][] = [];
    let d = '';
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      if (!shown(s.x[i], s.y[i])) {
        pen = false;
        continue;
      }
      const p: [number, number] = [sx(s.x[i]), sy(s.y[i])];
      pts.push(p);
      d += `${pen ? 'L' : 'M'}${px(p[0])} ${px(p[1])}`;
      pen = true;
    }
    if (s.err) {
      let bars = '';
      for (let i = 0; i < s.x.length; i++) {
        const e = Math.abs(s.err[i]);
        if (!shown(s.x[i], s.y[i]) || !Number.isFinite(e)) continue;
        const x = px(sx(s.x[i]));
        // On a log axis a bar reaching 0 or below runs off the bottom of the plot.
        const lo = s.y[i] - e > 0 || !logY ? sy(s.y[i] - e) : bottom + CAP;
        const hi = sy(s.y[i] + e);
        bars += `M${x} ${px(lo)}V${px(hi)}M${px(Number(x) - CAP)} ${px(lo)}h${2 * CAP}M${px(Number(x) - CAP)} ${px(hi)}h${2 * CAP}`;
      }
      if (bars) body += `<path class="errorbars" data-label="${escapeXml(s.label)}" d="${bars}" fill="none" stroke="${c}" stroke-width="1"/>\n`;
    }
    body += `<path class="series" data-label="${escapeXml(s.label)}" data-points="${pts.length}" d="${d}" fill="none" stroke="${c}" stroke-width="1.5" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>\n`;
    if (s.markers ?? (s.err != null || pts.length <= MARKERS_UP_TO)) {
      body += `<g class="markers" fill="${c}">` + pts.map(([x, y]) => `<circle cx="${px(x)}" cy="${px(y)}" r="2.5"/>`).join('') + '</g>\n';
    }
  });
  body += '</g>\n';
  body += legend(series, options.legend ?? 'top-right', m.left, right, m.top, bottom);
  return svgDocument(width, height, body, options.title ?? 'line chart');
}

function checkRange(name: string, [lo, hi]: readonly [number, number], log: boolean): void {
  if (!(hi > lo) || (log && !(lo > 0))) {
    throw new RangeError(`lineChartSvg: ${name} must be [lo, hi] with lo < hi${log ? ' and lo > 0 on a log axis' : ''}, got [${lo}, ${hi}]`);
  }
}

/** Unlabelled ticks at 2…9 × 10^k on a log axis of at most six decades, so values between decades can be read. */
function minorTicks(s: Scale): number[] {
  if (!s.log) return [];
  const [lo, hi] = s.domain;
  if (Math.log10(hi / lo) > 6) return [];
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (let m = 2; m <= 9; m++) {
      const t = m * Number(`1e${k}`);
      if (t > lo && t < hi) out.push(t);
    }
  }
  return out;
}

function axes(sx: Scale, sy: Scale, left: number, right: number, top: number, bottom: number): string {
  let out = `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#444444"/>\n`;
  const minor = [...minorTicks(sx).map((t) => `M${px(sx(t))} ${bottom}v3`), ...minorTicks(sy).map((t) => `M${left} ${px(sy(t))}h-3`)];
  if (minor.length > 0) out += `<path class="minor-ticks" d="${minor.join('')}" stroke="#444444"/>\n`;
  out += `<g class="x-axis" data-ticks="${sx.ticks.join(' ')}" fill="#444444">`;
  for (const t of sx.ticks) {
    const x = px(sx(t));
    out += `<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="#eeeeee"/><line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}" stroke="#444444"/>`;
    out += `<text x="${x}" y="${bottom + 18}" text-anchor="middle">${formatTick(t)}</text>`;
  }
  out += '</g>\n';
  out += `<g class="y-axis" data-ticks="${sy.ticks.join(' ')}" fill="#444444">`;
  for (const t of sy.ticks) {
    const y = px(sy(t));
    out += `<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="#eeeeee"/><line x1="${left - 5}" x2="${left}" y1="${y}" y2="${y}" stroke="#444444"/>`;
    out += `<text x="${left - 8}" y="${px(sy(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`;
  }
  return out + '</g>\n';
}

function legend(series: readonly LineSeries[], corner: NonNullable<LineChartOptions['legend']>, left: number, right: number, top: number, bottom: number): string {
  if (corner === 'none' || series.length === 0) return '';
  const rowH = 16;
  // About 6.5 px per character at 11 px: wide enough for the longest label.
  const w = 44 + 6.5 * Math.max(...series.map((s) => [...s.label].length));
  const h = 8 + rowH * series.length;
  const x0 = corner.endsWith('left') ? left + 8 : right - 8 - w;
  const y0 = corner.startsWith('top') ? top + 8 : bottom - 8 - h;
  let out = `<g class="legend"><rect x="${px(x0)}" y="${px(y0)}" width="${px(w)}" height="${h}" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc"/>`;
  series.forEach((s, k) => {
    const c = s.color ?? categorical(k);
    const y = y0 + 4 + rowH * k + rowH / 2;
    out += `<line x1="${px(x0 + 8)}" x2="${px(x0 + 32)}" y1="${px(y)}" y2="${px(y)}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
    out += `<text x="${px(x0 + 38)}" y="${px(y + 4)}">${escapeXml(s.label)}</text>`;
  });
  return out + '</g>\n';
}
