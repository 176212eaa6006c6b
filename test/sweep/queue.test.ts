import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { duck, query } from '../sinks/readBack.ts';
import type { PointJob, PointResult } from '../../src/sweep/pointJob.ts';
import { enqueuePoints, jobIdOf, parseRedisUrl, QueueError, runQueuedSweep } from '../../src/sweep/queue/index.ts';
import { spawnTs, type Spawned } from '../sinks/spawnRun.ts';

// Queue mode against a real Redis (Debian's redis-server; .ci/run installs it): every test starts
// its own server on a free loopback port, without persistence, and stops it.
const HAVE_REDIS = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_REDIS) console.warn('test/sweep/queue.test.ts: skipped — redis-server is not installed (apt-get install redis-server)');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface RedisServer {
  url: string;
  stop: () => Promise<void>;
}

async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start:\n${log}`)), 10_000);
    child.stdout!.on('data', (d) => {
      log += d;
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`redis-server on ${port} exited:\n${log}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const worker = (url: string, ...args: string[]): Spawned => spawnTs('src/cli/main.ts', ['worker', '--queue', url, '--queue-name', 'test', ...args]);

async function waitFor(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > timeoutMs) throw new Error(`waitFor: ${what} not seen after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TINY = ['--scheme', 'fixed', '--qubits', '10', '--steps', '100', '--flush-interval', '0.5'];

describe.skipIf(!HAVE_REDIS)('sweep queue (BullMQ on a real redis-server)', () => {
  let redis: RedisServer;
  let dir: string;
  const workers: Spawned[] = [];

  beforeEach(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'qubit-rx-queue-'));
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode == null && w.child.signalCode == null) w.child.kill('SIGTERM');
      await w.exited;
    }
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const points = (sweepId: string, n: number, args: string[]): PointJob[] =>
    Array.from({ length: n }, (_, index) => ({ sweepId, index, command: 'train', args, out: join(dir, 'runs', `p${index}`) }));

  it('a worker killed with SIGKILL mid-point: the other worker reruns it, and every point completes exactly once', async () => {
    const a = worker(redis.url, '--concurrency', '1');
    const b = worker(redis.url, '--concurrency', '1');
    workers.push(a, b);
    const jobs = points('kill', 4, TINY);
    const seen: PointResult[] = [];
    const done = runQueuedSweep(jobs, { url: redis.url, queueName: 'test', retries: 1, onResult: (r) => seen.push(r) });

    // Kill worker a while its first point runs (its child is still starting or training).
    await waitFor('worker a starting a point', () => /started {2}kill-p\d/.test(a.stderr()));
    const killedId = /started {2}(kill-p\d)/.exec(a.stderr())![1];
    await new Promise((r) => setTimeout(r, 1500));
    expect(a.stderr()).not.toContain(`finished ${killedId}`);
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe(137);

    const results = await done;
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(results.every((r) => r.status === 'completed')).toBe(true);
    expect(seen.map((r) => r.index).sort()).toEqual([0, 1, 2, 3]);
    for (const r of results) expect(r.last?.step).toBe(100);
    // The killed point was picked up again by b (stalled-job recovery), as a second attempt.
    const killed = results.find((r) => jobIdOf('kill', r.index) === killedId)!;
    expect(killed.runDir).toContain(`p${killed.index}-a2`);
    expect(b.stderr()).toMatch(new RegExp(`started {2}${killedId} \\(attempt 2\\)`));
    expect(b.stderr()).toMatch(new RegExp(`finished ${killedId} \\(attempt 2\\): completed`));
  });

  it('a point that fails deterministically is retried `retries` times, then recorded failed with its reason', async () => {
    const w = worker(redis.url, '--concurrency', '1');
    workers.push(w);
    const missing = join(dir, 'no-such-checkpoint');
    const [result] = await enqueuePoints(points('fail', 1, ['--resume', missing]), { url: redis.url, queueName: 'test', retries: 2, backoffMs: 200 });
    expect(result.status).toBe('failed');
    expect(result.reason).toContain(`cannot read checkpoint ${missing}`);
    expect(result.exitCode).not.toBe(0);
    expect(w.stderr().match(/started {2}fail-p0/g)).toHaveLength(3);
    expect(w.stderr()).toMatch(/finished fail-p0 \(attempt 3\): failed .*cannot read checkpoint/);
  });

  it('an unreachable Redis is one line and exit 2 within seconds, for the worker and the producer', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const started = Date.now();
    const w = worker(url);
    const code = await w.exited;
    const workerMs = Date.now() - started;
    expect(code).toBe(2);
    expect(w.stderr().trim().split('\n')).toEqual([`error: cannot reach Redis at ${url}: connect ECONNREFUSED 127.0.0.1:${port} (is redis-server running there?)`]);
    // Node and the CLI's imports take ~3 s of that on two busy cores; the refusal itself is immediate.
    expect(workerMs).toBeLessThan(10_000);

    let t = Date.now();
    const refused = await enqueuePoints(points('x', 1, TINY), { url, retries: 0 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QueueError);
    expect((refused as QueueError).exitCode).toBe(2);
    expect(Date.now() - t).toBeLessThan(5000);

    // A server that accepts and never answers: the probe's own timeout ends it, not a hang.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `redis://127.0.0.1:${(silent.address() as { port: number }).port}`;
    t = Date.now();
    const hung = await enqueuePoints(points('x', 1, TINY), { url: silentUrl, retries: 0 }).catch((e: unknown) => e);
    silent.close();
    expect((hung as Error).message).toMatch(/^cannot reach Redis at .*: no answer within 3 s/);
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it('parses redis://host:port[/db] and names what is wrong', () => {
    expect(parseRedisUrl('redis://10.0.0.5:6380/2')).toEqual({ host: '10.0.0.5', port: 6380, db: 2 });
    expect(parseRedisUrl('redis://queue.lan')).toEqual({ host: 'queue.lan', port: 6379, db: 0 });
    expect(() => parseRedisUrl('http://x:1')).toThrow(/expected redis:\/\/host:port\[\/db\], got 'http:\/\/x:1' \(scheme must be redis:/);
    expect(() => parseRedisUrl('redis://x:1/a')).toThrow(/db must be an integer ≥ 0, got 'a'/);
    expect(() => parseRedisUrl('redis://u:p@x:1')).toThrow(/credentials/);
    expect(() => parseRedisUrl('localhost:6379')).toThrow(/scheme must be redis:/);
  });

  it('sweep --queue: the grid runs on the workers and lands in the sweep\'s points table; --detach then --resume collects it', async () => {
    const w = worker(redis.url, '--concurrency', '2');
    workers.push(w);
    let stdout = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const grid = ['--epsilon', '0.2,0.4', ...TINY.filter((_, i) => i < 4), '--steps', '60'];
      expect(await main(['sweep', '--queue', redis.url, '--queue-name', 'test', '--out', join(dir, 'out'), '--quiet', ...grid])).toBe(0);
      const [id] = readdirSync(join(dir, 'out', 'emergent-classicality-sweep'));
      const sweepDir = join(dir, 'out', 'emergent-classicality-sweep', id);
      const db = await duck();
      const rows = await query(db, `select index, epsilon, status, attempt, step from '${join(sweepDir, 'points.parquet')}' order by index`);
      expect(rows).toEqual([
        { index: 0n, epsilon: 0.2, status: 'completed', attempt: 1n, step: 60n },
        { index: 1n, epsilon: 0.4, status: 'completed', attempt: 1n, step: 60n },
      ]);

      // Detached: the sweep process returns at once; the worker runs the points; --resume collects them.
      stdout = '';
      expect(await main(['sweep', '--queue', redis.url, '--queue-name', 'test', '--detach', '--out', join(dir, 'detached'), '--quiet', '--qubits', '8,12', ...TINY.slice(0, 2), '--steps', '60'])).toBe(0);
      expect(stdout).toMatch(/^detached: 2 points queued on redis:\/\/.*; collect them with: sweep --resume (\S+) --queue /m);
      const resumeDir = /--resume (\S+) --queue/.exec(stdout)![1];
      expect(await main(['sweep', '--resume', resumeDir, '--queue', redis.url, '--queue-name', 'test', '--quiet'])).toBe(0);
      const collected = await query(db, `select status from '${join(resumeDir, 'points.parquet')}'`);
      expect(collected.map((r) => r.status)).toEqual(['completed', 'completed']);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }, 120_000);
});
