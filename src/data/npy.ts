import { DataFileError } from './dataFileError.ts';

/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0, numpy.lib.format): a 6-byte magic
 * `\x93NUMPY`, two version bytes, a little-endian header length (uint16 in v1, uint32 in v2/v3),
 * then a Python dict literal such as `{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }`
 * padded with spaces and a newline, then the raw array bytes in C (or Fortran) order.
 */

/** Numeric dtypes read and written: byte order (`<` little, `>` big, `|` n/a) + kind + item size. */
export type NpyDtype =
  | '<f8' | '>f8' | '<f4' | '>f4'
  | '<i8' | '>i8' | '<i4' | '>i4' | '<i2' | '>i2' | '|i1'
  | '<u8' | '>u8' | '<u4' | '>u4' | '<u2' | '>u2' | '|u1';

export interface NpyArray {
  /** The header's descr, e.g. '<f8'. */
  readonly dtype: string;
  /** The header's shape; [] for a 0-d array. */
  readonly shape: readonly number[];
  /** Whether the header said fortran_order: True (only accepted when the order makes no difference). */
  readonly fortranOrder: boolean;
  /** All values in C order, converted to float64 (int64 beyond ±2^53 is rejected, not rounded). */
  readonly data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
const MAX_SAFE = 2 ** 53;

type Reader = (view: DataView, offset: number, little: boolean) => number | bigint;
const READERS: Record<string, { size: number; read: Reader }> = {
  f8: { size: 8, read: (v, o, le) => v.getFloat64(o, le) },
  f4: { size: 4, read: (v, o, le) => v.getFloat32(o, le) },
  i8: { size: 8, read: (v, o, le) => v.getBigInt64(o, le) },
  i4: { size: 4, read: (v, o, le) => v.getInt32(o, le) },
  i2: { size: 2, read: (v, o, le) => v.getInt16(o, le) },
  i1: { size: 1, read: (v, o) => v.getInt8(o) },
  u8: { size: 8, read: (v, o, le) => v.getBigUint64(o, le) },
  u4: { size: 4, read: (v, o, le) => v.getUint32(o, le) },
  u2: { size: 2, read: (v, o, le) => v.getUint16(o, le) },
  u1: { size: 1, read: (v, o) => v.getUint8(o) },
};

/**
 * Parses a `.npy` file's bytes. Every failure is a `DataFileError` naming `name`: bad magic, an
 * unknown version, a malformed header, an unsupported dtype (structured, complex, float16, bool,
 * strings…), a Fortran-ordered array with more than one non-trivial axis, truncated or excess data.
 *
 * @param name how to call the bytes in messages (the file's path)
 * @example
 *   const { shape, data } = parseNpy(await readFile('y.npy'), 'y.npy');
 */
export function parseNpy(bytes: Uint8Array, name = 'npy data'): NpyArray {
  const fail = (problem: string): never => { throw new DataFileError(name, problem); };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('not a NumPy .npy file (bad magic: the file must start with \\x93NUMPY)');
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) fail(`unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('truncated: the file ends inside the header length');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) fail(`truncated: the header says it is ${headerLength} bytes but the file ends after ${bytes.length - headerStart}`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descrMatch = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(header);
  if (descrMatch == null) {
    fail(/['"]descr['"]\s*:\s*\[/.test(header) ? 'structured dtypes are not supported (expected a plain numeric dtype such as <f8)' : `malformed header (no 'descr'): ${header.trim()}`);
  }
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  if (fortranMatch == null) fail(`malformed header (no 'fortran_order'): ${header.trim()}`);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (shapeMatch == null) fail(`malformed header (no 'shape'): ${header.trim()}`);
  const dtype = descrMatch![2];
  const fortranOrder = fortranMatch![1] === 'True';
  const shape = shapeMatch![1].split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const d = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(d)) fail(`malformed shape (${shapeMatch![1]}) in the header`);
    return d;
  });

  const { reader, little } = dtypeReader(dtype) ?? fail(`unsupported dtype '${dtype}' (expected one of ${SUPPORTED})`);
  if (fortranOrder && shape.filter((d) => d > 1).length > 1) {
    fail(`fortran_order True is not supported for shape ${formatShape(shape)}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * reader.size;
  const found = bytes.length - dataStart;
  if (found < expected) fail(`truncated: shape ${formatShape(shape)} of ${dtype} needs ${expected} bytes of data, the file has ${found}`);
  if (found > expected) fail(`${found - expected} unexpected bytes after the data of shape ${formatShape(shape)} of ${dtype}`);

  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = reader.read(view, dataStart + i * reader.size, little);
    if (typeof v === 'bigint') {
      if (v > BigInt(MAX_SAFE) || v < -BigInt(MAX_SAFE)) fail(`${dtype} value ${v} at index ${i} is beyond ±2^53 and cannot be read exactly as a double`);
      data[i] = Number(v);
    } else {
      data[i] = v;
    }
  }
  return { dtype, shape, fortranOrder, data };
}

