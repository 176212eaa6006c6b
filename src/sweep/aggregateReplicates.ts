/**
 * Replicates of a sweep: the points that differ only by seed form a *cell*; a cell's summary is
 * the mean of each metric over its completed points and the standard error of that mean,
 * s/√n with the sample standard deviation s (n − 1 in the denominator).
 */

/** One cell of the grid (all axes but the seed) summarised over its replicates. */
export interface ReplicateCell {
  /** The cell's axis values, by column. */
  readonly axes: Readonly<Record<string, number | string | boolean>>;
  /** Points of the cell that completed (the replicates averaged). */
  readonly replicates: number;
  /** Mean of each metric over the replicates where it is finite; NaN when it is nowhere finite. */
  readonly mean: Readonly<Record<string, number>>;
  /** Standard error of that mean; NaN with fewer than two finite values. */
  readonly se: Readonly<Record<string, number>>;
}

export interface AggregateOptions {
  /** The columns that name a cell (the grid's axes without the seed), in order. */
  readonly cellKeys: readonly string[];
  /** The metric columns to average. */
  readonly metrics: readonly string[];
  /** Which rows are replicates (default: status `completed`). Other rows still make their cell appear, with 0 replicates. */
  readonly include?: (row: Readonly<Record<string, unknown>>) => boolean;
}

/**
 * The cells of `rows`, in the order they first appear, each with its replicates' mean and
 * standard error of every metric.
 * @example aggregateReplicates(points, { cellKeys: ['epsilon', 'qubits'], metrics: ['latent_fluctuation'] })
 */
export function aggregateReplicates(rows: ReadonlyArray<Readonly<Record<string, unknown>>>, options: AggregateOptions): ReplicateCell[] {
  const include = options.include ?? ((row) => row.status === 'completed');
  const cells = new Map<string, { axes: Record<string, number | string | boolean>; rows: Readonly<Record<string, unknown>>[] }>();
  for (const row of rows) {
    const axes: Record<string, number | string | boolean> = {};
    for (const k of options.cellKeys) axes[k] = row[k] as number | string | boolean;
    const key = JSON.stringify(options.cellKeys.map((k) => axes[k]));
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { axes, rows: [] }));
    if (include(row)) cell.rows.push(row);
  }
  return [...cells.values()].map(({ axes, rows: replicates }) => {
    const mean: Record<string, number> = {};
    const se: Record<string, number> = {};
    for (const m of options.metrics) {
      const xs = replicates.map((r) => Number(r[m])).filter((v) => Number.isFinite(v));
      const n = xs.length;
      const mu = n > 0 ? xs.reduce((a, b) => a + b, 0) / n : NaN;
      mean[m] = mu;
      se[m] = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mu) ** 2, 0) / (n - 1) / n) : NaN;
    }
    return { axes, replicates: replicates.length, mean, se };
  });
}

/** A cell as a row of the sweep's `summary` table: the cell's axes, `replicates`, `mean_<m>` and `se_<m>` per metric. */
export function summaryRow(cell: ReplicateCell): Record<string, number | string | boolean> {
  const row: Record<string, number | string | boolean> = { ...cell.axes, replicates: cell.replicates };
  for (const m of Object.keys(cell.mean)) {
    row[`mean_${m}`] = cell.mean[m];
    row[`se_${m}`] = cell.se[m];
  }
  return row;
}
