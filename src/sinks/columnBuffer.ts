import * as arrow from 'apache-arrow';

/**
 * Column types a sink writes. Each maps to one Arrow type and so to one Parquet/DuckDB type:
 *
 * | kind            | Arrow                       | DuckDB            | pandas (pyarrow)        |
 * |-----------------|-----------------------------|-------------------|-------------------------|
 * | `float64`       | Float64                     | DOUBLE            | float64                 |
 * | `int64`         | Int64                       | BIGINT            | int64 (Int64 if nulls)  |
 * | `int32`         | Int32                       | INTEGER           | int32                   |
 * | `utf8`          | Utf8                        | VARCHAR           | object (str)            |
 * | `bool`          | Bool                        | BOOLEAN           | bool                    |
 * | `timestamp`     | Timestamp(ms, "UTC")        | TIMESTAMPTZ       | datetime64[ms, UTC]     |
 * | `list<float32>` | List<Float32>               | FLOAT[]           | object (numpy arrays)   |
 * | `list<float64>` | List<Float64>               | DOUBLE[]          | object (numpy arrays)   |
 */
export type ColumnKind = 'float64' | 'int64' | 'int32' | 'utf8' | 'bool' | 'timestamp' | 'list<float32>' | 'list<float64>';

/** A value a column accepts; `timestamp` takes ms since the epoch, `int64` a bigint or a safe integer. */
export type CellValue = number | bigint | string | boolean | Float32Array | Float64Array | readonly number[];

/** The column kind a JS value is stored as when a table meets the column for the first time. */
export function kindOf(value: CellValue): ColumnKind {
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'string') return 'utf8';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Float32Array) return 'list<float32>';
  return 'list<float64>';
}

/** Whether a column of `kind` can hold `value` (checked for a whole row before any cell is appended). */
export function accepts(kind: ColumnKind, value: CellValue): boolean {
  switch (kind) {
    case 'float64': return typeof value === 'number' || typeof value === 'bigint';
    case 'int64': return typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value));
    case 'timestamp': return typeof value === 'number' && Number.isSafeInteger(value);
    case 'int32': return typeof value === 'number' && value === (value | 0);
    case 'utf8': return typeof value === 'string';
    case 'bool': return typeof value === 'boolean';
    case 'list<float32>': case 'list<float64>': return typeof value === 'object' && value != null && typeof (value as ArrayLike<number>).length === 'number';
  }
}

/**
 * Accumulates the cells of one column between flushes and turns them into one Arrow `Data`.
 * Numeric cells go straight into growable typed arrays (no per-cell objects); list cells keep
 * views of the caller's arrays until `toData` copies them into one contiguous child buffer.
 */
export class ColumnBuffer {
  readonly type: arrow.DataType;
  private length = 0;
  private nulls = 0;
  private valid = new Uint8Array(1024);
  private f64 = new Float64Array(0);
  private i64 = new BigInt64Array(0);
  private i32 = new Int32Array(0);
  private objects: (string | boolean | null)[] = [];
  private lists: (ArrayLike<number> | null)[] = [];
  private listValues = 0;

  constructor(readonly name: string, readonly kind: ColumnKind, readonly nullable = true) {
    this.type = arrowType(kind);
    if (kind === 'float64') this.f64 = new Float64Array(1024);
    if (kind === 'int64' || kind === 'timestamp') this.i64 = new BigInt64Array(1024);
    if (kind === 'int32') this.i32 = new Int32Array(1024);
  }

  get rows(): number {
    return this.length;
  }

  /** Rough in-memory size of the buffered cells, for the sink's size-based flush. */
  get bytes(): number {
    switch (this.kind) {
      case 'float64': case 'int64': case 'timestamp': return this.length * 8;
      case 'int32': return this.length * 4;
      case 'utf8': return this.length * 32;
      case 'bool': return this.length;
      case 'list<float32>': return this.listValues * 4 + this.length * 4;
      case 'list<float64>': return this.listValues * 8 + this.length * 4;
    }
  }

