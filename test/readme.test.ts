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
