import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('opens with the install+main-job command and the test command that .ci/run runs', () => {
    const first = /```bash\n(.*)\n(.*)\n```/.exec(readme)!;
    expect(first[1]).toMatch(/^npm ci && npm start\s/);
    expect(first[2]).toMatch(/^npm test\s/);
    expect(readFileSync('.ci/run', 'utf8')).toMatch(/^npm ci .*\nnpm test$/m);
  });

  it('shows the pipeline of examples/compose-vae.ts verbatim, and that file runs and learns', () => {
    const section = readme.slice(readme.indexOf('## Compose a pipeline in code'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1];
    expect(snippet).toBe(readFileSync('examples/compose-vae.ts', 'utf8'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/compose-vae.ts'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => l.split(' ').map(Number));
    expect(lines.map((l) => l[0])).toEqual([100, 200, 300, 400]);
    expect(lines.at(-1)![2]).toBeGreaterThan(0.9); // m(μ_z) follows the magnetisation
  });
});

describe('examples/compose-banana.ts', () => {
  it('is shown verbatim in the README, fits a flow to near-zero exact KL and samples the same posterior with NUTS', () => {
    const section = readme.slice(readme.indexOf('## Normalising flows, HMC and NUTS'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1];
    expect(snippet).toBe(readFileSync('examples/compose-banana.ts', 'utf8'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/compose-banana.ts'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const kl = [...r.stdout.matchAll(/^realnvp (\d+) KL (\S+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(kl.map((k) => k[0])).toEqual([100, 200, 300, 400]);
    expect(kl[3][1]).toBeLessThan(0.25);
    expect(kl[3][1]).toBeLessThan(kl[0][1]);
    const nuts = /^nuts E\[θ₂\] (\S+) exact (\S+) ESS (\d+)$/m.exec(r.stdout)!;
    expect(Number(nuts[3])).toBeGreaterThan(50);
    // θ₂'s posterior sd is about 0.9: the mean is within 5 Monte Carlo standard errors of the exact one.
    expect(Math.abs(Number(nuts[1]) - Number(nuts[2]))).toBeLessThan(5 * 0.95 / Math.sqrt(Number(nuts[3])));
  });
});
