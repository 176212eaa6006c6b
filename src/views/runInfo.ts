/** What the views need to know about a run besides its metric stream. */
export interface RunInfo {
  /** Unique within the output root, e.g. `2024-05-01T12-00-00-abc1`; the run directory's name. */
  readonly id: string;
  /** Pipeline name, e.g. `emergent-classicality`; the parent directory's name. */
  readonly pipeline: string;
  /** The run's full configuration, shown on the dashboard. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Steps the run will take, when known (progress bar, ETA). */
  readonly total?: number;
  /** Steps already taken when this process started (a resumed run). */
  readonly startStep?: number;
}

/** Status words of a run; the same as the `status` column of the Parquet `run` table. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';
