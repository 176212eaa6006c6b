/**
 * A sweep over a grid of a pipeline's options (issue 13), as a directory
 * `<out>/<pipeline run dir>-sweep/<sweep-id>/` holding
 * - `sweep.json`: id, pipeline, status (running|completed|failed|interrupted), reason, start and
 *   end times, the command line, the grid spec, and every point's latest attempt;
 * - `points.parquet`: one row per grid point (its latest attempt), rewritten atomically after each
 *   finished point — index, attempt, the axis values as typed columns, seed, status, reason, run_id,
 *   run_dir, start/end time, seconds, step and the point's last scalars;
 * - `summary.parquet`: one row per cell (all axes but the seed) — the cell's axes, `replicates`,
 *   `mean_<m>` and `se_<m>` of each metric — and the summary figure `summary.svg`;
 * - `runs/p<index>-a<attempt>/`: each attempt's run (the point's own `--out`).
 */
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CellValue, ColumnKind } from '../sinks/columnBuffer.ts';
import { encodeParquet } from '../sinks/encodeParquet.ts';
import { makeRunId } from '../sinks/makeRunId.ts';
import { SinkWriteError, writeFileAtomic } from '../sinks/writeFileAtomic.ts';
import { UserFacingError } from '../options/userFacingError.ts';
import { aggregateReplicates, summaryRow, type ReplicateCell } from './aggregateReplicates.ts';
import type { PointJob, PointResult } from './pointJob.ts';
import { coresPerProcess } from '../simulators/cores.ts';
import { runPool, type PointCallbacks } from './runPool.ts';
import { rowsTable, type TableRow } from './rowsTable.ts';
import { axisOrder, gridPoints, gridSpec, parsePoint, typedValue, type GridPoint } from './sweepGrid.ts';
import { sweepPipeline, type SweepPipeline } from './sweepPipelines.ts';
import { sweepProgress } from './sweepProgress.ts';
import { attemptDir, nextAttempt, readSweepState, writeSweepState, type PointRecord, type SweepState, type SweepStatus } from './sweepState.ts';
import { trapSignals } from './trapSignals.ts';

