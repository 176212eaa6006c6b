import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { DataType, tableFromIPC, type Table } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { DEFAULT_COLUMN, parseCsvSeries } from './csv.ts';
import { DataFileError } from './dataFileError.ts';
import { formatShape, parseNpy } from './npy.ts';

export { DataFileError } from './dataFileError.ts';

export interface ReadSeriesOptions {
  /**
   * Column to read from a .csv with a header or a .parquet file. Default: the only (numeric)
   * column, else the column named `y`. Not allowed for .npy and header-less text.
   */
  column?: string;
}

const EXTENSIONS = ['.npy', '.csv', '.txt', '.parquet'];

/**
 * Reads a 1-D series of finite numbers from a file, for `--data FILE`:
 *
 * - `.npy`: a NumPy array of shape (n,) or (n, 1) of any numeric dtype parseNpy reads;
 * - `.csv` / `.txt`: one number per line with an optional header line, or a named column of a
 *   comma-separated table with a header (see parseCsvSeries);
 * - `.parquet`: one numeric column (Float or Int, no nulls), read with parquet-wasm.
 *
 * Every failure is a `DataFileError` with one line naming the file and the problem: missing
 * file, unknown extension, bad magic, truncated data, wrong dtype, not 1-D, non-finite values,
 * empty, no such column (the message lists the columns).
 *
 * @returns the values, length n ≥ 1
 * @example
 *   const y = await readSeries('banana shape data.npy');   // Float64Array(100)
 *   const t = await readSeries('runs.parquet', { column: 'energy' });
 */
export async function readSeries(path: string, options: ReadSeriesOptions = {}): Promise<Float64Array> {
  const ext = extname(path).toLowerCase();
  if (!EXTENSIONS.includes(ext)) {
    throw new DataFileError(path, `unknown extension "${ext}" (expected ${EXTENSIONS.slice(0, -1).join(', ')} or ${EXTENSIONS.at(-1)})`);
  }
  const bytes = await readBytes(path);
  const values = ext === '.npy' ? fromNpy(bytes, path, options.column)
    : ext === '.parquet' ? fromParquet(bytes, path, options.column)
      : parseCsvSeries(new TextDecoder('utf-8').decode(bytes), path, options.column);
  if (values.length === 0) throw new DataFileError(path, 'contains no values');
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new DataFileError(path, `non-finite value ${values[bad]} at index ${bad}; every value must be finite`);
  return values;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file'
      : code === 'EISDIR' ? 'is a directory, not a file'
        : code === 'EACCES' ? 'permission denied'
          : `cannot be read (${code ?? (err as Error).message})`;
    throw new DataFileError(path, problem);
  }
}

function fromNpy(bytes: Uint8Array, path: string, column: string | undefined): Float64Array {
  if (column != null) throw new DataFileError(path, `a .npy array has no columns (got column "${column}")`);
  const { shape, data } = parseNpy(bytes, path);
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    throw new DataFileError(path, `expected a 1-D array, got shape ${formatShape(shape)}`);
  }
  return data;
}

function fromParquet(bytes: Uint8Array, path: string, column: string | undefined): Float64Array {
  let table: Table;
  try {
    table = tableFromIPC(readParquet(bytes).intoIPCStream());
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new DataFileError(path, `not a readable Parquet file (${reason})`);
  }
  const fields = table.schema.fields;
  const names = fields.map((f) => f.name);
  const numeric = fields.filter((f) => DataType.isFloat(f.type) || DataType.isInt(f.type));
  let name: string;
  if (column != null) {
    if (!names.includes(column)) throw new DataFileError(path, `no column "${column}" (columns: ${names.join(', ')})`);
    name = column;
  } else if (names.includes(DEFAULT_COLUMN)) {
    name = DEFAULT_COLUMN;
  } else if (numeric.length === 1) {
    name = numeric[0].name;
  } else {
    throw new DataFileError(path, `no column "${DEFAULT_COLUMN}" and ${numeric.length} numeric columns (columns: ${names.join(', ')}); name one with the column option`);
  }
  const field = fields[names.indexOf(name)];
  if (!(DataType.isFloat(field.type) || DataType.isInt(field.type))) {
    throw new DataFileError(path, `column "${name}" has type ${field.type}, expected a numeric column (Float or Int) holding a 1-D series`);
  }
  const vector = table.getChild(name)!;
  if (vector.nullCount > 0) throw new DataFileError(path, `column "${name}" has ${vector.nullCount} null values`);
  const out = new Float64Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const v: unknown = vector.get(i);
    if (typeof v === 'bigint') {
      if (v > BigInt(2 ** 53) || v < -BigInt(2 ** 53)) throw new DataFileError(path, `column "${name}" value ${v} at row ${i} is beyond ±2^53`);
      out[i] = Number(v);
    } else {
      out[i] = v as number;
    }
  }
  return out;
}
