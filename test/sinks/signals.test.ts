import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus } from '../../src/simulators/index.ts';
import { duck, lit, query } from './readBack.ts';
import { spawnTs, waitForSegments } from './spawnRun.ts';

let root: string;
let db: DuckDBConnection;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'qubit-rx-signals-'));
  db = await duck();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const one = async (sql: string): Promise<Record<string, unknown>> => (await query(db, sql))[0];

describe('runs stopped from outside', () => {
  it('SIGINT flushes, marks the run interrupted, exits 130 and loses no step', async () => {
    const p = spawnTs('test/sinks/fixtures/tickRun.ts', [join(root, 'int'), '100', String(64 * 1024)]);
    const dirOf = (): string | undefined => /^dir (.+)$/m.exec(p.stdout())?.[1];
    const dir = await waitForSegments(dirOf, 'scalars-', 2);
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(130);
    const emitted = Number(/^emitted (\d+)$/m.exec(p.stdout())?.[1]);
    expect(emitted).toBeGreaterThan(0);

    // Every step that reached persist before the signal is on disk, once: 0 … emitted−1.
    const s = await one(`SELECT count(*) AS n, count(DISTINCT step) AS d, min(step) AS lo, max(step) AS hi FROM read_parquet(${lit(join(dir, 'scalars-*.parquet'))})`);
    expect(s).toEqual({ n: BigInt(emitted), d: BigInt(emitted), lo: 0n, hi: BigInt(emitted - 1) });
    const h = await one(`SELECT count(DISTINCT step) AS d FROM read_parquet(${lit(join(dir, 'histograms-*.parquet'))})`);
    expect(h.d).toBe(BigInt(Math.ceil(emitted / 10)));
    const r = await one(`SELECT status, reason, end_time IS NOT NULL AS ended FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(r).toEqual({ status: 'interrupted', reason: 'SIGINT', ended: true });
  });

  it('SIGKILL mid-run leaves only valid segments holding every record up to the last flush', async () => {
    const out = join(root, 'kill');
    const p = spawnTs('src/cli/main.ts', [
      'sample', '--scheme', 'fixed', '--epsilon', '0.3', '--qubits', '200', '--records', '100000000', '--batch', '200',
      '--seed', '5', '--flush-interval', '0.05', '--backend', 'cpu', '--quiet', '--out', out,
    ]);
    const dirOf = (): string | undefined => {
      try {
        const [id] = readdirSync(join(out, 'sample-apparatus'));
        return id && join(out, 'sample-apparatus', id);
      } catch {
        return undefined;
      }
    };
    const dir = await waitForSegments(dirOf, 'samples-', 2);
    p.child.kill('SIGKILL');
    expect(await p.exited).toBe(137);

    // Each segment alone is a complete Parquet file; in name order they tile 0 … n−1 without gap or overlap.
    const leftovers = readdirSync(dir).filter((f) => !/^(run|samples-\d{5})\.parquet$/.test(f));
    expect(leftovers.every((f) => /^\..+\.parquet\.tmp$/.test(f))).toBe(true); // at most a hidden temporary, matched by no *.parquet glob
    const segments = readdirSync(dir).filter((f) => /^samples-\d{5}\.parquet$/.test(f)).sort();
    expect(segments.length).toBeGreaterThanOrEqual(2);
    let next = 0n;
    for (const f of segments) {
      const seg = await one(`SELECT min(index) AS lo, max(index) AS hi, count(*) AS n FROM read_parquet(${lit(join(dir, f))})`);
      expect(seg.lo).toBe(next);
      expect(seg.hi).toBe(next + (seg.n as bigint) - 1n);
      next += seg.n as bigint;
    }
    const run = await one(`SELECT status, end_time FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run).toEqual({ status: 'running', end_time: null }); // killed: never closed

    // The rows are the seeded stream's records, with their exact log-probabilities.
    const n = 5;
    const rows = await query(db, `SELECT index, x, log_prob, magnetisation FROM read_parquet(${lit(join(dir, 'samples-*.parquet'))}) ORDER BY index LIMIT ${n}`);
    const app = new Apparatus({ scheme: 'fixed', epsilon: 0.3, qubits: 200 });
    const expected = app.sample(n, new Rng(5).fork());
    const x = Float32Array.from(rows.flatMap((r) => r.x as number[]));
    expect(x).toEqual(expected);
    const lp = app.logProb(x, n);
    rows.forEach((r, i) => expect(r.log_prob).toBe(lp[i]));
  });
});
