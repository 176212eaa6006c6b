import { copyIn, copyOut, growTo, instantiateKernel, layout } from '../../backend/wasmKernel.ts';
import { BINARY_DENSE_WASM_BASE64 } from '../native/binaryDenseWasm.ts';

/** The compiled kernel (src/models/native/binaryDense.c); immutable, shared by all instances. */
const compiled = new WebAssembly.Module(Buffer.from(BINARY_DENSE_WASM_BASE64, 'base64'));

interface Exports {
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
  private readonly kernel = instantiateKernel<Exports>(compiled);

  /**
   * act(x·W + b) for the binary x that `rows` lists.
   * @param w [inDim, out]   @param b [out]
   * @returns y [batch, out]
   */
  forward(rows: BinaryRows, w: Float32Array, b: Float32Array, out: number, relu: boolean): Float32Array {
    const { batch, inDim } = rows;
    if (w.length !== inDim * out || b.length !== out) throw new RangeError(`BinaryDenseKernel.forward: w must have ${inDim}·${out} and b ${out} elements (got ${w.length} and ${b.length})`);
    const { exports, heapBase } = this.kernel;
    const [pw, pb, prs, pc, py, end] = layout(heapBase, [w.length * 4, out * 4, rows.rowStart.byteLength, rows.cols.byteLength, batch * out * 4]);
    growTo(exports.memory, end);
    copyIn(exports.memory, pw, w);
    copyIn(exports.memory, pb, b);
    copyIn(exports.memory, prs, rows.rowStart);
    copyIn(exports.memory, pc, rows.cols);
    exports.bd_forward(batch, out, prs, pc, pw, pb, py, relu ? 1 : 0);
    return copyOut(exports.memory, py, batch * out);
  }

  /**
   * Xᵀ·G for the binary X that `rows` lists.
   * @param g [batch, out]
   * @returns dW [inDim, out]
   */
  weightGrad(rows: BinaryRows, g: Float32Array, out: number): Float32Array {
    const { batch, inDim } = rows;
    if (g.length !== batch * out) throw new RangeError(`BinaryDenseKernel.weightGrad: g must have ${batch}·${out} elements (got ${g.length})`);
    const { exports, heapBase } = this.kernel;
    const [pcs, pr, pg, pdw, end] = layout(heapBase, [rows.colStart.byteLength, rows.recs.byteLength, g.length * 4, inDim * out * 4]);
    growTo(exports.memory, end);
    copyIn(exports.memory, pcs, rows.colStart);
    copyIn(exports.memory, pr, rows.recs);
    copyIn(exports.memory, pg, g);
    exports.bd_weight_grad(inDim, out, pcs, pr, pg, pdw);
    return copyOut(exports.memory, pdw, inDim * out);
  }
}
