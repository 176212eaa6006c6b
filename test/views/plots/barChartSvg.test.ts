import { describe, expect, it } from 'vitest';
import { barChartSvg } from '../../../src/views/plots/barChartSvg.ts';
import { parseXml } from './parseXml.ts';
import { all, byClass, textOf } from './xmlQuery.ts';

describe('barChartSvg', () => {
  it('draws one bar per entry with widths proportional to the values on each group\'s own axis from 0', () => {
    const svg = parseXml(barChartSvg([
      { label: 'MLP', bars: [{ label: 'ours', value: 1.1 }, { label: 'PyTorch', value: 2.2, note: '(best)' }] },
      { label: 'conv', bars: [{ label: 'ours', value: 12 }, { label: 'PyTorch', value: 48 }] },
    ], { title: 'speed', xLabel: 's per epoch' }));
    expect(svg.name).toBe('svg');
    const bars = byClass(svg, 'rect', 'bar');
    expect(bars.map((b) => [b.attrs['data-label'], Number(b.attrs['data-value'])])).toEqual([['ours', 1.1], ['PyTorch', 2.2], ['ours', 12], ['PyTorch', 48]]);
    const w = bars.map((b) => Number(b.attrs.width));
    expect(w[1] / w[0]).toBeCloseTo(2, 2);
    expect(w[3] / w[2]).toBeCloseTo(4, 2);
    const axes = byClass(svg, 'g', 'x-axis').map((a) => a.attrs['data-ticks'].split(' ').map(Number));
    expect(axes.map((t) => t[0])).toEqual([0, 0]);
    expect(axes[0].at(-1)).toBeGreaterThanOrEqual(2.2);
    expect(axes[1].at(-1)).toBeGreaterThanOrEqual(48);
    expect(all(svg, (e) => e.name === 'text').map(textOf)).toContain('2.2 (best)');
  });

  it('draws a missing value as an empty bar marked n/a', () => {
    const svg = parseXml(barChartSvg([{ label: 'g', bars: [{ label: 'a', value: 1 }, { label: 'b', value: NaN }] }]));
    expect(Number(byClass(svg, 'rect', 'bar')[1].attrs.width)).toBe(0);
    expect(all(svg, (e) => e.name === 'text').map(textOf)).toContain('n/a');
  });
});
