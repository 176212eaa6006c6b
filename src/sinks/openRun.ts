import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tableToIPC } from 'apache-arrow';
import type { MetricRecord } from '../metrics/records.ts';
import type { CellValue } from './columnBuffer.ts';
import { encodeParquet, type ParquetCodec } from './encodeParquet.ts';
import { makeRunId } from './makeRunId.ts';
import { provenance, type Provenance } from './provenance.ts';
import { Segments } from './segments.ts';
import { TableBuffer, type FixedColumn } from './tableBuffer.ts';
import { SinkWriteError, writeFileAtomic } from './writeFileAtomic.ts';

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';
export type FinalStatus = Exclude<RunStatus, 'running'>;

/** A config value; scalars also become typed columns of the `run` table, everything goes to `config_json`. */
export type ConfigValue = string | number | boolean | bigint | null | undefined | readonly ConfigValue[] | { readonly [key: string]: ConfigValue };

export interface OpenRunOptions {
  /** Root of all run outputs, e.g. `output` (the CLI's `--out`). */
  root: string;
  /** Pipeline name: the directory under `root` and the `pipeline` column, e.g. `emergent-classicality`. */
  pipeline: string;
  /** The run's full configuration. Top-level numbers become DOUBLE columns, strings VARCHAR, booleans BOOLEAN, bigints BIGINT. */
  config: Readonly<Record<string, ConfigValue>>;
  seed: number;
  /** Compute backend that ran (`selectBackend(...).name`). */
  backend: string;
  /** Flush every buffered row this often (ms). Default 2000. */
  flushMs?: number;
  /** Also flush a table as soon as its buffered rows take about this many bytes. Default 16 MiB. */
  maxBufferBytes?: number;
  /**
   * A segment file grows (rewritten whole at each flush) until it holds about this many bytes of
   * data, then the next one starts. Default 4 MiB: a few files per table for a long run, and a
   * rewrite that never re-encodes more than that.
   */
  segmentBytes?: number;
  /**
   * Also append each flush of `scalars` to `scalars.arrows` (Arrow IPC stream format, one complete
   * stream per flush, without the run_id column) for another process to tail. Default true.
   */
  live?: boolean;
  /** Parquet compression. Default snappy (zstd is ~10–25% smaller on float columns and 3–5× slower to write). */
  codec?: ParquetCodec;
}

/**
 * An open run directory: `<root>/<pipeline>/<run-id>/` holding
 * - `run.parquet`: one row (id, pipeline, status, reason, times, seed, backend, versions, git commit, config), rewritten atomically on every flush and status change;
 * - `scalars-00000.parquet`, `scalars-00001.parquet`, …: run_id, int64 step, wall_time, one DOUBLE column per metric;
 * - `histograms-NNNNN.parquet`: long rows run_id, step, wall_time, tag, bin, lo, hi, count;
 * - `<table>-NNNNN.parquet` for pipeline tables (`samples`, …) from `row` records;
 * - `scalars.arrows` (unless `live: false`): the scalars rows as Arrow IPC streams, one appended
 *   per flush, for live tailing (`RecordBatchReader.readAll` in apache-arrow).
 *
 * Every segment is a complete Parquet file, written to a hidden temporary and renamed over the
 * previous version (see Segments), so a run killed at any instant leaves only valid files holding
 * every row up to its last flush, each row in exactly one file.
 */
export interface Run {
  readonly id: string;
  /** Absolute path of the run directory. */
  readonly dir: string;
  readonly pipeline: string;
  readonly status: RunStatus;
  /** Buffers a record (no I/O). Throws if the run is closed or a write has failed, or if the record does not fit its table. */
  append(record: MetricRecord): void;
  /** Writes every buffered row as new segments and refreshes `run.parquet`. Rejects with a SinkWriteError naming the file. */
  flush(): Promise<void>;
  /**
   * Stops the flush timer, flushes, records `status`, `reason` and the end time in `run.parquet`.
   * A `completed` close whose final flush fails is recorded as `failed`. Idempotent: later calls return the first close.
   */
  close(status: FinalStatus, reason?: string): Promise<void>;
  /** Called once when a background (timer or size) flush fails; returns the unsubscribe function. */
  onFailure(listener: (err: SinkWriteError) => void): () => void;
  /** Rows written to disk so far, per table. */
  written(): Readonly<Record<string, number>>;
}

