/**
 * One point of a sweep as a unit of work that any executor can run — the local pool of worker
 * processes, or a BullMQ worker on another machine (issue 13). A point is a CLI invocation: the
 * pipeline's command with the point's own options, writing its run under its own `--out`.
 */

/** What an executor needs to run one point. Plain JSON, so it travels as a queue job. */
export interface PointJob {
  /** The sweep this point belongs to (its id). */
  readonly sweepId: string;
  /** Position of the point in the sweep's grid, 0-based: the key that makes every point appear once. */
  readonly index: number;
  /** The CLI command that runs it: `train`, `ising`, `banana`, `rbm`, `image-vae`, `ebm`. */
  readonly command: string;
  /** The point's options as CLI arguments, without `--out` and `--quiet` (the executor adds them). */
  readonly args: readonly string[];
  /**
   * Root directory of this attempt's run (its `--out`), unique per attempt, so a retried point
   * never mixes its files with those of an attempt that died.
   */
  readonly out: string;
}

export type PointStatus = 'completed' | 'failed' | 'interrupted';

/** What running a point produced. Plain JSON (a queue job's return value). */
export interface PointResult {
  readonly index: number;
  readonly status: PointStatus;
  /** One line: why it failed or was interrupted; null when completed. */
  readonly reason: string | null;
  /** The command's exit code: 0 completed, 1 failed, 2 bad options, 128 + signal when interrupted. */
  readonly exitCode: number;
  /** The run directory the point wrote (under `out`), or null when it stopped before opening one. */
  readonly runDir: string | null;
  /** The run's last logged scalars, or null when it logged none. */
  readonly last: { readonly step: number; readonly values: Readonly<Record<string, number>> } | null;
  /** Wall time of the attempt in seconds. */
  readonly seconds: number;
}

/** The progress of a running point, as far as its flushed scalars show it. */
export interface PointProgress {
  readonly index: number;
  readonly step: number;
  readonly values: Readonly<Record<string, number>>;
}
