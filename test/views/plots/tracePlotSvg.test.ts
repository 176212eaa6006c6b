import { describe, expect, it } from 'vitest';
import { envelope, tracePlotSvg } from '../../../src/views/plots/tracePlotSvg.ts';
import { Rng } from '../../../src/random/rng.ts';
import { parseXml } from './parseXml.ts';
import { byClass, vertices } from './xmlQuery.ts';

function chain(n: number, seed: number, mean = 0): Float64Array {
  const rng = new Rng(seed);
  let x = mean;
  return Float64Array.from({ length: n }, () => (x = mean + 0.9 * (x - mean) + 0.4 * rng.normal()));
}

describe('tracePlotSvg', () => {
  it('one row per parameter, one line and one marginal histogram per chain', () => {
    const series = [
      { label: 'θ₁', chains: [chain(500, 1), chain(500, 2), chain(400, 3)] },
      { label: 'log σ <scale>', chains: [chain(500, 4, 2), chain(500, 5, 2), chain(500, 6, 2)] },
    ];
    const text = tracePlotSvg({ series, title: 'NUTS & friends' });
    expect(text).toBe(tracePlotSvg({ series, title: 'NUTS & friends' }));
    const svg = parseXml(text);
    const rows = byClass(svg, 'g', 'row');
    expect(rows.map((r) => r.attrs['data-label'])).toEqual(['θ₁', 'log σ &lt;scale&gt;']);
    for (const row of rows) {
      expect(byClass(row, 'path', 'chain').map((p) => p.attrs['data-chain'])).toEqual(['0', '1', '2']);
      expect(byClass(row, 'path', 'marginal').length).toBe(3);
    }
    expect(byClass(rows[0], 'path', 'chain').map((p) => Number(p.attrs['data-points']))).toEqual([500, 500, 400]);
    // Chains of different colours; the histogram's step outline has one H and one V per bin.
    const strokes = byClass(rows[0], 'path', 'chain').map((p) => p.attrs.stroke);
    expect(new Set(strokes).size).toBe(3);
    const h = byClass(rows[0], 'path', 'marginal')[0].attrs.d;
    expect(h.match(/V/g)?.length).toBe(40);
  });

  it('long chains are drawn as their min/max envelope: at most maxPoints points, extremes kept', () => {
    const long = chain(100_000, 7);
    long[54_321] = 25; // a spike must survive downsampling
    const svg = parseXml(tracePlotSvg({ series: [{ label: 'x', chains: [long] }], title: 't', maxPoints: 2000 }));
    const p = byClass(svg, 'path', 'chain')[0];
    expect(Number(p.attrs['data-points'])).toBeLessThanOrEqual(2000);
    expect(Number(p.attrs['data-points'])).toBeGreaterThan(1900);
    const ys = vertices(p.attrs.d).map((v) => v[1]);
    // The spike is the row's maximum: 5 % padding below the plot's top edge (y 68, height 114).
    expect(Math.min(...ys)).toBeCloseTo(68 + (114 * 0.05) / 1.1, 1);
    const env = envelope(long, 2000);
    expect(env.some(([i, v]) => i === 54_321 && v === 25)).toBe(true);
    expect(env.every(([i], k) => k === 0 || i > env[k - 1][0])).toBe(true);
    expect(envelope(Float64Array.from([1, NaN, 3]), 10)).toEqual([[0, 1], [1, NaN], [2, 3]]);
  });

  it('non-finite draws break the line; a parameter without finite draws says so', () => {
    const c = chain(100, 1);
    c[50] = NaN;
    const svg = parseXml(tracePlotSvg({ series: [{ label: 'a', chains: [c] }, { label: 'b', chains: [Float64Array.of(NaN, Infinity)] }], title: 't' }));
    const p = byClass(svg, 'path', 'chain')[0];
    expect(p.attrs.d.match(/M/g)?.length).toBe(2);
    expect(p.attrs['data-points']).toBe('99');
    expect(byClass(svg, 'g', 'row')[1].children.some((e) => e.name === 'text' && e.text === 'no finite draws')).toBe(true);
    expect(() => tracePlotSvg({ series: [], title: 't', bins: 0 })).toThrow(/bins must be an integer ≥ 1, got 0/);
  });
});
