import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { RecordBatchReader, type RecordBatch } from 'apache-arrow';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, from, lastValueFrom, NEVER, Subject, throwError, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { histogram, type MetricRecord } from '../../src/metrics/records.ts';
import { openRun, persist, type Run } from '../../src/sinks/index.ts';
import { makeRunId } from '../../src/sinks/makeRunId.ts';
import { duck, lit, query, types } from './readBack.ts';

let root: string;
let db: DuckDBConnection;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'qubit-rx-sinks-'));
  db = await duck();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const open = (over: Partial<Parameters<typeof openRun>[0]> = {}): Promise<Run> =>
  openRun({ root, pipeline: 'test-pipe', config: { scheme: 'random', epsilon: 0.2, qubits: 200, note: 'x', flag: true, nested: { a: [1, 2] } }, seed: 7, backend: 'cpu', flushMs: 60_000, ...over });

const scalars = (step: number, values: Record<string, number>): MetricRecord => ({ kind: 'scalars', step, wallTime: T0 + 1000 * step, values });
const files = (dir: string, prefix: string): string[] => readdirSync(dir).filter((f) => f.startsWith(prefix)).sort();
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : x)));

describe('openRun + persist round trip, read back by DuckDB', () => {
  it('writes scalars as BIGINT step, TIMESTAMPTZ wall_time and one DOUBLE per metric, columns unioned across segments', async () => {
    const run = await open();
    const records = [scalars(0, { loss: 2.5, kl: 0.5 }), scalars(1, { loss: 1.25, kl: 0.25 })];
    // Flush between the two halves: a metric that first appears later lives in later segments only.
    await lastValueFrom(from(records).pipe(persist(run)));
    await lastValueFrom(from([scalars(2, { loss: 1, kl: 0.125, nll_exact: -3.5 }), scalars(3, { loss: 0.5, kl: 0.0625 })]).pipe(persist(run)));
    await run.close('completed');

    expect(files(run.dir, 'scalars-')).toEqual(['scalars-00000.parquet', 'scalars-00001.parquet']);
    const glob = lit(join(run.dir, 'scalars-*.parquet'));
    expect(await types(db, `read_parquet(${glob}, union_by_name = true)`)).toEqual({
      run_id: 'VARCHAR', step: 'BIGINT', wall_time: 'TIMESTAMP WITH TIME ZONE', loss: 'DOUBLE', kl: 'DOUBLE', nll_exact: 'DOUBLE',
    });
    const rows = await query(db, `SELECT run_id, step, epoch_ms(wall_time) AS ms, loss, kl, nll_exact FROM read_parquet(${glob}, union_by_name = true) ORDER BY step`);
    expect(json(rows)).toEqual([
      { run_id: run.id, step: 0, ms: T0, loss: 2.5, kl: 0.5, nll_exact: null },
      { run_id: run.id, step: 1, ms: T0 + 1000, loss: 1.25, kl: 0.25, nll_exact: null },
      { run_id: run.id, step: 2, ms: T0 + 2000, loss: 1, kl: 0.125, nll_exact: -3.5 },
      { run_id: run.id, step: 3, ms: T0 + 3000, loss: 0.5, kl: 0.0625, nll_exact: null },
    ]);
    expect(run.written()).toEqual({ scalars: 4 });
  });

  it('appends every flush of scalars to scalars.arrows, an Arrow IPC stream file another process can tail', async () => {
    const run = await open();
    await lastValueFrom(from([scalars(0, { loss: 2 }), scalars(1, { loss: 1 })]).pipe(persist(run)));
    await lastValueFrom(from([scalars(2, { loss: 0.5, kl: 3 })]).pipe(persist(run)));
    await run.close('completed');
    // One complete stream per flush, so a schema change (kl appears) simply starts the next stream.
    const batches: RecordBatch[] = [];
    // Each reader must be drained before the next one is opened.
    for (const reader of RecordBatchReader.readAll(readFileSync(join(run.dir, 'scalars.arrows')))) batches.push(...reader);
    const rows = batches.flatMap((b) => b.toArray().map((r) => json({ step: r.step, loss: r.loss, kl: r.kl ?? null })));
    expect(rows).toEqual([{ step: 0, loss: 2, kl: null }, { step: 1, loss: 1, kl: null }, { step: 2, loss: 0.5, kl: 3 }]);
    expect(existsSync(join(run.dir, 'histograms.arrows'))).toBe(false); // nothing flushed to it
  });

  it('writes histograms as long rows (tag, bin, lo, hi, count) whose counts match the values binned', async () => {
    const run = await open();
    const values = [-0.95, -0.5, -0.1, 0.05, 0.3, 0.31, 0.99, 7];
    await lastValueFrom(from([histogram('m', 10, values, 4, -1, 1, T0), histogram('z', 10, [0, 0, 0.5], 2, 0, 1, T0)]).pipe(persist(run)));
    await run.close('completed');
    const glob = lit(join(run.dir, 'histograms-*.parquet'));
    expect(await types(db, `read_parquet(${glob})`)).toEqual({
      run_id: 'VARCHAR', step: 'BIGINT', wall_time: 'TIMESTAMP WITH TIME ZONE', tag: 'VARCHAR', bin: 'INTEGER', lo: 'DOUBLE', hi: 'DOUBLE', count: 'DOUBLE',
    });
    const rows = await query(db, `SELECT tag, bin, lo, hi, count FROM read_parquet(${glob}) WHERE step = 10 ORDER BY tag, bin`);
    expect(json(rows)).toEqual([
      { tag: 'm', bin: 0, lo: -1, hi: -0.5, count: 1 },
      { tag: 'm', bin: 1, lo: -0.5, hi: 0, count: 2 }, // -0.5 falls in [-0.5, 0)
      { tag: 'm', bin: 2, lo: 0, hi: 0.5, count: 3 },
      { tag: 'm', bin: 3, lo: 0.5, hi: 1, count: 2 }, // 7 is clamped into the last bin
      { tag: 'z', bin: 0, lo: 0, hi: 0.5, count: 2 },
      { tag: 'z', bin: 1, lo: 0.5, hi: 1, count: 1 },
    ]);
  });

  it('writes row tables with list columns, nulls and the types of their first values', async () => {
    const run = await open();
    const rows: MetricRecord[] = [0, 1, 2].map((i) => ({
      kind: 'row',
      table: 'samples',
      row: { index: BigInt(i), x: new Float32Array([1, -1, 0.5 * i]), ...(i === 1 ? {} : { w: [i, i + 0.25] }), log_prob: -i - 0.125, label: `r${i}`, ok: i % 2 === 0 },
    }));
    await lastValueFrom(from(rows).pipe(persist(run)));
    await run.close('completed');
    const glob = lit(join(run.dir, 'samples-*.parquet'));
    expect(await types(db, `read_parquet(${glob})`)).toEqual({
      run_id: 'VARCHAR', index: 'BIGINT', x: 'FLOAT[]', w: 'DOUBLE[]', log_prob: 'DOUBLE', label: 'VARCHAR', ok: 'BOOLEAN',
    });
    const back = await query(db, `SELECT index, x, w, log_prob, label, ok FROM read_parquet(${glob}) ORDER BY index`);
    expect(json(back)).toEqual([
      { index: 0, x: [1, -1, 0], w: [0, 0.25], log_prob: -0.125, label: 'r0', ok: true },
      { index: 1, x: [1, -1, 0.5], w: null, log_prob: -1.125, label: 'r1', ok: false },
      { index: 2, x: [1, -1, 1], w: [2, 2.25], log_prob: -2.125, label: 'r2', ok: true },
    ]);
  });

  it('keeps one run table row: config as typed columns and JSON, provenance, status and times', async () => {
    const before = Date.now();
    const run = await open();
    const runFile = lit(join(run.dir, 'run.parquet'));
    const [opened] = json(await query(db, `SELECT status, end_time FROM read_parquet(${runFile})`)) as { status: string; end_time: unknown }[];
    expect(opened).toEqual({ status: 'running', end_time: null });

    await run.close('failed', 'loss is NaN at step 3');
    const t = await types(db, `read_parquet(${runFile})`);
    expect(t).toMatchObject({
      run_id: 'VARCHAR', pipeline: 'VARCHAR', status: 'VARCHAR', reason: 'VARCHAR', start_time: 'TIMESTAMP WITH TIME ZONE', end_time: 'TIMESTAMP WITH TIME ZONE',
      seed: 'BIGINT', backend: 'VARCHAR', config_json: 'VARCHAR', versions_json: 'VARCHAR', scheme: 'VARCHAR', epsilon: 'DOUBLE', qubits: 'DOUBLE', note: 'VARCHAR', flag: 'BOOLEAN',
    });
    expect(t).not.toHaveProperty('nested'); // non-scalar config lives in config_json only
    const [row] = (await query(db, `SELECT *, epoch_ms(start_time) AS start_ms, epoch_ms(end_time) AS end_ms FROM read_parquet(${runFile})`)) as Record<string, unknown>[];
    expect(json(row)).toMatchObject({ run_id: run.id, pipeline: 'test-pipe', status: 'failed', reason: 'loss is NaN at step 3', seed: 7, backend: 'cpu', scheme: 'random', epsilon: 0.2, qubits: 200, note: 'x', flag: true });
    expect(JSON.parse(row.config_json as string)).toEqual({ scheme: 'random', epsilon: 0.2, qubits: 200, note: 'x', flag: true, nested: { a: [1, 2] } });
    expect(JSON.parse(row.versions_json as string)).toMatchObject({ node: process.version, 'apache-arrow': expect.any(String), 'parquet-wasm': expect.any(String) });
    expect(Number(row.start_ms)).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(row.end_ms)).toBeGreaterThanOrEqual(Number(row.start_ms));
    // closing again is a no-op that keeps the first status
    await run.close('completed');
    const [again] = await query(db, `SELECT status FROM read_parquet(${runFile})`);
    expect(again.status).toBe('failed');
  });

  it('joins a sweep of runs through run_id with one glob per table', async () => {
    const sweep = join(root, 'sweep');
    for (const epsilon of [0.1, 0.2, 0.4]) {
      const run = await open({ root: sweep, config: { scheme: 'fixed', epsilon, qubits: 20 } });
      await lastValueFrom(from([scalars(0, { loss: epsilon }), scalars(1, { loss: epsilon / 2 })]).pipe(persist(run)));
      await run.close('completed');
    }
    const rows = await query(db, `
      SELECT r.epsilon, min(s.loss) AS final_loss, count(*) AS n
      FROM read_parquet(${lit(join(sweep, 'test-pipe/*/scalars-*.parquet'))}, union_by_name = true) s
      JOIN read_parquet(${lit(join(sweep, 'test-pipe/*/run.parquet'))}, union_by_name = true) r USING (run_id)
      WHERE r.scheme = 'fixed' GROUP BY r.epsilon ORDER BY r.epsilon`);
    expect(json(rows)).toEqual([
      { epsilon: 0.1, final_loss: 0.05, n: 2 },
      { epsilon: 0.2, final_loss: 0.1, n: 2 },
      { epsilon: 0.4, final_loss: 0.2, n: 2 },
    ]);
  });

  it('never reuses a directory: runs opened in the same second get distinct, sortable ids', async () => {
    const runs = await Promise.all([open(), open(), open()]);
    expect(new Set(runs.map((r) => r.dir)).size).toBe(3);
    await Promise.all(runs.map((r) => r.close('completed')));
    expect(makeRunId(Date.UTC(2025, 0, 2, 3, 4, 5), 12, 'abcd')).toBe('20250102T030405Z-s12-abcd');
    expect(makeRunId(Date.UTC(2025, 0, 2, 3, 4, 5), 0, 'ffff') < makeRunId(Date.UTC(2025, 0, 2, 3, 4, 6), 0, '0000')).toBe(true);
  });
});

