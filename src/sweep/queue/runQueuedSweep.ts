/**
 * Contract of `sweep --queue <url> [--detach] [--retries n]` (issue 13), for the sweep command:
 *
 * - `jobs`: one PointJob per grid point, all with the sweep's id, distinct `index`es, and `out` the
 *   point's run root *without* an attempt suffix (`<out>/<sweep-pipeline>/<sweep-id>/runs/p0003`,
 *   say): each worker runs attempt k under `<out>-a<k>`. `args` hold the point's CLI options (not
 *   `--out`/`--quiet`). Relative `out`s resolve against each worker's working directory.
 * - Resolves with exactly one PointResult per job, in the order of `jobs`: `completed` (the
 *   worker's result, `runDir` on the worker's filesystem), `failed` after `retries + 1` attempts
 *   (reason = BullMQ's failedReason, the command's last stderr line), or `interrupted` only when
 *   `signal` aborted the wait (those jobs stay queued and keep running on the workers).
 * - `detach: true` enqueues and resolves `[]` at once. Calling again with the same jobs (same
 *   sweep id and indexes) enqueues nothing new and waits for the points' existing jobs — how a
 *   detached sweep is collected, or a producer that died is resumed.
 * - Rejects with a QueueError (a UserFacingError, exit code 2, one line) for a bad URL or an
 *   unreachable Redis within about 3 s, or a Redis lost for 15 s during the wait. Never hangs.
 * - `onResult` fires once per point that ended for good, as it ends; `onProgress` with a running
 *   point's newest flushed step and scalars — enough for the sweep's progress view.
 */
import type { PointJob, PointResult } from '../pointJob.ts';
import { enqueuePoints, type EnqueueOptions } from './enqueuePoints.ts';

export type QueuedSweepOptions = EnqueueOptions;

/**
 * Runs a sweep's points on the BullMQ workers of `options.url` (see the contract above).
 * @example
 *   const results = await runQueuedSweep(jobs, { url: opts.queue, retries: opts.retries, detach: opts.detach, signal });
 */
export function runQueuedSweep(jobs: readonly PointJob[], options: QueuedSweepOptions): Promise<PointResult[]> {
  const sweepIds = new Set(jobs.map((job) => job.sweepId));
  if (sweepIds.size > 1) throw new Error(`runQueuedSweep: jobs must share one sweepId, got ${[...sweepIds].join(', ')}`);
  return enqueuePoints(jobs, options);
}
