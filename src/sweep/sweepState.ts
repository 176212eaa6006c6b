import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../options/userFacingError.ts';
import { writeFileAtomic } from '../sinks/writeFileAtomic.ts';
import type { PointStatus } from './pointJob.ts';
import type { GridSpec } from './sweepGrid.ts';

export type SweepStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/** A grid point's latest attempt, as `sweep.json` keeps it. */
export interface PointRecord {
  readonly index: number;
  /** Axis column → raw value. */
  readonly values: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  /** 1, 2, … for the attempts made; 0 while the point never ran. */
  attempt: number;
  /** `pending`: never ran; `running` only while its attempt runs (a sweep killed outright leaves it so, and resume reruns it). */
  status: PointStatus | 'pending' | 'running';
  reason: string | null;
  exit_code: number | null;
  /** The attempt's run directory, relative to the sweep directory. */
  run_dir: string | null;
  /** Start and end of the attempt, ms since the epoch. */
  start_time: number | null;
  end_time: number | null;
  seconds: number | null;
  /** The run's last flushed scalars (NaN values are stored as null). */
  last: { step: number; values: Record<string, number | null> } | null;
}

/** The sweep's own record, `sweep.json` in its directory: what it is, how it stands, and every point's latest attempt. */
export interface SweepState {
  readonly version: 1;
  readonly id: string;
  /** The `--pipeline` (the CLI command of a point). */
  readonly pipeline: string;
  status: SweepStatus;
  reason: string | null;
  /** ms since the epoch; `resumed` holds the start of each `--resume`. */
  readonly start_time: number;
  end_time: number | null;
  resumed: number[];
  /** The sweep's command line as given (after `sweep`). */
  readonly argv: readonly string[];
  readonly grid: GridSpec;
  /** Every grid point exactly once, in grid order. */
  readonly points: PointRecord[];
}

export const SWEEP_STATE = 'sweep.json';

/** Writes `sweep.json` atomically. */
export function writeSweepState(dir: string, state: SweepState): Promise<void> {
  return writeFileAtomic(join(dir, SWEEP_STATE), new TextEncoder().encode(`${JSON.stringify(state, null, 1)}\n`));
}

/**
 * Reads a sweep directory's `sweep.json`.
 * @throws UserFacingError (exit 2) naming the directory when it holds no readable sweep
 */
export function readSweepState(dir: string): SweepState {
  const path = join(dir, SWEEP_STATE);
  if (!existsSync(path)) throw new UserFacingError(`sweep --resume: ${dir} is not a sweep directory (no ${SWEEP_STATE})`, 2);
  let state: SweepState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as SweepState;
  } catch (err) {
    throw new UserFacingError(`sweep --resume: cannot read ${path}: ${(err as Error).message.split('\n')[0]}`, 2);
  }
  if (state.version !== 1 || !Array.isArray(state.points) || state.grid == null) throw new UserFacingError(`sweep --resume: ${path} is not a sweep record of this version`, 2);
  return state;
}

/** The folder of attempt `attempt` of point `index`, relative to the sweep directory: `runs/p0003-a2`. */
export function attemptDir(index: number, attempt: number): string {
  return join('runs', `p${String(index).padStart(4, '0')}-a${attempt}`);
}

/**
 * The next attempt number of a point: one past both its recorded attempt and any attempt folder
 * on disk (a sweep killed outright may have started one it never recorded), so no attempt's
 * files are ever mixed with another's.
 */
export function nextAttempt(dir: string, record: PointRecord): number {
  let highest = record.attempt;
  const runs = join(dir, 'runs');
  const prefix = `p${String(record.index).padStart(4, '0')}-a`;
  if (existsSync(runs)) {
    for (const name of readdirSync(runs)) {
      if (name.startsWith(prefix)) highest = Math.max(highest, Number(name.slice(prefix.length)) || 0);
    }
  }
  return highest + 1;
}
