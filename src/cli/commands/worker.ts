import { Command } from 'commander';
import { relative } from 'node:path';
import { DEFAULT_QUEUE_NAME, defaultConcurrency, formatRedisUrl, parseRedisUrl, startWorker, type WorkerEvent } from '../../sweep/queue/index.ts';
import { numberIn } from '../../options/optionParsers.ts';
import { redisUrlOption } from '../../sweep/queueExecutor.ts';


/** One line per event, for the worker's log. */
function describe(event: WorkerEvent): string {
  const path = (p: string | null) => (p == null ? '-' : relative(process.cwd(), p) || '.');
  switch (event.type) {
    case 'started':
      return `started  ${event.jobId} (attempt ${event.attempt}): ${event.point.command} ${event.point.args.join(' ')} → ${path(event.point.out)}`;
    case 'finished': {
      const r = event.result;
      const tail = r.status === 'completed' ? `step ${r.last?.step ?? '-'}, ${path(r.runDir)}` : `${r.reason}${event.willRetry ? ' (will retry)' : ''}`;
      return `finished ${event.jobId} (attempt ${event.attempt}): ${r.status} in ${r.seconds.toFixed(1)} s, ${tail}`;
    }
    case 'requeued':
      return `requeued ${event.jobId} (attempt ${event.attempt}): interrupted by the worker's stop, back in the queue`;
    case 'error':
      return `error: ${event.message}`;
  }
}

/**
 * `worker`: takes sweep points from a BullMQ queue on Redis and runs each as its own process,
 * under the point's `--out` (relative paths against this directory) — run on any number of
 * machines beside `sweep --queue`. Runs until SIGINT/SIGTERM, then interrupts its running points
 * (they flush and go back to the queue) and exits 0; a second signal quits at once. An unreachable Redis is one line and exit 2.
 */
export function workerCommand(): Command {
  return new Command('worker')
    .description('take sweep points from a BullMQ queue on Redis and run them (beside sweep --queue), until Ctrl-C')
    .requiredOption('--queue <url>', 'the queue’s Redis, redis://host:port[/db]', redisUrlOption)
    .option('--concurrency <n>', 'points run at once, one process each (default: one per core)', numberIn({ min: 1, integer: true }))
    .option('--queue-name <name>', 'BullMQ queue name, as the sweep’s', DEFAULT_QUEUE_NAME)
    .action(async (opts: { queue: string; concurrency?: number; queueName: string }) => {
      const concurrency = opts.concurrency ?? defaultConcurrency();
      const say = (s: string) => process.stderr.write(`${s}\n`);
      const worker = await startWorker({ url: opts.queue, queueName: opts.queueName, concurrency, onEvent: (e) => say(describe(e)) });
      say(`worker: taking points from ${formatRedisUrl(parseRedisUrl(opts.queue))} queue ${opts.queueName}, ${concurrency} at once; Ctrl-C stops`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      say(`worker: ${signal}, interrupting the running points and closing (again to quit at once)`);
      const quit = () => process.exit(130);
      process.once('SIGINT', quit);
      process.once('SIGTERM', quit);
      await worker.close();
      say('worker: closed');
    });
}
