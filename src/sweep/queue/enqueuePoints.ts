import { Queue, type Job } from 'bullmq';
import type { PointJob, PointProgress, PointResult } from '../pointJob.ts';
import { connectionOptions, probeRedis } from './connect.ts';
import { QueueError } from './queueError.ts';
import { checkQueueName, DEFAULT_QUEUE_NAME, jobIdOf, RESULT_LOG_PREFIX } from './queueNames.ts';
import { formatRedisUrl, parseRedisUrl } from './redisUrl.ts';

export interface EnqueueOptions {
  /** The queue's Redis, `redis://host:port[/db]`. */
  url: string;
  /** BullMQ queue name; workers must name the same one. Default `qubit-rx-sweep`. */
  queueName?: string;
  /** Extra attempts after a point fails (integer ≥ 0): BullMQ runs each job at most `retries + 1` times. */
  retries: number;
  /** Enqueue and return `[]` at once; the points run on the workers without this process. */
  detach?: boolean;
  /** Called when a running point's newest flushed scalars (as its worker reports them) change. */
  onProgress?: (progress: PointProgress) => void;
  /** Called once per point, when it ends completed or failed for good. */
  onResult?: (result: PointResult) => void;
  /** Aborting stops the wait (the jobs stay queued); the unfinished points come back `interrupted`. */
  signal?: AbortSignal;
  /** How often the points' states are read, ms (default 500). */
  pollMs?: number;
  /** First retry delay, ms, doubled for each further attempt (default 1000). */
  backoffMs?: number;
  /** How long Redis may stay unreachable while waiting before the wait fails, ms (default 15 000). */
  lostAfterMs?: number;
}

/**
 * Adds each point as a BullMQ job and, unless detached, waits until every one is completed or has
 * failed its last attempt, resolving with one PointResult per point, in the order of `jobs`.
 *
 * - Job id = `<sweepId>-p<index>`: enqueuing the same sweep twice adds nothing (see jobIdOf), so
 *   calling this again for a detached or orphaned sweep just waits for it.
 * - `attempts = retries + 1`, exponential backoff; completed and failed jobs are kept in Redis so
 *   their results can be read (by this wait, or a later one).
 * - A completed job's return value is its PointResult (as the worker's runPointProcess made it); a
 *   job that exhausted its attempts becomes `failed` with BullMQ's `failedReason`, and the run
 *   directory, exit code and scalars of its last attempt when the worker logged them.
 * - Fails with a QueueError (one line, exit 2) when Redis is unreachable at the start (within
 *   about 3 s) or lost for `lostAfterMs` during the wait — never hangs on it.
 * @example
 *   const results = await enqueuePoints(jobs, { url: 'redis://127.0.0.1:6379', retries: 2, onResult: (r) => console.log(r.index, r.status) });
 */
