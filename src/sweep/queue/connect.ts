import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueError } from './queueError.ts';
import { formatRedisUrl, type RedisAddress } from './redisUrl.ts';

/** How long the first contact with Redis may take before the queue gives up, ms. */
export const CONNECT_TIMEOUT_MS = 3000;

/**
 * Checks that Redis answers at `address` — one connection, no retries, a PING — before BullMQ is
 * given the address. ioredis reconnects forever by default and BullMQ waits for it, so without this
 * an unreachable server is a silent hang; with it, a QueueError (one line, exit 2) within
 * `timeoutMs`.
 */
export async function probeRedis(address: RedisAddress, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const client = new Redis({
    host: address.host,
    port: address.port,
    db: address.db,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The first error says why (ECONNREFUSED, ENOTFOUND, a protocol error); later ones only that the
  // connection closed.
  let firstError: Error | undefined;
  client.on('error', (err: Error) => {
    firstError ??= err;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (err) {
    const why = (firstError ?? (err as Error)).message.split('\n')[0];
    throw new QueueError(`cannot reach Redis at ${formatRedisUrl(address)}: ${why} (is redis-server running there?)`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * ioredis options for BullMQ's own connections, once the probe has passed. Reconnects are kept
 * (a restarted Redis is waited for, up to 5 s apart) but every first connect is bounded. The
 * producer turns the offline queue off and allows one retry per command, so a Redis lost while it
 * waits makes its polls fail (and the wait end, see enqueuePoints) instead of queueing forever; a
 * worker keeps BullMQ's defaults (its blocking connection needs `maxRetriesPerRequest: null`).
 */
export function connectionOptions(address: RedisAddress, role: 'producer' | 'worker'): RedisOptions {
  const common: RedisOptions = {
    host: address.host,
    port: address.port,
    db: address.db,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times: number) => Math.min(500 * times, 5000),
  };
  return role === 'producer' ? { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { ...common, maxRetriesPerRequest: null };
}
