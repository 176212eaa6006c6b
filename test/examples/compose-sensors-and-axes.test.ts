import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('examples/compose-sensors-and-axes.ts', () => {
  it('discovers the dead sensors and finds the tilted pointer axis, composed from the public operators', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/compose-sensors-and-axes.ts'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const sensors = [...r.stdout.matchAll(/^sensors step (\d+) sensor_corr (\S+) gain_corr (\S+)$/gm)].map((m) => m.slice(1).map(Number));
    const axes = [...r.stdout.matchAll(/^axes step (\d+) axis_angle_deg (\S+) elbo_gap (\S+)$/gm)].map((m) => m.slice(1).map(Number));
    expect(sensors.map((s) => s[0])).toEqual([300, 600]);
    expect(axes.map((a) => a[0])).toEqual([250, 500]);
    // Measured: saliency–ε correlation 0.991 and gain–ε 0.999 at step 600; an exchangeable encoder stays near 0.
    expect(sensors[1][1]).toBeGreaterThan(0.8);
    expect(sensors[1][2]).toBeGreaterThan(0.8);
    // Measured: 21.5° at step 250, 2.1° at step 500, from about 44° at the start.
    expect(axes[1][1]).toBeLessThan(6);
    expect(axes[1][1]).toBeLessThan(axes[0][1]);
  }, 120_000);
});