const SCALARS: readonly FixedColumn[] = [
  { name: 'step', kind: 'int64', nullable: false },
  { name: 'wall_time', kind: 'timestamp', nullable: false },
];
const HISTOGRAMS: readonly FixedColumn[] = [
  ...SCALARS,
  { name: 'tag', kind: 'utf8', nullable: false },
  { name: 'bin', kind: 'int32', nullable: false },
  { name: 'lo', kind: 'float64', nullable: false },
  { name: 'hi', kind: 'float64', nullable: false },
  { name: 'count', kind: 'float64', nullable: false },
];
const RUN_COLUMNS = [
  'run_id', 'pipeline', 'status', 'reason', 'start_time', 'end_time', 'updated_time', 'seed', 'backend',
  'package_version', 'git_commit', 'versions_json', 'config_json',
] as const;
const RUN_FIXED: readonly FixedColumn[] = [
  { name: 'pipeline', kind: 'utf8', nullable: false },
  { name: 'status', kind: 'utf8', nullable: false },
  { name: 'reason', kind: 'utf8' },
  { name: 'start_time', kind: 'timestamp', nullable: false },
  { name: 'end_time', kind: 'timestamp' },
  { name: 'updated_time', kind: 'timestamp', nullable: false },
  { name: 'seed', kind: 'int64', nullable: false },
  { name: 'backend', kind: 'utf8', nullable: false },
  { name: 'package_version', kind: 'utf8' },
  { name: 'git_commit', kind: 'utf8' },
  { name: 'versions_json', kind: 'utf8', nullable: false },
  { name: 'config_json', kind: 'utf8', nullable: false },
];
const TABLE_NAME = /^[a-z][a-z0-9_]*$/;
const RESERVED_TABLES = new Set(['run', 'scalars', 'histograms']);

/**
 * Creates a new run directory (never reusing an existing one) and writes its `run` table with
 * status `running`.
 *
 * @example
 *   const run = await openRun({ root: 'output', pipeline: 'emergent-classicality', config, seed: 1, backend: 'wasm' });
 *   await lastValueFrom(metrics$.pipe(persist(run)));
 *   await run.close('completed');
 *
 * @throws SinkWriteError naming the directory when it cannot be created; TypeError for a bad option.
 */
export async function openRun(options: OpenRunOptions): Promise<Run> {
  const { root, pipeline, config, seed, backend } = options;
  const flushMs = options.flushMs ?? 2000;
  const maxBufferBytes = options.maxBufferBytes ?? 16 * 2 ** 20;
  const segmentBytes = options.segmentBytes ?? 4 * 2 ** 20;
  if (!TABLE_NAME.test(pipeline.replace(/-/g, '_'))) throw new TypeError(`openRun: pipeline must match [a-z][a-z0-9_-]*, got "${pipeline}"`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new TypeError(`openRun: seed must be an integer ≥ 0, got ${seed}`);
  if (!(flushMs > 0)) throw new TypeError(`openRun: flushMs must be > 0, got ${flushMs}`);
  if (!(maxBufferBytes > 0)) throw new TypeError(`openRun: maxBufferBytes must be > 0, got ${maxBufferBytes}`);
  if (!(segmentBytes >= 0)) throw new TypeError(`openRun: segmentBytes must be ≥ 0, got ${segmentBytes}`);
  for (const key of Object.keys(config)) {
    if ((RUN_COLUMNS as readonly string[]).includes(key)) throw new TypeError(`openRun: config key "${key}" clashes with the run table's own column; rename it`);
  }

  const parent = resolve(root, pipeline);
  try {
    await mkdir(parent, { recursive: true });
  } catch (err) {
    throw new SinkWriteError(parent, err);
  }
  const startMs = Date.now();
  let id = '';
  let dir = '';
  for (let attempt = 0; ; attempt++) {
    id = makeRunId(startMs, seed);
    dir = join(parent, id);
    try {
      await mkdir(dir); // not recursive: fails with EEXIST instead of reusing a directory
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 20) throw new SinkWriteError(dir, err);
    }
  }
  const run = new RunWriter(id, dir, {
    pipeline, config, seed, backend, startMs, flushMs, maxBufferBytes, segmentBytes,
    prov: await provenance(),
    codec: options.codec ?? 'snappy',
    live: options.live ?? true,
  });
  await run.start();
  return run;
}

