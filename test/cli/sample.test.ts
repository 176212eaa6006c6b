import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { main } from '../../src/cli/main.ts';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, MultiSystemApparatus, parsePointerAxes, RotatedApparatus, sampleWithBranch } from '../../src/simulators/index.ts';
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

/** |mean − exact| in standard errors, the SE from the exact variance and the count. */
function zOf(mean: number, exact: number, variance: number, count: number): number {
  return Math.abs(mean - exact) / Math.sqrt(variance / count);
}
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** Interleaves x1/x2/x3 lists of rows back to records, shape [rows, N, 3]. */
function records3(rows: Record<string, unknown>[], n: number): Float32Array {
  const x = new Float32Array(rows.length * n * 3);
  rows.forEach((row, b) => {
    const [a, c, d] = [row.x1, row.x2, row.x3] as number[][];
    for (let i = 0; i < n; i++) x.set([a[i], c[i], d[i]], 3 * (b * n + i));
  });
  return x;
}

describe('sample: the generalised apparatuses (issue 15)', () => {
  it.each([
    [['--scheme', 'fixed', '--axes', 'z'], '--axes: pointer axes need --scheme random (got --scheme fixed)'],
    [['--axes', '0,1'], '--axes: expected z | x,y,z | tilt:θdeg | spread:θdeg@seed | file:PATH, got "0,1"'],
    [['--axes', 'tilt:xdeg'], '--axes: tilt:θdeg needs a finite angle in degrees, got "tilt:xdeg"'],
    [['--systems', '5'], '--systems: expected an integer 1 ≤ K ≤ N = 4, got 5'],
    [['--systems', '2', '--assignment', '0,1,0'], '--assignment: expected N = 4 system indices (one per qubit), got 3'],
    [['--systems', '2', '--assignment', '0,1,2,0'], '--assignment: assignment[2] must be an integer in 0 … K−1 = 1, got "2"'],
    [['--systems', '2', '--assignment', '0,x,1,0'], '--assignment: assignment[1] must be an integer in 0 … K−1 = 1, got "x"'],
    [['--assignment', '0,0,0,0'], '--assignment: needs --systems K'],
    [['--systems', '0'], `option '--systems <K>' argument '0' is invalid. expected an integer ≥ 1, got 0`],
    [['--systems', '2', '--axes', 'z'], `option '--axes <spec>' cannot be used with option '--systems <K>'`],
    [['--systems', '2', '--with-branch'], `option '--with-branch' cannot be used with option '--systems <K>'`],
  ])('rejects %j in one line, exit 2, nothing created', async (args, message) => {
    const out = join(root, 'bad-general');
    const r = await cli(['sample', '--qubits', '4', ...args, '--backend', 'cpu', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${message}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects an --axes file of the wrong length in one line, exit 2, nothing created', async () => {
    const file = join(root, 'axes-short.txt');
    writeFileSync(file, '0 0 1\n1 0 0\n');
    const out = join(root, 'bad-axes-file');
    const r = await cli(['sample', '--qubits', '3', '--axes', `file:${file}`, '--backend', 'cpu', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: --axes: expected N = 3 lines of x y z (one per qubit) in ${file}, got 2\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('--axes: RotatedApparatus records with the rotated exact log_prob, 3⟨nᵢ·xᵢ⟩ and the axes in the run table', async () => {
    const out = join(root, 'axes');
    const spec = 'spread:40deg@7', n = 6;
    const r = await cli(['sample', '--axes', spec, '--epsilon', '0.8', '--qubits', String(n), '--alpha0', '0.4', '--records', '300', '--batch', '128', '--seed', '4', '--backend', 'cpu', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    const dir = r.stdout.trim();
    const samples = lit(join(dir, 'samples-*.parquet'));
    expect(await types(db, `read_parquet(${samples})`)).toEqual({
      run_id: 'VARCHAR', index: 'BIGINT', x1: 'FLOAT[]', x2: 'FLOAT[]', x3: 'FLOAT[]', log_prob: 'DOUBLE', magnetisation: 'DOUBLE',
    });
    const axes = parsePointerAxes(spec, n);
    const app = new RotatedApparatus({ epsilon: 0.8, qubits: n, alpha0: 0.4, axes });
    const rows = await query(db, `SELECT x1, x2, x3, log_prob, magnetisation FROM read_parquet(${samples}) ORDER BY index`);
    const x = records3(rows, n);
    expect(x).toEqual(app.sample(300, new Rng(4).fork()));
    const lp = app.logProb(x, 300), m = app.magnetisation(x, 300);
    rows.forEach((row, b) => {
      expect(row.log_prob).toBe(lp[b]);
      expect(row.magnetisation).toBe(m[b]);
    });
    const [run] = await query(db, `SELECT status, axes, axes_spec FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run).toEqual({ status: 'completed', axes: Array.from(axes).join(','), axes_spec: spec });
    expect((run.axes as string).split(',').map(Number)).toEqual(Array.from(axes));
  });

  it('--with-branch (random): branch BIGINT ±1 with frequency σ(2α₀), per-branch mean of x₃ = s·tanh ε/3 (5 SE)', async () => {
    const out = join(root, 'branch-random');
    const [eps, n, a0, records] = [0.6, 8, 0.35, 4000];
    const r = await cli(['sample', '--with-branch', '--epsilon', String(eps), '--qubits', String(n), '--alpha0', String(a0), '--records', String(records), '--batch', '700', '--seed', '9', '--backend', 'cpu', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    const dir = r.stdout.trim();
    const samples = lit(join(dir, 'samples-*.parquet'));
    expect(await types(db, `read_parquet(${samples})`)).toEqual({
      run_id: 'VARCHAR', index: 'BIGINT', x1: 'FLOAT[]', x2: 'FLOAT[]', x3: 'FLOAT[]', log_prob: 'DOUBLE', magnetisation: 'DOUBLE', branch: 'BIGINT',
    });
    const rows = await query(db, `SELECT x1, x2, x3, log_prob, branch FROM read_parquet(${samples}) ORDER BY index`);
    const app = new Apparatus({ scheme: 'random', epsilon: eps, qubits: n, alpha0: a0 });
    const x = records3(rows, n);
    const drawn = sampleWithBranch(app, records, new Rng(9).fork());
    expect(x).toEqual(drawn.x);
    expect(rows.map((row) => Number(row.branch))).toEqual(Array.from(drawn.branch));
    const lp = app.logProb(x, records);
    rows.forEach((row, b) => expect(row.log_prob).toBe(lp[b]));

    const p = sigmoid(2 * a0);
    const plus = rows.filter((row) => row.branch === 1n).length;
    expect(rows.every((row) => row.branch === 1n || row.branch === -1n)).toBe(true);
    expect(zOf(plus / records, p, p * (1 - p), records)).toBeLessThan(5);
    const t = Math.tanh(eps);
    for (const [s, count] of [[1, plus], [-1, records - plus]] as const) {
      const [g] = await query(db, `SELECT avg(list_avg(x3)) AS m FROM read_parquet(${samples}) WHERE branch = ${s}`);
      // x₃ given s: mean s·t/3, variance 1/3 − (t/3)²; N independent qubits per record
      expect(zOf(g.m as number, (s * t) / 3, 1 / 3 - (t / 3) ** 2, count * n)).toBeLessThan(5);
    }
    const [run] = await query(db, `SELECT with_branch FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run.with_branch).toBe(true);
  });

  it('--with-branch --epsilons (fixed): per-branch mean of each xᵢ = s·tanh εᵢ (5 SE), exact log_prob', async () => {
    const out = join(root, 'branch-fixed');
    const eps = [0.2, 0, 0.9, 1.4], n = eps.length, a0 = -0.3, records = 4000;
    const r = await cli(['sample', '--with-branch', '--scheme', 'fixed', '--epsilons', eps.join(','), '--qubits', String(n), '--alpha0', String(a0), '--records', String(records), '--batch', '512', '--seed', '2', '--backend', 'cpu', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    const samples = lit(join(r.stdout.trim(), 'samples-*.parquet'));
    const rows = await query(db, `SELECT x, log_prob, branch FROM read_parquet(${samples}) ORDER BY index`);
    const app = new Apparatus({ scheme: 'fixed', epsilon: eps, qubits: n, alpha0: a0 });
    const x = new Float32Array(rows.flatMap((row) => row.x as number[]));
    const lp = app.logProb(x, records);
    rows.forEach((row, b) => expect(row.log_prob).toBe(lp[b]));
    const p = sigmoid(2 * a0);
    const plus = rows.filter((row) => row.branch === 1n).length;
    expect(zOf(plus / records, p, p * (1 - p), records)).toBeLessThan(5);
    for (const s of [1, -1]) {
      const group = rows.filter((row) => Number(row.branch) === s);
      for (let i = 0; i < n; i++) {
        const mean = group.reduce((a, row) => a + (row.x as number[])[i], 0) / group.length;
        const m = s * Math.tanh(eps[i]);
        if (m === 0) expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(group.length));
        else expect(zOf(mean, m, 1 - m * m, group.length)).toBeLessThan(5);
      }
    }
  });

  it('--with-branch --axes: RotatedApparatus.sampleWithBranch, per-branch mean of nᵢ·xᵢ = s·tanh ε/3 (5 SE)', async () => {
    const out = join(root, 'branch-axes');
    const [eps, n, a0, records] = [1.0, 5, 0.2, 3000];
    const r = await cli(['sample', '--with-branch', '--axes', 'tilt:60deg', '--epsilon', String(eps), '--qubits', String(n), '--alpha0', String(a0), '--records', String(records), '--seed', '6', '--backend', 'cpu', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    const rows = await query(db, `SELECT x1, x2, x3, log_prob, magnetisation, branch FROM read_parquet(${lit(join(r.stdout.trim(), 'samples-*.parquet'))}) ORDER BY index`);
    const app = new RotatedApparatus({ epsilon: eps, qubits: n, alpha0: a0, axes: parsePointerAxes('tilt:60deg', n) });
    const x = records3(rows, n);
    const drawn = app.sampleWithBranch(records, new Rng(6).fork());
    expect(x).toEqual(drawn.x);
    expect(rows.map((row) => Number(row.branch))).toEqual(Array.from(drawn.branch));
    const lp = app.logProb(x, records), m = app.magnetisation(x, records);
    rows.forEach((row, b) => {
      expect(row.log_prob).toBe(lp[b]);
      expect(row.magnetisation).toBe(m[b]);
    });
    const t = Math.tanh(eps);
    for (const s of [1, -1]) {
      const idx = rows.flatMap((row, b) => (Number(row.branch) === s ? [b] : []));
      // magnetisation/3 is the record's mean of nᵢ·xᵢ
      const mean = idx.reduce((a, b) => a + m[b] / 3, 0) / idx.length;
      expect(zOf(mean, (s * t) / 3, 1 / 3 - (t / 3) ** 2, idx.length * n)).toBeLessThan(5);
    }
  });

  it('without --with-branch the records are the default sampler\'s, with no branch column', async () => {
    const r = await cli(['sample', '--epsilon', '0.6', '--qubits', '8', '--records', '20', '--seed', '9', '--backend', 'cpu', '--quiet', '--out', join(root, 'no-branch')]);
    expect(r.code).toBe(0);
    const samples = lit(join(r.stdout.trim(), 'samples-*.parquet'));
    expect(Object.keys(await types(db, `read_parquet(${samples})`))).not.toContain('branch');
    const rows = await query(db, `SELECT x1, x2, x3 FROM read_parquet(${samples}) ORDER BY index`);
    expect(records3(rows, 8)).toEqual(new Apparatus({ scheme: 'random', epsilon: 0.6, qubits: 8 }).sample(20, new Rng(9).fork()));
  });

  it.each(['fixed', 'random'] as const)('--systems --assignment (%s): bits FLOAT[K] with frequencies σ(2α₀) (5 SE), exact log_prob, systems and assignment in the run table', async (scheme) => {
    const out = join(root, `systems-${scheme}`);
    const assign = [2, 0, 1, 0, 1, 2, 0], n = assign.length, k = 3, a0 = 0.45, records = 3000;
    const r = await cli(['sample', '--scheme', scheme, '--systems', String(k), '--assignment', assign.join(','), '--epsilon', '0.7', '--qubits', String(n), '--alpha0', String(a0), '--records', String(records), '--batch', '400', '--seed', '8', '--backend', 'cpu', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    const dir = r.stdout.trim();
    const samples = lit(join(dir, 'samples-*.parquet'));
    const outcome = scheme === 'fixed' ? { x: 'FLOAT[]' } : { x1: 'FLOAT[]', x2: 'FLOAT[]', x3: 'FLOAT[]' };
    expect(await types(db, `read_parquet(${samples})`)).toEqual({
      run_id: 'VARCHAR', index: 'BIGINT', ...outcome, log_prob: 'DOUBLE', magnetisation: 'DOUBLE', bits: 'FLOAT[]',
    });
    const rows = await query(db, `SELECT * FROM read_parquet(${samples}) ORDER BY index`);
    expect(rows.every((row) => (row.bits as number[]).length === k && (row.bits as number[]).every((v) => v === 1 || v === -1))).toBe(true);
    const app = new MultiSystemApparatus({ scheme, epsilon: 0.7, qubits: n, systems: k, assignment: assign, alpha0: a0 });
    const x = scheme === 'fixed' ? new Float32Array(rows.flatMap((row) => row.x as number[])) : records3(rows, n);
    const drawn = app.sampleWithBits(records, new Rng(8).fork());
    expect(x).toEqual(drawn.x);
    expect(new Int8Array(rows.flatMap((row) => row.bits as number[]))).toEqual(drawn.bits);
    const lp = app.logProb(x, records), m = app.magnetisation(x, records);
    rows.forEach((row, b) => {
      expect(row.log_prob).toBe(lp[b]);
      expect(row.magnetisation).toBe(m[b]);
    });
    const p = sigmoid(2 * a0);
    for (let s = 0; s < k; s++) {
      const plus = rows.filter((row) => (row.bits as number[])[s] === 1).length;
      expect(zOf(plus / records, p, p * (1 - p), records)).toBeLessThan(5);
    }
    const [run] = await query(db, `SELECT status, systems, assignment FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run).toEqual({ status: 'completed', systems: k, assignment: assign.join(',') });
  });

  it('--systems without --assignment records the round-robin assignment', async () => {
    const r = await cli(['sample', '--systems', '2', '--qubits', '5', '--records', '10', '--backend', 'cpu', '--quiet', '--out', join(root, 'systems-default')]);
    expect(r.code).toBe(0);
    const [run] = await query(db, `SELECT systems, assignment FROM read_parquet(${lit(join(r.stdout.trim(), 'run.parquet'))})`);
    expect(run).toEqual({ systems: 2, assignment: '0,1,0,1,0' });
  });
});
