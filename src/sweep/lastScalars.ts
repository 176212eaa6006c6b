import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordBatchReader } from 'apache-arrow';

/**
 * The newest run directory under `out` (`<out>/<pipeline>/<run-id>/`), or null: a point's `--out`
 * holds the one run it made.
 */
export function findRunDir(out: string): string | null {
  if (!existsSync(out)) return null;
  const dirs: string[] = [];
  for (const pipeline of readdirSync(out, { withFileTypes: true })) {
    if (!pipeline.isDirectory()) continue;
    for (const run of readdirSync(join(out, pipeline.name), { withFileTypes: true })) {
      if (run.isDirectory() && existsSync(join(out, pipeline.name, run.name, 'run.parquet'))) dirs.push(join(out, pipeline.name, run.name));
    }
  }
  // Run ids start with a UTC timestamp, so the lexical maximum is the newest.
  return dirs.sort((a, b) => (a.split(/[\\/]/).pop()! < b.split(/[\\/]/).pop()! ? -1 : 1)).pop() ?? null;
}

/**
 * The last row of a run's live scalars file (`scalars.arrows`: one Arrow IPC stream per flush,
 * appended), as step and numeric values; null when the run has logged none yet. Reading whole
 * streams only, so a flush being appended while we read is simply not seen yet.
 */
export function lastScalars(runDir: string): { step: number; values: Record<string, number> } | null {
  const path = join(runDir, 'scalars.arrows');
  if (!existsSync(path)) return null;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  let last: { step: number; values: Record<string, number> } | null = null;
  try {
    for (const reader of RecordBatchReader.readAll(bytes)) {
      for (const batch of reader) {
        if (batch.numRows === 0) continue;
        const row = batch.get(batch.numRows - 1);
        if (row == null) continue;
        const values: Record<string, number> = {};
        let step = 0;
        for (const field of batch.schema.fields) {
          const v = (row as unknown as Record<string, unknown>)[field.name];
          const n = typeof v === 'bigint' ? Number(v) : v;
          if (typeof n !== 'number') continue;
          if (field.name === 'step') step = n;
          else if (field.name !== 'wall_time') values[field.name] = n;
        }
        last = { step, values };
      }
    }
  } catch {
    // A stream cut mid-write: what was read before it stands.
  }
  return last;
}
