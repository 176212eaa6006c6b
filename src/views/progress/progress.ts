import cliProgress from 'cli-progress';
import { defer, identity, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { MetricRecord, ScalarsRecord } from '../../metrics/records.ts';
import { formatDuration, formatMetrics, formatRate } from './formatProgress.ts';

export interface ProgressOptions {
  /** Steps the run will take; without it there is no bar and no ETA. Integer ≥ 1. */
  total?: number;
  /** Steps already done before this stream started (a resumed run): rate and ETA count from here. */
  startStep?: number;
  /** Name in front of the line (e.g. the pipeline). */
  label?: string;
  /** Metrics shown after `loss` (at most two read well), e.g. ['kl', 'm_corr']. */
  keys?: readonly string[];
  /** Nothing is written (`--quiet`). */
  quiet?: boolean;
  /** Where to write (default process.stderr, so stdout stays clean for data). A TTY gets a live bar. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Plain (non-TTY) mode: at most one line per this many ms (default 10 s), plus the first and last. */
  intervalMs?: number;
  /** Clock, ms (default Date.now). */
  now?: () => number;
}

/**
 * Shows the run's progress from its scalars records: step/total, steps/s, ETA, loss and `keys`.
 * On a TTY: a live `cli-progress` bar. Otherwise (CI logs): a plain line when the first step
 * arrives, then at most every `intervalMs`, and a last line when the stream ends.
 * Records pass through unchanged; each subscription has its own clock and bar.
 * @example metrics$.pipe(progress({ total: 2000, label: 'vae', keys: ['kl'] }))
 */
export function progress(options: ProgressOptions = {}): MonoTypeOperatorFunction<MetricRecord> {
  const { total, label = 'run', keys = [], quiet = false, intervalMs = 10_000, now = Date.now, startStep = 0 } = options;
  if (total != null && !(Number.isInteger(total) && total >= 1)) {
    throw new Error(`progress: total must be an integer ≥ 1, got ${total}`);
  }
  if (!(intervalMs >= 0)) throw new Error(`progress: intervalMs must be ≥ 0, got ${intervalMs}`);
  if (quiet) return identity;
  const shown = ['loss', ...keys.filter((k) => k !== 'loss')];

  return (source) =>
    defer(() => {
      const stream = options.stream ?? process.stderr;
      const t0 = now();
      let last: ScalarsRecord | undefined;
      let lastPrinted = -Infinity;
      let bar: cliProgress.SingleBar | undefined;

      const describe = (rec: ScalarsRecord) => {
        const seconds = (now() - t0) / 1000;
        const rate = seconds > 0 ? (rec.step - startStep) / seconds : NaN;
        const eta = total != null && rate > 0 ? (total - rec.step) / rate : NaN;
        return { rate: formatRate(rate), eta: formatDuration(eta), elapsed: formatDuration(seconds), metrics: formatMetrics(rec.values, shown) };
      };
      const plainLine = (rec: ScalarsRecord, suffix = '') => {
        const d = describe(rec);
        const of = total != null ? `/${total}` : '';
        const eta = total != null ? ` | ETA ${d.eta}` : '';
        const metrics = d.metrics ? ` | ${d.metrics}` : '';
        stream.write(`${label} step ${rec.step}${of} | ${d.rate} steps/s${eta}${metrics}${suffix}\n`);
      };

      const onScalars = (rec: ScalarsRecord) => {
        last = rec;
        if (stream.isTTY) {
          if (!bar) {
            const format =
              total != null
                ? `${label} [{bar}] {value}/{total} | {rate} steps/s | ETA {etaText} | {metrics}`
                : `${label} step {value} | {rate} steps/s | {metrics}`;
            // Cleared when it stops: the plain last line below replaces it, so the outcome is not shown twice.
            bar = new cliProgress.SingleBar({ stream, format, hideCursor: true, clearOnComplete: true, barsize: 24, fps: 5 }, cliProgress.Presets.shades_classic);
            bar.start(total ?? 0, rec.step, { rate: '?', etaText: '?', metrics: '' });
          }
          const d = describe(rec);
          bar.update(rec.step, { rate: d.rate, etaText: d.eta, metrics: d.metrics });
        } else if (now() - lastPrinted >= intervalMs) {
          lastPrinted = now();
          plainLine(rec);
        }
      };

      const end = (how: 'done' | 'failed' | 'stopped') => {
        if (bar) {
          bar.stop();
          bar = undefined;
        }
        if (last) plainLine(last, ` | ${how} in ${describe(last).elapsed}`);
        else stream.write(`${label} ${how} before the first step\n`);
      };

      return source.pipe(
        tap({
          next: (rec) => {
            if (rec.kind === 'scalars') onScalars(rec);
          },
          complete: () => end('done'),
          error: () => end('failed'),
          unsubscribe: () => end('stopped'),
        }),
      );
    });
}
