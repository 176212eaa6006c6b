import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { branchInformation, branchOverlap } from '../../src/simulators/index.ts';
import { duck, lit, query, types } from '../sinks/readBack.ts';
import { runMain } from './runMain.ts';

let root: string;
let db: DuckDBConnection;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'qubit-rx-knowledge-'));
  db = await duck();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('knowledge command', () => {
  it.each([
    [['--epsilon', '-0.1'], `--epsilon <ε>' argument '-0.1' is invalid. expected a number > 0 and ≤ 10, got -0.1`],
    [['--n-eps2', '1,0'], `--n-eps2 <list>' argument '1,0' is invalid. expected a number > 0, got 0`],
    [['--n-eps2', '-3'], `--n-eps2 <list>' argument '-3' is invalid. expected a number > 0, got -3`],
    [['--scheme', 'diagonal'], `--scheme <name>' argument 'diagonal' is invalid. expected one of fixed, random, both, got "diagonal"`],
    [['--samples', '1'], `--samples <M>' argument '1' is invalid. expected an integer ≥ 2, got 1`],
    [['--alpha0', 'x'], `--alpha0 <α₀>' argument 'x' is invalid. expected a number ≥ -20 and ≤ 20, got "x"`],
  ])('rejects %j in one line naming the option and its range, exit 2, nothing created', async (args, message) => {
    const out = join(root, 'bad');
    const r = await runMain(['knowledge', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: option '${message}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an Nε² that needs too many qubits, exit 2', async () => {
    const out = join(root, 'huge');
    const r = await runMain(['knowledge', '--epsilon', '1e-4', '--n-eps2', '1000', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --n-eps2 1000 with --epsilon 0.0001 needs N = 100000000000 qubits; at most 10000000 (raise --epsilon)\n');
    expect(existsSync(out)).toBe(false);
  });

  it('prints the table and leaves the knowledge table and figure in a run directory', async () => {
    const out = join(root, 'run');
    const r = await runMain(['knowledge', '--epsilon', '0.2', '--n-eps2', '1,3', '--alpha0', '0.4', '--samples', '400', '--seed', '5', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^scheme\s+N\s+Nε²\s+BC exact\s+BC approx\s+I\(s;x\) nats\s+± SE\s+H\(s\)/);
    expect(lines.slice(1, 5).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['fixed', '25', '1.000'], ['fixed', '75', '3.000'], ['random', '25', '1.000'], ['random', '75', '3.000'],
    ]);
    const base = join(out, 'knowledge');
    const [id] = readdirSync(base);
    const dir = join(base, id);
    expect(lines[5]).toContain(`knowledge/${id}/`);
    expect(readdirSync(dir).sort()).toEqual(['knowledge-00000.parquet', 'knowledge.svg', 'run.parquet']);

    const table = `read_parquet(${lit(join(dir, 'knowledge-*.parquet'))})`;
    expect(await types(db, table)).toMatchObject({
      scheme: 'VARCHAR', epsilon: 'DOUBLE', qubits: 'DOUBLE', n_eps2: 'DOUBLE', overlap: 'DOUBLE', overlap_approx: 'DOUBLE',
      information: 'DOUBLE', information_se: 'DOUBLE', prior_entropy: 'DOUBLE', bayes_error: 'DOUBLE', method: 'VARCHAR',
    });
    const rows = await query(db, `SELECT scheme, qubits, overlap, information, information_se, method, samples FROM ${table} ORDER BY scheme, qubits`);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const scheme = row.scheme as 'fixed' | 'random';
      expect(row.overlap).toBe(branchOverlap(scheme, 0.2, row.qubits as number).overlap);
      if (scheme === 'fixed') {
        expect(row).toMatchObject({ method: 'exact', information_se: 0, samples: 0 });
        expect(row.information).toBe(branchInformation({ scheme, epsilon: 0.2, qubits: row.qubits as number, alpha0: 0.4 }).information);
      } else {
        expect(row).toMatchObject({ method: 'monte-carlo', samples: 400 });
        expect(row.information_se as number).toBeGreaterThan(0);
      }
    }
    const [run] = await query(db, `SELECT status, pipeline, seed, scheme, epsilon, alpha0, samples FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run).toEqual({ status: 'completed', pipeline: 'knowledge', seed: 5n, scheme: 'both', epsilon: 0.2, alpha0: 0.4, samples: 400 });

    const svg = readFileSync(join(dir, 'knowledge.svg'), 'utf8');
    expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
    expect(svg.match(/class="series"/g)).toHaveLength(4);
    expect(svg).toContain('Nε²');

    // Same seed, same numbers.
    const again = await runMain(['knowledge', '--epsilon', '0.2', '--n-eps2', '1,3', '--alpha0', '0.4', '--samples', '400', '--seed', '5', '--quiet', '--out', join(root, 'again')]);
    expect(again.stdout.split('\n').slice(0, 5)).toEqual(lines.slice(0, 5));
  });

  it('--scheme fixed computes only the exact rows', async () => {
    const out = join(root, 'fixed');
    const r = await runMain(['knowledge', '--scheme', 'fixed', '--epsilon', '0.1', '--n-eps2', '1', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(/^fixed\s+100\s+1\.000\s+0\.60703\s+0\.60653\s+0\.33661\s+0\.00000\s+0\.69315/);
    expect(r.stdout.split('\n')).toHaveLength(4); // header, one row, "wrote", trailing ''
  });
});
