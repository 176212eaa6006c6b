import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('examples/compose-image-vae.ts', () => {
  it('trains seed 003\'s MLP VAE with the qubit VAE\'s operators: the loss falls and −L_100 ≤ −L_1 every epoch', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/compose-image-vae.ts'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const epochs = [...r.stdout.matchAll(/^epoch (\d+) loss (\S+) test −L_1 (\S+) −L_100 (\S+)$/gm)].map((m) => m.slice(1).map(Number));
    expect(epochs.map((e) => e[0])).toEqual([1, 2, 3]);
    for (const [, loss, l1, l100] of epochs) {
      expect(Number.isFinite(loss)).toBe(true);
      // The same draws serve both K, and the groups nest: the ordering is exact, not only in expectation.
      expect(l100).toBeLessThanOrEqual(l1);
    }
    expect(epochs[2][1]).toBeLessThan(epochs[0][1]);
    expect(epochs[2][3]).toBeLessThan(epochs[0][3]);
    expect(epochs[2][3]).toBeLessThan(543); // 784 · log 2: better than a coin per pixel
  });
});
