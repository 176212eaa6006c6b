import { availableParallelism } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { PointJob, PointResult } from '../pointJob.ts';
import { coresPerProcess } from '../../simulators/cores.ts';
import { PointHost } from '../pointHost.ts';
import { pointExecArgv, runPointProcess } from '../runPointProcess.ts';
import { checkPointJob } from './checkPointJob.ts';
import { connectionOptions, probeRedis } from './connect.ts';
import { QueueError } from './queueError.ts';
import { checkQueueName, DEFAULT_QUEUE_NAME, RESULT_LOG_PREFIX } from './queueNames.ts';
import { parseRedisUrl } from './redisUrl.ts';

/**
 * Lock and stall settings. A job's lock lives `lockDurationMs` and is renewed every half of it
 * while its worker lives; a worker killed with SIGKILL stops renewing, and the next stalled-job
 * check of any live worker (every `stalledIntervalMs`) moves the job back to waiting — so a killed
 * worker's point restarts elsewhere within lockDuration + stalledInterval (≈ 12 s). Short values
 * are safe here because a worker's own event loop does no compute (each point is a child
 * process), so it never misses a renewal; BullMQ's defaults (30 s each) would leave a dead
 * worker's point idle for up to a minute. maxStalledCount 2: a point survives two dead workers,
 * then fails with BullMQ's "job stalled more than allowable limit" rather than looping forever.
 */
export const LOCK_DURATION_MS = 8000;
export const STALLED_INTERVAL_MS = 4000;
export const MAX_STALLED_COUNT = 2;

export type WorkerEvent =
  /** A point started on this worker; `attempt` counts every start of the job, stalled ones included. */
  | { readonly type: 'started'; readonly jobId: string; readonly point: PointJob; readonly attempt: number }
  /** A point ended; when failed, `willRetry` says whether BullMQ will run it again. */
  | { readonly type: 'finished'; readonly jobId: string; readonly attempt: number; readonly result: PointResult; readonly willRetry: boolean }
  /** The worker was closing: the point was interrupted and put back in the queue, no attempt spent. */
  | { readonly type: 'requeued'; readonly jobId: string; readonly attempt: number; readonly result: PointResult }
  /** A connection or lock problem BullMQ reported (the worker carries on, reconnecting). */
  | { readonly type: 'error'; readonly message: string };

export interface StartWorkerOptions {
  /** The queue's Redis, `redis://host:port[/db]`. */
  url: string;
  /** BullMQ queue name, the producer's. Default `qubit-rx-sweep`. */
  queueName?: string;
  /** Points run at once, each its own process (integer ≥ 1). */
  concurrency: number;
  onEvent?: (event: WorkerEvent) => void;
  /** Extra CLI arguments for every point (e.g. `--backend wasm`). */
  extraArgs?: readonly string[];
  /** How often a running point's progress is sent to its job, ms (default 1000). */
  progressMs?: number;
}

export interface QueueWorker {
  /**
   * Stops taking jobs, interrupts the running points (each flushes, marks its run `interrupted`
   * and goes back to the queue without spending an attempt) and waits for them and the
   * connections to close.
   */
  close(): Promise<void>;
}

/** Default concurrency: one point per core. */
export const defaultConcurrency = (): number => availableParallelism();

/**
 * Takes sweep points from the BullMQ queue and runs each as a child CLI process
 * (runPointProcess), with `out` made unique per attempt (`<out>-a<attempt>`) so a retried or
 * re-started point never writes into the run of an attempt that died. A completed point's
 * PointResult is the job's return value; a failed one is logged on the job and thrown, so BullMQ
 * retries it or records it failed with its reason. Resolves once the worker is connected; a Redis
 * that cannot be reached is a QueueError (one line, exit 2) within about 3 s.
 * @example
 *   const worker = await startWorker({ url: 'redis://127.0.0.1:6379', concurrency: 2, onEvent: (e) => console.error(e.type) });
 *   process.once('SIGTERM', () => void worker.close());
 */
export async function startWorker(options: StartWorkerOptions): Promise<QueueWorker> {
  const { concurrency } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new QueueError(`--concurrency: expected an integer ≥ 1, got ${concurrency}`);
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME);
  const address = parseRedisUrl(options.url);
  await probeRedis(address);

  const emit = (event: WorkerEvent) => options.onEvent?.(event);
  const stopping = new AbortController();
  // One long-lived host process per concurrency slot, as the local pool keeps (PointHost): the
  // toolkit loads once per slot instead of once per point (≈ 4 s each here). A host that died with
  // its point (a crash) starts afresh on its next point.
  const cores = coresPerProcess(concurrency);
  const idle: PointHost[] = [];
  const hosts = new Set<PointHost>();
  const borrowHost = (): PointHost => {
    const host = idle.pop() ?? new PointHost({ cores, execArgv: pointExecArgv(cores) });
    hosts.add(host);
    return host;
  };

  const processor = async (job: Job, token?: string, cancelled?: AbortSignal): Promise<PointResult> => {
    let point: PointJob;
    try {
      point = checkPointJob(job.data);
    } catch (err) {
      // Malformed data fails the same way every time: no retries.
      throw new UnrecoverableError((err as Error).message);
    }
    const jobId = job.id ?? '?';
    const attempt = Math.max(1, job.attemptsStarted);
    const attemptJob: PointJob = { ...point, out: `${point.out}-a${attempt}` };
    emit({ type: 'started', jobId, point: attemptJob, attempt });
    const signal = cancelled ? AbortSignal.any([stopping.signal, cancelled]) : stopping.signal;
    const host = borrowHost();
    let result: PointResult;
    try {
      result = await runPointProcess(attemptJob, {
        signal,
        host,
        cores,
        extraArgs: options.extraArgs,
        progressMs: options.progressMs,
        onProgress: (progress) => void job.updateProgress(progress).catch(() => undefined),
      });
    } finally {
      idle.push(host);
    }
    await job.log(RESULT_LOG_PREFIX + JSON.stringify(result)).catch(() => undefined);
    if (result.status === 'completed') {
      emit({ type: 'finished', jobId, attempt, result, willRetry: false });
      return result;
    }
    if (result.status === 'interrupted' && stopping.signal.aborted) {
      await job.moveToWait(token);
      emit({ type: 'requeued', jobId, attempt, result });
      throw new WaitingError();
    }
    const attempts = job.opts.attempts ?? 1;
    emit({ type: 'finished', jobId, attempt, result, willRetry: job.attemptsMade + 1 < attempts });
    throw new Error(result.reason ?? `exit code ${result.exitCode}`);
  };

  const worker = new Worker(queueName, processor, {
    connection: connectionOptions(address, 'worker'),
    concurrency,
    lockDuration: LOCK_DURATION_MS,
    stalledInterval: STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED_COUNT,
    // Started below, once connected, so the caller hears of the connection before of any point.
    autorun: false,
  });
  worker.on('error', (err) => emit({ type: 'error', message: err.message.split('\n')[0] }));
  await worker.waitUntilReady();
  worker.run().catch((err: Error) => emit({ type: 'error', message: err.message.split('\n')[0] }));

  let closing: Promise<void> | undefined;
  return {
    close: () => {
      closing ??= (async () => {
        const closed = worker.close();
        stopping.abort();
        await closed;
        for (const host of hosts) host.close();
      })();
      return closing;
    },
  };
}
