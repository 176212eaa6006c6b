import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tf, type Variable } from '../backend/tf.ts';
import type { Module } from '../nn/module.ts';

/**
 * safetensors (huggingface.co/docs/safetensors), the weights format PyTorch, JAX and TF users load:
 *
 *   [8 bytes: N, unsigned little-endian]  [N bytes: JSON header]  [raw little-endian tensor data]
 *
 * The header maps each tensor's name to `{ "dtype": "F32", "shape": [784, 512], "data_offsets": [begin, end] }`
 * (offsets into the data section, which the tensors cover without gaps or overlaps) and may hold
 * `"__metadata__": { string: string }`. Files written here put the tensors in order of decreasing
 * element size, then name, and pad the header with spaces to a multiple of 8 bytes, so every tensor
 * starts aligned to its element size (as the reference implementation does).
 *
 * Model weights keep the toolkit's names and layouts (each model documents them; e.g. Linear
 * weights are [in, out], the transpose of PyTorch's `weight`). Loading one in Python needs no
 * package: `n = struct.unpack('<Q', f.read(8))[0]; header = json.loads(f.read(n))`, then
 * `np.frombuffer(data[b:e], '<f4').reshape(shape)` per tensor (or `safetensors.torch.load_file`).
 */

/** The dtypes read and written here (safetensors' names); F16/BF16 are not supported. */
export type SafetensorsDtype = 'F64' | 'F32' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8';

type TypedArray = Float64Array | Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | BigUint64Array | Uint32Array | Uint16Array | Uint8Array;

/** One tensor: row-major `data` of `shape`, whose typed array matches `dtype` (F32 → Float32Array, …). */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TypedArray;
}

export interface SafetensorsFile {
  tensors: Record<string, SafeTensor>;
  /** The `__metadata__` map, or null when the file has none. */
  metadata: Record<string, string> | null;
}

const ARRAYS: Record<SafetensorsDtype, { new (buffer: ArrayBuffer): TypedArray; BYTES_PER_ELEMENT: number }> = {
  F64: Float64Array, F32: Float32Array, I64: BigInt64Array, I32: Int32Array, I16: Int16Array, I8: Int8Array,
  U64: BigUint64Array, U32: Uint32Array, U16: Uint16Array, U8: Uint8Array,
};

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Header lengths beyond this are refused as corrupt (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * The bytes of a safetensors file holding `tensors` (and `metadata` as `__metadata__`).
 *
 * @throws RangeError naming the tensor when its data does not match its dtype and shape
 * @example
 *   const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } });
 */
export function encodeSafetensors(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) checkTensor('encodeSafetensors', name, t);
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TypeError(`encodeSafetensors: metadata ${k} must be a string (got ${typeof v})`);
  }
  // Larger elements first, then by name: offsets stay multiples of each tensor's element size.
  entries.sort(([a, ta], [b, tb]) => ARRAYS[tb.dtype].BYTES_PER_ELEMENT - ARRAYS[ta.dtype].BYTES_PER_ELEMENT || (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of entries) {
    out.set(littleEndianBytes(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Parses a safetensors file's bytes, checking the layout: header length within the file, a JSON
 * object, known dtypes, integer shapes, and offsets that match each shape and tile the data section.
 *
 * @param source the file's name, for messages
 * @throws Error naming `source`, the tensor and what is wrong
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsFile {
  const fail = (problem: string): never => { throw new Error(`${source}: not a valid safetensors file: ${problem}`); };
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) fail(`header length ${n} exceeds the ${bytes.length - 8} bytes that follow it`);
  const headerEnd = 8 + Number(n);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + 8, Number(n)).toString('utf8');
  if (!text.startsWith('{')) fail('the header must start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(`the header is not JSON (${(err as Error).message})`);
  }
  if (header == null || typeof header !== 'object' || Array.isArray(header)) fail('the header must be a JSON object');
  const dataLength = bytes.length - headerEnd;
  let metadata: Record<string, string> | null = null;
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry == null || typeof entry !== 'object' || Array.isArray(entry) || Object.values(entry).some((v) => typeof v !== 'string')) fail('__metadata__ must map strings to strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (e == null || typeof e !== 'object') fail(`tensor ${name}: expected { dtype, shape, data_offsets }`);
    const dtype = e!.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in ARRAYS)) fail(`tensor ${name}: dtype ${JSON.stringify(e!.dtype)} is not one of ${Object.keys(ARRAYS).join(', ')}`);
    const shape = e!.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`tensor ${name}: shape must be an array of integers ≥ 0 (got ${JSON.stringify(shape)})`);
    const offsets = e!.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isInteger(o) || o < 0)) fail(`tensor ${name}: data_offsets must be [begin, end] (got ${JSON.stringify(offsets)})`);
    const [begin, end] = offsets as [number, number];
    const size = ARRAYS[dtype].BYTES_PER_ELEMENT * (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== size) fail(`tensor ${name}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, but ${dtype} [${(shape as number[]).join(', ')}] needs ${size}`);
    if (end > dataLength) fail(`tensor ${name}: data_offsets end ${end} is past the data section's ${dataLength} bytes`);
    spans.push({ name, begin, end });
    // A copy into a fresh, aligned buffer (Buffer#slice would share the file's memory).
    const copy = new Uint8Array(bytes.subarray(headerEnd + begin, headerEnd + end));
    if (!LITTLE_ENDIAN_HOST) swapBytes(copy, ARRAYS[dtype].BYTES_PER_ELEMENT);
    tensors[name] = { dtype, shape: shape as number[], data: new ARRAYS[dtype](copy.buffer) };
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const s of spans) {
    if (s.begin !== covered) fail(`tensor ${s.name} starts at byte ${s.begin} of the data section, expected ${covered} (the tensors must cover it without gaps or overlaps)`);
    covered = s.end;
  }
  if (covered !== dataLength) fail(`the tensors cover ${covered} bytes of the ${dataLength}-byte data section`);
  return { tensors, metadata };
}

