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

const sweepDirOf = (root: string, pipeline: string) => {
  const [id] = readdirSync(join(root, `${pipeline}-sweep`));
  return join(root, `${pipeline}-sweep`, id);
};

describe('sweep command', () => {
  it.each([
    [['--epsilon', '0.1,,0.2', '--qubits', '4'], /--epsilon <ε>': expected a comma-separated list/],
    [['--epsilon', '0.1', '--qubits', '10,2.5'], /point 1 \(qubits=2\.5\): option '--qubits <N>' argument '2\.5' is invalid\. expected an integer ≥ 1, got 2\.5/],
    [['--epsilon', '0.1,-0.1', '--qubits', '4'], /point 1 \(epsilon=-0\.1\).*expected a number ≥ 0, got -0\.1/],
    [['--epsilon', '0.1', '--epsilons', '0.1,0.2'], /cannot be used with option '--epsilon/],
    [['--pipeline', 'ising', '--epsilon', '0.1'], /unknown option '--epsilon' for ising/],
    [['--pipeline', 'nope'], /--pipeline <name>.*expected one of train, ising/],
  ])('rejects %j with one line and exit 2, writing nothing', async (args, message) => {
    const r = await runMain(['sweep', ...args, '--out', join(out, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(() => readdirSync(join(out, 'bad'))).toThrow();
  });

  it('runs two points at once, tables every point, and aggregates the replicates with error bars', async () => {
    const root = join(out, 'ok');
    const r = await runMain(['sweep', '--epsilon', '0.2,0.5', '--seed', '1,2', '--qubits', '8', '--scheme', 'fixed', '--batch', '4', '--steps', '4', '--every', '2', '--eval-records', '40', '--branch-info', '--workers', '2', '--quiet', '--out', root]);
    expect(r.code, r.stderr).toBe(0);
    const sweepDir = sweepDirOf(root, 'emergent-classicality');
    const db = await duck();
    const points = await query(db, `SELECT index, attempt, epsilon, seed, qubits, n_eps2, status, run_id, run_dir, epoch_ms(start_time) AS t0, epoch_ms(end_time) AS t1, seconds, step, latent_fluctuation, branch_info_exact, branch_info_exact_se FROM read_parquet(${lit(join(sweepDir, 'points.parquet'))}) ORDER BY index`);
    // Grid order: ε outer, seed inner.
    expect(points.map((p) => [p.index, p.epsilon, p.seed, p.qubits, p.status, p.attempt, p.step])).toEqual([
      [0n, 0.2, 1n, 8, 'completed', 1n, 4n], [1n, 0.2, 2n, 8, 'completed', 1n, 4n], [2n, 0.5, 1n, 8, 'completed', 1n, 4n], [3n, 0.5, 2n, 8, 'completed', 1n, 4n],
    ]);
    expect(points[2].n_eps2).toBeCloseTo(8 * 0.25, 12);
    // Two workers: the first two points ran at the same time.
    expect(Number(points[1].t0)).toBeLessThan(Number(points[0].t1));
    expect(Number(points[0].t0)).toBeLessThan(Number(points[1].t1));
    // Each point's run lives in its attempt's folder, with its seed and its own last scalars.
    for (const p of points) {
      expect(String(p.run_dir)).toMatch(new RegExp(`^runs/p000${p.index}-a1/emergent-classicality/${p.run_id}$`));
      const [run] = await query(db, `SELECT status, seed, epsilon FROM read_parquet(${lit(join(sweepDir, String(p.run_dir), 'run.parquet'))})`);
      expect([run.status, run.seed, run.epsilon]).toEqual(['completed', p.seed, p.epsilon]);
      const [last] = await query(db, `SELECT latent_fluctuation FROM read_parquet(${lit(join(sweepDir, String(p.run_dir), 'scalars-*.parquet'))}, union_by_name = true) ORDER BY step DESC LIMIT 1`);
      expect(p.latent_fluctuation).toBe(last.latent_fluctuation);
      expect(p.branch_info_exact).toBeCloseTo(branchInformation({ scheme: 'fixed', epsilon: Number(p.epsilon), qubits: 8 }).information, 12);
    }
    // The summary: per ε, the mean and standard error over the two seeds, by hand.
    const summary = await query(db, `SELECT epsilon, qubits, replicates, mean_latent_fluctuation AS m, se_latent_fluctuation AS se FROM read_parquet(${lit(join(sweepDir, 'summary.parquet'))}) ORDER BY epsilon`);
    expect(summary).toHaveLength(2);
    for (const [k, cell] of summary.entries()) {
      const [a, b] = [Number(points[2 * k].latent_fluctuation), Number(points[2 * k + 1].latent_fluctuation)];
      expect([cell.epsilon, cell.replicates]).toEqual([points[2 * k].epsilon, 2n]);
      expect(cell.m).toBeCloseTo((a + b) / 2, 12);
      expect(cell.se).toBeCloseTo(Math.abs(a - b) / 2, 12); // s/√2 with s = |a − b|/√2
    }
    const [state] = await query(db, `SELECT status FROM read_json(${lit(join(sweepDir, 'sweep.json'))})`);
    expect(state.status).toBe('completed');
    // The figure: one point per cell in each of the 6 + 2 panels, error bars from the replicates.
    const svg = readFileSync(join(sweepDir, 'summary.svg'), 'utf8');
    expect(svg.match(/class="panel"/g)).toHaveLength(8);
    expect(svg.match(/<circle class="point" data-key="latent_fluctuation"/g)).toHaveLength(2);
    expect(svg).toMatch(/class="errorbars" data-key="latent_fluctuation"/);
    expect(svg).toMatch(/class="errorbars" data-key="branch_info_latent"/);
    expect(svg).toContain('knowledge vs Nε²');
    expect(r.stdout.split('\n')[0]).toMatch(/ε\s+N\s+Nε²\s+done\s+corr.*I\(s;x\)\s+I\(s;μ_z\)\s+share$/);
    expect(r.stdout).toMatch(/0\.2\s+8\s+0\.32\s+2\/2\s+\S+±\S+/);
  });

  it('sweeps ising over β; a point that fails is recorded, and --resume reruns only the failed ones', async () => {
    const root = join(out, 'ising');
    // N = 21 fails at run time (the exact reference needs 2^N ≤ 2^20 rows); N = 4 runs.
    const args = ['sweep', '--pipeline', 'ising', '--objective', 'kl-reinforce', '--beta', '0.3,0.44', '--size', '21,4', '--steps', '20', '--batch', '16', '--every', '10', '--workers', '2', '--quiet', '--out', root];
    const first = await runMain(args);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/^error: 2 of 4 points failed \(p0: --size 21: the transfer-matrix objectives need/);
    expect(first.stderr.trim().split('\n')).toHaveLength(1);
    const sweepDir = sweepDirOf(root, 'ising');
    const db = await duck();
    const table = () => query(db, `SELECT index, beta, size, status, attempt, run_dir, rel_error FROM read_parquet(${lit(join(sweepDir, 'points.parquet'))}) ORDER BY index`);
    const before = await table();
    expect(before.map((p) => [p.beta, p.size, p.status, p.attempt])).toEqual([[0.3, 21, 'failed', 1n], [0.3, 4, 'completed', 1n], [0.44, 21, 'failed', 1n], [0.44, 4, 'completed', 1n]]);
    expect(before[1].rel_error).toEqual(expect.any(Number));
    // The generic summary: each final scalar against β.
    const svg = readFileSync(join(sweepDir, 'summary.svg'), 'utf8');
    expect(svg).toContain('>beta<');
    expect(svg.match(/<circle class="point" data-key="rel_error"/g)).toHaveLength(2);

    const again = await runMain(['sweep', '--resume', sweepDir, '--quiet']);
    expect(again.code).toBe(1);
    const after = await table();
    // Every point once, its latest attempt: the completed ones untouched, the failed ones a second attempt.
    expect(after.map((p) => [p.status, p.attempt])).toEqual([['failed', 2n], ['completed', 1n], ['failed', 2n], ['completed', 1n]]);
    expect(after[1].run_dir).toBe(before[1].run_dir);
    // (The failed points stopped before opening a run: their attempts left no folder.)
    expect(readdirSync(join(sweepDir, 'runs')).sort()).toEqual(['p0001-a1', 'p0003-a1']);
    const [state] = await query(db, `SELECT status, len(resumed) AS resumes FROM read_json(${lit(join(sweepDir, 'sweep.json'))})`);
    expect([state.status, state.resumes]).toEqual(['failed', 1n]);
  });
});
