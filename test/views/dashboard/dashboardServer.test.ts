import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, from, lastValueFrom, NEVER, Subject, throwError, toArray } from 'rxjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MetricRecord, ScalarsRecord } from '../../../src/metrics/records.ts';
import { openRun, persist } from '../../../src/sinks/index.ts';
import { dashboard } from '../../../src/views/dashboard/dashboard.ts';
import { cleanPath, startDashboard, type DashboardServer } from '../../../src/views/dashboard/dashboardServer.ts';
import { syntheticMetrics } from '../syntheticMetrics.ts';
import { SseClient } from './sseClient.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw GET: node:http sends the path exactly as given (no dot-segment normalisation, unlike fetch). */
function get(server: DashboardServer, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const servers: DashboardServer[] = [];
const dirs: string[] = [];
async function serve(options: Parameters<typeof startDashboard>[0] = {}): Promise<DashboardServer> {
  const s = await startDashboard({ port: 0, ...options });
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const info = { id: 'run-a', pipeline: 'test', total: 200, config: { qubits: 10 } };
const scalarsOf = (records: MetricRecord[]) => records.filter((r): r is ScalarsRecord => r.kind === 'scalars');

describe('dashboard server', () => {
  it('binds to 127.0.0.1 by default and serves the page, app and uPlot from its allow-list with a strict CSP', async () => {
    const server = await serve();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(server, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<script src="/app.js" defer></script>');
    for (const path of ['/app.js', '/style.css', '/uPlot.iife.min.js', '/uPlot.min.css']) {
      const r = await get(server, path);
      expect([path, r.status]).toEqual([path, 200]);
      expect(r.body.length).toBeGreaterThan(100);
    }
    expect((await get(server, '/uPlot.iife.min.js')).body).toContain('uPlot');
  });

  it('never serves a path outside its allow-list: traversal attempts get 400 or 404', async () => {
    const root = mkdtempSync(join(tmpdir(), 'runs-'));
    dirs.push(root);
    const server = await serve({ runsRoot: root });
    const attempts = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '/..%2fpackage.json',
      '/.%2e/.%2e/package.json',
      '/app.js/../../../package.json',
      '/%2e%2e%5c%2e%2e%5cpackage.json',
      '/..\\..\\package.json',
      '//etc/passwd',
      '/node_modules/uplot/package.json',
      '/src/views/dashboard/dashboardServer.ts',
      '/assets/app.js',
      '/package.json',
      '/%00/app.js',
      '/%c0%ae%c0%ae/package.json',
      '/%',
      '/api/finished/../../../package.json',
      '/api/finished/%2e%2e%2f%2e%2e%2fpackage.json',
      '/api/finished/%2F%2Fetc%2Fpasswd',
      '/api/finished/',
    ];
    for (const path of attempts) {
      const r = await get(server, path);
      expect([path, [400, 404].includes(r.status)]).toEqual([path, true]);
      expect(r.body).not.toContain('"name": "qubit-rx"');
      expect(r.body).not.toContain('root:');
    }
    expect(cleanPath('/a/../b')).toBeNull();
    expect(cleanPath('/%2e%2e/b')).toBeNull();
    expect(cleanPath('/app.js?x=../..')).toBe('/app.js');
  });

  it('answers only requests addressed to a loopback name (DNS rebinding) and only GET/HEAD', async () => {
    const server = await serve();
    expect((await get(server, '/', { Host: 'evil.example:80' })).status).toBe(403);
    expect((await get(server, '/', { Host: `localhost:${new URL(server.url).port}` })).status).toBe(200);
    expect((await get(server, '/', {}, 'POST')).status).toBe(405);
  });

  it('binding to another interface is explicit and warns', async () => {
    const warnings: string[] = [];
    const server = await serve({ host: '127.0.0.2', warn: (m) => warnings.push(m) });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.2:/);
    expect(warnings).toEqual([expect.stringContaining('dashboard listens on 127.0.0.2')]);
  });

  it('a viewer that arrives late gets the history first, then live records, then the final status', async () => {
    const server = await serve();
    const records = syntheticMetrics(200, 20);
    const metrics = new Subject<MetricRecord>();
    const done = lastValueFrom(metrics.pipe(dashboard(server, info), toArray()));
    records.slice(0, 20).forEach((r) => metrics.next(r));

    const late = new SseClient(server.url);
    await late.until(() => late.count('scalars') === 5);
    expect(late.events[0].event).toBe('hello');
    expect(late.events[1]).toMatchObject({ event: 'run', data: { info, status: 'running' } });
    records.slice(20).forEach((r) => metrics.next(r));
    metrics.complete();
    await done;
    await late.until(() => late.events.some((e) => e.event === 'run' && e.data.status === 'completed'));

    const got = late.events.filter((e) => e.event === 'scalars').map((e) => e.data);
    expect(got).toEqual(scalarsOf(records).map((r) => ({ run: 'run-a', step: r.step, wallTime: r.wallTime, values: r.values })));
    const hist = late.events.filter((e) => e.event === 'histogram').map((e) => e.data);
    expect(hist.length).toBe(30);
    expect(hist[0]).toMatchObject({ run: 'run-a', step: 20, tag: 'magnetisation' });
    expect(hist[0].counts.reduce((a: number, b: number) => a + b, 0)).toBe(200);
    late.close();
  });

  it('survives viewers that disconnect mid-stream, even mid-history, and keeps serving the others', async () => {
    const server = await serve();
    const metrics = new Subject<MetricRecord>();
    metrics.pipe(dashboard(server, info)).subscribe();
    // A long history (≈2 MB), so a viewer can vanish while it is still being written to.
    for (const r of syntheticMetrics(20_000, 20)) metrics.next(r);

    const quitters = Array.from({ length: 5 }, () => new SseClient(server.url));
    await Promise.all(quitters.map((q) => q.until(() => q.events.length >= 1)));
    quitters.forEach((q) => q.close());

    const stayer = new SseClient(server.url);
    await stayer.until(() => stayer.count('scalars') === 1000);
    const midway = new SseClient(server.url);
    await midway.until(() => midway.count('scalars') >= 1);
    midway.res!.socket.destroy();
    for (let step = 20_020; step <= 20_400; step += 20) metrics.next({ kind: 'scalars', step, wallTime: 0, values: { loss: step } });
    metrics.complete();
    await stayer.until(() => stayer.events.some((e) => e.event === 'run' && e.data.status === 'completed'));
    expect(stayer.count('scalars')).toBe(1000 + 20);
    expect((await get(server, '/')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.viewers).toBe(1);
    stayer.close();
  });

  it('50 concurrent viewers on loopback all receive every record', { timeout: 20_000 }, async () => {
    const server = await serve();
    const clients = Array.from({ length: 50 }, () => new SseClient(server.url));
    await Promise.all(clients.map((c) => c.until(() => c.count('hello') === 1)));
    const records = syntheticMetrics(2000, 10); // 200 scalars + 600 histograms
    const t0 = performance.now();
    await lastValueFrom(from(records).pipe(dashboard(server, info), toArray()));
    await Promise.all(clients.map((c) => c.until(() => c.events.some((e) => e.event === 'run' && e.data.status === 'completed'))));
    const ms = performance.now() - t0;
    const want = scalarsOf(records).map((r) => r.step);
    for (const c of clients) {
      expect(c.events.filter((e) => e.event === 'scalars').map((e) => e.data.step)).toEqual(want);
      expect(c.count('histogram')).toBe(600);
    }
    expect(server.viewers).toBe(50);
    console.info(`50 SSE viewers × ${records.length} records: all delivered in ${ms.toFixed(0)} ms`);
    clients.forEach((c) => c.close());
  });

  it('lists finished runs under runsRoot and serves one by its listed id from its Parquet tables', async () => {
    const root = mkdtempSync(join(tmpdir(), 'runs-'));
    dirs.push(root);
    const records = syntheticMetrics(100, 20);
    const run = await openRun({ root, pipeline: 'emergent-classicality', config: { qubits: 10 }, seed: 3, backend: 'cpu' });
    await lastValueFrom(from(records).pipe(persist(run), toArray()));
    await run.close('completed');
    const server = await serve({ runsRoot: root });
    const list = JSON.parse((await get(server, '/api/finished')).body);
    expect(list).toEqual([{ id: `emergent-classicality/${run.id}`, pipeline: 'emergent-classicality', run: run.id }]);
    const data = JSON.parse((await get(server, `/api/finished/emergent-classicality/${run.id}`)).body);
    expect(data.info).toMatchObject({ id: run.id, pipeline: 'emergent-classicality', config: { qubits: 10 } });
    expect(data.status).toBe('completed');
    expect(data.scalars.map((s: { values: { loss: number } }) => s.values.loss)).toEqual(scalarsOf(records).map((r) => r.values.loss));
    expect(data.histograms.length).toBe(15);
    expect((await get(server, '/api/finished/emergent-classicality/nope')).status).toBe(404);
  });

  it('the dashboard operator passes records through and marks each run completed, failed (with the reason) or interrupted', async () => {
    const server = await serve();
    const records = syntheticMetrics(60, 20);
    expect(await lastValueFrom(from(records).pipe(dashboard(server, { id: 'ok', pipeline: 'p' }), toArray()))).toEqual(records);
    await expect(lastValueFrom(concat(from(records), throwError(() => new Error('loss is NaN at step 40'))).pipe(dashboard(server, { id: 'bad', pipeline: 'p' })))).rejects.toThrow('loss is NaN');
    concat(from(records), NEVER).pipe(dashboard(server, { id: 'stopped', pipeline: 'p' })).subscribe().unsubscribe();
    const runs = JSON.parse((await get(server, '/api/runs')).body);
    expect(runs.map((r: { info: { id: string }; status: string; message?: string }) => [r.info.id, r.status, r.message ?? null])).toEqual([
      ['ok', 'completed', null],
      ['bad', 'failed', 'loss is NaN at step 40'],
      ['stopped', 'interrupted', null],
    ]);
  });
});
