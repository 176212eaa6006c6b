import { describe, expect, it } from 'vitest';
import type { PointJob, PointResult } from '../../src/sweep/pointJob.ts';
import { runPool } from '../../src/sweep/runPool.ts';
import { sweepProgress } from '../../src/sweep/sweepProgress.ts';

const jobs: PointJob[] = [0, 1, 2, 3, 4].map((index) => ({ sweepId: 's', index, command: 'train', args: [], out: `/tmp/p${index}` }));
const result = (index: number, status: PointResult['status'] = 'completed', seconds = 10): PointResult => ({ index, status, reason: null, exitCode: 0, runDir: null, last: null, seconds });

describe('runPool', () => {
  it('runs at most `workers` points at once, in grid order, and reports each result once', async () => {
    let running = 0, most = 0;
    const started: number[] = [], reported: number[] = [];
    const results = await runPool(jobs, {
      workers: 2,
      onStart: (job) => started.push(job.index),
      onResult: (r) => void reported.push(r.index),
      runPoint: async (job) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5 + 10 * (job.index % 2)));
        running--;
        return result(job.index);
      },
    });
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect([...reported].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('starts no point after the signal aborts, and hands it to the running ones', async () => {
    const abort = new AbortController();
    const seen: boolean[] = [];
    const results = await runPool(jobs, {
      workers: 2,
      signal: abort.signal,
      runPoint: async (job, options) => {
        if (job.index === 1) abort.abort();
        seen.push(options.signal === abort.signal && options.detached === true);
        return result(job.index, options.signal?.aborted ? 'interrupted' : 'completed');
      },
    });
    expect(results.map((r) => [r.index, r.status])).toEqual([[0, 'completed'], [1, 'interrupted']]);
    expect(seen).toEqual([true, true]);
    await expect(runPool(jobs, { workers: 0 })).rejects.toThrow('runPool: workers must be an integer ≥ 1, got 0');
  });
});

describe('sweepProgress', () => {
  const sink = (isTTY: boolean) => {
    let text = '';
    return { stream: { isTTY, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean }, text: () => text };
  };

  it('writes plain lines off a TTY: each started and ended point, with counts and an ETA from finished durations', () => {
    let t = 0;
    const out = sink(false);
    const view = sweepProgress({ points: 4, workers: 2, label: (i) => `p${i}`, total: () => 100, stream: out.stream, now: () => t, intervalMs: 5_000 });
    view.start(0);
    view.start(1);
    t = 5_000;
    view.progress({ index: 1, step: 25, values: {} });
    t = 10_000;
    view.progress({ index: 1, step: 50, values: {} });
    view.finish(result(0, 'completed', 10));
    t = 20_000;
    view.finish(result(1, 'failed', 20));
    view.close();
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toBe('p0 started');
    // At 10 s, nothing finished: p1 does 5 steps/s since its first flush, so it has 10 s left (20 s in all); p0 as long, and the 2 pending points 20 s each, on 2 workers.
    expect(lines).toContain('sweep 0/4 done, 2 running, 0 failed, 2 pending | ETA 30s | p0 step 0/100; p1 step 50/100');
    // p0 took 10 s: p1 still has 10 s left, the 2 pending points 10 s each.
    expect(lines).toContain('p0 completed in 10s | sweep 1/4 done, 1 running, 0 failed, 2 pending | ETA 15s');
    expect(lines.at(-1)).toBe('sweep 1/4 done, 0 running, 1 failed, 2 pending');
  });

  it('redraws the status and the running points in place on a TTY', () => {
    const out = sink(true);
    const view = sweepProgress({ points: 2, workers: 2, label: (i) => `p${i}`, stream: out.stream, now: () => 0 });
    view.start(0);
    view.progress({ index: 0, step: 7, values: { loss: 1.5 } });
    view.close();
    expect(out.text()).toContain('\x1b[2A\r\x1b[J');
    expect(out.text()).toContain('  p0  step 7');
    expect(sweepProgress({ points: 1, workers: 1, label: String, quiet: true }).start(0)).toBeUndefined();
  });
});