/** A sweep ready to run: its directory, its record and each point's parsed options. */
export interface SweepPlan {
  /** Absolute path of the sweep directory. */
  readonly dir: string;
  readonly state: SweepState;
  readonly pipeline: SweepPipeline;
  /** Each point's options as the pipeline's command parses them, by grid index. */
  readonly opts: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/**
 * Reads the grid from `tokens` (the pipeline's options as given to `sweep`), validates every
 * point by parsing its options with the pipeline's command, then creates the sweep directory.
 * Nothing is written when a point is invalid.
 * @throws UserFacingError (exit 2) naming the first bad point and option
 */
export async function createSweep(pipeline: SweepPipeline, tokens: readonly string[], options: { out: string; argv: readonly string[]; now?: number }): Promise<SweepPlan> {
  const spec = gridSpec(pipeline.create(), tokens);
  const points = gridPoints(spec);
  const opts = points.map((p) => parsePoint(pipeline.create, p));
  const start = options.now ?? Date.now();
  const id = makeRunId(start, typeof opts[0].seed === 'number' ? opts[0].seed : 0);
  const dir = resolve(options.out, `${pipeline.run}-sweep`, id);
  try {
    mkdirSync(resolve(options.out, `${pipeline.run}-sweep`), { recursive: true });
    mkdirSync(dir);
  } catch (err) {
    throw new UserFacingError(new SinkWriteError(dir, err).message, 1);
  }
  const state: SweepState = {
    version: 1,
    id,
    pipeline: pipeline.command,
    status: 'running',
    reason: null,
    start_time: start,
    end_time: null,
    resumed: [],
    argv: [...options.argv],
    grid: spec,
    points: points.map(pendingRecord),
  };
  await writeSweepState(dir, state);
  return { dir, state, pipeline, opts };
}

/**
 * Opens an existing sweep directory for `--resume`: its record, with every point's options parsed again.
 * @throws UserFacingError (exit 2) when `dir` holds no sweep or names an unknown pipeline
 */
export function openSweep(dir: string): SweepPlan {
  const abs = resolve(dir);
  const state = readSweepState(abs);
  const pipeline = sweepPipeline(state.pipeline);
  if (pipeline == null) throw new UserFacingError(`sweep --resume: ${dir} sweeps an unknown pipeline "${state.pipeline}"`, 2);
  const opts = state.points.map((p) => parsePoint(pipeline.create, p));
  return { dir: abs, state, pipeline, opts };
}

function pendingRecord(point: GridPoint): PointRecord {
  return { index: point.index, values: point.values, args: point.args, attempt: 0, status: 'pending', reason: null, exit_code: null, run_dir: null, start_time: null, end_time: null, seconds: null, last: null };
}

/** What a pipeline adds to a sweep: derived columns of a point's row, and its summary. */
export interface SweepHooks {
  /** Columns computed from a point's parsed options (e.g. the VAE's Nε²); constant within a cell. */
  columns?: (opts: Readonly<Record<string, unknown>>) => Record<string, CellValue>;
  /** Draws the summary (figure, stdout table) once the points ran; the `summary` table is already written. */
  summarize?: (summary: SweepSummary) => Promise<void> | void;
}

/** What a summary is drawn from. */
export interface SweepSummary {
  readonly plan: SweepPlan;
  /** The points table's rows, in grid order. */
  readonly rows: readonly TableRow[];
  /** One per cell, in grid order. */
  readonly cells: readonly ReplicateCell[];
  /** The cell columns: the non-seed axes, then the derived columns. */
  readonly cellKeys: readonly string[];
  /** The metric columns (the points' last scalars). */
  readonly metrics: readonly string[];
}

/** Runs a sweep's points somewhere: the local pool, or the queue's workers. */
export type PointExecutor = (jobs: readonly PointJob[], callbacks: PointCallbacks & { signal: AbortSignal; giveUp: AbortSignal }) => Promise<readonly PointResult[]>;

export interface RunSweepOptions extends SweepHooks {
  /** Local worker processes (ignored with an `executor`). */
  workers: number;
  quiet?: boolean;
  /** Where progress goes (default stderr). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Extra arguments of every point (e.g. `--flush-interval 1`). */
  extraArgs?: readonly string[];
  /** Progress polling of the points, ms. */
  progressMs?: number;
  /** Default: the local pool of `workers` processes. */
  executor?: PointExecutor;
}

export interface SweepOutcome {
  readonly status: Exclude<SweepStatus, 'running'>;
  readonly reason: string | null;
  /** 0 completed, 1 some point failed, 128 + signal when interrupted. */
  readonly exitCode: number;
  readonly rows: readonly TableRow[];
}

/**
 * Runs every point of the plan whose latest attempt did not complete (all of them in a new
 * sweep), each as a new attempt, recording each as it ends; then the summary. SIGINT/SIGTERM
 * interrupt the running points (one SIGINT each; a second signal makes them give up flushing),
 * wait for them, and record them and the sweep as `interrupted`.
 */
export async function runSweep(plan: SweepPlan, options: RunSweepOptions): Promise<SweepOutcome> {
  const { dir, state } = plan;
  const command = plan.pipeline.create();
  const axes = axisOrder(state.grid);
  const tables = new SweepTables(plan, command, options.columns);
  const todo = state.points.filter((p) => p.status !== 'completed');
  const progress = sweepProgress({
    points: state.points.length,
    done: state.points.length - todo.length,
    workers: options.executor ? todo.length : options.workers,
    label: (i) => `p${i}${axes.length ? ` ${axes.map((a) => `${a.name}=${state.points[i].values[a.name]}`).join(' ')}` : ''}`,
    total: (i) => plan.pipeline.total?.(plan.opts[i]),
    keys: plan.pipeline.keys,
    quiet: options.quiet,
    stream: options.stream,
  });

  const jobs: PointJob[] = todo.map((p) => ({
    sweepId: state.id,
    index: p.index,
    command: state.pipeline,
    args: p.args,
    out: join(dir, attemptDir(p.index, nextAttempt(dir, p))),
  }));
  // Longest points first (when the pipeline can estimate them), so the last point to start is a short one.
  const cost = plan.pipeline.cost;
  if (cost) {
    const estimate = new Map(jobs.map((job) => [job.index, cost(plan.opts[job.index])]));
    jobs.sort((a, b) => (estimate.get(b.index) ?? 0) - (estimate.get(a.index) ?? 0) || a.index - b.index);
  }
  const attemptOf = (job: PointJob) => Number(/-a(\d+)$/.exec(job.out)![1]);
  const planned = new Map(jobs.map((job) => [job.index, attemptOf(job)]));
  state.status = 'running';
  state.reason = null;
  state.end_time = null;
  await tables.write();

  const trapped = trapSignals();
  const callbacks: PointCallbacks = {
    onStart: (job) => {
      Object.assign(state.points[job.index], { attempt: attemptOf(job), status: 'running', reason: null, exit_code: null, run_dir: null, start_time: Date.now(), end_time: null, seconds: null, last: null });
      progress.start(job.index);
    },
    onProgress: (p) => progress.progress(p),
    onResult: async (result) => {
      const record = state.points[result.index];
      const end = Date.now();
      // An executor that does not report starts (the queue) numbers attempts itself: read it off the run's folder.
      const started = record.status === 'running' ? record.start_time : end - result.seconds * 1000;
      if (record.status !== 'running') record.attempt = Number(/-a(\d+)[\\/]/.exec(result.runDir ?? '')?.[1] ?? planned.get(result.index) ?? record.attempt + 1);
      Object.assign(record, {
        status: result.status,
        reason: result.reason,
        exit_code: result.exitCode,
        run_dir: result.runDir ? relative(dir, result.runDir) : null,
        start_time: started,
        end_time: end,
        seconds: result.seconds,
        last: result.last ? { step: result.last.step, values: { ...result.last.values } } : null,
      });
      progress.finish(result);
      await tables.write();
    },
  };
  try {
    if (options.executor) await options.executor(jobs, { ...callbacks, signal: trapped.signal, giveUp: trapped.giveUp });
    else await runPool(jobs, { ...callbacks, workers: options.workers, signal: trapped.signal, giveUp: trapped.giveUp, point: { extraArgs: options.extraArgs, progressMs: options.progressMs, cores: coresPerProcess(Math.min(options.workers, jobs.length)) } });
  } finally {
    trapped.dispose();
    progress.close();
  }

  // A point still running here was lost with its executor: it counts as interrupted.
  for (const p of state.points) if (p.status === 'running') Object.assign(p, { status: 'interrupted', reason: p.reason ?? 'the sweep stopped before it ended' });
  const caught = trapped.caught();
  const failed = state.points.filter((p) => p.status === 'failed');
  const unfinished = state.points.filter((p) => p.status !== 'completed').length;
  let outcome: { status: Exclude<SweepStatus, 'running'>; reason: string | null; exitCode: number };
  if (caught || state.points.some((p) => p.status === 'interrupted' || p.status === 'pending')) {
    outcome = { status: 'interrupted', reason: `interrupted${caught ? ` by ${caught}` : ''} with ${unfinished} of ${state.points.length} points not completed; continue with: sweep --resume ${relative(process.cwd(), dir) || dir}`, exitCode: caught ? trapped.exitCode() : 130 };
  } else if (failed.length > 0) {
    outcome = { status: 'failed', reason: `${failed.length} of ${state.points.length} points failed (p${failed[0].index}: ${failed[0].reason}); rerun them with: sweep --resume ${relative(process.cwd(), dir) || dir}`, exitCode: 1 };
  } else outcome = { status: 'completed', reason: null, exitCode: 0 };
  state.status = outcome.status;
  state.reason = outcome.reason;
  state.end_time = Date.now();
  const rows = await tables.write();
  const summary = await tables.writeSummary(axes.filter((a) => a.flag !== '--seed').map((a) => a.name));
  await options.summarize?.(summary);
  return { ...outcome, rows };
}

const KINDS: Readonly<Record<string, ColumnKind>> = { index: 'int64', attempt: 'int64', seed: 'int64', exit_code: 'int64', start_time: 'timestamp', end_time: 'timestamp', step: 'int64' };

/** The sweep's files, each rewritten whole and atomically: `sweep.json`, `points.parquet`, `summary.parquet`. */
class SweepTables {
  private derived: Record<string, CellValue>[];

