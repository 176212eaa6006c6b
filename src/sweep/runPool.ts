import type { PointJob, PointProgress, PointResult } from './pointJob.ts';
import { PointHost } from './pointHost.ts';
import { pointExecArgv, runPointProcess, type RunPointOptions } from './runPointProcess.ts';

/** How an executor reports on the points it runs (the local pool here; the BullMQ queue has the same callbacks). */
export interface PointCallbacks {
  /** A point's attempt began. */
  onStart?: (job: PointJob) => void;
  /** A running point's newest flushed step and scalars. */
  onProgress?: (progress: PointProgress) => void;
  /** A point ended (completed, failed or interrupted); the pool waits for what it returns before reporting the next. */
  onResult?: (result: PointResult) => void | Promise<void>;
}

export interface PoolOptions extends PointCallbacks {
  /** Points run at once, an integer ≥ 1. */
  workers: number;
  /** Aborting stops starting points and interrupts the running ones (one SIGINT each). */
  signal?: AbortSignal;
  /** Aborting (after `signal`) makes the running points give up their final flush. */
  giveUp?: AbortSignal;
  /** Passed to each point (extra arguments, polling interval). */
  point?: Pick<RunPointOptions, 'extraArgs' | 'progressMs' | 'cores'>;
  /** Runs one point (default runPointProcess). */
  runPoint?: (job: PointJob, options: RunPointOptions) => Promise<PointResult>;
  /**
   * Run each worker slot's points in one long-lived process (PointHost), one after another: the
   * toolkit loads once per slot, not once per point (default true). false: a fresh process per point.
   */
  reuseProcesses?: boolean;
}

/**
 * Runs `jobs` in order, at most `workers` at a time, each as its own process: a finished point
 * makes room for the next. Resolves with the results of the points that ran, in the order they
 * ended; points never started (the signal aborted first) have none.
 * @example const results = await runPool(jobs, { workers: os.availableParallelism(), onResult: save });
 */
export async function runPool(jobs: readonly PointJob[], options: PoolOptions): Promise<PointResult[]> {
  const { workers, signal } = options;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`runPool: workers must be an integer ≥ 1, got ${workers}`);
  const runPoint = options.runPoint ?? runPointProcess;
  const results: PointResult[] = [];
  let next = 0;
  // Results are reported one at a time, in the order they end, so a listener writing files never races itself.
  let reported = Promise.resolve();
  const lane = async (): Promise<void> => {
    const host = options.reuseProcesses === false ? undefined : new PointHost({ cores: options.point?.cores, detached: true, execArgv: pointExecArgv(options.point?.cores) });
    try {
      while (next < jobs.length && !signal?.aborted) {
        const job = jobs[next++];
        options.onStart?.(job);
        const result = await runPoint(job, { ...options.point, host, signal, giveUp: options.giveUp, detached: true, onProgress: options.onProgress });
        results.push(result);
        reported = reported.then(() => options.onResult?.(result));
        await reported;
      }
    } finally {
      host?.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, lane));
  return results;
}
