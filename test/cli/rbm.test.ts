import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRbm } from '../../src/energy/rbmSafetensors.ts';
import { runMain } from './runMain.ts';
import { duck, lit, query } from '../sinks/readBack.ts';

const root = mkdtempSync(join(tmpdir(), 'rbm-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'rbm', ...args, '--quiet'], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
}

/** The one run directory under `out`. */
function runDir(out: string): string {
  const runs = readdirSync(join(out, 'rbm'));
  expect(runs).toHaveLength(1);
  return join(out, 'rbm', runs[0]);
}

describe('rbm command', () => {
  const dirs = join(root, 'data');
  const empty = join(dirs, 'empty');
  const badMagic = join(dirs, 'bad-magic');
  for (const d of [empty, badMagic]) mkdirSync(d, { recursive: true });
  writeFileSync(join(badMagic, 'train-images-idx3-ubyte'), 'hello, world\n');

  it.each([
    [['--hidden', '0'], /--hidden <n>.*expected an integer ≥ 1, got 0/],
    [['--k', '0'], /--k <k>.*expected an integer ≥ 1, got 0/],
    [['--lr', '0'], /--lr <η>.*expected a number > 0, got 0/],
    [['--lr', '-1'], /--lr <η>.*expected a number > 0, got -1/],
    [['--momentum', '1'], /--momentum <μ>.*expected a number ≥ 0 and < 1, got 1/],
    [['--momentum', '-0.1'], /--momentum <μ>.*expected a number ≥ 0 and < 1, got -0\.1/],
    [['--momentum', 'lots'], /--momentum <μ>.*expected a number ≥ 0 and < 1, got "lots"/],
    [['--weight-decay', '-1'], /--weight-decay <λ>.*expected a number ≥ 0, got -1/],
    [['--batch', '0'], /--batch <n>.*expected an integer ≥ 1, got 0/],
    [['--threads', '3'], /--threads <n>.*expected an integer ≥ 1 and ≤ 2, got 3/],
    [['--ais-runs', '1'], /--ais-runs <M>.*expected an integer ≥ 2, got 1/],
    [['--ais-betas', '2'], /--ais-betas <K>.*expected an integer ≥ 3, got 2/],
    [['--ais-base', 'uniform'], /--ais-base <name>.*expected one of both, data, visible-bias, got "uniform"/],
    [['--data', join(dirs, 'missing')], /--data: .*missing: no such directory/],
    [['--data', empty], /--data: .*train-images-idx3-ubyte: no such file \(nor train-images-idx3-ubyte\.gz\); --data DIR needs the four MNIST IDX files/],
    [['--data', badMagic], /--data: .*train-images-idx3-ubyte: not an MNIST IDX file \(bad magic 0x68656c6c/],
    [['--resume', join(root, 'nope.json')], /--resume: cannot read checkpoint .*nope\.json/],
  ])('rejects %j with one line, exit 2, nothing written', async (args, message) => {
    const out = join(root, 'bad');
    const r = await runMain(['rbm', ...args, '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('documents its options in --help (exit 0)', async () => {
    const r = await runMain(['rbm', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--hidden', '--k', '--persistent', '--lr', '--momentum', '--weight-decay', '--batch', '--epochs', '--data', '--train-subset', '--test-subset', '--ais-base', '--ais-runs', '--ais-betas', '--final-ais-runs', '--final-ais-betas', '--figures-every', '--chains', '--chain-sweeps', '--threads', '--resume', '--dashboard', '--seed']) expect(r.stdout).toContain(flag);
  });

  it('a tiny run leaves the scalars with their columns, the final row, the three PNGs and weights the seed\'s class loads; AIS meets the exact log Z', async () => {
    const out = join(root, 'tiny');
    const r = cli(['--train-subset', '256', '--hidden', '12', '--epochs', '2', '--test-subset', '50', '--ais-base', 'visible-bias', '--ais-runs', '20', '--ais-betas', '50', '--final-ais-runs', '20', '--final-ais-betas', '200', '--chains', '3', '--chain-sweeps', '20', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^completed at epoch 2\/2: 784-12 RBM, CD-1, SGD 0\.1, batch 64, 256 training images of shipped-digits\/train/);
    expect(r.stdout).toMatch(/^\s+AIS\s+20 × 200\s+-?\d+\.\d\d ± \d+\.\d\d\s+-\d+\.\d\d ± \d+\.\d\d$/m);
    expect(r.stdout).toMatch(/^\s+exact \(enumerated\)\s+-?\d+\.\d\d\s+-\d+\.\d\d$/m);
    expect(r.stdout).toMatch(/Salakhutdinov & Murray \(2008\) Table 2.*CD-1 -125\.53, CD-3 -105\.5, CD-25 -86\.34 nats/);
    const dir = runDir(out);

    const sizes = Object.fromEntries(['rbm-samples.png', 'rbm-filters.png', 'rbm-chains.png'].map((f) => {
      const png = decode(readFileSync(join(dir, f)));
      return [f, [png.width, png.height]];
    }));
    // Two panels of 4 × 8 tiles of 28 + 2 padding with a 12-pixel gap, doubled; 12 filters on 2 rows of 10; 3 chains × 5 snapshots (sweeps 1, 2, 5, 10, 20).
    expect(sizes).toEqual({ 'rbm-samples.png': [2 * (2 * 242 + 12), 2 * 122], 'rbm-filters.png': [604, 124], 'rbm-chains.png': [2 * (5 * 30 + 2), 2 * (3 * 30 + 2)] });

    const db = await duck();
    const glob = (t: string) => lit(join(dir, `${t}-*.parquet`));
    const epochs = await query(db, `SELECT step::INT AS step, epoch, loss, reconstruction_error, pseudo_loglik, log_z, log_z_se, test_loglik, test_loglik_se, log_z_exact, test_loglik_exact, train_seconds, eval_seconds FROM read_parquet(${glob('scalars')}) ORDER BY step`);
    expect(epochs.map((e) => [e.step, e.epoch])).toEqual([[4, 1], [8, 2]]);
    for (const e of epochs) {
      for (const [k, v] of Object.entries(e)) expect(Number.isFinite(v as number), k).toBe(true);
      expect(Math.abs((e.log_z as number) - (e.log_z_exact as number))).toBeLessThan(Math.max(4 * (e.log_z_se as number), 0.05));
    }
    const final = await query(db, `SELECT epoch, ais_betas::INT AS betas, log_z, log_z_se, log_z_exact, test_records::INT AS n FROM read_parquet(${glob('final')})`);
    expect(final).toHaveLength(1);
    expect(final[0]).toMatchObject({ epoch: 2, betas: 200, n: 50 });
    expect(Math.abs((final[0].log_z as number) - (final[0].log_z_exact as number))).toBeLessThan(Math.max(4 * (final[0].log_z_se as number), 0.05));
    const run = await query(db, `SELECT status, hidden, k, persistent, aisBase, data, trainImages FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run[0]).toMatchObject({ status: 'completed', hidden: 12, k: 1, persistent: false, aisBase: 'visible-bias', data: 'shipped-digits', trainImages: 256 });

    const { model, metadata } = loadRbm(join(dir, 'weights.safetensors'));
    expect([model.hidden, model.visible]).toEqual([12, 784]);
    expect(metadata).toMatchObject({ model: 'bernoulli-rbm', epoch: '2' });
    expect(existsSync(join(dir, 'checkpoints', 'latest.json'))).toBe(true);
  });

  it('--resume continues a run in a new run directory up to --epochs, and refuses other settings', async () => {
    const out = join(root, 'resume');
    const args = ['--train-subset', '128', '--hidden', '8', '--test-subset', '10', '--ais-runs', '2', '--ais-betas', '5', '--final-ais-runs', '2', '--final-ais-betas', '5', '--figures-every', '0', '--chains', '1', '--chain-sweeps', '2'];
    expect(cli([...args, '--epochs', '1', '--out', out]).status).toBe(0);
    const ckpt = join(runDir(out), 'checkpoints', 'latest.json');
    const none = join(root, 'resume-none');
    const again = await runMain(['rbm', ...args, '--epochs', '1', '--resume', ckpt, '--out', none, '--quiet']);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe("error: --epochs 1 is not beyond the checkpoint's epoch 1: nothing to train");
    const changed = await runMain(['rbm', ...args, '--epochs', '2', '--k', '3', '--resume', ckpt, '--out', none, '--quiet']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/^error: --resume: checkpoint .* was written with k 1, this run has 3; resume with the same settings\n$/);
    expect(existsSync(none)).toBe(false);
    const r = cli([...args, '--epochs', '2', '--resume', ckpt, '--out', join(root, 'resume-2')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^completed at epoch 2\/2/);
  });
});
