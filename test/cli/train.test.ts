import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

const out = mkdtempSync(join(tmpdir(), 'train-cli-'));
const installed = (pkg: string) => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function runMain(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '', stdout = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  try {
    const code = await main(args);
    return { code, stderr, stdout };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

describe('train command (the main job)', () => {
  it.each([
    [['--epsilon', '-1'], /--epsilon <ε>.*expected a number ≥ 0, got -1/],
    [['--qubits', '0'], /--qubits <N>.*expected an integer ≥ 1, got 0/],
    [['--qubits', '2.5'], /--qubits <N>.*expected an integer ≥ 1, got 2\.5/],
    [['--qubits', 'many'], /--qubits <N>.*expected an integer ≥ 1, got "many"/],
    [['--scheme', 'diagonal'], /--scheme <name>.*expected one of fixed, random, got "diagonal"/],
    [['--plan', 'C'], /--plan <A\|B>.*expected one of A, B, got "C"/],
    [['--reg', 'cosine:3'], /--reg <schedule>.*expected a number ≥ 0, tanh:T or linear:T/],
    [['--lr', '0'], /--lr <η>.*expected a number > 0, got 0/],
    [['--backend', 'tpu'], /--backend <name>.*Allowed choices are auto, tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu/],
  ])('rejects %j with one line naming the option, exit 2, nothing written', async (args, message) => {
    const r = await runMain(['train', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(out)).toEqual([]);
  });

  // Only where tfjs-node-gpu is absent (as on CI); a GPU user's machine would train instead.
  it.skipIf(installed('@tensorflow/tfjs-node-gpu'))('names an explicit backend that is not installed, exit 2, nothing written', async () => {
    const r = await runMain(['train', '--backend', 'tfjs-node-gpu', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --backend tfjs-node-gpu is not usable here: tfjs-node-gpu: /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(out)).toEqual([]);
  });

  it('documents every option in --help (exit 0)', async () => {
    const r = await runMain(['train', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--scheme', '--epsilon', '--qubits', '--alpha0', '--latent', '--plan', '--batch', '--steps', '--lr', '--reg', '--seed', '--backend', '--out', '--every', '--quiet', '--resume']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('runs without a command as the main job and writes a run directory with a summary', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--scheme', 'fixed', '--qubits', '8', '--batch', '4', '--steps', '6', '--every', '3', '--eval-records', '20', '--out', out], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^backend: (wasm|cpu|tfjs-node)/m);
    expect(r.stdout).toMatch(/completed at step 6\/6/);
    expect(r.stdout).toMatch(/ELBO gap/);
    const runs = readdirSync(join(out, 'emergent-classicality'));
    expect(runs).toHaveLength(1);
    const dir = join(out, 'emergent-classicality', runs[0]);
    expect(existsSync(join(dir, 'run.parquet'))).toBe(true);
    expect(readdirSync(dir).some((f) => /^scalars-\d+\.parquet$/.test(f))).toBe(true);
    expect(existsSync(join(dir, 'checkpoints', 'latest.json'))).toBe(true);
  });
});