  /** Appends one cell; `undefined`/`null` is a null (an error for a non-nullable column). */
  push(value: CellValue | null | undefined): void {
    const i = this.length;
    this.ensure(i + 1);
    if (value == null) {
      if (!this.nullable) throw new TypeError(`column ${this.name}: null in a non-nullable ${this.kind} column`);
      this.valid[i] = 0;
      this.nulls++;
      this.pushNull();
    } else {
      this.valid[i] = 1;
      this.pushValue(value);
    }
    this.length = i + 1;
  }

  /** Appends `n` null cells (a column that appears after rows were buffered, or a row without it). */
  pushNulls(n: number): void {
    for (let k = 0; k < n; k++) this.push(null);
  }

  /** The buffered cells as one Arrow Data; the buffer is emptied. */
  drain(): arrow.Data {
    const n = this.length;
    const nullBitmap = this.nulls > 0 ? bitmap(this.valid, n) : undefined;
    const common = { length: n, nullCount: this.nulls, nullBitmap };
    let data: arrow.Data;
    switch (this.kind) {
      case 'float64':
        data = arrow.makeData({ type: new arrow.Float64(), ...common, data: this.f64.slice(0, n) });
        break;
      case 'int64':
        data = arrow.makeData({ type: new arrow.Int64(), ...common, data: this.i64.slice(0, n) });
        break;
      case 'timestamp':
        data = arrow.makeData({ type: this.type as arrow.TimestampMillisecond, ...common, data: this.i64.slice(0, n) });
        break;
      case 'int32':
        data = arrow.makeData({ type: new arrow.Int32(), ...common, data: this.i32.slice(0, n) });
        break;
      case 'utf8':
        data = utf8Data(this.objects as (string | null)[], common);
        break;
      case 'bool':
        data = arrow.makeData({ type: new arrow.Bool(), ...common, data: bitmap(Uint8Array.from(this.objects as (boolean | null)[], (b) => (b ? 1 : 0)), n) });
        break;
      case 'list<float32>':
      case 'list<float64>':
        data = this.listData(common);
        break;
    }
    this.length = 0;
    this.nulls = 0;
    this.objects = [];
    this.lists = [];
    this.listValues = 0;
    return data;
  }

  private pushNull(): void {
    const i = this.length;
    switch (this.kind) {
      case 'float64': this.f64[i] = NaN; break;
      case 'int64': case 'timestamp': this.i64[i] = 0n; break;
      case 'int32': this.i32[i] = 0; break;
      case 'utf8': case 'bool': this.objects.push(null); break;
      default: this.lists.push(null);
    }
  }

  private pushValue(value: CellValue): void {
    const i = this.length;
    switch (this.kind) {
      case 'float64':
        this.f64[i] = typeof value === 'bigint' ? Number(value) : this.expect(value, 'number');
        return;
      case 'int64':
      case 'timestamp': {
        if (typeof value === 'bigint') { this.i64[i] = value; return; }
        const v = this.expect(value, 'number');
        if (!Number.isSafeInteger(v)) {
          const what = this.kind === 'timestamp' ? 'a timestamp in integer ms' : 'an integer';
          throw new TypeError(`column ${this.name}: expected ${what}, got ${v}`);
        }
        this.i64[i] = BigInt(v);
        return;
      }
      case 'int32': {
        const v = this.expect(value, 'number');
        if (!Number.isInteger(v) || v !== (v | 0)) throw new TypeError(`column ${this.name}: expected a 32-bit integer, got ${v}`);
        this.i32[i] = v;
        return;
      }
      case 'utf8':
        this.objects.push(this.expect(value, 'string'));
        return;
      case 'bool':
        this.objects.push(this.expect(value, 'boolean'));
        return;
      default: {
        if (typeof value !== 'object' || value == null) throw new TypeError(`column ${this.name}: expected ${this.kind}, got ${typeof value}`);
        const list = value as ArrayLike<number>;
        this.lists.push(list);
        this.listValues += list.length;
      }
    }
  }

  private expect<T extends 'number' | 'string' | 'boolean'>(
    value: CellValue,
    type: T,
  ): T extends 'number' ? number : T extends 'string' ? string : boolean {
    if (typeof value !== type) {
      const got = typeof value === 'object' ? value.constructor.name : typeof value;
      throw new TypeError(`column ${this.name}: expected ${this.kind}, got ${got}`);
    }
    return value as never;
  }