export interface SaveSafetensorsOptions {
  /** Extra `__metadata__` entries (strings), e.g. the architecture and likelihood. */
  metadata?: Record<string, string>;
}

/**
 * Writes the variables of `modules` (names from namedVariables(), float32) as a safetensors file,
 * atomically (temporary name, then rename). `__metadata__` holds `format: qubit-rx/1` and `options.metadata`.
 *
 * @example saveSafetensors('runs/vae.safetensors', [encoder, decoder], { metadata: { architecture: 'mlp' } });
 */
export function saveSafetensors(path: string, modules: Module[], options: SaveSafetensorsOptions = {}): void {
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, v] of modules.flatMap((m) => m.namedVariables())) {
    if (name in tensors) throw new Error(`saveSafetensors: two variables are named ${name}`);
    tensors[name] = { dtype: 'F32', shape: v.shape.slice(), data: v.dataSync() as Float32Array };
  }
  const bytes = encodeSafetensors(tensors, { format: 'qubit-rx/1', ...options.metadata });
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export interface LoadSafetensorsOptions {
  /**
   * true (default): the file must hold exactly the modules' variables, as PyTorch's
   * `load_state_dict(strict=True)`; false: tensors the modules do not name are ignored (loading an
   * encoder alone from a whole model's file).
   */
  strict?: boolean;
}

/**
 * Loads a safetensors file into the variables of `modules`, by name, checking dtype (F32) and shape.
 *
 * @returns the file's `__metadata__` (null when it has none)
 * @throws Error naming the file and the variable that is missing, unexpected or of another shape
 */
export function loadSafetensors(path: string, modules: Module[], options: LoadSafetensorsOptions = {}): Record<string, string> | null {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read weights ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const file = decodeSafetensors(bytes, path);
  const live = new Map<string, Variable>(modules.flatMap((m) => m.namedVariables()));
  for (const [name, v] of live) {
    const t = file.tensors[name];
    if (!t) throw new Error(`${path} has no tensor ${name}: was it written by a model of another architecture?`);
    if (t.dtype !== 'F32') throw new Error(`${path}: tensor ${name} is ${t.dtype}, expected F32`);
    if (t.shape.join() !== v.shape.join()) throw new Error(`${path}: tensor ${name} has shape [${t.shape.join(', ')}] but the model expects [${v.shape.join(', ')}]`);
  }
  if (options.strict ?? true) {
    const unexpected = Object.keys(file.tensors).filter((n) => !live.has(n));
    if (unexpected.length > 0) throw new Error(`${path} has tensors the model does not have: ${unexpected.join(', ')} (pass strict: false to ignore them)`);
  }
  // Assign only after every check passed, so a rejected file leaves the model as it was.
  for (const [name, v] of live) {
    const t = file.tensors[name];
    tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, t.shape)));
  }
  return file.metadata;
}

function checkTensor(owner: string, name: string, t: SafeTensor): void {
  if (name === '__metadata__' || name.length === 0) throw new RangeError(`${owner}: ${JSON.stringify(name)} cannot name a tensor`);
  const Array_ = ARRAYS[t.dtype];
  if (!Array_) throw new RangeError(`${owner}: tensor ${name} has dtype ${String(t.dtype)}, not one of ${Object.keys(ARRAYS).join(', ')}`);
  if (!(t.data instanceof Array_)) throw new RangeError(`${owner}: tensor ${name} is ${t.dtype} but its data is a ${t.data.constructor.name}`);
  if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new RangeError(`${owner}: tensor ${name} has shape [${t.shape.join(', ')}]; dimensions must be integers ≥ 0`);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (n !== t.data.length) throw new RangeError(`${owner}: tensor ${name} has shape [${t.shape.join(', ')}] (${n} values) but ${t.data.length} values`);
}

/** The array's bytes in little-endian order (a view on little-endian hosts, a swapped copy otherwise). */
function littleEndianBytes(data: TypedArray): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST || data.BYTES_PER_ELEMENT === 1) return view;
  const copy = view.slice();
  swapBytes(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}