  constructor(private readonly plan: SweepPlan, private readonly command: Command, columns: SweepHooks['columns']) {
    this.derived = plan.opts.map((o) => columns?.(o) ?? {});
  }

  /** The points table's rows, in grid order. */
  rows(): TableRow[] {
    const { state } = this.plan;
    const axes = axisOrder(state.grid).filter((a) => a.flag !== '--seed');
    return state.points.map((p, i) => {
      const row: Record<string, CellValue | null> = { sweep_id: state.id, index: p.index, attempt: p.attempt };
      for (const a of axes) row[a.name] = typedValue(this.command, a.flag, p.values[a.name]);
      const seed = this.plan.opts[i].seed;
      row.seed = typeof seed === 'number' ? seed : null;
      Object.assign(row, this.derived[i]);
      Object.assign(row, {
        status: p.status,
        reason: p.reason,
        exit_code: p.exit_code,
        run_id: p.run_dir ? p.run_dir.split(/[\\/]/).pop()! : null,
        run_dir: p.run_dir,
        start_time: p.start_time == null ? null : Math.round(p.start_time),
        end_time: p.end_time == null ? null : Math.round(p.end_time),
        seconds: p.seconds,
        step: p.last?.step ?? null,
      });
      for (const [k, v] of Object.entries(p.last?.values ?? {})) row[k in row ? `last_${k}` : k] = v ?? NaN;
      return row;
    });
  }

  async write(): Promise<TableRow[]> {
    await writeSweepState(this.plan.dir, this.plan.state);
    const rows = this.rows();
    await writeFileAtomic(join(this.plan.dir, 'points.parquet'), encodeParquet(rowsTable(rows, KINDS)));
    return rows;
  }

  /** Aggregates the replicates into the `summary` table. */
  async writeSummary(axisKeys: readonly string[]): Promise<SweepSummary> {
    const rows = this.rows();
    const derivedKeys = [...new Set(this.derived.flatMap((d) => Object.keys(d)))];
    const cellKeys = [...new Set([...axisKeys, ...derivedKeys])];
    const fixed = new Set(['sweep_id', 'index', 'attempt', 'seed', 'status', 'reason', 'exit_code', 'run_id', 'run_dir', 'start_time', 'end_time', 'seconds', 'step', ...cellKeys]);
    const metrics = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => !fixed.has(k) && typeof r[k] === 'number')))];
    const cells = aggregateReplicates(rows, { cellKeys, metrics });
    await writeFileAtomic(join(this.plan.dir, 'summary.parquet'), encodeParquet(rowsTable(cells.map(summaryRow), { replicates: 'int64' })));
    return { plan: this.plan, rows, cells, cellKeys, metrics };
  }
}
