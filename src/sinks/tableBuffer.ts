import * as arrow from 'apache-arrow';
import { accepts, ColumnBuffer, constantUtf8, kindOf, type CellValue, type ColumnKind } from './columnBuffer.ts';

/** A column every segment of a table has, in this order, before the columns that rows bring. */
export interface FixedColumn {
  name: string;
  kind: ColumnKind;
  nullable?: boolean;
}

/** One row: column name → cell. `undefined`/`null` cells are nulls. */
export type Row = Readonly<Record<string, CellValue | null | undefined>>;

/**
 * Rows of one table between two flushes, kept column by column.
 *
 * Columns: `run_id` (constant, so a glob over many runs can be joined with their `run` tables),
 * then the fixed columns, then every other key in the order it first appeared. A column keeps the
 * type of its first non-null value for the whole run and stays in every later segment (null where
 * a row lacks it), so segments of one run differ only by columns added later: read them with
 * DuckDB's `union_by_name = true`.
 */
export class TableBuffer {
  private readonly columns = new Map<string, ColumnBuffer>();
  private rowCount = 0;

  constructor(readonly name: string, private readonly runId: string, fixed: readonly FixedColumn[] = []) {
    for (const c of fixed) this.columns.set(c.name, new ColumnBuffer(c.name, c.kind, c.nullable ?? true));
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Approximate buffered bytes (drives the size-based flush). */
  get bytes(): number {
    let b = 0;
    for (const c of this.columns.values()) b += c.bytes;
    return b;
  }

  /** Appends one row; throws (before buffering anything of it) when a cell does not fit its column. */
  append(row: Row): void {
    for (const column of this.columns.values()) {
      if (!column.nullable && row[column.name] == null) throw new TypeError(`table ${this.name}: column ${column.name} is required`);
    }
    for (const key in row) {
      const value = row[key];
      if (value == null) continue;
      if (key === 'run_id') throw new TypeError(`table ${this.name}: column run_id is reserved`);
      const column = this.columns.get(key);
      if (column && !accepts(column.kind, value)) {
        const got = typeof value === 'object' ? value.constructor.name : typeof value;
        throw new TypeError(`table ${this.name}: column ${key} holds ${column.kind}, got ${got}`);
      }
      if (column) continue;
      const added = new ColumnBuffer(key, kindOf(value));
      added.pushNulls(this.rowCount);
      this.columns.set(key, added);
    }
    for (const column of this.columns.values()) column.push(row[column.name]);
    this.rowCount++;
  }

  /** The buffered rows as one Arrow table (null when empty); the buffer starts again empty, keeping its columns. */
  drain(): arrow.Table | null {
    if (this.rowCount === 0) return null;
    const n = this.rowCount;
    const fields: arrow.Field[] = [new arrow.Field('run_id', new arrow.Utf8(), false)];
    const children: arrow.Data[] = [constantUtf8(this.runId, n)];
    for (const column of this.columns.values()) {
      fields.push(new arrow.Field(column.name, column.type, column.nullable));
      children.push(column.drain());
    }
    this.rowCount = 0;
    const schema = new arrow.Schema(fields);
    const struct = arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children });
    return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
  }
}
