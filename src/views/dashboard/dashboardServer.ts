import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricRecord } from '../../metrics/records.ts';
import type { RunInfo, RunStatus } from '../runInfo.ts';
import { findRunDirs, type RunDir } from '../runData/findRunDirs.ts';
import { readRun } from '../runData/readRun.ts';
import { checkFigureName, figureType, isFigureName, listFigures, readFigure } from './runFigures.ts';
import { histogramJson, scalarsJson, sseFrame, type RunDataJson, type RunJson } from './sseFrame.ts';
import { loadStaticAssets, type StaticAsset } from './staticAssets.ts';

export interface DashboardOptions {
  /** TCP port; 0 picks a free one. Default 6007 (TensorBoard keeps 6006). */
  port?: number;
  /** Interface to bind. Default 127.0.0.1; anything else exposes the run to the network and warns. */
  host?: string;
  /** Output root whose finished runs (`<pipeline>/<run-id>/` with Parquet tables) the page may open. */
  runsRoot?: string;
  /** Where warnings go (default: stderr). */
  warn?: (message: string) => void;
  /** A viewer that falls this many bytes behind is disconnected rather than buffered without end. Default 32 MiB. */
  maxBacklogBytes?: number;
  /** Comment sent to idle viewers this often, so proxies keep the stream and dead peers surface. Default 15 s. */
  heartbeatMs?: number;
}

/** The handle a pipeline uses to feed one run to the page. */
export interface LiveRun {
  publish(record: MetricRecord): void;
  finish(status: Exclude<RunStatus, 'running'>, message?: string): void;
  /**
   * Tells the page that figure `name` (a `.svg` or `.png` file directly in the run directory) was
   * written or rewritten, so it shows the new version now instead of at its next poll. Write the
   * file first, atomically (`writeFileAtomic`), then announce it. Works after `finish` too.
   * @throws TypeError for a name that is not a figure's file name
   */
  figure(name: string): void;
}

export interface LiveRunOptions {
  /**
   * The run directory, whose `*.svg` and `*.png` files the page shows. Default: the directory
   * `<pipeline>/…/<run-id>` under `runsRoot`, once its first Parquet segment is there.
   */
  dir?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

interface RunState {
  json: RunJson;
  /** Every metric frame so far; a viewer that arrives late is sent these first. */
  frames: string[];
  /** Where its figures are, once known. */
  dir?: string;
}

/**
 * A small HTTP server for the live dashboard: static page + uPlot from an allow-list, one
 * server-sent-event stream of every run's records (history first), read-only access to finished
 * runs under `runsRoot`, and the figure files (`*.svg`, `*.png`) of known run directories.
 * Create with {@link startDashboard}.
 */
export class DashboardServer {
  readonly #server: Server;
  readonly #assets: ReadonlyMap<string, StaticAsset>;
  readonly #runs = new Map<string, RunState>();
  readonly #clients = new Set<ServerResponse>();
  readonly #options: Required<Omit<DashboardOptions, 'runsRoot'>> & { runsRoot?: string };
  #heartbeat: NodeJS.Timeout | undefined;
  #url = '';

