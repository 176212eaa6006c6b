import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from './runMain.ts';
import { encodeNpy } from '../../src/data/npy.ts';
import { duck, lit, query } from '../sinks/readBack.ts';

const root = mkdtempSync(join(tmpdir(), 'banana-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('banana command', () => {
  const files = join(root, 'files');
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, 'matrix.npy'), encodeNpy(new Float64Array(200), [100, 2]));
  writeFileSync(join(files, 'words.csv'), 'y\n1.5\nbanana\n');

  it.each([
    [['--sigma-y', '0'], /--sigma-y <σ>.*expected a number > 0, got 0/],
    [['--sigma-y', '-2'], /--sigma-y <σ>.*expected a number > 0, got -2/],
    [['--step-size', '0'], /--step-size <ε>.*expected a number > 0 and ≤ 10, got 0/],
    [['--leapfrog-steps', '0'], /--leapfrog-steps <L>.*expected an integer ≥ 1 and ≤ 10000, got 0/],
    [['--method', 'planar,gibbs'], /--method <m,...>.*expected a comma-separated list of planar, nice, realnvp, spline, hmc, nuts, got "gibbs"/],
    [['--data', join(files, 'missing.npy')], /--data: .*missing\.npy.*(no such file|not found|does not exist)/i],
    [['--data', join(files, 'matrix.npy')], /--data: .*matrix\.npy.*1-D/],
    [['--data', join(files, 'words.csv')], /--data: .*words\.csv.*banana/],
    [['--column', 'y'], /--column needs --data/],
  ])('rejects %j with one line naming the option, exit 2, nothing written', async (args, message) => {
    const out = join(root, 'bad');
    const r = await runMain(['banana', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('fits every method on a user data file and leaves tables that DuckDB ranks in one query', async () => {
    const out = join(root, 'ok');
    const y = Float64Array.from({ length: 40 }, (_, i) => 1 + 2 * Math.sin(i * 1.7));
    writeFileSync(join(files, 'y.npy'), encodeNpy(y, [y.length]));
    const r = spawnSync(
      process.execPath,
      [
        '--import', 'tsx', 'src/cli/main.ts', 'banana', '--data', join(files, 'y.npy'), '--steps', '40', '--every', '20', '--layers', '2',
        '--eval-samples', '256', '--iwae-samples', '2000', '--samples', '200', '--chains', '2', '--warmup', '60', '--draws', '60',
        '--refine-particles', '200', '--refine-transitions', '4', '--out', out, '--quiet',
      ],
      { encoding: 'utf8', env: { ...process.env, CI: '1' } },
    );
    expect(r.status, r.stderr).toBe(0);
    for (const m of ['planar', 'nice', 'realnvp', 'spline', 'hmc', 'nuts']) expect(r.stdout).toMatch(new RegExp(`^\\s+${m}\\s`, 'm'));
    const [run] = readdirSync(join(out, 'banana'));
    const dir = join(out, 'banana', run);
    for (const f of ['samples.svg', 'elbo.svg', 'kl.svg', 'iwae.svg', 'trace-hmc.svg', 'trace-nuts.svg', 'refine.svg']) expect(existsSync(join(dir, f)), f).toBe(true);

    const db = await duck();
    const glob = (t: string) => lit(join(dir, `${t}-*.parquet`));
    const data = await query(db, `SELECT count(*)::INT AS n, sum(y) AS s FROM read_parquet(${glob('data')})`);
    expect(data[0].n).toBe(40);
    expect(data[0].s as number).toBeCloseTo(y.reduce((a, b) => a + b, 0), 9);
    const ranked = await query(db, `SELECT method, kind, kl_q_p, w1_theta1 + w1_theta2 AS w1 FROM read_parquet(${glob('summary')}) ORDER BY w1`);
    expect(ranked.map((row) => row.method).sort()).toEqual(['hmc', 'nice', 'nuts', 'planar', 'realnvp', 'spline']);
    for (const row of ranked) if (row.kind === 'flow') expect(row.kl_q_p as number).toBeGreaterThan(-0.05);
    const samples = await query(db, `SELECT method, count(*)::INT AS n, count(log_q)::INT AS with_q FROM read_parquet(${glob('samples')}) GROUP BY method ORDER BY method`);
    const byMethod = Object.fromEntries(samples.map((s) => [s.method, s]));
    expect(byMethod.planar).toMatchObject({ n: 200, with_q: 200 });
    expect(byMethod.hmc).toMatchObject({ n: 120, with_q: 0 });
    const runRow = await query(db, `SELECT status, sigmaY, data FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(runRow[0]).toMatchObject({ status: 'completed', sigmaY: 2, data: join(files, 'y.npy') });
  });
});
