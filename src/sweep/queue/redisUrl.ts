import { QueueError } from './queueError.ts';

/** Where the queue lives: a Redis server and one of its numbered databases. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  /** Database number, 0 unless the URL names one (`redis://host:port/3`). */
  readonly db: number;
}

/**
 * Parses and validates a queue URL, `redis://host:port[/db]`. Port defaults to 6379 when the URL
 * omits it; anything else (another scheme, a path that is not a number, credentials, a query) is
 * refused with a message naming the URL and what was expected.
 * @example
 *   parseRedisUrl('redis://10.0.0.5:6379/1') // { host: '10.0.0.5', port: 6379, db: 1 }
 */
export function parseRedisUrl(url: string): RedisAddress {
  const bad = (why: string) => new QueueError(`--queue: expected redis://host:port[/db], got '${url}' (${why})`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:') throw bad(`scheme must be redis:, not ${u.protocol}`);
  if (u.hostname === '') throw bad('no host');
  if (u.username !== '' || u.password !== '') throw bad('credentials are not supported');
  if (u.search !== '' || u.hash !== '') throw bad('no query or fragment allowed');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port must be 1–65535, got ${u.port}`);
  const path = u.pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  if (path !== '' && !/^\d+$/.test(path)) throw bad(`db must be an integer ≥ 0, got '${path}'`);
  const db = path === '' ? 0 : Number(path);
  // IPv6 literals come back bracketed from URL; ioredis wants them bare.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port, db };
}

/** The address as a URL again, for messages. */
export function formatRedisUrl(address: RedisAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `redis://${host}:${address.port}${address.db === 0 ? '' : `/${address.db}`}`;
}
