import { formatDuration, formatMetrics } from '../views/progress/formatProgress.ts';
import type { PointProgress, PointResult } from './pointJob.ts';

export interface SweepProgressOptions {
  /** Points in the grid. */
  points: number;
  /** Points already completed before this run of the sweep (a resumed sweep). */
  done?: number;
  /** Points run at once (for the ETA). */
  workers: number;
  /** A point's name in the view, e.g. `p3 epsilon=0.1 qubits=50`. */
  label: (index: number) => string;
  /** The step count a point counts to, when known. */
  total?: (index: number) => number | undefined;
  /** Scalars shown beside a running point's step. */
  keys?: readonly string[];
  /** Nothing is written (`--quiet`). */
  quiet?: boolean;
  /** Where to write (default process.stderr). A TTY gets a block redrawn in place; anything else plain lines. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Plain mode: a status line at most this often, ms (default 10 s), besides one per started and ended point. */
  intervalMs?: number;
  now?: () => number;
}

/** What the sweep tells its progress view. */
export interface SweepProgressView {
  start(index: number): void;
  progress(p: PointProgress): void;
  finish(result: PointResult): void;
  /** Clears the live block (TTY) and writes the last status line. */
  close(): void;
}

/**
 * One progress view for a whole sweep: points done, running, failed and pending, an ETA from the
 * finished points' durations (and the running points' own rates), and each running point's step.
 * On a TTY the status and one line per running point are redrawn in place, ended points scroll
 * above; otherwise (CI logs) a line per started and ended point and a status line every `intervalMs`.
 */
export function sweepProgress(options: SweepProgressOptions): SweepProgressView {
  const { points, workers, label, quiet = false, intervalMs = 10_000, now = Date.now } = options;
  if (quiet) return { start: () => undefined, progress: () => undefined, finish: () => undefined, close: () => undefined };
  const stream = options.stream ?? process.stderr;
  const keys = options.keys ?? [];
  const running = new Map<number, { started: number; step: number; values: Readonly<Record<string, number>>; first?: { at: number; step: number } }>();
  const durations: number[] = [];
  let done = options.done ?? 0, failed = 0, interrupted = 0;
  let drawn = 0;
  let lastPlain = -Infinity;

  /**
   * Seconds left: each running point's remaining steps at its own rate since its first flushed
   * step (so its start-up is not counted as training) once it has done a twentieth of them, else the typical duration less its elapsed
   * time; plus the pending points at the typical duration (the finished points' mean, else the
   * running points' projections), spread over the workers.
   */
  const eta = (): number => {
    const pending = points - done - failed - interrupted - running.size;
    const estimates = [...running].map(([index, r]) => {
      const elapsed = (now() - r.started) / 1000;
      const total = options.total?.(index);
      // A rate over a twentieth of the run at least: the first few flushes are too noisy to project from.
      const rate = r.first && total != null && r.step - r.first.step >= total / 20 ? (r.step - r.first.step) / ((now() - r.first.at) / 1000) : NaN;
      const left = total != null && rate > 0 ? (total - r.step) / rate : NaN;
      return { elapsed, left };
    });
    const own = estimates.filter((e) => Number.isFinite(e.left)).map((e) => e.elapsed + e.left);
    const pool = durations.length ? durations : own;
    const typical = pool.length ? pool.reduce((a, b) => a + b, 0) / pool.length : NaN;
    let work = pending * typical;
    for (const e of estimates) work += Number.isFinite(e.left) ? e.left : Math.max(typical - e.elapsed, 0);
    return work / Math.max(1, Math.min(workers, pending + running.size));
  };
  const status = () => {
    const pending = points - done - failed - interrupted - running.size;
    return `sweep ${done}/${points} done, ${running.size} running, ${failed} failed${interrupted ? `, ${interrupted} interrupted` : ''}, ${pending} pending | ETA ${formatDuration(eta())}`;
  };
  const stepOf = (index: number) => {
    const r = running.get(index)!;
    const total = options.total?.(index);
    const metrics = formatMetrics(r.values, keys);
    return `step ${r.step}${total ? `/${total}` : ''}${metrics ? `  ${metrics}` : ''}`;
  };
  const clear = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A\r\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    const lines = [status(), ...[...running.keys()].map((i) => `  ${label(i)}  ${stepOf(i)}`)];
    stream.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  /** TTY: `line` (if any) scrolls above the redrawn block. Plain: `line`, or the status when it is due. */
  const show = (line?: string) => {
    if (stream.isTTY) {
      clear();
      if (line) stream.write(`${line}\n`);
      draw();
    } else if (line) {
      stream.write(`${line}\n`);
    } else if (now() - lastPlain >= intervalMs) {
      lastPlain = now();
      const steps = [...running.keys()].map((i) => `p${i} ${stepOf(i)}`).join('; ');
      stream.write(`${status()}${steps ? ` | ${steps}` : ''}\n`);
    }
  };

  return {
    start(index) {
      running.set(index, { started: now(), step: 0, values: {} });
      show(`${label(index)} started`);
    },
    progress(p) {
      const r = running.get(p.index);
      if (!r) return;
      r.first ??= { at: now(), step: p.step };
      r.step = p.step;
      r.values = p.values;
      show();
    },
    finish(result) {
      running.delete(result.index);
      if (result.status === 'completed') done++;
      else if (result.status === 'failed') failed++;
      else interrupted++;
      if (result.status !== 'interrupted') durations.push(result.seconds);
      const why = result.reason ? `: ${result.reason}` : '';
      show(`${label(result.index)} ${result.status} in ${formatDuration(result.seconds)}${why}${stream.isTTY ? '' : ` | ${status()}`}`);
    },
    close() {
      if (stream.isTTY) clear();
      stream.write(`${status().replace(/ \| ETA .*$/, '')}\n`);
    },
  };
}
