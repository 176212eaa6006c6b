import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('examples/compose-ebm.ts', () => {
  it('trains an EBM of the two moons whose grid-normalised held-out NLL falls towards the exact one and beats the uniform box', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/compose-ebm.ts'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const rows = [...r.stdout.matchAll(/^step (\d+) loss (\S+) heldout_nll (\S+) exact_nll (\S+) uniform_nll (\S+) kl (\S+)$/gm)].map((m) => m.slice(1).map(Number));
    expect(rows.map((x) => x[0])).toEqual([200, 400, 600]);
    for (const [, loss, nll, exact, uniform, kl] of rows) {
      expect(Number.isFinite(loss)).toBe(true);
      expect(nll).toBeGreaterThan(exact - 0.1); // 2000 test points: se ≈ 0.02
      expect(kl).toBeGreaterThan(0);
      expect(nll).toBeLessThan(uniform);
    }
    expect(rows[2][2]).toBeLessThan(rows[0][2]);
    expect(rows[2][2]).toBeLessThan(rows[2][4] - 0.8); // measured ≈ 1.1 nats better than log 64
  });
});
