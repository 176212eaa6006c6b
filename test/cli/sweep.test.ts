import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { fitPowerLaw } from '../../src/stats/powerLaw.ts';
import { duck, lit, query } from '../sinks/readBack.ts';

const out = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function runMain(args: string[]) {
  let stderr = '', stdout = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  try {
    return { code: await main(args), stderr, stdout };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

describe('fitPowerLaw', () => {
  it('recovers an exact power law and skips non-positive points', () => {
    const x = [0.5, 1, 2, 4, 8, 0, -1];
    const y = x.map((v) => (v > 0 ? 3 * v ** -0.34 : 1));
    const fit = fitPowerLaw(x, y);
    expect(fit.points).toBe(5);
    expect(fit.exponent).toBeCloseTo(-0.34, 10);
    expect(fit.prefactor).toBeCloseTo(3, 10);
    expect(fit.r2).toBeCloseTo(1, 10);
  });
});

describe('sweep command', () => {
  it.each([
    [['--epsilon', '0.1,,0.2', '--qubits', '4'], /--epsilon <list>.*expected a comma-separated list/],
    [['--epsilon', '0.1', '--qubits', '10,2.5'], /--qubits <list>.*expected an integer ≥ 1, got 2\.5/],
    [['--epsilon', '-0.1', '--qubits', '4'], /--epsilon <list>.*expected a number ≥ 0, got -0\.1/],
    [['--qubits', '4'], /required option '--epsilon <list>' not specified/],
  ])('rejects %j with one line and exit 2, writing nothing', async (args, message) => {
    const r = await runMain(['sweep', ...args, '--out', join(out, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(() => readdirSync(join(out, 'bad'))).toThrow();
  });

  it('trains every grid point, tags the runs, and writes the points table and summary figure', async () => {
    const root = join(out, 'ok');
    const r = await runMain(['sweep', '--epsilon', '0.3,0.6', '--qubits', '6', '--scheme', 'fixed', '--batch', '4', '--steps', '4', '--every', '2', '--eval-records', '20', '--quiet', '--out', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0\.3\s+6\s+0\.54\s+completed/);
    expect(r.stdout).toMatch(/0\.6\s+6\s+2\.16\s+completed/);
    const [sweepId] = readdirSync(join(root, 'emergent-classicality-sweep'));
    const sweepDir = join(root, 'emergent-classicality-sweep', sweepId);
    const db = await duck();
    const points = await query(db, `SELECT vae_run_id, epsilon, qubits, n_eps2, status FROM read_parquet(${lit(join(sweepDir, 'points-*.parquet'))}) ORDER BY epsilon`);
    expect(points.map((p) => [p.epsilon, p.qubits, p.status])).toEqual([[0.3, 6, 'completed'], [0.6, 6, 'completed']]);
    expect(points[1].n_eps2).toBeCloseTo(6 * 0.36, 12);
    // Each point's VAE run carries the sweep id and its own scalars.
    const runs = await query(db, `SELECT run_id, sweep_id, epsilon FROM read_parquet(${lit(join(root, 'emergent-classicality', '*', 'run.parquet'))}, union_by_name = true) ORDER BY epsilon`);
    expect(runs.map((x) => x.sweep_id)).toEqual([sweepId, sweepId]);
    expect(runs.map((x) => x.run_id)).toEqual(points.map((p) => p.vae_run_id));
    const status = await query(db, `SELECT status FROM read_parquet(${lit(join(sweepDir, 'run.parquet'))})`);
    expect(status[0].status).toBe('completed');
    const svg = readFileSync(join(sweepDir, 'summary.svg'), 'utf8');
    expect(svg.match(/class="panel"/g)).toHaveLength(6);
    expect(svg.match(/class="point"/g)!.length).toBe(2 * 6);
  });
});
