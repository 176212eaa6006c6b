import { InvalidArgumentError } from 'commander';
import type { PointResult } from './pointJob.ts';
import { parseRedisUrl, runQueuedSweep } from './queue/index.ts';
import type { PointExecutor } from './runSweep.ts';

/** `--queue` parser (sweep and worker): validates `redis://host:port[/db]` and keeps the URL as given. */
export function redisUrlOption(raw: string): string {
  try {
    parseRedisUrl(raw);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^--queue: /, ''));
  }
  return raw;
}

export interface QueueExecutorOptions {
  /** The queue's Redis, `redis://host:port[/db]`. */
  url: string;
  /** Extra attempts after a point fails. */
  retries: number;
  /** Enqueue and return: the points run on the workers without the sweep process. */
  detach?: boolean;
  queueName?: string;
}

/**
 * Runs a sweep's points as BullMQ jobs on the workers of a Redis (`sweep --queue`), in place of the
 * local pool. The sweep numbers attempts in its jobs' `out` (`…/p0003-a1`); the queue's workers
 * number them themselves (`<out>-a<k>`, k = BullMQ's attempt), so the suffix is dropped here and
 * the sweep reads the attempt back from each result's run directory. Results are recorded one at a
 * time, in the order they end (the sweep rewrites its tables on each).
 */
export function queueExecutor(options: QueueExecutorOptions): PointExecutor {
  return async (jobs, callbacks) => {
    let recorded: Promise<void> = Promise.resolve();
    const record = (result: PointResult) => {
      recorded = recorded.then(() => callbacks.onResult?.(result));
    };
    const results = await runQueuedSweep(
      jobs.map((job) => ({ ...job, out: job.out.replace(/-a\d+$/, '') })),
      { url: options.url, retries: options.retries, detach: options.detach, queueName: options.queueName, signal: callbacks.signal, onProgress: callbacks.onProgress, onResult: record },
    );
    await recorded;
    return results;
  };
}