  private listData(common: { length: number; nullCount: number; nullBitmap?: Uint8Array }): arrow.Data {
    const is32 = this.kind === 'list<float32>';
    const values = is32 ? new Float32Array(this.listValues) : new Float64Array(this.listValues);
    const offsets = new Int32Array(common.length + 1);
    let at = 0;
    for (let r = 0; r < common.length; r++) {
      const list = this.lists[r];
      if (list != null) {
        if (ArrayBuffer.isView(list)) values.set(list as Float32Array | Float64Array, at);
        else for (let k = 0; k < list.length; k++) values[at + k] = list[k];
        at += list.length;
      }
      offsets[r + 1] = at;
    }
    const child = is32
      ? arrow.makeData({ type: new arrow.Float32(), length: at, data: values as Float32Array })
      : arrow.makeData({ type: new arrow.Float64(), length: at, data: values as Float64Array });
    return arrow.makeData({ type: this.type as arrow.List, ...common, valueOffsets: offsets, child });
  }

  private ensure(n: number): void {
    if (n <= this.valid.length) return;
    const cap = Math.max(n, this.valid.length * 2);
    this.valid = grow(this.valid, cap);
    if (this.kind === 'float64') this.f64 = grow(this.f64, cap);
    if (this.kind === 'int64' || this.kind === 'timestamp') this.i64 = grow(this.i64, cap);
    if (this.kind === 'int32') this.i32 = grow(this.i32, cap);
  }
}

/** The Arrow type of a column kind. Timestamps are instants: UTC-adjusted milliseconds. */
export function arrowType(kind: ColumnKind): arrow.DataType {
  switch (kind) {
    case 'float64': return new arrow.Float64();
    case 'int64': return new arrow.Int64();
    case 'int32': return new arrow.Int32();
    case 'utf8': return new arrow.Utf8();
    case 'bool': return new arrow.Bool();
    case 'timestamp': return new arrow.TimestampMillisecond('UTC');
    // "element" is the child name the Parquet spec's LIST layout uses (and pyarrow writes).
    case 'list<float32>': return new arrow.List(new arrow.Field('element', new arrow.Float32(), false));
    case 'list<float64>': return new arrow.List(new arrow.Field('element', new arrow.Float64(), false));
  }
}

function grow<T extends Float64Array | BigInt64Array | Int32Array | Uint8Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a as never);
  return b;
}

/** Arrow validity bitmap (LSB first) from one byte per row. */
function bitmap(bytes: Uint8Array, n: number): Uint8Array {
  const bits = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (bytes[i]) bits[i >> 3] |= 1 << (i & 7);
  return bits;
}

const encoder = new TextEncoder();

function utf8Data(strings: (string | null)[], common: { length: number; nullCount: number; nullBitmap?: Uint8Array }): arrow.Data {
  const encoded = strings.map((s) => (s == null ? new Uint8Array(0) : encoder.encode(s)));
  const offsets = new Int32Array(strings.length + 1);
  let total = 0;
  for (let i = 0; i < encoded.length; i++) offsets[i + 1] = total += encoded[i].length;
  const bytes = new Uint8Array(total);
  for (let i = 0; i < encoded.length; i++) bytes.set(encoded[i], offsets[i]);
  return arrow.makeData({ type: new arrow.Utf8(), ...common, valueOffsets: offsets, data: bytes });
}

/**
 * A non-null Utf8 column holding `value` in every one of `length` rows (the run id of each row).
 * Parquet's dictionary encoding stores it once per row group.
 */
export function constantUtf8(value: string, length: number): arrow.Data {
  const one = encoder.encode(value);
  const bytes = new Uint8Array(one.length * length);
  const offsets = new Int32Array(length + 1);
  for (let i = 0; i < length; i++) {
    bytes.set(one, i * one.length);
    offsets[i + 1] = (i + 1) * one.length;
  }
  return arrow.makeData({ type: new arrow.Utf8(), length, nullCount: 0, valueOffsets: offsets, data: bytes });
}
