import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from './runMain.ts';
import { duck, lit, query } from '../sinks/readBack.ts';

const root = mkdtempSync(join(tmpdir(), 'ebm-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const small = ['--steps', '40', '--every', '20', '--batch', '32', '--langevin-steps', '5', '--buffer', '200', '--hidden', '16', '--quiet'];

describe('ebm command', () => {
  it.each([
    [['--data', 'spiral'], /--data <name>.*expected one of moons, rings, checkerboard, got "spiral"/],
    [['--lr', '0'], /--lr <η>.*expected a number > 0 and ≤ 1, got 0/],
    [['--lr', '-0.1'], /--lr <η>.*expected a number > 0 and ≤ 1, got -0.1/],
    [['--hidden', '0'], /--hidden <h>.*expected an integer ≥ 1 and ≤ 4096, got 0/],
    [['--langevin-steps', '0'], /--langevin-steps <K>.*expected an integer ≥ 1 and ≤ 10000, got 0/],
    [['--step-size', '0'], /--step-size <λ>.*expected a number > 0 and ≤ 10, got 0/],
    [['--step-size', '-1'], /--step-size <λ>.*expected a number > 0 and ≤ 10, got -1/],
    [['--reinit', '1.5'], /--reinit <f>.*expected a number ≥ 0 and ≤ 1, got 1.5/],
    [['--reinit', '-0.05'], /--reinit <f>.*expected a number ≥ 0 and ≤ 1, got -0.05/],
    [['--batch', '600', '--buffer', '500'], /--batch 600 is more than --buffer 500/],
    [['--resume', join(root, 'missing.json')], /--resume: cannot read checkpoint .*missing\.json/],
  ])('rejects %j with one line naming the option, exit 2, nothing written', async (args, message) => {
    const out = join(root, 'bad');
    const r = await runMain(['ebm', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('trains, writes figures, weights, scalars and a summary, and a resumed run continues from the checkpoint', async () => {
    const out = join(root, 'ok');
    const r = await runMain(['ebm', '--data', 'rings', ...small, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/completed at step 40\/40 on wasm: rings/);
    expect(r.stdout).toMatch(/EBM \(grid-normalised\) \d+\.\d{3} ± \d\.\d{3}/);
    expect(r.stdout).toMatch(/uniform on the box\s+4\.159/);
    const [run] = readdirSync(join(out, 'ebm'));
    const dir = join(out, 'ebm', run);
    for (const f of ['density.png', 'chains.png', 'weights.safetensors', 'checkpoints/latest.json', 'scalars.svg']) expect(existsSync(join(dir, f)), f).toBe(true);

    const db = await duck();
    const rows = await query(db, `SELECT step::INT AS step, heldout_nll, exact_nll, uniform_nll, kl_grid FROM read_parquet(${lit(join(dir, 'scalars-*.parquet'))}) ORDER BY step`);
    expect(rows.map((x) => x.step)).toEqual([20, 40]);
    for (const x of rows) expect(x.heldout_nll as number).toBeGreaterThan(x.exact_nll as number);
    const runRow = await query(db, `SELECT status, data, langevinSteps, stepSize FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(runRow[0]).toMatchObject({ status: 'completed', data: 'rings', langevinSteps: 5, stepSize: 0.02 });

    const ckpt = join(dir, 'checkpoints', 'latest.json');
    const again = await runMain(['ebm', '--data', 'rings', ...small, '--out', out, '--resume', ckpt]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--steps 40 is not beyond the checkpoint's step 40: nothing to train/);
    const other = await runMain(['ebm', '--data', 'moons', ...small, '--steps', '60', '--out', out, '--resume', ckpt]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--resume: checkpoint .* was written with data "rings", this run has "moons"/);

    const resumed = await runMain(['ebm', '--data', 'rings', ...small, '--steps', '60', '--out', out, '--resume', ckpt]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/completed at step 60\/60/);
    const second = readdirSync(join(out, 'ebm')).find((d) => d !== run)!;
    const steps = await query(db, `SELECT step::INT AS step FROM read_parquet(${lit(join(out, 'ebm', second, 'scalars-*.parquet'))}) ORDER BY step`);
    expect(steps.map((x) => x.step)).toEqual([60]);
  });
});
