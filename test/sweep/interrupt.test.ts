import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { findRunDir } from '../../src/sweep/lastScalars.ts';
import { duck, lit, query } from '../sinks/readBack.ts';
import { spawnTs, waitForSegments } from '../sinks/spawnRun.ts';

const out = mkdtempSync(join(tmpdir(), 'sweep-interrupt-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('sweep: Ctrl-C and --resume', () => {
  it('SIGINT interrupts the running points and the sweep (exit 130), keeps what they flushed, and --resume completes the rest', async () => {
    const root = join(out, 'int');
    const sweep = spawnTs('src/cli/main.ts', [
      'sweep', '--epsilon', '0.2,0.4,0.6', '--qubits', '6', '--scheme', 'fixed', '--batch', '4', '--steps', '300', '--every', '10', '--eval-records', '20',
      '--flush-interval', '0.5', '--workers', '2', '--out', root,
    ]);
    const sweepDir = () => {
      try {
        const [id] = readdirSync(join(root, 'emergent-classicality-sweep'));
        return id && join(root, 'emergent-classicality-sweep', id);
      } catch {
        return undefined;
      }
    };
    // Both workers' points have flushed scalars: they are running.
    for (const p of ['p0000-a1', 'p0001-a1']) await waitForSegments(() => { const d = sweepDir(); return d ? (findRunDir(join(d, 'runs', p)) ?? undefined) : undefined; }, 'scalars-', 1);
    sweep.child.kill('SIGINT');
    expect(await sweep.exited, sweep.stderr()).toBe(130);
    expect(sweep.stderr().trim().split('\n').at(-1)).toMatch(/^error: interrupted by SIGINT with [123] of 3 points not completed; continue with: sweep --resume /);

    const dir = sweepDir()!;
    const state = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
    expect(state.status).toBe('interrupted');
    const db = await duck();
    const points = await query(db, `SELECT index, status, attempt, run_dir, step FROM read_parquet(${lit(join(dir, 'points.parquet'))}) ORDER BY index`);
    expect(points.map((p) => p.status)).toEqual(state.points.map((p: { status: string }) => p.status));
    // A point that ran when the signal came is interrupted (on a busy machine p0 may have completed first); one never started is pending.
    expect(points.map((p) => p.status)).toContain('interrupted');
    for (const p of points) {
      expect(['completed', 'interrupted', 'pending']).toContain(p.status);
      expect(p.attempt).toBe(p.status === 'pending' ? 0n : 1n);
    }
    for (const p of points.filter((q) => q.status === 'interrupted')) {
      // The interrupted run flushed and closed itself; the points table holds its last flushed step.
      const [run] = await query(db, `SELECT status FROM read_parquet(${lit(join(dir, String(p.run_dir), 'run.parquet'))})`);
      expect(run.status).toBe('interrupted');
      const [last] = await query(db, `SELECT max(step) AS step FROM read_parquet(${lit(join(dir, String(p.run_dir), 'scalars-*.parquet'))}, union_by_name = true)`);
      expect(p.step).toBe(last.step);
      expect(Number(p.step)).toBeLessThan(300);
    }

    let stderr = '';
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
    const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await main(['sweep', '--resume', dir, '--workers', '2', '--quiet']);
    } finally {
      e.mockRestore();
      o.mockRestore();
    }
    expect(code, stderr).toBe(0);
    const after = await query(db, `SELECT index, status, attempt, step FROM read_parquet(${lit(join(dir, 'points.parquet'))}) ORDER BY index`);
    // Every point once: the interrupted ones rerun as attempt 2, the others ran once.
    const again = (p: Record<string, unknown>) => p.status === 'interrupted';
    expect(after.map((p) => [p.index, p.status, p.attempt, p.step])).toEqual(points.map((p) => [p.index, 'completed', again(p) ? 2n : 1n, 300n]));
    expect(readdirSync(join(dir, 'runs')).sort()).toEqual(points.flatMap((p) => (again(p) ? [`p000${p.index}-a1`, `p000${p.index}-a2`] : [`p000${p.index}-a1`])));
    expect(JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')).status).toBe('completed');
  });
});
