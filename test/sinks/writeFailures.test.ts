import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, from, lastValueFrom, NEVER, Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MetricRecord } from '../../src/metrics/records.ts';
import { openRun, persist, SinkWriteError, superviseRun } from '../../src/sinks/index.ts';
import { duck, lit, query } from './readBack.ts';

let root: string;
let db: DuckDBConnection;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'qubit-rx-fail-'));
  db = await duck();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const s = (step: number): MetricRecord => ({ kind: 'scalars', step, wallTime: 1_700_000_000_000 + step, values: { loss: 1 / (step + 1) } });

describe('write failures', () => {
  it('an output root that cannot be created is a one-line error naming the path', async () => {
    // A regular file where a directory should be: fails for root too (unlike chmod).
    const blocker = join(root, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const err = await openRun({ root: join(blocker, 'output'), pipeline: 'p', config: {}, seed: 0, backend: 'cpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkWriteError);
    expect((err as Error).message).toBe(`cannot write ${join(blocker, 'output', 'p')}: not a directory (ENOTDIR)`);
  });

  it('a segment that cannot be written fails the run with a one-line error; earlier segments stay valid', async () => {
    // segmentBytes 0: every flush starts a new segment file.
    const run = await openRun({ root, pipeline: 'p', config: {}, seed: 0, backend: 'cpu', flushMs: 60_000, segmentBytes: 0 });
    // Stand-in for a full disk: the next segment's name is taken by a non-empty directory, so its rename fails.
    const blocked = join(run.dir, 'scalars-00001.parquet');
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'keep'), '');

    const input = new Subject<MetricRecord>();
    const outcome = superviseRun(run, concat(input, NEVER));
    for (let k = 0; k < 5; k++) input.next(s(k));
    await run.flush(); // segment 00000: steps 0–4
    for (let k = 5; k < 8; k++) input.next(s(k));
    await expect(run.flush()).rejects.toThrow(`cannot write ${blocked}: `);

    const result = await outcome; // the failure errors the stream: no further record is needed
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(result.reason).toMatch(new RegExp(`^cannot write ${blocked}: [^\\n]+\\((EISDIR|ENOTEMPTY|EEXIST)\\)$`));

    const rows = await query(db, `SELECT list(step ORDER BY step) AS steps FROM read_parquet(${lit(join(run.dir, 'scalars-00000.parquet'))})`);
    expect(rows[0].steps).toEqual([0n, 1n, 2n, 3n, 4n]);
    const [r] = await query(db, `SELECT status, reason FROM read_parquet(${lit(join(run.dir, 'run.parquet'))})`);
    expect(r.status).toBe('failed');
    expect(r.reason).toBe(result.reason);
    expect(readdirSync(run.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // no temporary left behind
  });

  it('a run whose directory disappears reports the segment path when the stream completes', async () => {
    const run = await openRun({ root, pipeline: 'p', config: {}, seed: 0, backend: 'cpu', flushMs: 60_000 });
    rmSync(run.dir, { recursive: true });
    const err = await lastValueFrom(from([s(0), s(1)]).pipe(persist(run))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkWriteError);
    expect((err as Error).message).toBe(`cannot write ${join(run.dir, 'scalars-00000.parquet')}: no such file or directory (ENOENT)`);
    await expect(run.close('failed')).rejects.toThrow(SinkWriteError);
  });
});
