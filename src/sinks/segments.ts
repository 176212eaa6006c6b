import { join } from 'node:path';
import { Table, type RecordBatch } from 'apache-arrow';

const DIGITS = 5;

/**
 * Decides which file each flush of a table goes to. A table's open segment (`scalars-00003.parquet`)
 * is rewritten whole, with the new rows appended, at every flush until it holds about
 * `segmentBytes` of data or the table's schema changes (a metric that appears later); then the
 * next flush starts the next segment. So a long run at a 2 s flush interval leaves a few files per
 * table instead of one per flush, and a rewrite never re-encodes more than one segment.
 */
export class Segments {
  private readonly open = new Map<string, { index: number; batches: RecordBatch[]; bytes: number; schema: string }>();
  private readonly next = new Map<string, number>();

  constructor(private readonly dir: string, private readonly segmentBytes: number) {}

  /**
   * @param rows the rows of one flush
   * @param bytes their approximate in-memory size
   * @returns the segment file to (re)write and its whole content
   */
  add(table: string, rows: Table, bytes: number): { path: string; content: Table } {
    const schema = rows.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`).join(',');
    let segment = this.open.get(table);
    if (!segment || segment.bytes >= this.segmentBytes || segment.schema !== schema) {
      const index = this.next.get(table) ?? 0;
      this.next.set(table, index + 1);
      segment = { index, batches: [], bytes: 0, schema };
      this.open.set(table, segment);
    }
    segment.batches.push(...rows.batches);
    segment.bytes += bytes;
    return {
      path: join(this.dir, `${table}-${String(segment.index).padStart(DIGITS, '0')}.parquet`),
      content: segment.batches.length === rows.batches.length ? rows : new Table(segment.batches),
    };
  }
}
