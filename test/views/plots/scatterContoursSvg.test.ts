import { describe, expect, it } from 'vitest';
import type { DensityGrid } from '../../../src/views/plots/contourPaths.ts';
import { scatterContoursSvg, type ScatterContoursOptions } from '../../../src/views/plots/scatterContoursSvg.ts';
import { Rng } from '../../../src/random/rng.ts';
import { parseXml } from './parseXml.ts';
import { all, byClass, textOf, vertices } from './xmlQuery.ts';

/** A standard normal on [-4, 4]²: its HPD level for mass p is exp(−χ²₂(p)/2)/(2π), χ²₂(p) = −2 ln(1 − p). */
function normalGrid(n = 81): DensityGrid {
  const density = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const x = -4 + (8 * i) / (n - 1), y = -4 + (8 * j) / (n - 1);
      density[j * n + i] = Math.exp(-(x * x + y * y) / 2) / (2 * Math.PI);
    }
  }
  return { x: [-4, 4], y: [-4, 4], nx: n, ny: n, density };
}
const hpd = (p: number) => (1 - p) / (2 * Math.PI);

function draws(n: number, seed: number, scale = 1): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: 2 * n }, () => scale * rng.normal());
}

const options = (): ScatterContoursOptions => ({
  grid: normalGrid(),
  levels: [hpd(0.5), hpd(0.9), hpd(0.99)],
  levelLabels: ['50 %', '90 %', '99 %'],
  panels: [
    { title: 'flow', points: draws(500, 1) },
    { title: 'HMC', points: draws(5000, 2) },
    { title: 'too wide <σ = 3>', points: draws(300, 3, 3), color: '#000000' },
  ],
  xLabel: 'θ₁',
  yLabel: 'θ₂',
  title: 'standard normal & friends',
  columns: 2,
});

describe('scatterContoursSvg', () => {
  it('one panel per method, each with its draws and the same exact contours on the same axes', () => {
    const text = scatterContoursSvg(options());
    const svg = parseXml(text);
    const panels = byClass(svg, 'g', 'panel');
    expect(panels.map((p) => p.attrs['data-title'])).toEqual(['flow', 'HMC', 'too wide &lt;σ = 3&gt;']);
    expect(panels.map((p) => p.attrs.transform)).toEqual(['translate(0 52)', 'translate(328 52)', 'translate(0 394)']);
    const contours = panels.map((p) => byClass(p, 'path', 'contour').map((c) => c.attrs.d));
    expect(contours[0].length).toBe(3);
    expect(contours[1]).toEqual(contours[0]);
    expect(contours[2]).toEqual(contours[0]);
    // The 90 % contour is the circle of radius √(−2 ln 0.1) ≈ 2.146: 260 px for 8 units, centred at (182, 170).
    const r = Math.sqrt(-2 * Math.log(0.1)) * (260 / 8);
    for (const [x, y] of vertices(contours[0][1])) expect(Math.abs(Math.hypot(x - 182, y - 170) - r)).toBeLessThan(260 / 80);
    expect(all(byClass(svg, 'g', 'level-legend')[0], (e) => e.name === 'text').map(textOf)).toEqual(['exact:', '50 %', '90 %', '99 %']);
    expect(text).toBe(scatterContoursSvg(options()));
  });

  it('caps the dots per panel by an even stride and leaves out draws outside the axes', () => {
    const svg = parseXml(scatterContoursSvg({ ...options(), maxPoints: 1000 }));
    const pts = byClass(svg, 'g', 'points').map((g) => [g.attrs['data-total'], Number(g.attrs['data-drawn']) + Number(g.attrs['data-outside']), g.children.length]);
    expect(pts[0]).toEqual(['500', 500, Number(byClass(svg, 'g', 'points')[0].attrs['data-drawn'])]);
    expect(pts[1].slice(0, 2)).toEqual(['5000', 1000]);
    const wide = byClass(svg, 'g', 'points')[2];
    expect(Number(wide.attrs['data-outside'])).toBeGreaterThan(10); // σ = 3 on ±4 axes
    expect(wide.children.length).toBe(Number(wide.attrs['data-drawn']));
    const heads = all(svg, (e) => e.name === 'text' && e.children.some((c) => c.name === 'tspan'));
    expect(heads.map((h) => [h.children[0].text, h.text])).toEqual([
      ['flow', ' (500 draws)'],
      ['HMC', ' (1000 of 5000 draws)'],
      ['too wide &lt;σ = 3&gt;', ` (300 draws, ${wide.attrs['data-outside']} outside the axes)`],
    ]);
    // Every dot lies inside its panel's plot area.
    for (const c of all(svg, (e) => e.name === 'circle')) {
      expect(Number(c.attrs.cx)).toBeGreaterThanOrEqual(52);
      expect(Number(c.attrs.cx)).toBeLessThanOrEqual(312);
    }
  });

  it('checks its arguments', () => {
    expect(() => scatterContoursSvg({ ...options(), panels: [{ title: 'x', points: new Float64Array(3) }] })).toThrow(/panels\[0\]\.points must hold x, y pairs \(shape \[n, 2\]\), got 3 numbers/);
    expect(() => scatterContoursSvg({ ...options(), levelLabels: ['a'] })).toThrow(/one label per level \(3\), got 1/);
    expect(() => scatterContoursSvg({ ...options(), maxPoints: 0 })).toThrow(/maxPoints must be an integer ≥ 1, got 0/);
  });
});
