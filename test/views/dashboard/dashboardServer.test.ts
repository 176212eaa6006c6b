import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
  bytes: Buffer;
}

/** A raw GET: node:http sends the path exactly as given (no dot-segment normalisation, unlike fetch). */
function get(server: DashboardServer, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes });
      });
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

/** A 1 × 1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

/**
 * An output root with one persisted run whose directory holds figures and things that must not be
 * served: a hidden file, a non-figure, a folder named like a figure, and links to a file outside.
 * A `secret.svg` sits in the root and in the pipeline folder, where a traversal would land.
 */
async function runWithFigures(): Promise<{ root: string; dir: string; id: string; runId: string }> {
  const root = mkdtempSync(join(tmpdir(), 'runs-'));
  dirs.push(root);
  const run = await openRun({ root, pipeline: 'banana', config: {}, seed: 1, backend: 'cpu' });
  await lastValueFrom(from(syntheticMetrics(40, 20)).pipe(persist(run), toArray()));
  await run.close('completed');
  writeFileSync(join(root, 'secret.svg'), '<svg>SECRET</svg>');
  writeFileSync(join(root, 'banana', 'secret.svg'), '<svg>SECRET</svg>');
  writeFileSync(join(run.dir, 'scatter.svg'), SVG);
  writeFileSync(join(run.dir, 'grid.png'), PNG);
  writeFileSync(join(run.dir, '.scatter.svg.tmp'), SVG);
  writeFileSync(join(run.dir, '.hidden.svg'), SVG);
  writeFileSync(join(run.dir, 'notes.txt'), 'not a figure');
  mkdirSync(join(run.dir, 'folder.svg'));
  symlinkSync(join(root, 'secret.svg'), join(run.dir, 'link.svg'));
  symlinkSync('../../secret.svg', join(run.dir, 'relative.svg'));
  return { root, dir: run.dir, id: `banana/${run.id}`, runId: run.id };
}

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
  it('lists a run directory\'s figures in name order and serves them with their content type and a locked-down CSP', async () => {
    const { root, id } = await runWithFigures();
    const server = await serve({ runsRoot: root });
    const list = JSON.parse((await get(server, `/api/figures/finished/${id}`)).body);
    const enc = id.split('/').map(encodeURIComponent).join('/');
    expect(list).toEqual([
      { name: 'grid.png', url: `/api/figure/finished/${enc}/grid.png`, bytes: PNG.length, mtime: expect.any(Number) },
      { name: 'scatter.svg', url: `/api/figure/finished/${enc}/scatter.svg`, bytes: SVG.length, mtime: expect.any(Number) },
    ]);
    const svg = await get(server, list[1].url);
    expect([svg.status, svg.headers['content-type'], svg.body]).toEqual([200, 'image/svg+xml', SVG]);
    expect(svg.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox");
    expect(svg.headers['x-content-type-options']).toBe('nosniff');
    const png = await get(server, list[0].url + '?v=123');
    expect([png.status, png.headers['content-type']]).toEqual([200, 'image/png']);
    expect(png.bytes.equals(PNG)).toBe(true);
    expect((await get(server, '/api/figures/finished/banana/nope')).status).toBe(404);
  });

  it('serves figures only from inside known run directories: traversal, absolute paths, encoded slashes, links and hidden files get 400 or 404', async () => {
    const { root, dir, id, runId } = await runWithFigures();
    const server = await serve({ runsRoot: root });
    server.run({ id: runId, pipeline: 'banana' }, { dir });
    const enc = encodeURIComponent;
    const attempts = [
      `/api/figure/finished/${id}/../../secret.svg`,
      `/api/figure/finished/${id}/..%2F..%2Fsecret.svg`,
      `/api/figure/finished/${id}/%2e%2e%2f%2e%2e%2fsecret.svg`,
      `/api/figure/finished/${id}/%2E%2E%5C%2E%2E%5Csecret.svg`,
      `/api/figure/finished/${id}/link.svg`,
      `/api/figure/finished/${id}/relative.svg`,
      `/api/figure/finished/${id}/.hidden.svg`,
      `/api/figure/finished/${id}/.scatter.svg.tmp`,
      `/api/figure/finished/${id}/notes.txt`,
      `/api/figure/finished/${id}/folder.svg`,
      `/api/figure/finished/${id}/${enc(join(root, 'secret.svg'))}`,
      `/api/figure/finished/${id}/%00scatter.svg`,
      `/api/figure/finished/banana/secret.svg`,
      `/api/figure/finished/${enc(dir)}/scatter.svg`,
      `/api/figure/finished/${enc(join(root, 'banana'))}/secret.svg`,
      `/api/figure/finished/${enc(root)}/secret.svg`,
      `/api/figure/finished//secret.svg`,
      `/api/figure/finished/secret.svg`,
      `/api/figure/live/${runId}/../../../secret.svg`,
      `/api/figure/live/${runId}%2F..%2F..%2F..%2Fsecret.svg`,
      `/api/figure/live/..%2F..%2Fsecret.svg`,
      `/api/figure/live/${enc(dir)}/scatter.svg`,
      `/api/figure/live/${runId}/link.svg`,
      `/api/figure/live/${runId}/${enc('/etc/passwd')}`,
      `/api/figure/${enc(dir)}/scatter.svg`,
      `/api/figure/scatter.svg`,
      `/api/figures/finished/${id}/..`,
      `/api/figures/finished/..%2F..`,
      `/api/figures/live/${enc(dir)}`,
      `/api/figures/${enc(dir)}`,
    ];
    for (const path of attempts) {
      const r = await get(server, path);
      expect([path, [400, 404].includes(r.status)]).toEqual([path, true]);
      expect(r.body).not.toContain('SECRET');
      expect(r.body).not.toContain('root:');
    }
    // The same files by their listed names are served, from the finished listing and the live run alike.
    expect((await get(server, `/api/figure/finished/${id}/scatter.svg`)).body).toBe(SVG);
    expect((await get(server, `/api/figure/live/${runId}/scatter.svg`)).body).toBe(SVG);
  });

  it('a live run shows the figures of its directory (given, or found under runsRoot) and announces new ones', async () => {
    const { root, dir, runId } = await runWithFigures();
    const server = await serve({ runsRoot: root });
    const names = async (ref: string) => JSON.parse((await get(server, `/api/figures/${ref}`)).body).map((f: { name: string }) => f.name);

    const elsewhere = mkdtempSync(join(tmpdir(), 'run-'));
    dirs.push(elsewhere);
    const given = server.run({ id: 'given', pipeline: 'p' }, { dir: elsewhere });
    const bare = server.run({ id: 'bare', pipeline: 'p' });
    server.run({ id: runId, pipeline: 'banana' }); // no dir: found under runsRoot by pipeline and id
    expect(await names('live/given')).toEqual([]);
    expect(await names('live/bare')).toEqual([]); // known, but no directory yet
    expect(await names(`live/${runId}`)).toEqual(['grid.png', 'scatter.svg']);
    expect((await get(server, '/api/figures/live/nope')).status).toBe(404);

    const viewer = new SseClient(server.url);
    await viewer.until(() => viewer.count('run') === 3);
    writeFileSync(join(elsewhere, 'kl.svg'), SVG);
    given.figure('kl.svg');
    server.figure(runId, 'scatter.svg');
    server.figure('nope', 'x.svg'); // an unknown run: nothing to tell
    given.finish('completed');
    given.figure('kl.svg'); // figures written after the end still count
    await viewer.until(() => viewer.count('figure') === 3);
    expect(viewer.events.filter((e) => e.event === 'figure').map((e) => e.data)).toEqual([
      { run: 'given', name: 'kl.svg' },
      { run: runId, name: 'scatter.svg' },
      { run: 'given', name: 'kl.svg' },
    ]);
    expect(await names('live/given')).toEqual(['kl.svg']);
    expect((await get(server, '/api/figure/live/given/kl.svg')).body).toBe(SVG);
    expect(() => bare.figure('../kl.svg')).toThrow(/LiveRun.figure: name must be a .svg or .png file name directly in the run directory \(no folders, not hidden\), got "..\/kl.svg"/);
    expect(() => server.figure('given', 'kl.pdf')).toThrow(/DashboardServer.figure: name must be a .svg or .png file name/);
    viewer.close();
  });
});
