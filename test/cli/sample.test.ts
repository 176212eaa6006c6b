import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { main } from '../../src/cli/main.ts';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus } from '../../src/simulators/index.ts';
import { duck, lit, query, types } from '../sinks/readBack.ts';
import { spawnTs, waitForSegments } from '../sinks/spawnRun.ts';

let root: string;
let db: DuckDBConnection;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'qubit-rx-sample-'));
  db = await duck();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI in this process, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('sample command', () => {
  it.each([
    [['--epsilon', '-1'], `--epsilon <ε>' argument '-1' is invalid. expected a number ≥ 0, got -1`],
    [['--epsilon', 'abc'], `--epsilon <ε>' argument 'abc' is invalid. expected a number ≥ 0, got "abc"`],
    [['--qubits', '0'], `--qubits <N>' argument '0' is invalid. expected an integer ≥ 1, got 0`],
    [['--qubits', '2.5'], `--qubits <N>' argument '2.5' is invalid. expected an integer ≥ 1, got 2.5`],
    [['--scheme', 'diagonal'], `--scheme <name>' argument 'diagonal' is invalid. expected one of fixed, random, got "diagonal"`],
    [['--records', '1e3x'], `--records <n>' argument '1e3x' is invalid. expected an integer ≥ 1, got "1e3x"`],
    [['--batch', '0'], `--batch <n>' argument '0' is invalid. expected an integer ≥ 1, got 0`],
    [['--flush-interval', '0'], `--flush-interval <s>' argument '0' is invalid. expected a number > 0, got 0`],
  ])('rejects %j with one line naming the option and its range, exit 2, nothing created', async (args, message) => {
    const out = join(root, 'bad');
    const r = await cli(['sample', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: option '${message}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('writes the random scheme as x1/x2/x3 FLOAT[] lists whose stored log_prob is the exact one', async () => {
    const out = join(root, 'random');
    const r = await cli(['sample', '--scheme', 'random', '--epsilon', '0.7', '--qubits', '30', '--alpha0', '0.3', '--records', '2500', '--batch', '1000', '--seed', '3', '--backend', 'cpu', '--out', out]);
    expect(r.code).toBe(0);
    const dir = r.stdout.trim();
    expect(dir).toMatch(new RegExp(`^${out}/sample-apparatus/\\d{8}T\\d{6}Z-s3-[0-9a-f]{4}$`));
    expect(r.stderr).toContain('backend: cpu\n');
    expect(r.stderr).toContain('sample: 2500/2500 records (100%)'); // plain progress line: stderr is no TTY here

    const samples = lit(join(dir, 'samples-*.parquet'));
    expect(await types(db, `read_parquet(${samples})`)).toEqual({
      run_id: 'VARCHAR', index: 'BIGINT', x1: 'FLOAT[]', x2: 'FLOAT[]', x3: 'FLOAT[]', log_prob: 'DOUBLE', magnetisation: 'DOUBLE',
    });
    const [summary] = await query(db, `SELECT count(*) AS n, min(index) AS lo, max(index) AS hi, count(DISTINCT index) AS d,
      bool_and(len(x1) = 30 AND len(x2) = 30 AND len(x3) = 30) AS lengths FROM read_parquet(${samples})`);
    expect(summary).toEqual({ n: 2500n, lo: 0n, hi: 2499n, d: 2500n, lengths: true });

    const app = new Apparatus({ scheme: 'random', epsilon: 0.7, qubits: 30, alpha0: 0.3 });
    const rows = await query(db, `SELECT index, x1, x2, x3, log_prob, magnetisation FROM read_parquet(${samples}) WHERE index IN (0, 1, 999, 1000, 2499) ORDER BY index`);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      const [a, b, c] = [row.x1, row.x2, row.x3] as number[][];
      const x = new Float32Array(90);
      for (let i = 0; i < 30; i++) [x[3 * i], x[3 * i + 1], x[3 * i + 2]] = [a[i], b[i], c[i]];
      expect(row.log_prob).toBe(app.logProb(x, 1)[0]);
      expect(row.magnetisation).toBe(app.magnetisation(x, 1)[0]);
      for (let i = 0; i < 30; i++) expect(Math.abs(a[i] ** 2 + b[i] ** 2 + c[i] ** 2 - 1)).toBeLessThan(1e-5);
    }

    const [run] = await query(db, `SELECT status, pipeline, seed, backend, scheme, epsilon, qubits, alpha0, records, batch FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run).toEqual({ status: 'completed', pipeline: 'sample-apparatus', seed: 3n, backend: 'cpu', scheme: 'random', epsilon: 0.7, qubits: 30, alpha0: 0.3, records: 2500, batch: 1000 });
  });

  it('writes the fixed scheme as one x FLOAT[] list of ±1, silently with --quiet', async () => {
    const out = join(root, 'fixed');
    const r = await cli(['sample', '--scheme', 'fixed', '--epsilon', '0.2', '--qubits', '12', '--records', '300', '--batch', '64', '--seed', '0', '--backend', 'cpu', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const samples = lit(join(r.stdout.trim(), 'samples-*.parquet'));
    expect(await types(db, `read_parquet(${samples})`)).toEqual({ run_id: 'VARCHAR', index: 'BIGINT', x: 'FLOAT[]', log_prob: 'DOUBLE', magnetisation: 'DOUBLE' });
    const [s] = await query(db, `SELECT count(*) AS n, bool_and(len(list_filter(x, v -> abs(v) <> 1)) = 0 AND len(x) = 12) AS pm1,
      max(abs(magnetisation - list_avg(x))) < 1e-12 AS m FROM read_parquet(${samples})`);
    expect(s).toEqual({ n: 300n, pm1: true, m: true });
  });

  it('reports an unwritable output directory in one line naming it, exit 1', async () => {
    const blocker = join(root, 'file');
    writeFileSync(blocker, '');
    const r = await cli(['sample', '--records', '10', '--backend', 'cpu', '--quiet', '--out', join(blocker, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: cannot write ${join(blocker, 'out', 'sample-apparatus')}: not a directory (ENOTDIR)\n`);
  });

  it('Ctrl-C: exit 130, run interrupted, records up to the interrupt saved', async () => {
    const out = join(root, 'sigint');
    const p = spawnTs('src/cli/main.ts', ['sample', '--scheme', 'fixed', '--qubits', '200', '--records', '100000000', '--batch', '100', '--flush-interval', '0.05', '--backend', 'cpu', '--quiet', '--out', out]);
    const dirOf = (): string | undefined => {
      const base = join(out, 'sample-apparatus');
      return existsSync(base) ? readdirSync(base).map((id) => join(base, id))[0] : undefined;
    };
    const dir = await waitForSegments(dirOf, 'samples-', 2);
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(130);
    expect(p.stdout()).toBe(`${dir}\n`);
    expect(p.stderr()).toBe(`error: interrupted by SIGINT; the records drawn so far are saved in ${dir}\n`);
    const [run] = await query(db, `SELECT status, reason FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run).toEqual({ status: 'interrupted', reason: 'SIGINT' });
    // The source stops between batches and the final flush writes the rest: whole batches, no gap.
    const [s] = await query(db, `SELECT count(*) AS n, count(DISTINCT index) AS d, max(index) AS hi FROM read_parquet(${lit(join(dir, 'samples-*.parquet'))})`);
    expect(s.d).toBe(s.n);
    expect(s.hi).toBe((s.n as bigint) - 1n);
    expect((s.n as bigint) % 100n).toBe(0n);
  });
});

describe('sample --epsilons (heterogeneous sensors)', () => {
  it.each([
    [['--qubits', '3', '--epsilons', '0.1,0.2'], '--epsilons: expected N = 3 values (one per qubit), got 2'],
    [['--qubits', '3', '--epsilons', '0.1,-0.2,0.3'], '--epsilons: epsilon[1] must be a finite number ≥ 0, got "-0.2"'],
    [['--qubits', '3', '--epsilons', 'dead:2@0.1'], '--epsilons: dead:f@ε needs a fraction 0 ≤ f ≤ 1, got "dead:2@0.1"'],
  ])('rejects %j in one line, exit 2, nothing created', async (args, message) => {
    const out = join(root, 'bad-eps');
    const r = await cli(['sample', ...args, '--backend', 'cpu', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${message}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('is exclusive with --epsilon', async () => {
    const out = join(root, 'both-eps');
    const r = await cli(['sample', '--qubits', '2', '--epsilon', '0.1', '--epsilons', '0.1,0.2', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: option '--epsilons <spec>' cannot be used with option '--epsilon <ε>'\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('samples with one ε per qubit, stores the exact log_prob and records the ε in the run table', async () => {
    const out = join(root, 'het');
    const eps = [0.1, 0, 0.8, 1.5];
    const r = await cli(['sample', '--scheme', 'fixed', '--epsilons', eps.join(','), '--qubits', '4', '--alpha0', '0.2', '--records', '200', '--batch', '64', '--seed', '5', '--backend', 'cpu', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    const dir = r.stdout.trim();
    const app = new Apparatus({ scheme: 'fixed', epsilon: eps, qubits: 4, alpha0: 0.2 });
    const rows = await query(db, `SELECT index, x, log_prob FROM read_parquet(${lit(join(dir, 'samples-*.parquet'))}) ORDER BY index`);
    expect(rows).toHaveLength(200);
    const x = new Float32Array(rows.flatMap((row) => row.x as number[]));
    expect(x).toEqual(app.sample(200, new Rng(5).fork()));
    const lp = app.logProb(x, 200);
    rows.forEach((row, b) => expect(row.log_prob).toBe(lp[b]));
    const [run] = await query(db, `SELECT status, epsilons, config_json FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run.status).toBe('completed');
    expect(run.epsilons).toBe('0.1,0,0.8,1.5');
    expect(JSON.parse(run.config_json as string).epsilon).toEqual(eps);
  });

  it('dead:f@ε picks the dead sensors from the seed, reproducibly', async () => {
    const runEps = async (name: string, seed: string): Promise<string> => {
      const r = await cli(['sample', '--scheme', 'random', '--epsilons', 'dead:0.5@0.3', '--qubits', '8', '--records', '10', '--seed', seed, '--backend', 'cpu', '--quiet', '--out', join(root, name)]);
      expect(r.code).toBe(0);
      const [run] = await query(db, `SELECT epsilons FROM read_parquet(${lit(join(r.stdout.trim(), 'run.parquet'))})`);
      return run.epsilons as string;
    };
    const a = await runEps('dead-a', '2');
    expect(a.split(',').filter((v) => v === '0')).toHaveLength(4);
    expect(await runEps('dead-b', '2')).toBe(a);
  });
});
