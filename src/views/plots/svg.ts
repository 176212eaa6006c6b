/** Small dependency-free helpers for hand-written SVG figures. */

/** Text for an XML text node or attribute value. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A complete standalone SVG document (white background, system font). */
export function svgDocument(width: number, height: number, body: string, title: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">\n` +
    `<title>${escapeXml(title)}</title>\n` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>\n` +
    body +
    `</svg>\n`
  );
}

/** Coordinates rounded to 0.01 px: smaller files, no visible change. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k).
 * @example niceTicks(0, 1, 5) → [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** A tick label: `0.25`, `1500`, `2e+4`, `1e-4`. */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

const VIRIDIS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];

/** Viridis colour for t in [0, 1] as `#rrggbb` (perceptually even, readable in greyscale). */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return '#' + VIRIDIS[i].map((a, j) => Math.round(a + f * (VIRIDIS[i + 1][j] - a)).toString(16).padStart(2, '0')).join('');
}

/**
 * Ticks of a log axis over positive [lo, hi]: the decades 10^k inside the range (every second,
 * third… decade when there are more than `maxTicks`); with fewer than two decades inside, the
 * 1, 2, 5 × 10^k inside it, and round linear ticks if even those are fewer than two.
 * @example logTicks(0.8, 1200) → [1, 10, 100, 1000]
 */
export function logTicks(lo: number, hi: number, maxTicks = 8): number[] {
  if (!(lo > 0) || !(hi > lo)) return lo > 0 ? [lo] : [];
  const first = Math.ceil(Math.log10(lo) - 1e-9);
  const last = Math.floor(Math.log10(hi) + 1e-9);
  const decade = (k: number) => Number(`1e${k}`); // exact decimal, unlike 10 ** -3
  if (last - first + 1 >= 2) {
    const stride = Math.ceil((last - first + 1) / maxTicks);
    const ticks: number[] = [];
    for (let k = first; k <= last; k++) if (((k % stride) + stride) % stride === 0) ticks.push(decade(k));
    return ticks.length >= 2 ? ticks : [decade(first), decade(last)];
  }
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const t = Number((m * decade(k)).toPrecision(12));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks.length >= 2 ? ticks : niceTicks(lo, hi, 4);
}

/** Ten distinct colours for categories (methods, chains, series): matplotlib's tab10. */
export const CATEGORICAL: readonly string[] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** The `i`-th categorical colour, cycling. */
export function categorical(i: number): string {
  return CATEGORICAL[((i % CATEGORICAL.length) + CATEGORICAL.length) % CATEGORICAL.length];
}