export async function enqueuePoints(jobs: readonly PointJob[], options: EnqueueOptions): Promise<PointResult[]> {
  const { retries } = options;
  if (!Number.isInteger(retries) || retries < 0) throw new QueueError(`enqueuePoints: retries must be an integer ≥ 0, got ${retries}`);
  const seen = new Set<string>();
  for (const job of jobs) {
    if (job.sweepId.includes(':')) throw new Error(`enqueuePoints: sweepId must not contain ':', got '${job.sweepId}'`);
    const id = jobIdOf(job.sweepId, job.index);
    if (seen.has(id)) throw new Error(`enqueuePoints: point ${job.index} of sweep ${job.sweepId} is listed twice`);
    seen.add(id);
  }
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME);
  const address = parseRedisUrl(options.url);
  await probeRedis(address);

  const queue = new Queue(queueName, { connection: connectionOptions(address, 'producer') });
  // A Redis lost later shows up in the polls below; the emitter only needs a listener.
  queue.on('error', () => undefined);
  try {
    await queue.addBulk(
      jobs.map((job) => ({
        name: `${job.sweepId}#${job.index}`,
        data: job,
        opts: {
          jobId: jobIdOf(job.sweepId, job.index),
          attempts: retries + 1,
          backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
    if (options.detach || jobs.length === 0) return [];
    return await waitForPoints(queue, jobs, options, formatRedisUrl(address));
  } finally {
    await queue.close().catch(() => undefined);
  }
}

/** Polls the points' job states until each is final; every point's result is taken exactly once. */
async function waitForPoints(queue: Queue, jobs: readonly PointJob[], options: EnqueueOptions, where: string): Promise<PointResult[]> {
  const results = new Map<number, PointResult>();
  const lastStep = new Map<number, number>();
  const pollMs = options.pollMs ?? 500;
  const lostAfterMs = options.lostAfterMs ?? 15_000;
  let failingSince: number | null = null;
  const pending = () => jobs.filter((job) => !results.has(job.index));

  while (results.size < jobs.length && !options.signal?.aborted) {
    try {
      await Promise.all(
        pending().map(async (point) => {
          const id = jobIdOf(point.sweepId, point.index);
          const state = await queue.getJobState(id);
          if (state === 'completed' || state === 'failed') {
            const job = await queue.getJob(id);
            const result = job ? await finalResult(queue, job, state, point) : removedResult(point);
            if (results.has(point.index)) return;
            results.set(point.index, result);
            options.onResult?.(result);
          } else if (state === 'unknown') {
            const result = removedResult(point);
            results.set(point.index, result);
            options.onResult?.(result);
          } else if (state === 'active' && options.onProgress) {
            const job = await queue.getJob(id);
            const progress = job?.progress as PointProgress | undefined;
            if (progress && typeof progress === 'object' && typeof progress.step === 'number' && lastStep.get(point.index) !== progress.step) {
              lastStep.set(point.index, progress.step);
              options.onProgress({ ...progress, index: point.index });
            }
          }
        }),
      );
      failingSince = null;
    } catch (err) {
      failingSince ??= Date.now();
      if (Date.now() - failingSince > lostAfterMs) {
        throw new QueueError(`lost Redis at ${where} for ${lostAfterMs / 1000} s while waiting for ${pending().length} points: ${(err as Error).message.split('\n')[0]} (they stay queued; enqueue the sweep again to wait for them)`);
      }
    }
    if (results.size < jobs.length) await sleep(pollMs, options.signal);
  }
  return jobs.map(
    (point) =>
      results.get(point.index) ?? {
        index: point.index,
        status: 'interrupted',
        reason: 'the producer stopped waiting; the point stays queued',
        exitCode: 130,
        runDir: null,
        last: null,
        seconds: 0,
      },
  );
}

/** The PointResult of a job in its final state. */
async function finalResult(queue: Queue, job: Job, state: 'completed' | 'failed', point: PointJob): Promise<PointResult> {
  if (state === 'completed' && job.returnvalue && typeof job.returnvalue === 'object') return { ...(job.returnvalue as PointResult), index: point.index };
  // Failed: the worker logged its last attempt's PointResult before throwing; a job that failed
  // without one (it stalled too often, or its data was refused) has only BullMQ's reason.
  const { logs } = await queue.getJobLogs(job.id!, -1, -1);
  const logged = logs.at(-1)?.startsWith(RESULT_LOG_PREFIX) ? (JSON.parse(logs.at(-1)!.slice(RESULT_LOG_PREFIX.length)) as PointResult) : null;
  return {
    index: point.index,
    status: 'failed',
    reason: job.failedReason || logged?.reason || 'failed without a reason',
    exitCode: logged && logged.exitCode !== 0 ? logged.exitCode : 1,
    runDir: logged?.runDir ?? null,
    last: logged?.last ?? null,
    seconds: logged?.seconds ?? 0,
  };
}

function removedResult(point: PointJob): PointResult {
  return { index: point.index, status: 'failed', reason: 'its job was removed from the queue', exitCode: 1, runDir: null, last: null, seconds: 0 };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
