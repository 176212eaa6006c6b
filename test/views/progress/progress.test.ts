import { Writable } from 'node:stream';
import { from, lastValueFrom, Subject, throwError, concat, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../../../src/metrics/records.ts';
import { formatDuration, formatMetric } from '../../../src/views/progress/formatProgress.ts';
import { progress } from '../../../src/views/progress/progress.ts';

/** A stream that records what was written; `isTTY` as asked. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 160;
  return { stream, text: () => chunks.join('') };
}

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const scalars = (step: number, values: Record<string, number>): MetricRecord => ({ kind: 'scalars', step, wallTime: 0, values });

describe('progress', () => {
  it('a resumed run counts rate and ETA from its start step', () => {
    const out = sink(false);
    const c = clock();
    const metrics = new Subject<MetricRecord>();
    metrics.pipe(progress({ total: 1000, startStep: 500, label: 'vae', stream: out.stream, now: c.now })).subscribe();
    c.advance(10_000);
    metrics.next(scalars(600, { loss: 1 }));
    // 100 steps since the resume in 10 s = 10 steps/s; 400 left → 40 s.
    expect(out.text()).toBe('vae step 600/1000 | 10 steps/s | ETA 40s | loss 1\n');
  });

  it('plain mode: first line, then at most one per interval, then a last line; with rate, ETA and the chosen metrics', () => {
    const out = sink(false);
    const c = clock();
    const metrics = new Subject<MetricRecord>();
    const seen: MetricRecord[] = [];
    metrics.pipe(progress({ total: 100, label: 'vae', keys: ['kl'], stream: out.stream, intervalMs: 10_000, now: c.now })).subscribe((r) => seen.push(r));

    c.advance(2000);
    metrics.next(scalars(10, { loss: 1.23456, kl: 0.000123, reg: 5 }));
    c.advance(4000);
    metrics.next(scalars(20, { loss: 1.1, kl: 0.2 })); // 6 s after start, 4 s after the last line: silent
    metrics.next({ kind: 'histogram', step: 20, wallTime: 0, tag: 'm', edges: new Float64Array([0, 1]), counts: new Float64Array([1]) });
    c.advance(6000);
    metrics.next(scalars(30, { loss: 0.9, kl: 0.25 })); // 12 s: 10 s after the first line
    c.advance(8000);
    metrics.next(scalars(50, { loss: 0.5, kl: 0.3 }));
    metrics.complete();

    expect(out.text().split('\n')).toEqual([
      // 10 steps in 2 s = 5 steps/s; 90 steps left → 18 s.
      'vae step 10/100 | 5 steps/s | ETA 18s | loss 1.235  kl 1.23e-4',
      // 30 steps in 12 s = 2.5 steps/s; 70 left → 28 s.
      'vae step 30/100 | 2.5 steps/s | ETA 28s | loss 0.9  kl 0.25',
      // last line at completion: 50 steps in 20 s.
      'vae step 50/100 | 2.5 steps/s | ETA 20s | loss 0.5  kl 0.3 | done in 20s',
      '',
    ]);
    expect(seen.length).toBe(5);
  });

  it('plain mode without total: no ETA; an error ends with "failed"', async () => {
    const out = sink(false);
    const c = clock();
    const src = concat(from([scalars(4, { loss: 2 })]), throwError(() => new Error('boom')));
    c.advance(1000);
    await expect(lastValueFrom(src.pipe(progress({ stream: out.stream, now: c.now })))).rejects.toThrow('boom');
    expect(out.text()).toBe('run step 4 | ? steps/s | loss 2\nrun step 4 | ? steps/s | loss 2 | failed in 0s\n');
  });

  it('quiet writes nothing and passes every record through', async () => {
    const out = sink(false);
    const records = [scalars(1, { loss: 1 }), scalars(2, { loss: 0.5 })];
    const seen = await lastValueFrom(from(records).pipe(progress({ total: 2, quiet: true, stream: out.stream }), toArray()));
    expect(seen).toEqual(records);
    expect(out.text()).toBe('');
  });

  it('TTY mode draws a cli-progress bar that ends at step/total with the loss', async () => {
    const out = sink(true);
    const records = Array.from({ length: 10 }, (_, i) => scalars(10 * (i + 1), { loss: 1 / (i + 1) }));
    await lastValueFrom(from(records).pipe(progress({ total: 100, label: 'vae', stream: out.stream }), toArray()));
    const text = out.text();
    expect(text).toMatch(/vae \[.*\] 100\/100 \| .* steps\/s \| ETA .* \| loss 0\.1/);
    expect(text).toContain('\x1b[?25l'); // cursor hidden while drawing (a real terminal bar, not plain lines)
    expect(text).toContain('| done in');
  });

  it('rejects a bad total with a message naming it', () => {
    expect(() => progress({ total: 0 })).toThrow('progress: total must be an integer ≥ 1, got 0');
    expect(() => progress({ total: 2.5 })).toThrow(/got 2.5/);
  });

  it('formats metrics and durations compactly', () => {
    expect([formatMetric(1234.5678), formatMetric(0.012345), formatMetric(2e-7), formatMetric(NaN), formatMetric(0)]).toEqual([
      '1235',
      '0.01235',
      '2.00e-7',
      'NaN',
      '0',
    ]);
    expect([formatDuration(5), formatDuration(187), formatDuration(7500), formatDuration(NaN)]).toEqual(['5s', '3m07s', '2h05m', '?']);
  });
});