  /** @internal use {@link startDashboard} */
  constructor(options: DashboardOptions) {
    this.#options = {
      port: options.port ?? 6007,
      host: options.host ?? '127.0.0.1',
      runsRoot: options.runsRoot,
      warn: options.warn ?? ((m) => process.stderr.write(`warning: ${m}\n`)),
      maxBacklogBytes: options.maxBacklogBytes ?? 32 * 1024 * 1024,
      heartbeatMs: options.heartbeatMs ?? 15_000,
    };
    this.#assets = loadStaticAssets();
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err) => {
        if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${(err as Error).message}\n`);
        else res.destroy();
      });
    });
  }

  /** http://host:port/ the page is at. */
  get url(): string {
    return this.#url;
  }

  /** Viewers connected to the event stream now. */
  get viewers(): number {
    return this.#clients.size;
  }

  /** @internal */
  async listen(): Promise<void> {
    const { port, host } = this.#options;
    if (!LOOPBACK.has(host)) {
      this.#options.warn(`dashboard listens on ${host}: anyone who can reach this address can watch the run (and its config). Use the default 127.0.0.1 unless you mean it.`);
    }
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const addr = this.#server.address() as AddressInfo;
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.#url = `http://${shown}:${addr.port}/`;
    this.#heartbeat = setInterval(() => this.#broadcast(': keep-alive\n\n'), this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  /**
   * Starts showing a run; records published through the handle reach every viewer.
   * A run id seen before starts over (a re-subscribed pipeline).
   */
  run(info: RunInfo, options: LiveRunOptions = {}): LiveRun {
    const state: RunState = { json: { info, status: 'running', startedAt: Date.now() }, frames: [], dir: options.dir };
    this.#runs.set(info.id, state);
    this.#broadcast(sseFrame('run', state.json));
    const current = () => this.#runs.get(info.id) === state;
    return {
      publish: (record) => {
        if (!current()) return;
        let frame: string;
        if (record.kind === 'scalars') frame = sseFrame('scalars', { run: info.id, ...scalarsJson(record) });
        else if (record.kind === 'histogram') frame = sseFrame('histogram', { run: info.id, ...histogramJson(record) });
        else return;
        state.frames.push(frame);
        this.#broadcast(frame);
      },
      finish: (status, message) => {
        if (!current() || state.json.status !== 'running') return;
        state.json = { ...state.json, status, message, endedAt: Date.now() };
        this.#broadcast(sseFrame('run', state.json));
      },
      figure: (name) => {
        checkFigureName('LiveRun.figure', name);
        if (current()) this.#broadcast(sseFrame('figure', { run: info.id, name }));
      },
    };
  }

  /**
   * {@link LiveRun.figure} for the run shown under `runId`, for code that holds the server and the
   * run's id but not its handle (the `dashboard` operator creates the handle). No-op for an unknown run.
   */
  figure(runId: string, name: string): void {
    checkFigureName('DashboardServer.figure', name);
    if (this.#runs.has(runId)) this.#broadcast(sseFrame('figure', { run: runId, name }));
  }

  /** Ends every event stream and stops listening. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #broadcast(frame: string): void {
    for (const res of this.#clients) {
      // A viewer that cannot keep up is cut loose instead of growing our memory without bound.
      if (res.writableLength > this.#options.maxBacklogBytes) this.#drop(res);
      else res.write(frame);
    }
  }

  #drop(res: ServerResponse): void {
    this.#clients.delete(res);
    res.destroy();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#hostAllowed(req.headers.host)) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    const path = cleanPath(req.url ?? '/');
    if (path == null) return send(res, 400, 'text/plain; charset=utf-8', 'bad path\n');

    const asset = this.#assets.get(path);
    if (asset) return send(res, 200, asset.type, asset.body, req.method === 'HEAD');
    if (req.method === 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', '', true);
    if (path === '/api/events') return this.#events(req, res);
    if (path === '/api/runs') return sendJson(res, [...this.#runs.values()].map((r) => r.json));
    if (path === '/api/finished') return sendJson(res, (await this.#finished()).map((d) => ({ id: d.id, pipeline: d.pipeline, run: d.run })));
    if (path.startsWith('/api/finished/')) {
      const id = path.slice('/api/finished/'.length);
      // The id must be one the listing offers; the request never becomes a file path.
      const dir = (await this.#finished()).find((d) => d.id === id);
      if (!dir) return send(res, 404, 'text/plain; charset=utf-8', 'no such run\n');
      const data: RunDataJson = await readRun(dir.path);
      return sendJson(res, data);
    }
    if (path.startsWith('/api/figures/')) {
      const ref = path.slice('/api/figures/'.length);
      const run = await this.#runDir(ref);
      if (!run) return send(res, 404, 'text/plain; charset=utf-8', 'no such run\n');
      return sendJson(res, run.dir ? await listFigures(run.dir, (name) => figureUrl(ref, name)) : []);
    }
    if (path.startsWith('/api/figure/')) {
      const rest = path.slice('/api/figure/'.length);
      const cut = rest.lastIndexOf('/');
      const name = rest.slice(cut + 1);
      const run = cut > 0 && isFigureName(name) ? await this.#runDir(rest.slice(0, cut)) : null;
      let body: Buffer | null = null;
      try {
        body = run?.dir ? await readFigure(run.dir, name) : null;
      } catch (err) {
        if (err instanceof RangeError) return send(res, 413, 'text/plain; charset=utf-8', `${err.message}\n`);
        throw err;
      }
      if (!body) return send(res, 404, 'text/plain; charset=utf-8', 'no such figure\n');
      return send(res, 200, figureType(name), body, false, FIGURE_CSP);
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }

  /**
   * The directory of the run a figure URL names: `live/<run-id>` (a run shown live; its directory
   * as given to {@link run}, else found under `runsRoot`) or `finished/<id>` (an id of the finished
   * listing). Null for a run the server does not know; `dir` undefined while a live run has none yet.
   * The reference is only ever compared with known runs, never turned into a path.
   */
  async #runDir(ref: string): Promise<{ dir?: string } | null> {
    if (ref.startsWith('live/')) {
      const state = this.#runs.get(ref.slice('live/'.length));
      if (!state) return null;
      if (state.dir == null) {
        const { id, pipeline } = state.json.info;
        state.dir = (await this.#finished()).find((d) => d.run === id && d.pipeline === pipeline)?.path;
      }
      return { dir: state.dir };
    }
    if (ref.startsWith('finished/')) {
      const id = ref.slice('finished/'.length);
      const found = (await this.#finished()).find((d) => d.id === id);
      return found ? { dir: found.path } : null;
    }
    return null;
  }

  #events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const history = [sseFrame('hello', { runs: this.#runs.size }), 'retry: 2000\n\n'];
    for (const state of this.#runs.values()) history.push(sseFrame('run', state.json), ...state.frames);
    res.write(history.join(''));
    this.#clients.add(res);
    const gone = () => this.#clients.delete(res);
    req.on('close', gone);
    res.on('close', gone);
    res.on('error', gone);
  }

  async #finished(): Promise<RunDir[]> {
    return this.#options.runsRoot ? findRunDirs(this.#options.runsRoot) : [];
  }

  #hostAllowed(host: string | undefined): boolean {
    // DNS-rebinding guard: a loopback server only answers requests addressed to a loopback name.
    if (!LOOPBACK.has(this.#options.host)) return true;
    if (host == null) return false;
    const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
    return LOOPBACK.has(name);
  }
}

/** Starts a dashboard server and resolves once it listens. */
export async function startDashboard(options: DashboardOptions = {}): Promise<DashboardServer> {
  const server = new DashboardServer(options);
  await server.listen();
  return server;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/** A figure opened on its own (not as the page's `<img>`) may style itself and nothing more: no script, no fetches. */
const FIGURE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

function figureUrl(ref: string, name: string): string {
  return `/api/figure/${ref.split('/').map(encodeURIComponent).join('/')}/${encodeURIComponent(name)}`;
}

/**
 * The decoded path of a request URL, or null for anything that tries to leave the allow-list by
 * spelling (dot segments, encoded or not, backslashes, NUL, bad escapes).
 */
export function cleanPath(url: string): string | null {
  const raw = url.split(/[?#]/, 1)[0];
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (!path.startsWith('/') || path.includes('\\') || path.includes('\0')) return null;
  if (path.split('/').some((seg) => seg === '..' || seg === '.')) return null;
  return path;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headOnly = false, csp = SECURITY_HEADERS['Content-Security-Policy']): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Security-Policy': csp, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(headOnly ? undefined : body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json; charset=utf-8', JSON.stringify(value));
}
