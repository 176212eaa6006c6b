import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { histogram, type MetricRecord } from '../../src/metrics/records.ts';
import { guardFinite, NonFiniteMetricError, openRun, superviseRun } from '../../src/sinks/index.ts';
import { duck, lit, query } from './readBack.ts';

let root: string;
let db: DuckDBConnection;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'qubit-rx-guard-'));
  db = await duck();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const s = (step: number, values: Record<string, number>): MetricRecord => ({ kind: 'scalars', step, wallTime: 1_700_000_000_000 + step, values });

describe('guardFinite', () => {
  it('stops the run at a NaN loss: status failed with the reason, every earlier step kept', async () => {
    const run = await openRun({ root, pipeline: 'guard', config: {}, seed: 0, backend: 'cpu' });
    const records = [s(0, { loss: 1 }), histogram('m', 0, [0.1], 2, 0, 1), s(1, { loss: 0.5 }), s(2, { loss: NaN }), s(3, { loss: 0.25 })];
    const outcome = await superviseRun(run, from(records).pipe(guardFinite()));
    expect(outcome).toEqual({ status: 'failed', reason: 'loss is NaN at step 2', exitCode: 1, dir: run.dir });
    const steps = await query(db, `SELECT list(step ORDER BY step) AS steps FROM read_parquet(${lit(join(run.dir, 'scalars-*.parquet'))})`);
    expect(steps[0].steps).toEqual([0n, 1n]);
    const [r] = await query(db, `SELECT status, reason, end_time IS NOT NULL AS ended FROM read_parquet(${lit(join(run.dir, 'run.parquet'))})`);
    expect(r).toEqual({ status: 'failed', reason: 'loss is NaN at step 2', ended: true });
  });

  it('skips non-finite steps when configured, telling onSkip about each', async () => {
    const skipped: NonFiniteMetricError[] = [];
    const records = [s(0, { loss: 1 }), s(1, { loss: Infinity }), s(2, { loss: -Infinity }), s(3, { loss: 2 })];
    const out = await lastValueFrom(from(records).pipe(guardFinite({ onNonFinite: 'skip', onSkip: (e) => skipped.push(e) }), toArray()));
    expect(out.map((r) => (r.kind === 'scalars' ? r.step : -1))).toEqual([0, 3]);
    expect(skipped.map((e) => e.message)).toEqual(['loss is Infinity at step 1', 'loss is -Infinity at step 2']);
  });

  it('checks only the guarded keys (default loss; all on request) and lets other records through', async () => {
    const records = [s(0, { loss: 1, nll_exact: NaN }), { kind: 'row', table: 't', row: { v: NaN } } as MetricRecord];
    expect(await lastValueFrom(from(records).pipe(guardFinite(), toArray()))).toEqual(records);
    await expect(lastValueFrom(from(records).pipe(guardFinite({ keys: 'all' })))).rejects.toThrow(new NonFiniteMetricError('nll_exact', 0, NaN));
    await expect(lastValueFrom(from([s(4, { kl: NaN })]).pipe(guardFinite({ keys: ['loss', 'kl'] })))).rejects.toThrow('kl is NaN at step 4');
  });

  it('marbles: fail errors at the bad step, skip drops it; order, completion and unsubscription kept', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const values = { a: s(0, { loss: 1 }), b: s(1, { loss: NaN }), c: s(2, { loss: 3 }) };
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c|', values);
      expectObservable(source.pipe(guardFinite())).toBe('a-#', values, new NonFiniteMetricError('loss', 1, NaN));
      expectObservable(source.pipe(guardFinite({ onNonFinite: 'skip' }))).toBe('a---c|', values);
      expectObservable(source.pipe(guardFinite({ onNonFinite: 'skip' })), '^--!').toBe('a--', values);
      expectSubscriptions(source.subscriptions).toBe(['^-!', '^----!', '^--!']);
    });
  });

  it('rejects an unknown mode', () => {
    expect(() => guardFinite({ onNonFinite: 'ignore' as 'skip' })).toThrow(`guardFinite: onNonFinite must be 'fail' or 'skip', got "ignore"`);
  });
});