/**
 * A `.npy` (format 1.0, C order) holding `data` with the given shape and dtype, byte for byte what
 * `numpy.save` writes (header padded with spaces to a multiple of 64 bytes, ending in a newline).
 *
 * @param shape default [data.length]; its product must equal data.length
 * @param dtype default '<f8'; integer dtypes require integer values in range
 * @example
 *   await writeFile('y.npy', encodeNpy(y));
 */
export function encodeNpy(data: Float64Array, shape: readonly number[] = [data.length], dtype: NpyDtype = '<f8'): Uint8Array {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new RangeError(`encodeNpy: shape must be non-negative integers (got ${formatShape(shape)})`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`encodeNpy: shape ${formatShape(shape)} holds ${count} values but data has ${data.length}`);
  const parsed = dtypeReader(dtype);
  if (parsed == null) throw new RangeError(`encodeNpy: dtype must be one of ${SUPPORTED} (got ${dtype})`);
  const { little, kind, size } = parsed;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const headerLength = dict.length + 1 + ((ALIGN - (unpadded % ALIGN)) % ALIGN);
  const out = new Uint8Array(10 + headerLength + count * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, headerLength, true);
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const write = WRITERS[kind + size];
  const [min, max] = kind === 'f' ? [-Infinity, Infinity] : kind === 'u' ? [0, 2 ** (8 * size) - 1] : [-(2 ** (8 * size - 1)), 2 ** (8 * size - 1) - 1];
  for (let i = 0; i < count; i++) {
    const v = data[i];
    if (kind !== 'f' && !(Number.isInteger(v) && v >= Math.max(min, -MAX_SAFE) && v <= Math.min(max, MAX_SAFE))) {
      throw new RangeError(`encodeNpy: ${dtype} cannot hold data[${i}] = ${v}`);
    }
    write(view, 10 + headerLength + i * size, v, little);
  }
  return out;
}

const SUPPORTED = '<f8 <f4 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 and their big-endian (>) forms';

type Writer = (view: DataView, offset: number, value: number, little: boolean) => void;
const WRITERS: Record<string, Writer> = {
  f8: (v, o, x, le) => v.setFloat64(o, x, le),
  f4: (v, o, x, le) => v.setFloat32(o, x, le),
  i8: (v, o, x, le) => v.setBigInt64(o, BigInt(x), le),
  i4: (v, o, x, le) => v.setInt32(o, x, le),
  i2: (v, o, x, le) => v.setInt16(o, x, le),
  i1: (v, o, x) => v.setInt8(o, x),
  u8: (v, o, x, le) => v.setBigUint64(o, BigInt(x), le),
  u4: (v, o, x, le) => v.setUint32(o, x, le),
  u2: (v, o, x, le) => v.setUint16(o, x, le),
  u1: (v, o, x) => v.setUint8(o, x),
};

function dtypeReader(dtype: string): { reader: { size: number; read: Reader }; little: boolean; kind: string; size: number } | null {
  const m = /^([<>|=])([fiu])(\d)$/.exec(dtype);
  if (m == null) return null;
  const reader = READERS[m[2] + m[3]];
  if (reader == null) return null;
  if (m[1] === '|' && reader.size !== 1) return null; // byte order is required for multi-byte types
  return { reader, little: m[1] !== '>', kind: m[2], size: reader.size };
}

/** A shape as Python prints a tuple: (), (3,), (100, 2). */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
