import { describe, expect, it } from 'vitest';
import { lineChartSvg } from '../../../src/views/plots/lineChartSvg.ts';
import { logTicks } from '../../../src/views/plots/svg.ts';
import { parseXml } from './parseXml.ts';
import { all, byClass, textOf, vertices } from './xmlQuery.ts';

const K = [1, 10, 100, 1000];
const lk = [-12.4, -11.1, -10.6, -10.45];
const se = [0.4, 0.2, 0.08, 0.03];

describe('lineChartSvg', () => {
  it('draws well-formed XML: one path per series with one vertex per finite point, a legend entry per series', () => {
    const svg = parseXml(
      lineChartSvg(
        [
          { label: 'flow', x: [0, 1, 2, 3], y: [3, 2, NaN, 1] },
          { label: 'HMC', x: [0, 3], y: [2.5, 1.5], dashed: true },
        ],
        { title: 'KL', xLabel: 'step', yLabel: 'KL' },
      ),
    );
    expect(svg.name).toBe('svg');
    const paths = byClass(svg, 'path', 'series');
    expect(paths.map((p) => [p.attrs['data-label'], vertices(p.attrs.d).length])).toEqual([
      ['flow', 3],
      ['HMC', 2],
    ]);
    expect(paths[0].attrs.d.match(/M/g)?.length).toBe(2); // the NaN breaks the line
    expect(paths[1].attrs['stroke-dasharray']).toBe('6 4');
    const legend = byClass(svg, 'g', 'legend')[0];
    expect(all(legend, (e) => e.name === 'text').map(textOf)).toEqual(['flow', 'HMC']);
  });

  it('a log x axis has its ticks at the decades, and x = 10^k sit evenly spaced', () => {
    const svg = parseXml(lineChartSvg([{ label: 'L_K', x: K, y: lk }], { logX: true, xLabel: 'K' }));
    const xAxis = byClass(svg, 'g', 'x-axis')[0];
    expect(xAxis.attrs['data-ticks']).toBe('1 10 100 1000');
    expect(all(xAxis, (e) => e.name === 'text').map(textOf)).toEqual(['1', '10', '100', '1000']);
    const xs = vertices(byClass(svg, 'path', 'series')[0].attrs.d).map((v) => v[0]);
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0], 1);
  });

  it('a log y axis has decade ticks and leaves out values ≤ 0; a chart with nothing to draw on it says so', () => {
    const svg = parseXml(lineChartSvg([{ label: 'KL', x: [10, 100, 1000, 10_000, 100_000], y: [3, 0.4, 0.05, 0, 0.0008] }], { logX: true, logY: true }));
    expect(byClass(svg, 'g', 'y-axis')[0].attrs['data-ticks']).toBe('0.001 0.01 0.1 1');
    expect(byClass(svg, 'g', 'x-axis')[0].attrs['data-ticks']).toBe('10 100 1000 10000 100000');
    expect(byClass(svg, 'path', 'series')[0].attrs['data-points']).toBe('4');
    expect(() => lineChartSvg([{ label: 'a', x: [1, 2], y: [0, -1] }], { logY: true })).toThrow(/no finite points to plot \(a log axis leaves out values ≤ 0\)/);
    expect(() => lineChartSvg([{ label: 'a', x: [1, 2], y: [1, 2] }], { logY: true, yRange: [0, 1] })).toThrow(/yRange must be \[lo, hi\] with lo < hi and lo > 0 on a log axis, got \[0, 1\]/);
  });

  it('error bars: one bar with two caps per point, spanning y ± err on the y scale', () => {
    const svg = parseXml(lineChartSvg([{ label: 'L_K', x: K, y: lk, err: [...se.slice(0, 3), NaN] }], { logX: true, yRange: [-13, -10] }));
    const bars = byClass(svg, 'path', 'errorbars');
    expect(bars.length).toBe(1);
    const d = bars[0].attrs.d;
    expect(d.match(/V/g)?.length).toBe(3); // the NaN error has no bar
    expect(d.match(/h6/g)?.length).toBe(6);
    // y ∈ [-13, -10] onto [bottom 368, top 16]: a bar's pixel length is 2·err·352/3.
    const first = /^M[\d.]+ ([\d.]+)V([\d.]+)/.exec(d)!;
    expect(Number(first[1]) - Number(first[2])).toBeCloseTo((2 * se[0] * 352) / 3, 1);
    expect(byClass(svg, 'g', 'markers')[0].children.length).toBe(4); // markers by default with error bars
  });

  it('reference lines are drawn and labelled, and widen the default y range to include them', () => {
    const svg = parseXml(lineChartSvg([{ label: 'L_K', x: K, y: lk }], { logX: true, references: [{ y: -10, label: 'log p(y) exact' }] }));
    const ref = byClass(svg, 'line', 'reference');
    expect(ref.map((r) => r.attrs['data-label'])).toEqual(['log p(y) exact']);
    const top = 16, bottom = 368;
    const y = Number(ref[0].attrs.y1);
    expect(y).toBeGreaterThan(top);
    expect(y).toBeLessThan(bottom);
    expect(all(svg, (e) => e.name === 'text').map(textOf)).toContain('log p(y) exact');
  });

  it('escapes text, is deterministic, and keeps the ising callers’ contract (one <path> per series)', () => {
    const series = [{ label: 'a <b> & "c"', x: [0, 1, 2], y: [1, 2, 3] }, { label: 'b', x: [0, 2], y: [2, 2], dashed: true }];
    const text = lineChartSvg(series, { title: "F & G's <chart>", yLabel: '<y>' });
    expect(text).toBe(lineChartSvg(series, { title: "F & G's <chart>", yLabel: '<y>' }));
    const svg = parseXml(text);
    expect(all(svg, (e) => e.name === 'text').map(textOf)).toEqual(expect.arrayContaining(['F &amp; G&apos;s &lt;chart&gt;', '&lt;y&gt;', 'a &lt;b&gt; &amp; &quot;c&quot;']));
    expect(text.match(/<path /g)?.length).toBe(2);
    expect(() => lineChartSvg([{ label: 'a', x: [0], y: [NaN] }])).toThrow(/no finite points/);
  });

  it('logTicks: decades, thinned over many decades, 1-2-5 within one', () => {
    expect(logTicks(0.8, 1200)).toEqual([1, 10, 100, 1000]);
    expect(logTicks(1e-12, 1e12)).toEqual([1e-12, 1e-8, 1e-4, 1, 1e4, 1e8, 1e12]);
    expect(logTicks(1.5, 60)).toEqual([2, 5, 10, 20, 50]);
  });
});
