import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { knowledgeCurve, knowledgeGrid } from '../../pipelines/sweep.ts';
import { branchInformation, branchOverlap } from '../../src/simulators/knowledge.ts';
import { fitPowerLaw } from '../../src/stats/powerLaw.ts';
import { Rng } from '../../src/random/rng.ts';
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

describe('knowledgeCurve', () => {
  it('passes through branchInformation and branchOverlap at the sweep points, on a grid spanning them', () => {
    const own = [50 * 0.1 ** 2, 50 * 0.3 ** 2];
    const grid = knowledgeGrid(own, 16);
    expect(grid).toHaveLength(18);
    expect(grid[0]).toBeCloseTo(own[0] / 2, 12);
    expect(grid.at(-1)).toBeCloseTo(own[1] * 2, 12);
    expect([...grid].sort((a, b) => a - b)).toEqual(grid);
    const curve = knowledgeCurve(grid, { scheme: 'fixed', qubits: 50 });
    for (const [k, epsilon] of [0.1, 0.3].entries()) {
      const i = grid.indexOf(own[k]);
      expect(curve.information[i]).toBeCloseTo(branchInformation({ scheme: 'fixed', epsilon, qubits: 50 }).information, 12);
      expect(curve.overlap[i]).toBeCloseTo(branchOverlap('fixed', epsilon, 50).overlap, 12);
    }
    // I(s; x) rises from 0 towards ln 2 as the overlap falls from 1 towards 0.
    for (let i = 1; i < grid.length; i++) {
      expect(curve.information[i]).toBeGreaterThan(curve.information[i - 1]);
      expect(curve.overlap[i]).toBeLessThan(curve.overlap[i - 1]);
    }
    expect(curve.information.at(-1)!).toBeLessThan(Math.LN2);
  });

  it('is a seeded Monte Carlo on the random axis, within its standard error of branchInformation', () => {
    const a = knowledgeCurve([1, 4], { scheme: 'random', qubits: 30, samples: 800, seed: 3 });
    expect(knowledgeCurve([1, 4], { scheme: 'random', qubits: 30, samples: 800, seed: 3 })).toEqual(a);
    const ref = branchInformation({ scheme: 'random', epsilon: Math.sqrt(4 / 30), qubits: 30 }, { method: 'monte-carlo', samples: 20_000, rng: new Rng(9) });
    expect(Math.abs(a.information[1] - ref.information)).toBeLessThan(4 * Math.hypot(a.standardError[1], ref.standardError));
    expect(a.overlap[1]).toBeCloseTo(Math.exp(-4 / 6), 1);
    expect(() => knowledgeCurve([1], { scheme: 'fixed', qubits: 0 })).toThrow('knowledgeCurve: qubits must be an integer ≥ 1 (got 0)');
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
    // Without --branch-info the information columns are NaN (not measured) and there is no knowledge panel.
    const info = await query(db, `SELECT branch_info_latent, branch_info_latent_se, branch_info_exact, branch_info_exact_se, branch_info_share FROM read_parquet(${lit(join(sweepDir, 'points-*.parquet'))})`);
    expect(info.flatMap((row) => Object.values(row)).every((v) => v == null || Number.isNaN(v))).toBe(true);
    expect(svg).not.toContain('knowledge vs Nε²');
    expect(svg).not.toContain('class="curve"');
    expect(r.stdout).not.toMatch(/share/);
  });

  it('with --branch-info, tables each point\'s last branch-information scalars and draws them on the exact curve', async () => {
    const root = join(out, 'info');
    const r = await runMain(['sweep', '--epsilon', '0.2,0.5', '--qubits', '8', '--scheme', 'fixed', '--batch', '4', '--steps', '4', '--every', '2', '--eval-records', '40', '--branch-info', '--quiet', '--out', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/I\(s;x\)\s+I\(s;μ_z\)\s+share$/);
    const [sweepId] = readdirSync(join(root, 'emergent-classicality-sweep'));
    const sweepDir = join(root, 'emergent-classicality-sweep', sweepId);
    const db = await duck();
    const cols = ['branch_info_latent', 'branch_info_latent_se', 'branch_info_exact', 'branch_info_exact_se', 'branch_info_share'];
    const points = await query(db, `SELECT vae_run_id, epsilon, qubits, ${cols.join(', ')} FROM read_parquet(${lit(join(sweepDir, 'points-*.parquet'))}) ORDER BY epsilon`);
    expect(points).toHaveLength(2);
    for (const p of points) {
      const glob = lit(join(root, 'emergent-classicality', String(p.vae_run_id), 'scalars-*.parquet'));
      const [last] = await query(db, `SELECT ${cols.join(', ')} FROM read_parquet(${glob}, union_by_name = true) WHERE branch_info_exact IS NOT NULL ORDER BY step DESC LIMIT 1`);
      for (const c of cols) expect(p[c], c).toBe(last[c]);
      expect(p.branch_info_exact).toBeCloseTo(branchInformation({ scheme: 'fixed', epsilon: Number(p.epsilon), qubits: 8 }).information, 12);
      expect(p.branch_info_exact_se).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`${p.epsilon}\\s+8\\s.*completed.*${Number(p.branch_info_exact).toFixed(3)}\\s+${Number(p.branch_info_latent).toFixed(3)}\\s+${Number(p.branch_info_share).toFixed(3)}`));
    }
    const svg = readFileSync(join(sweepDir, 'summary.svg'), 'utf8');
    expect(svg.match(/class="panel"/g)).toHaveLength(8);
    expect(svg).toContain('knowledge vs Nε²');
    const knowledge = svg.slice(svg.indexOf('data-key="branch_info_exact"'), svg.indexOf('data-key="branch_overlap"'));
    expect(knowledge.match(/class="point" data-key="branch_info_exact"/g)).toHaveLength(2);
    expect(knowledge.match(/class="point" data-key="branch_info_latent"/g)).toHaveLength(2);
    expect(knowledge).toMatch(/class="errorbars" data-key="branch_info_latent"/);
    // The dense curve (N = 8 here) goes through the points: a curve vertex at each point's centre.
    const vertices = knowledge.match(/class="curve"[^>]*points="([^"]+)"/)![1].split(' ');
    for (const m of knowledge.matchAll(/<circle class="point" data-key="branch_info_exact" cx="([^"]+)" cy="([^"]+)"/g)) expect(vertices).toContain(`${m[1]},${m[2]}`);
    const overlap = svg.slice(svg.indexOf('data-key="branch_overlap"'));
    expect(overlap.match(/class="curve"/g)).toHaveLength(2);
    expect(overlap).toContain('e^(−Nε²/2)');
  });
});
