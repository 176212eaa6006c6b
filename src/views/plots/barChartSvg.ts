import { escapeXml, formatTick, niceTicks, px, svgDocument } from './svg.ts';

export interface BarGroup {
  /** The group's name, drawn above its bars (e.g. a model). */
  label: string;
  bars: Array<{ label: string; value: number; color?: string; note?: string }>;
}

export interface BarChartOptions {
  title?: string;
  /** The value axis' label. */
  xLabel?: string;
  width?: number;
  /** Room for the bar labels, px (default 300). */
  labelWidth?: number;
}

/**
 * Horizontal bars in labelled groups, each group on its own value axis from 0 (a benchmark's
 * times per model, whose scales differ by 10×). Each bar is a `rect` of class `bar` with
 * `data-label` and `data-value`, its value (and `note`) written at its end.
 *
 * @example barChartSvg([{ label: 'MLP', bars: [{ label: 'ours', value: 1.1 }, { label: 'PyTorch', value: 1.07 }] }], { xLabel: 's per epoch' })
 */
export function barChartSvg(groups: readonly BarGroup[], options: BarChartOptions = {}): string {
  const width = options.width ?? 720;
  const left = options.labelWidth ?? 300, right = 200, barH = 16, gap = 6, head = 22, axisH = 26;
  const top = options.title ? 30 : 10;
  let y = top;
  let body = options.title ? `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(options.title)}</text>\n` : '';
  for (const group of groups) {
    const finite = group.bars.map((b) => b.value).filter((v) => Number.isFinite(v) && v >= 0);
    const max = Math.max(...finite, 1e-12);
    const ticks = niceTicks(0, max, 5);
    // niceTicks may stop short of the largest value: extend by its step so every bar ends on the axis.
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : max;
    while (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
    const hi = ticks[ticks.length - 1];
    const xOf = (v: number) => left + ((width - left - right) * v) / hi;
    body += `<g class="group" data-label="${escapeXml(group.label)}">\n<text x="8" y="${px(y + 14)}" font-weight="bold">${escapeXml(group.label)}</text>\n`;
    y += head;
    for (const [i, bar] of group.bars.entries()) {
      const v = Number.isFinite(bar.value) && bar.value >= 0 ? bar.value : 0;
      const color = bar.color ?? (i === 0 ? '#1f77b4' : '#7f7f7f');
      body += `<text x="${left - 6}" y="${px(y + barH - 4)}" text-anchor="end">${escapeXml(bar.label)}</text>\n`;
      body += `<rect class="bar" data-label="${escapeXml(bar.label)}" data-value="${bar.value}" x="${left}" y="${px(y)}" width="${px(xOf(v) - left)}" height="${barH}" fill="${color}"/>\n`;
      body += `<text x="${px(xOf(v) + 4)}" y="${px(y + barH - 4)}">${escapeXml(Number.isFinite(bar.value) ? `${formatTick(Number(bar.value.toPrecision(3)))}${bar.note ? ` ${bar.note}` : ''}` : 'n/a')}</text>\n`;
      y += barH + gap;
    }
    body += `<g class="x-axis" data-ticks="${ticks.join(' ')}">\n<line x1="${left}" x2="${px(xOf(hi))}" y1="${px(y)}" y2="${px(y)}" stroke="#444"/>\n`;
    for (const t of ticks) {
      body += `<line x1="${px(xOf(t))}" x2="${px(xOf(t))}" y1="${px(y)}" y2="${px(y + 4)}" stroke="#444"/><text x="${px(xOf(t))}" y="${px(y + 15)}" text-anchor="middle">${formatTick(t)}</text>\n`;
    }
    if (options.xLabel) body += `<text x="${px(xOf(hi) + 6)}" y="${px(y + 15)}">${escapeXml(options.xLabel)}</text>\n`;
    body += '</g>\n</g>\n';
    y += axisH;
  }
  return svgDocument(width, Math.ceil(y + 4), body, options.title ?? 'bar chart');
}
