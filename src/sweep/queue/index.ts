export { enqueuePoints, type EnqueueOptions } from './enqueuePoints.ts';
export { runQueuedSweep, type QueuedSweepOptions } from './runQueuedSweep.ts';
export { startWorker, defaultConcurrency, LOCK_DURATION_MS, STALLED_INTERVAL_MS, MAX_STALLED_COUNT, type StartWorkerOptions, type QueueWorker, type WorkerEvent } from './startWorker.ts';
export { parseRedisUrl, formatRedisUrl, type RedisAddress } from './redisUrl.ts';
export { probeRedis } from './connect.ts';
export { QueueError } from './queueError.ts';
export { DEFAULT_QUEUE_NAME, jobIdOf } from './queueNames.ts';
