import { join } from 'node:path';
import { writeFileAtomic } from '../sinks/writeFileAtomic.ts';
import { sweepSvg, type SweepLayout, type SweepPanel } from '../views/plots/sweepSvg.ts';
import type { ReplicateCell } from './aggregateReplicates.ts';
import type { SweepSummary } from './runSweep.ts';

/** Most metric panels a generic summary draws. */
const MAX_PANELS = 12;

/**
 * A cell as a figure row: its axes, `replicates`, each metric's mean under the metric's name and
 * its error bar as `err_<m>` — the replicates' standard error, or with a single replicate the
 * run's own standard error column `<m>_se` where it logs one.
 */
export function figureRow(cell: ReplicateCell): Record<string, number | string | boolean> {
  const row: Record<string, number | string | boolean> = { ...cell.axes, replicates: cell.replicates };
  for (const [m, mean] of Object.entries(cell.mean)) {
    row[m] = mean;
    row[`err_${m}`] = cell.replicates >= 2 ? cell.se[m] : (cell.mean[`${m}_se`] ?? NaN);
  }
  return row;
}

/** `0.123` or, over replicates, `0.123±0.004`. */
export function formatMean(cell: ReplicateCell, metric: string, digits = 3): string {
  const mean = cell.mean[metric];
  const se = cell.se[metric];
  if (!Number.isFinite(mean)) return String(mean);
  return Number.isFinite(se) ? `${mean.toFixed(digits)}±${se.toFixed(digits)}` : mean.toFixed(digits);
}

/** A right-aligned text table. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max([...h].length, ...rows.map((r) => [...r[j]].length)));
  const line = (cells: readonly string[]) => cells.map((c, j) => c.padStart(widths[j] + c.length - [...c].length)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * The summary of any pipeline's sweep: `summary.svg` with each final scalar (mean ± standard
 * error over replicates) against the first numeric axis, one colour per value of the next axis,
 * and the cells as a table on stdout.
 */
export async function genericSummary(summary: SweepSummary, stdout: NodeJS.WritableStream = process.stdout): Promise<void> {
  const { plan, cells, cellKeys, metrics } = summary;
  const numeric = (k: string) => cells.length > 0 && cells.every((c) => typeof c.axes[k] === 'number');
  const x = cellKeys.find(numeric);
  const group = cellKeys.find((k) => k !== x);
  const rows = cells.map((c, i): Record<string, number | string | boolean> => ({ ...figureRow(c), cell: i }));
  const xs = x ? rows.map((r) => Number(r[x])) : [];
  const logX = xs.length > 0 && xs.every((v) => v > 0) && Math.max(...xs) / Math.min(...xs) >= 20;
  const layout: SweepLayout = { x: x ?? 'cell', xLabel: x ? `${x}${logX ? ' (log)' : ''}` : 'grid cell', logX, ...(group ? { group, groupLabel: group } : {}) };
  const shown = metrics.filter((m) => !m.endsWith('_se')).slice(0, MAX_PANELS);
  const panels: SweepPanel[] = shown.map((m) => ({ key: m, label: m, errKey: `err_${m}` }));
  const title = `${plan.pipeline.run}-sweep/${plan.state.id}: ${cells.length} cells, ${plan.state.points.length} points`;
  await writeFileAtomic(join(plan.dir, 'summary.svg'), new TextEncoder().encode(sweepSvg(rows, panels, title, layout)));
  const columns = shown.slice(0, 6);
  const table = formatTable(
    [...cellKeys, 'done', ...columns],
    cells.map((c) => [...cellKeys.map((k) => String(c.axes[k])), `${c.replicates}/${summary.rows.filter((r) => cellKeys.every((k) => r[k] === c.axes[k])).length}`, ...columns.map((m) => formatMean(c, m))]),
  );
  stdout.write(`${table}\n`);
}
