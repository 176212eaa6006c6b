import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('examples/compose-rbm.ts', () => {
  it('trains seed 004\'s RBM by minibatches ▸ cdUpdates ▸ evaluation: AIS meets the exact log Z, the test log-likelihood rises', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/compose-rbm.ts'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const num = '(-?\\d+\\.\\d+)';
    const re = new RegExp(`^epoch (\\d+) pseudo ${num} logZ base-rate ${num} ± ${num} visible-bias ${num} ± ${num} exact ${num} test ${num}$`, 'gm');
    const epochs = [...r.stdout.matchAll(re)].map((m) => m.slice(1).map(Number));
    expect(epochs.map((e) => e[0])).toEqual([1, 2, 3]);
    for (const [, pseudo, dataZ, dataSe, biasZ, biasSe, exact, ll] of epochs) {
      expect(pseudo).toBeLessThan(0);
      expect(Math.abs(biasZ - exact)).toBeLessThan(Math.max(4 * biasSe, 0.05));
      // AIS is a stochastic lower bound on log Z, whatever its base.
      expect(dataZ).toBeLessThan(exact + 4 * dataSe + 0.05);
      expect(ll).toBeLessThan(0);
    }
    expect(epochs[2][7]).toBeGreaterThan(epochs[0][7]);
    expect(epochs[2][7]).toBeGreaterThan(-543); // 784 · log 2: better than a coin per pixel
  });
});
