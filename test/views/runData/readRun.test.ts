import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistogramRecord, ScalarsRecord } from '../../../src/metrics/records.ts';
import { openRun, persist } from '../../../src/sinks/index.ts';
import { findRunDirs } from '../../../src/views/runData/findRunDirs.ts';
import { readRun } from '../../../src/views/runData/readRun.ts';
import { syntheticMetrics } from '../syntheticMetrics.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('readRun', () => {
  it('reads back what the Parquet sink wrote: every scalar, every histogram, config and status', async () => {
    const root = mkdtempSync(join(tmpdir(), 'runs-'));
    roots.push(root);
    const records = syntheticMetrics(200, 20);
    const config = { qubits: 100, epsilon: 0.2, scheme: 'random' };
    const run = await openRun({ root, pipeline: 'emergent-classicality', config, seed: 7, backend: 'cpu', flushMs: 60_000 });
    // Two flushes, so the run has two segments per table.
    await lastValueFrom(from(records.slice(0, 20)).pipe(persist(run), toArray()));
    await lastValueFrom(from(records.slice(20)).pipe(persist(run), toArray()));
    await run.close('completed');

    const data = await readRun(run.dir);
    const scalars = records.filter((r): r is ScalarsRecord => r.kind === 'scalars');
    const histograms = records.filter((r): r is HistogramRecord => r.kind === 'histogram');
    expect(data.scalars.map((s) => s.step)).toEqual(scalars.map((s) => s.step));
    expect(data.scalars.map((s) => s.values)).toEqual(scalars.map((s) => s.values));
    expect(data.scalars.map((s) => s.wallTime)).toEqual(scalars.map((s) => s.wallTime));
    expect(data.histograms.length).toBe(histograms.length);
    const key = (h: { step: number; tag: string }) => `${h.step}/${h.tag}`;
    const byKey = new Map(data.histograms.map((h) => [key(h), h]));
    for (const h of histograms) {
      const got = byKey.get(key(h))!;
      expect(got.edges).toEqual(Array.from(h.edges));
      expect(got.counts).toEqual(Array.from(h.counts));
    }
    expect(data.info).toMatchObject({ id: run.id, pipeline: 'emergent-classicality', config });
    expect(data.status).toBe('completed');
    expect(data.endedAt).toBeGreaterThanOrEqual(data.startedAt);
  });

  it('findRunDirs lists run directories newest first and never follows links out of the root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'runs-'));
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    roots.push(root, outside);
    for (const id of ['20250101T120000Z-s1-aaaa', '20250102T120000Z-s1-bbbb']) {
      mkdirSync(join(root, 'p', id), { recursive: true });
      writeFileSync(join(root, 'p', id, 'scalars-00000.parquet'), '');
    }
    mkdirSync(join(root, 'p', 'not-a-run'));
    mkdirSync(join(root, '.hidden', 'x'), { recursive: true });
    writeFileSync(join(root, '.hidden', 'x', 'scalars-00000.parquet'), '');
    mkdirSync(join(outside, 'leak'));
    writeFileSync(join(outside, 'leak', 'scalars-00000.parquet'), '');
    symlinkSync(outside, join(root, 'link'));
    const dirs = await findRunDirs(root);
    expect(dirs.map((d) => d.id)).toEqual(['p/20250102T120000Z-s1-bbbb', 'p/20250101T120000Z-s1-aaaa']);
    expect(dirs[0]).toMatchObject({ pipeline: 'p', run: '20250102T120000Z-s1-bbbb', path: join(root, 'p', '20250102T120000Z-s1-bbbb') });
  });
});
