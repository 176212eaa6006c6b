import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { plotCommand } from '../../src/cli/commands/plot.ts';
import { openRun, persist } from '../../src/sinks/index.ts';
import { parseXml } from './plots/parseXml.ts';
import { syntheticMetrics } from './syntheticMetrics.ts';

let root: string;
const runDirs: string[] = [];
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'plotcmd-'));
  for (const seed of [1, 2]) {
    const run = await openRun({ root, pipeline: 'emergent-classicality', config: { variant: seed }, seed, backend: 'cpu' });
    await lastValueFrom(from(syntheticMetrics(200, 20, seed)).pipe(persist(run), toArray()));
    await run.close('completed');
    runDirs.push(run.dir);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function plot(...args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  try {
    await plotCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('plot command', () => {
  it('plots one finished run from its Parquet tables into its directory', async () => {
    await plot(runDirs[0]);
    expect(readdirSync(runDirs[0]).filter((f) => f.endsWith('.svg')).sort()).toEqual(['histograms.svg', 'scalars.svg']);
    const svg = parseXml(readFileSync(join(runDirs[0], 'scalars.svg'), 'utf8'));
    const title = svg.children.find((c) => c.name === 'title')!;
    expect(title.text).toContain('emergent-classicality/');
  });

  it('plots every run under a pipeline directory; --to writes elsewhere for a single run', async () => {
    const printed = await plot(join(root, 'emergent-classicality'));
    expect(printed.trim().split('\n').length).toBe(4);
    for (const dir of runDirs) expect(readdirSync(dir).filter((f) => f.endsWith('.svg')).length).toBe(2);
    const to = join(root, 'figs');
    await plot(runDirs[1], '--to', to);
    expect(readdirSync(to).sort()).toEqual(['histograms.svg', 'scalars.svg']);
  });

  it('one-line errors for a missing directory, a directory without runs, and --to with many runs', async () => {
    await expect(plot(join(root, 'nope'))).rejects.toThrow(`plot: ${join(root, 'nope')} is not a directory`);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(plot(empty)).rejects.toThrow(`plot: no run under ${empty} (a run directory holds scalars-*.parquet)`);
    await expect(plot(root, '--to', join(root, 'x'))).rejects.toThrow(/--to needs a single run, but .* holds 2/);
  });
});
