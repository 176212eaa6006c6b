import { QueueError } from './queueError.ts';

/** The BullMQ queue sweeps use unless told otherwise (`--queue-name`). */
export const DEFAULT_QUEUE_NAME = 'qubit-rx-sweep';

/**
 * The BullMQ job id of a point: its sweep id and grid index. BullMQ adds a job only once per id,
 * so enqueuing a sweep again (after `--detach`, or a producer that died) adds nothing new and the
 * producer finds the points' existing states. BullMQ refuses ':' in custom ids.
 * @example jobIdOf('20261201T133645Z-s1-dada', 3) // '20261201T133645Z-s1-dada-p3'
 */
export function jobIdOf(sweepId: string, index: number): string {
  return `${sweepId}-p${index}`;
}

/** Validates a queue name (BullMQ refuses ':' in it). */
export function checkQueueName(name: string): string {
  if (name === '' || name.includes(':')) throw new QueueError(`--queue-name: expected a non-empty name without ':', got '${name}'`);
  return name;
}

/**
 * A worker logs each attempt's PointResult on its job as this prefix and the JSON, so the producer
 * can report a failed point's run directory and scalars beside BullMQ's `failedReason`.
 */
export const RESULT_LOG_PREFIX = 'result ';