interface RunSettings {
  pipeline: string;
  config: Readonly<Record<string, ConfigValue>>;
  seed: number;
  backend: string;
  startMs: number;
  prov: Provenance;
  flushMs: number;
  maxBufferBytes: number;
  segmentBytes: number;
  codec: ParquetCodec;
  live: boolean;
}

class RunWriter implements Run {
  status: RunStatus = 'running';
  private reason: string | undefined;
  private endMs: number | undefined;
  private readonly tables = new Map<string, TableBuffer>();
  private readonly segments: Segments;
  private readonly rowsWritten: Record<string, number> = {};
  private readonly listeners = new Set<(err: SinkWriteError) => void>();
  /** Serialises writes; never left rejected, so a later run-table write still happens after a failed segment. */
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: SinkWriteError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  readonly pipeline: string;

  constructor(readonly id: string, readonly dir: string, private readonly settings: RunSettings) {
    this.pipeline = settings.pipeline;
    this.segments = new Segments(dir, settings.segmentBytes);
    this.tables.set('scalars', new TableBuffer('scalars', id, SCALARS));
    this.tables.set('histograms', new TableBuffer('histograms', id, HISTOGRAMS));
  }

  async start(): Promise<void> {
    await this.enqueue(() => this.writeRunTable());
    // Skips a tick while a write is still in flight, so a slow disk does not pile up flushes.
    this.timer = setInterval(() => {
      if (this.pending === 0) this.flush().catch(() => undefined);
    }, this.settings.flushMs);
    this.timer.unref(); // an open run never keeps the process alive by itself
  }

  append(record: MetricRecord): void {
    if (this.closing) throw new Error(`run ${this.id} is closed; cannot append more records`);
    if (this.failure) throw this.failure;
    let table: TableBuffer;
    switch (record.kind) {
      case 'scalars': {
        table = this.tables.get('scalars')!;
        const wall = Math.round(record.wallTime);
        for (const key of ['step', 'wall_time']) {
          if (key in record.values) throw new TypeError(`persist: scalars key "${key}" is reserved (step ${record.step})`);
        }
        table.append({ ...record.values, step: record.step, wall_time: wall });
        break;
      }
      case 'histogram': {
        table = this.tables.get('histograms')!;
        const { step, tag, edges, counts } = record;
        if (edges.length !== counts.length + 1) {
          throw new TypeError(`persist: histogram ${tag} at step ${step}: edges has length ${edges.length}, expected counts.length + 1 = ${counts.length + 1}`);
        }
        const wall = Math.round(record.wallTime);
        for (let b = 0; b < counts.length; b++) {
          table.append({ step, wall_time: wall, tag, bin: b, lo: edges[b], hi: edges[b + 1], count: counts[b] });
        }
        break;
      }
      case 'row': {
        const name = record.table;
        if (!TABLE_NAME.test(name) || RESERVED_TABLES.has(name)) {
          throw new TypeError(`persist: table name must match [a-z][a-z0-9_]* and not be run, scalars or histograms, got "${name}"`);
        }
        table = this.tables.get(name) ?? this.addTable(name);
        table.append(record.row as Record<string, CellValue>);
        break;
      }
    }
    if (table.bytes >= this.settings.maxBufferBytes) this.flushTables([table]).catch(() => undefined);
  }

