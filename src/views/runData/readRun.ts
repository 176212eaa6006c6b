import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Type, type Table, type Vector } from 'apache-arrow';
import type { HistogramJson, RunDataJson, ScalarsJson } from '../dashboard/sseFrame.ts';
import type { RunStatus } from '../runInfo.ts';
import { readParquetTable } from './readParquetTable.ts';

/** Columns of the scalars table that are not metrics. */
const SCALAR_META = new Set(['run_id', 'step', 'wall_time']);
const STATUSES = new Set<RunStatus>(['running', 'completed', 'failed', 'interrupted']);

/**
 * A run directory's Parquet tables (`run*.parquet`, `scalars*.parquet`, `histograms*.parquet`;
 * hidden temporaries skipped) in the form the dashboard and the plots use.
 * The layout is the one `src/sinks/openRun.ts` writes. Scalars: every numeric column other than
 * run_id/step/wall_time is a metric; segments may differ in columns (later segments add columns).
 * Histograms: long rows (tag, step, wall_time, bin, lo, hi, count), one per bin.
 * @param dir the run directory, `<out>/<pipeline>/<run-id>`
 */
export async function readRun(dir: string): Promise<RunDataJson> {
  const files = (await readdir(dir)).filter((f) => !f.startsWith('.') && f.endsWith('.parquet')).sort();
  // `run.parquet`; `scalars-00000.parquet`, `scalars-00001.parquet`, … (exact names: other tables may share a prefix).
  const tables = async (table: 'run' | 'scalars' | 'histograms') => {
    const segment = new RegExp(String.raw`^${table}(-\d+)?\.parquet$`);
    return Promise.all(files.filter((f) => segment.test(f)).map((f) => readParquetTable(join(dir, f))));
  };

  const scalars: ScalarsJson[] = [];
  for (const table of await tables('scalars')) {
    const step = column(table, 'step');
    const wall = column(table, 'wall_time');
    const metrics = table.schema.fields.filter((f) => !SCALAR_META.has(f.name) && isNumericType(f.type.typeId)).map((f) => [f.name, table.getChild(f.name)!] as const);
    for (let i = 0; i < table.numRows; i++) {
      const values: Record<string, number | null> = {};
      for (const [name, vec] of metrics) {
        const v = vec.get(i);
        if (v == null) continue;
        const n = Number(v);
        values[name] = Number.isFinite(n) ? n : null;
      }
      scalars.push({ step: Number(step?.get(i) ?? i), wallTime: Number(wall?.get(i) ?? 0), values });
    }
  }
  scalars.sort((a, b) => a.step - b.step);

  // Long rows (one per bin): gather by (tag, step), order by bin, edges = every lo + the last hi.
  const byKey = new Map<string, { tag: string; step: number; wallTime: number; bins: [number, number, number, number][] }>();
  for (const table of await tables('histograms')) {
    const cols = ['tag', 'step', 'wall_time', 'bin', 'lo', 'hi', 'count'].map((n) => column(table, n));
    if (cols.some((c) => c == null)) continue;
    const [tag, step, wall, bin, lo, hi, count] = cols as Vector[];
    for (let i = 0; i < table.numRows; i++) {
      const key = `${step.get(i)}\u0000${tag.get(i)}`;
      let h = byKey.get(key);
      if (!h) byKey.set(key, (h = { tag: String(tag.get(i)), step: Number(step.get(i)), wallTime: Number(wall.get(i)), bins: [] }));
      h.bins.push([Number(bin.get(i)), Number(lo.get(i)), Number(hi.get(i)), Number(count.get(i))]);
    }
  }
  const histograms: HistogramJson[] = [...byKey.values()].map(({ tag, step, wallTime, bins }) => {
    bins.sort((a, b) => a[0] - b[0]);
    return { tag, step, wallTime, edges: [...bins.map((b) => b[1]), bins[bins.length - 1][2]], counts: bins.map((b) => b[3]) };
  });
  // By step; within a step the tags keep the order the pipeline emitted them in (stable sort).
  histograms.sort((a, b) => a.step - b.step);

  const runTable = (await tables('run'))[0];
  const get = (name: string) => (runTable && runTable.numRows > 0 ? column(runTable, name)?.get(0) : undefined);
  const status = String(get('status') ?? 'completed') as RunStatus;
  const config = parseConfig(get('config_json'));
  const started = get('start_time');
  const ended = get('end_time');
  return {
    info: {
      id: String(get('run_id') ?? basename(dir)),
      pipeline: String(get('pipeline') ?? basename(join(dir, '..'))),
      config,
    },
    status: STATUSES.has(status) ? status : 'completed',
    message: get('reason') != null ? String(get('reason')) : undefined,
    startedAt: started != null ? Number(started) : (scalars[0]?.wallTime ?? 0),
    endedAt: ended != null ? Number(ended) : scalars[scalars.length - 1]?.wallTime,
    scalars,
    histograms,
  };
}

function column(table: Table, name: string): Vector | null {
  return table.schema.fields.some((f) => f.name === name) ? table.getChild(name) : null;
}

function isNumericType(typeId: Type): boolean {
  return typeId === Type.Int || typeId === Type.Float || typeId === Type.Decimal;
}

function parseConfig(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const v = JSON.parse(raw);
    return v != null && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}
