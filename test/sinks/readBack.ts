import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * DuckDB as the independent reader of what the sinks write (a different Parquet implementation
 * from the writer's arrow-rs). Rows come back as plain JS values: BIGINT as bigint, DOUBLE as
 * number, TIMESTAMPTZ as Date (use epoch_ms(...) in SQL for a number), lists as arrays.
 */
export async function duck(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  return instance.connect();
}

export async function query(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** `column → DuckDB type` of a query's result, e.g. `{ step: 'BIGINT', wall_time: 'TIMESTAMP WITH TIME ZONE' }`. */
export async function types(db: DuckDBConnection, from: string): Promise<Record<string, string>> {
  const rows = await query(db, `DESCRIBE SELECT * FROM ${from}`);
  return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
}

/** SQL string literal of a path. */
export function lit(path: string): string {
  return `'${path.replace(/'/g, "''")}'`;
}