  flush(): Promise<void> {
    return this.flushTables([...this.tables.values()]);
  }

  close(status: FinalStatus, reason?: string): Promise<void> {
    this.closing ??= this.finish(status, reason);
    return this.closing;
  }

  onFailure(listener: (err: SinkWriteError) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  written(): Readonly<Record<string, number>> {
    return { ...this.rowsWritten };
  }

  private addTable(name: string): TableBuffer {
    const table = new TableBuffer(name, this.id);
    this.tables.set(name, table);
    return table;
  }

  /**
   * Drains and encodes the tables now (synchronously: the rows are fixed at this instant and
   * their memory is released), then writes the segments and the run table in the background queue.
   */
  private flushTables(tables: TableBuffer[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const files: { table: string; path: string; rows: number; bytes: Uint8Array; ipc?: Uint8Array }[] = [];
    for (const t of tables) {
      const rows = t.rows;
      const bytes = t.bytes;
      const data = t.drain();
      if (!data) continue;
      const { path, content } = this.segments.add(t.name, data, bytes);
      const ipc = this.settings.live && t.name === 'scalars' ? tableToIPC(data.select(data.schema.names.filter((n) => n !== 'run_id')), 'stream') : undefined;
      files.push({ table: t.name, path, rows, bytes: encodeParquet(content, this.settings.codec), ipc });
    }
    return this.enqueue(async () => {
      if (this.failure) throw this.failure;
      try {
        for (const f of files) {
          await writeFileAtomic(f.path, f.bytes);
          this.rowsWritten[f.table] = (this.rowsWritten[f.table] ?? 0) + f.rows;
          if (f.ipc) await appendLive(join(this.dir, `${f.table}.arrows`), f.ipc);
        }
        await this.writeRunTable();
      } catch (err) {
        this.fail(err);
        throw this.failure;
      }
    });
  }

  private async finish(status: FinalStatus, reason: string | undefined): Promise<void> {
    clearInterval(this.timer);
    let firstError: unknown;
    try {
      await this.flush();
    } catch (err) {
      firstError = err;
    }
    if (firstError != null && status === 'completed') {
      status = 'failed';
      reason = firstError instanceof Error ? firstError.message : String(firstError);
    }
    this.status = status;
    this.reason = reason;
    this.endMs = Date.now();
    // Written even after a failed segment: the error may be transient, or specific to that file.
    try {
      await this.enqueue(() => this.writeRunTable());
    } catch (err) {
      firstError ??= err;
    }
    if (firstError != null) throw firstError;
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    this.failure = err instanceof SinkWriteError ? err : new SinkWriteError(this.dir, err);
    for (const listener of this.listeners) listener(this.failure);
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.pending++;
    const done = this.queue.then(job).finally(() => this.pending--);
    this.queue = done.catch(() => undefined);
    return done;
  }

  private writeRunTable(): Promise<void> {
    const { config, prov } = this.settings;
    const table = new TableBuffer('run', this.id, RUN_FIXED);
    const row: Record<string, CellValue | null | undefined> = {};
    for (const [key, value] of Object.entries(config)) {
      if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') row[key] = value;
    }
    Object.assign(row, {
      pipeline: this.pipeline,
      status: this.status,
      reason: this.reason,
      start_time: this.settings.startMs,
      end_time: this.endMs,
      updated_time: Date.now(),
      seed: this.settings.seed,
      backend: this.settings.backend,
      package_version: prov.packageVersion,
      git_commit: prov.gitCommit,
      versions_json: JSON.stringify(prov.versions),
      config_json: JSON.stringify(config, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
    });
    table.append(row);
    return writeFileAtomic(join(this.dir, 'run.parquet'), encodeParquet(table.drain()!, this.settings.codec));
  }
}

/** Appends one complete IPC stream (schema, batch, end marker); a reader may meet a partial last one while it is being written. */
async function appendLive(path: string, ipc: Uint8Array): Promise<void> {
  try {
    await appendFile(path, ipc);
  } catch (err) {
    throw new SinkWriteError(path, err);
  }
}
