import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { duck, query } from '../sinks/readBack.ts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'qubit-rx-systems-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  return { code: await main(args), stdout, stderr };
}

describe('train --systems K (issue 15, several system qubits)', () => {
  it('runs the multi-system pipeline with its defaults where the user gave none, and writes the assignment table', async () => {
    const out = join(root, 'ok');
    const r = await cli(['train', '--systems', '2', '--qubits', '10', '--steps', '20', '--every', '10', '--eval-records', '100', '--out', out, '--backend', 'wasm', '--no-plots']);
    expect(r.code, r.stderr).toBe(0);
    // ε, lr and z_dim from the multi-system defaults (ε 0.5, lr 0.01, z_dim = K); N and steps as given.
    expect(r.stderr).toContain('config: fixed axis, ε = 0.5, N = 10, K = 2 system qubits (ancilla i copies i mod K), position embedding 4, z_dim 2, batch 50, 20 steps, lr 0.01');
    expect(r.stdout).toMatch(/assignment accuracy \d\.\d{3}/);
    const [id] = readdirSync(join(out, 'multi-system'));
    const dir = join(out, 'multi-system', id);
    const db = await duck();
    const [run] = await query(db, `select systems, latent, lr from '${join(dir, 'run.parquet')}'`);
    expect(run).toEqual({ systems: 2, latent: 2, lr: 0.01 });
    const rows = await query(db, `select qubit, system from '${join(dir, 'assignment-*.parquet')}' order by qubit`);
    expect(rows.map((x) => Number(x.system))).toEqual(Array.from({ length: 10 }, (_, i) => i % 2));
    const [s] = await query(db, `select max(step) as step, count(*) as n from '${join(dir, 'scalars-*.parquet')}'`);
    expect(Number(s.step)).toBe(20);
  }, 30_000);

  it('sweeps like any train option: sweep --systems 2 --epsilon 0.5,1 runs the multi-system pipeline at each point', async () => {
    const out = join(root, 'sweep');
    const r = await cli(['sweep', '--systems', '2', '--epsilon', '0.5,1', '--qubits', '8', '--steps', '20', '--every', '10', '--eval-records', '50', '--workers', '2', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const [id] = readdirSync(join(out, 'emergent-classicality-sweep'));
    const db = await duck();
    const rows = await query(db, `select epsilon, status, run_dir, assignment_accuracy from '${join(out, 'emergent-classicality-sweep', id, 'points.parquet')}' order by index`);
    expect(rows.map((x) => [x.epsilon, x.status])).toEqual([[0.5, 'completed'], [1, 'completed']]);
    for (const x of rows) {
      expect(String(x.run_dir)).toMatch(/multi-system/);
      expect(Number(x.assignment_accuracy)).toBeGreaterThanOrEqual(0);
    }
  }, 60_000);

  it.each([
    [['--systems', '1'], /^error: option '--systems <K>' argument '1' is invalid/],
    [['--systems', '30', '--qubits', '20'], /^error: --systems: K = 30 needs at least as many qubits \(got --qubits 20\)$/],
    [['--systems', '2', '--epsilons', 'dead:0.5@0.3'], /^error: --systems: combine it with one --epsilon/],
    [['--systems', '3', '--latent', '2'], /^error: --latent: needs at least K = 3 dimensions with --systems \(got 2\)$/],
  ])('rejects %j in one line with exit 2', async (extra, message) => {
    const r = await cli(['train', '--steps', '5', '--out', join(root, 'bad'), ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