describe('persist as an operator', () => {
  it('passes every record through unchanged and in order', async () => {
    const run = await open();
    const records = [scalars(0, { loss: 1 }), histogram('m', 0, [0.5], 2, 0, 1), { kind: 'row', table: 'latents', row: { z: 1 } } as MetricRecord];
    expect(await lastValueFrom(from(records).pipe(persist(run), toArray()))).toEqual(records);
    await run.close('completed');
  });

  it('completes only once the rows are on disk', async () => {
    const run = await open();
    await lastValueFrom(from([scalars(0, { loss: 1 }), scalars(1, { loss: 2 })]).pipe(persist(run)));
    expect(run.written()).toEqual({ scalars: 2 }); // before close: the completion flushed
    await run.close('completed');
  });

  it('flushes what arrived before an upstream error, then forwards that error', async () => {
    const run = await open();
    const failing = concat(from([scalars(0, { loss: 1 }), scalars(1, { loss: 2 })]), throwError(() => new Error('boom')));
    await expect(lastValueFrom(failing.pipe(persist(run)))).rejects.toThrow('boom');
    expect(run.written()).toEqual({ scalars: 2 });
    await run.close('failed', 'boom');
  });

  it('errors on a record that does not fit its table, without buffering any part of it', async () => {
    const run = await open();
    const bad = { kind: 'row', table: 'samples', row: { index: 1n, x: 'oops' } } as unknown as MetricRecord;
    const good = { kind: 'row', table: 'samples', row: { index: 0n, x: new Float32Array([1]) } } as MetricRecord;
    await expect(lastValueFrom(from([good, bad]).pipe(persist(run)))).rejects.toThrow('table samples: column x holds list<float32>, got string');
    await run.close('failed');
    expect(run.written()).toEqual({ samples: 1 });
  });

  it('flushes on its timer while the stream is still open, and stops writing after unsubscribe', async () => {
    const run = await open({ flushMs: 30 });
    const subject = new Subject<MetricRecord>();
    const sub = concat(subject, NEVER).pipe(persist(run)).subscribe();
    subject.next(scalars(0, { loss: 1 }));
    await waitFor(() => (run.written().scalars ?? 0) === 1);
    subject.next(scalars(1, { loss: 1 }));
    sub.unsubscribe();
    subject.next(scalars(2, { loss: 1 })); // not persisted: nobody listens any more
    await run.close('interrupted', 'test');
    expect(run.written()).toEqual({ scalars: 2 });
  });

  it('grows one segment file per table across flushes, rewriting it whole each time', async () => {
    const run = await open();
    for (let k = 0; k < 3; k++) await lastValueFrom(from([scalars(2 * k, { loss: k }), scalars(2 * k + 1, { loss: k })]).pipe(persist(run)));
    expect(files(run.dir, 'scalars-')).toEqual(['scalars-00000.parquet']);
    const [r] = await query(db, `SELECT list(step ORDER BY step) AS steps FROM read_parquet(${lit(join(run.dir, 'scalars-00000.parquet'))})`);
    expect(r.steps).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    await run.close('completed');
  });

  it('starts a new segment once the open one holds segmentBytes, and flushes early past maxBufferBytes', async () => {
    const run = await open({ maxBufferBytes: 8 * 1024, segmentBytes: 8 * 1024 });
    const rows: MetricRecord[] = Array.from({ length: 100 }, (_, i) => ({ kind: 'row', table: 'samples', row: { index: BigInt(i), x: new Float32Array(64).fill(i) } }));
    await lastValueFrom(from(rows).pipe(persist(run)));
    await run.close('completed');
    const segments = files(run.dir, 'samples-');
    expect(segments.length).toBeGreaterThan(2);
    // every segment is a complete file on its own, and together they hold each row once, in order
    let next = 0;
    for (const f of segments) {
      const [r] = await query(db, `SELECT min(index) AS lo, max(index) AS hi, count(*) AS n, bool_and(x[1] = index) AS ok FROM read_parquet(${lit(join(run.dir, f))})`);
      expect(json(r)).toEqual({ lo: next, hi: next + Number(r.n) - 1, n: Number(r.n), ok: true });
      next += Number(r.n);
    }
    expect(next).toBe(100);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
