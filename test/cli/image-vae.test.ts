import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { decodeSafetensors, loadSafetensors } from '../../src/checkpoint/safetensors.ts';
import { runMain } from './runMain.ts';
import { imageVae } from '../../src/models/image/imageVae.ts';
import { Rng } from '../../src/random/rng.ts';
import { duck, lit, query } from '../sinks/readBack.ts';

const root = mkdtempSync(join(tmpdir(), 'image-vae-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('wasm');
});

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'image-vae', ...args, '--quiet'], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
}

/** The one run directory under `out`. */
function runDir(out: string): string {
  const runs = readdirSync(join(out, 'image-vae'));
  expect(runs).toHaveLength(1);
  return join(out, 'image-vae', runs[0]);
}

/** An IDX header: magic 0x0000 08 ndims, then the dimensions big-endian. */
function idx(magicType: number, dims: number[], data: number): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x800 | magicType, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

describe('image-vae command', () => {
  const dirs = join(root, 'data');
  const empty = join(dirs, 'empty');
  const badMagic = join(dirs, 'bad-magic');
  const truncated = join(dirs, 'truncated');
  for (const d of [empty, badMagic, truncated]) mkdirSync(d, { recursive: true });
  // Text where the training images belong; training images that stop short of their header's size.
  writeFileSync(join(badMagic, 'train-images-idx3-ubyte'), 'hello, world\n');
  writeFileSync(join(truncated, 'train-images-idx3-ubyte'), idx(0x03, [10, 28, 28], 100));

  it.each([
    [['--model', 'vgg'], /--model <name>.*expected one of mlp, mlp8, conv, got "vgg"/],
    [['--likelihood', 'poisson'], /--likelihood <name>.*expected one of bernoulli, normal, got "poisson"/],
    [['--objective', 'vi'], /--objective <name>.*expected one of elbo, iwae, got "vi"/],
    [['--latent', '0'], /--latent <d>.*expected an integer ≥ 1 and ≤ 512, got 0/],
    [['--batch', '0'], /--batch <n>.*expected an integer ≥ 1, got 0/],
    [['--batch', 'lots'], /--batch <n>.*expected an integer ≥ 1, got "lots"/],
    [['--epochs', '1.5'], /--epochs <n>.*expected an integer ≥ 1, got 1\.5/],
    [['--lr', '0'], /--lr <η>.*expected a number > 0 and ≤ 1, got 0/],
    [['--eval-k', '1,x'], /--eval-k <K,...>.*expected an integer ≥ 1, got "x"/],
    [['--k', '3'], /--k applies to --objective iwae \(the objective is elbo\)/],
    [['--eval-k', '1,10000'], /--eval-k 10000 is beyond --final-k 5000/],
    [['--data', join(dirs, 'missing')], /--data: .*missing: no such directory/],
    [['--data', empty], /--data: .*train-images-idx3-ubyte: no such file \(nor train-images-idx3-ubyte\.gz\); --data DIR needs the four MNIST IDX files/],
    [['--data', badMagic], /--data: .*train-images-idx3-ubyte: not an MNIST IDX file \(bad magic 0x68656c6c, expected 0x00000803/],
    [['--data', truncated], /--data: .*train-images-idx3-ubyte: truncated: shape 10 × 28 × 28 needs 7840 bytes of data, the file has 100/],
    [['--resume', join(root, 'nope.json')], /--resume: cannot read checkpoint .*nope\.json/],
  ])('rejects %j with one line, exit 2, nothing written', async (args, message) => {
    const out = join(root, 'bad');
    const r = await runMain(['image-vae', ...args, '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('documents its options in --help (exit 0)', async () => {
    const r = await runMain(['image-vae', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--model', '--likelihood', '--objective', '--k', '--latent', '--batch', '--epochs', '--lr', '--data', '--eval-k', '--test-subset', '--final-k', '--figures-every', '--resume', '--dashboard', '--seed']) expect(r.stdout).toContain(flag);
  });

  it('a tiny run on the shipped digits leaves the four PNGs, the tables and loadable safetensors weights', async () => {
    const out = join(root, 'tiny');
    const r = cli(['--train-subset', '256', '--epochs', '2', '--test-subset', '20', '--eval-k', '1,10,100', '--final-k', '200', '--final-subset', '10', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^completed at epoch 2\/2 on wasm: mlp, latent 2, bernoulli, ELBO, 256 training images of shipped-digits\/train/);
    expect(r.stdout).toMatch(/^\s+200\s+\d+\.\d\d\s+\d+\.\d\d$/m);
    expect(r.stdout).toMatch(/Burda et al\. \(2016\) Table 1.*VAE 86\.76, IWAE \(K = 50\) 84\.78 nats/);
    const dir = runDir(out);

    const sizes = Object.fromEntries(['samples.png', 'reconstructions.png', 'latents.png', 'traversal.png'].map((f) => {
      const png = decode(readFileSync(join(dir, f)));
      return [f, [png.width, png.height]];
    }));
    // 10 × 10 tiles of 28 + 2 padding, doubled; 5 pairs of 57 + 4 a row, 10 rows, doubled; the scatter; 20 × 20 unpadded tiles.
    expect(sizes).toEqual({ 'samples.png': [604, 604], 'reconstructions.png': [618, 648], 'latents.png': [640, 480], 'traversal.png': [560, 560] });

    const db = await duck();
    const glob = (t: string) => lit(join(dir, `${t}-*.parquet`));
    const epochs = await query(db, `SELECT step::INT AS step, epoch, loss, test_nll_1 AS l1, test_nll_10 AS l10, test_nll_100 AS l100, test_nll, iwae_k FROM read_parquet(${glob('scalars')}) ORDER BY step`);
    expect(epochs.map((e) => [e.step, e.epoch])).toEqual([[2, 1], [4, 2]]);
    for (const e of epochs) {
      // In NLL terms −L_1 ≥ −L_10 ≥ −L_100: exact here, all K share each image's 100 draws (nested groups).
      expect(e.l1 as number).toBeGreaterThanOrEqual(e.l10 as number);
      expect(e.l10 as number).toBeGreaterThanOrEqual(e.l100 as number);
      expect([e.test_nll, e.iwae_k]).toEqual([e.l100, 100]);
    }
    const nll = await query(db, `SELECT k::INT AS k, nll, se, records::INT AS records, samples::INT AS samples FROM read_parquet(${glob('test_nll')}) ORDER BY k`);
    expect(nll.map((n) => n.k)).toEqual([1, 10, 100, 200]);
    expect(nll.every((n) => n.records === 10 && n.samples === 200)).toBe(true);
    for (let i = 1; i < nll.length; i++) expect(nll[i].nll as number).toBeLessThanOrEqual(nll[i - 1].nll as number);
    const latents = await query(db, `SELECT count(*)::INT AS n, min(len(mu))::INT AS d, max(label)::INT AS top, min(list_min(sigma)) AS smallest FROM read_parquet(${glob('latents')})`);
    expect(latents[0]).toMatchObject({ n: 1505, d: 2, top: 9 });
    expect(latents[0].smallest as number).toBeGreaterThan(0);
    const run = await query(db, `SELECT status, model, likelihood, objective, latent, testSubset, data FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run[0]).toMatchObject({ status: 'completed', model: 'mlp', likelihood: 'bernoulli', objective: 'elbo', latent: 2, testSubset: 20, data: 'shipped-digits' });

    const weights = decodeSafetensors(readFileSync(join(dir, 'weights.safetensors')));
    expect(weights.tensors['encoder/hidden1/weight'].shape).toEqual([784, 512]);
    expect(weights.metadata).toMatchObject({ architecture: 'mlp', likelihood: 'bernoulli', latent: '2', epoch: '2' });
    const fresh = imageVae({ architecture: 'mlp', likelihood: 'bernoulli' }, new Rng(0));
    loadSafetensors(join(dir, 'weights.safetensors'), [fresh.encoder, fresh.decoder]); // strict: the same names and shapes
    fresh.encoder.dispose();
    fresh.decoder.dispose();
    expect(existsSync(join(dir, 'checkpoints', 'latest.json'))).toBe(true);
  });

  it('--resume continues a run in a new run directory up to --epochs', async () => {
    const out = join(root, 'resume');
    const args = ['--train-subset', '128', '--test-subset', '5', '--eval-k', '1,10', '--final-k', '10', '--final-subset', '3', '--figures-every', '0'];
    expect(cli([...args, '--epochs', '1', '--out', out]).status).toBe(0);
    const ckpt = join(runDir(out), 'checkpoints', 'latest.json');
    const none = join(root, 'resume-none');
    const again = await runMain(['image-vae', ...args, '--epochs', '1', '--resume', ckpt, '--out', none, '--quiet']);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe("error: --epochs 1 is not beyond the checkpoint's epoch 1: nothing to train");
    expect(existsSync(none)).toBe(false);
    const changed = await runMain(['image-vae', ...args, '--epochs', '2', '--latent', '3', '--resume', ckpt, '--out', none, '--quiet']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/^error: --resume: checkpoint .* was written with latent 2, this run has 3; resume with the same settings\n$/);
    const r = cli([...args, '--epochs', '2', '--resume', ckpt, '--out', join(root, 'resume-2')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^completed at epoch 2\/2/);
  });

  it('Ctrl-C keeps the finished epochs: figures, weights, checkpoint and scalars, and names the --resume to continue', async () => {
    const out = join(root, 'interrupt');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'image-vae', '--train-subset', '256', '--epochs', '1000', '--test-subset', '5', '--eval-k', '1,10', '--final-k', '10', '--out', out, '--quiet'], { env: { ...process.env, CI: '1' } });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += String(b)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the second epoch's checkpoint exists.
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const runs = existsSync(join(out, 'image-vae')) ? readdirSync(join(out, 'image-vae')) : [];
      const ckpt = runs.length ? join(out, 'image-vae', runs[0], 'checkpoints', 'latest.json') : '';
      if (ckpt && existsSync(ckpt) && JSON.parse(readFileSync(ckpt, 'utf8')).step >= 2) break;
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/error: interrupted by SIGINT; everything up to the last finished epoch is in .*\(continue with --resume .*checkpoints\/latest\.json\)/);
    const dir = runDir(out);
    for (const f of ['samples.png', 'reconstructions.png', 'latents.png', 'traversal.png', 'weights.safetensors']) expect(existsSync(join(dir, f)), f).toBe(true);
    const db = await duck();
    const epochs = await query(db, `SELECT count(*)::INT AS n FROM read_parquet(${lit(join(dir, 'scalars-*.parquet'))})`);
    expect(epochs[0].n as number).toBeGreaterThanOrEqual(2);
    const run = await query(db, `SELECT status, reason FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run[0]).toEqual({ status: 'interrupted', reason: 'SIGINT' });
  });
});

// Debian's package `dataset-fashion-mnist` installs the four gzipped IDX files here (CI installs it).
const FASHION = '/usr/share/datasets/fashion-mnist';
const hasFashion = existsSync(join(FASHION, 'train-images-idx3-ubyte.gz'));
describe.skipIf(!hasFashion)(hasFashion ? `image-vae --data ${FASHION}` : `image-vae --data ${FASHION} (skipped: install the Debian package dataset-fashion-mnist)`, () => {
  it('trains on a tiny subset of Fashion-MNIST and draws the latents of its 10 000 test images', async () => {
    const out = join(root, 'fashion');
    const r = cli(['--data', FASHION, '--train-subset', '256', '--epochs', '1', '--test-subset', '10', '--eval-k', '1,10', '--final-k', '50', '--final-subset', '5', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/256 training images of fashion-mnist\/train/);
    expect(r.stdout).toMatch(/first 5 images of fashion-mnist\/test, fixed binarisation, 50 draws per image/);
    const dir = runDir(out);
    for (const f of ['samples.png', 'reconstructions.png', 'latents.png', 'traversal.png']) expect(existsSync(join(dir, f)), f).toBe(true);
    const db = await duck();
    const latents = await query(db, `SELECT count(*)::INT AS n, count(DISTINCT label)::INT AS classes FROM read_parquet(${lit(join(dir, 'latents-*.parquet'))})`);
    expect(latents[0]).toEqual({ n: 10000, classes: 10 });
    const run = await query(db, `SELECT data, trainImages, testImages FROM read_parquet(${lit(join(dir, 'run.parquet'))})`);
    expect(run[0]).toEqual({ data: FASHION, trainImages: 256, testImages: 10000 });
  });
});
