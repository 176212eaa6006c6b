import { BINARY_DENSE_WASM_BASE64 } from '../native/binaryDenseWasm.ts';

/** The compiled kernel (src/models/native/binaryDense.c); immutable, shared by all instances. */
const compiled = new WebAssembly.Module(Buffer.from(BINARY_DENSE_WASM_BASE64, 'base64'));

interface Exports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  bd_forward(batch: number, out: number, rowStart: number, cols: number, w: number, b: number, y: number, relu: number): void;
  bd_weight_grad(inDim: number, out: number, colStart: number, recs: number, g: number, dw: number): void;
}

/**
 * The pixels that are on in a batch of binary images, listed both ways: by record (for x·W) and by
 * pixel (for Xᵀ·G). Built once per forward pass and reused by its backward pass.
 */
export interface BinaryRows {
  readonly batch: number;
  readonly inDim: number;
  /** [batch + 1]: record r's pixels are cols[rowStart[r] … rowStart[r + 1]), ascending. */
  readonly rowStart: Int32Array;
  readonly cols: Int32Array;
  /** [inDim + 1]: pixel i is on in records recs[colStart[i] … colStart[i + 1]), ascending. */
  readonly colStart: Int32Array;
  readonly recs: Int32Array;
}

/**
 * The on-pixels of x [batch, inDim], or null when an entry is neither 0 nor 1 (grey levels: the
 * caller takes the dense product instead).
 */
export function binaryRows(x: ArrayLike<number>, batch: number, inDim: number): BinaryRows | null {
  const rowStart = new Int32Array(batch + 1);
  const perPixel = new Int32Array(inDim + 1);
  let nnz = 0;
  for (let r = 0, k = 0; r < batch; r++) {
    for (let i = 0; i < inDim; i++, k++) {
      const v = x[k];
      if (v === 1) { nnz++; perPixel[i + 1]++; } else if (v !== 0) return null;
    }
    rowStart[r + 1] = nnz;
  }
  const cols = new Int32Array(nnz);
  const recs = new Int32Array(nnz);
  const colStart = perPixel; // prefix sums in place: colStart[i] = pixels before i
  for (let i = 0; i < inDim; i++) colStart[i + 1] += colStart[i];
  const fill = colStart.slice(0, inDim);
  for (let r = 0, k = 0, c = 0; r < batch; r++) {
    for (let i = 0; i < inDim; i++, k++) {
      if (x[k] === 1) { cols[c++] = i; recs[fill[i]++] = r; }
    }
  }
  return { batch, inDim, rowStart, cols, colStart, recs };
}

/**
 * One instance of the binary-input dense kernel with its own linear memory, used as scratch by each
 * call (nothing is kept between calls). Inputs and outputs are plain typed arrays, copied in and out.
 */
export class BinaryDenseKernel {
  private readonly exports: Exports;
  private readonly heapBase: number;

  constructor() {
    this.exports = new WebAssembly.Instance(compiled, {}).exports as unknown as Exports;
    this.heapBase = align(this.exports.__heap_base.value as number);
  }

  /**
   * act(x·W + b) for the binary x that `rows` lists.
   * @param w [inDim, out]   @param b [out]
   * @returns y [batch, out]
   */
  forward(rows: BinaryRows, w: Float32Array, b: Float32Array, out: number, relu: boolean): Float32Array {
    const { batch, inDim } = rows;
    if (w.length !== inDim * out || b.length !== out) throw new RangeError(`BinaryDenseKernel.forward: w must have ${inDim}·${out} and b ${out} elements (got ${w.length} and ${b.length})`);
    const [pw, pb, prs, pc, py, end] = this.offsets([w.length * 4, out * 4, rows.rowStart.byteLength, rows.cols.byteLength, batch * out * 4]);
    this.ensure(end);
    this.write(pw, w);
    this.write(pb, b);
    this.write(prs, rows.rowStart);
    this.write(pc, rows.cols);
    this.exports.bd_forward(batch, out, prs, pc, pw, pb, py, relu ? 1 : 0);
    return this.read(py, batch * out);
  }

  /**
   * Xᵀ·G for the binary X that `rows` lists.
   * @param g [batch, out]
   * @returns dW [inDim, out]
   */
  weightGrad(rows: BinaryRows, g: Float32Array, out: number): Float32Array {
    const { batch, inDim } = rows;
    if (g.length !== batch * out) throw new RangeError(`BinaryDenseKernel.weightGrad: g must have ${batch}·${out} elements (got ${g.length})`);
    const [pcs, pr, pg, pdw, end] = this.offsets([rows.colStart.byteLength, rows.recs.byteLength, g.length * 4, inDim * out * 4]);
    this.ensure(end);
    this.write(pcs, rows.colStart);
    this.write(pr, rows.recs);
    this.write(pg, g);
    this.exports.bd_weight_grad(inDim, out, pcs, pr, pg, pdw);
    return this.read(pdw, inDim * out);
  }

  /** Byte offsets of consecutive 16-byte-aligned buffers of the given sizes, then the end. */
  private offsets(bytes: number[]): number[] {
    const at = [this.heapBase];
    for (const n of bytes) at.push(align(at[at.length - 1] + n));
    return at;
  }

  private ensure(bytes: number): void {
    const { memory } = this.exports;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  }

  private write(offset: number, data: Float32Array | Int32Array): void {
    new Uint8Array(this.exports.memory.buffer, offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  private read(offset: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, offset, length).slice();
  }
}

function align(n: number): number {
  return (n + 15) & ~15;
}
