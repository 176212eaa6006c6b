import * as arrow from 'apache-arrow';
import { accepts, ColumnBuffer, kindOf, type CellValue, type ColumnKind } from '../sinks/columnBuffer.ts';

/** One row of a sweep table: column → cell; null/undefined cells are nulls. */
export type TableRow = Readonly<Record<string, CellValue | null | undefined>>;

/**
 * The rows as one Arrow table, columns in the order they first appear (`kinds` fixes a column's
 * kind, e.g. `int64` for an index, `timestamp` for ms since the epoch; any other column takes
 * the kind of its first non-null value). Unlike a run's tables there is no constant run_id column:
 * a sweep's tables are rewritten whole, not appended.
 * @example encodeParquet(rowsTable([{ index: 0, status: 'completed' }], { index: 'int64' }))
 */
export function rowsTable(rows: readonly TableRow[], kinds: Readonly<Record<string, ColumnKind>> = {}): arrow.Table {
  const kindOfColumn = new Map<string, ColumnKind | undefined>();
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      if (!kindOfColumn.has(key)) kindOfColumn.set(key, kinds[key]);
      if (kindOfColumn.get(key) === undefined && value != null) kindOfColumn.set(key, kindOf(value));
    }
  }
  const fields: arrow.Field[] = [];
  const children: arrow.Data[] = [];
  for (const [name, kind] of kindOfColumn) {
    // A column that is null in every row is stored as DOUBLE.
    const column = new ColumnBuffer(name, kind ?? 'float64');
    for (const row of rows) {
      const value = row[name];
      if (value != null && !accepts(column.kind, value)) throw new TypeError(`rowsTable: column ${name} holds ${column.kind}, got ${typeof value} ${String(value)}`);
      column.push(value ?? null);
    }
    fields.push(new arrow.Field(name, column.type, true));
    children.push(column.drain());
  }
  const schema = new arrow.Schema(fields);
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: rows.length, nullCount: 0, children });
  return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
}
