import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, from, lastValueFrom, throwError, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistogramRecord, ScalarsRecord } from '../../../src/metrics/records.ts';
import { plots } from '../../../src/views/plots/plots.ts';
import { niceTicks, viridis } from '../../../src/views/plots/svg.ts';
import { syntheticMetrics } from '../syntheticMetrics.ts';
import { parseXml } from './parseXml.ts';
import { all, vertices } from './xmlQuery.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'plots-'));
  dirs.push(d);
  return d;
};

describe('plots', () => {
  it('writes well-formed SVGs at completion: one path per metric with one vertex per finite value', async () => {
    const dir = tmp();
    const records = syntheticMetrics(400, 20);
    // A NaN loss at one step: the line breaks there and that point is not drawn.
    const first = records[0] as ScalarsRecord;
    records[0] = { ...first, values: { ...first.values, loss: NaN } };
    let written: string[] = [];
    const passed = await lastValueFrom(from(records).pipe(plots(dir, { title: 'run-x', onWritten: (p) => (written = p) }), toArray()));
    expect(passed).toEqual(records);
    expect(written).toEqual([join(dir, 'scalars.svg'), join(dir, 'histograms.svg')]);

    const svg = parseXml(readFileSync(join(dir, 'scalars.svg'), 'utf8'));
    expect(svg.name).toBe('svg');
    expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    const paths = all(svg, (e) => e.name === 'path' && e.attrs.class === 'series');
    expect(paths.map((p) => p.attrs['data-key'])).toEqual(['loss', 'kl', 'latent_norm', 'latent_fluctuation']);
    const steps = 20; // 400 / 20 records
    for (const p of paths) {
      const want = p.attrs['data-key'] === 'loss' ? steps - 1 : steps;
      expect([p.attrs['data-key'], vertices(p.attrs.d).length]).toEqual([p.attrs['data-key'], want]);
      expect(Number(p.attrs['data-points'])).toBe(want);
    }
    // x increases with step; the loss (decaying) ends lower than it starts, i.e. a larger SVG y.
    const loss = vertices(paths[0].attrs.d);
    expect(loss.every((v, i) => i === 0 || v[0] > loss[i - 1][0])).toBe(true);
    expect(loss[loss.length - 1][1]).toBeGreaterThan(loss[0][1]);

    const hsvg = parseXml(readFileSync(join(dir, 'histograms.svg'), 'utf8'));
    const heat = all(hsvg, (e) => e.name === 'g' && e.attrs.class === 'heatmap');
    expect(heat.map((g) => [g.attrs['data-tag'], g.attrs['data-columns']])).toEqual([
      ['magnetisation', '20'],
      ['m', '20'],
      ['z', '20'],
    ]);
    const finals = all(hsvg, (e) => e.name === 'g' && e.attrs.class === 'final');
    expect(finals.map((g) => all(g, (e) => e.attrs.class === 'bar').length)).toEqual([30, 30, 30]);
    // Each heat-map column: one background cell + one per non-empty bin.
    const hist = records.filter((r): r is HistogramRecord => r.kind === 'histogram' && r.tag === 'm');
    const cells = hist.reduce((n, h) => n + 1 + h.counts.filter((c) => c > 0).length, 0);
    expect(all(heat[1], (e) => e.attrs.class === 'cell').length).toBe(cells);
  });

  it('a run that fails still leaves its figures; one without histograms gets only scalars.svg', async () => {
    const dir = tmp();
    const scalars = syntheticMetrics(100, 20).filter((r) => r.kind === 'scalars');
    const src = concat(from(scalars), throwError(() => new Error('diverged')));
    await expect(lastValueFrom(src.pipe(plots(dir)))).rejects.toThrow('diverged');
    expect(existsSync(join(dir, 'scalars.svg'))).toBe(true);
    expect(existsSync(join(dir, 'histograms.svg'))).toBe(false);
  });

  it('a write failure at completion errors the stream with the path', async () => {
    const file = join(tmp(), 'not-a-dir');
    writeFileSync(file, 'x');
    await expect(lastValueFrom(from(syntheticMetrics(40, 20)).pipe(plots(join(file, 'sub'))))).rejects.toThrow(/plots: cannot create .*not-a-dir\/sub/);
  });

  it('ticks are round and cover the range; viridis spans its ends', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(23, 1980, 5)).toEqual([500, 1000, 1500]);
    expect(niceTicks(-0.37, 0.41, 4)).toEqual([-0.2, 0, 0.2, 0.4]);
    expect([viridis(0), viridis(1)]).toEqual(['#440154', '#fde725']);
  });
});
