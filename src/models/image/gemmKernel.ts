import { copyIn, copyOut, growTo, instantiateKernel, layout } from '../../backend/wasmKernel.ts';
import { GEMM_WASM_BASE64 } from '../native/gemmWasm.ts';

/** The compiled kernel (src/models/native/gemm.c); immutable, shared by all instances. */
const compiled = new WebAssembly.Module(Buffer.from(GEMM_WASM_BASE64, 'base64'));

interface Exports {
  gemm_pack_rows(n: number, k: number, b: number, bp: number): void;
  gemm_abt(m: number, n: number, k: number, a: number, bp: number, c: number): void;
}

/**
 * One instance of the A·Bᵀ kernel with its own linear memory, used as scratch by each call.
 * Inputs and outputs are plain Float32Arrays, copied in and out.
 */
export class GemmKernel {
  private readonly kernel = instantiateKernel<Exports>(compiled);

  /**
   * @param a [m, k] row-major   @param b [n, k] row-major
   * @returns a·bᵀ, [m, n]
   */
  abt(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array {
    if (a.length !== m * k || b.length !== n * k) throw new RangeError(`GemmKernel.abt: a must have ${m}·${k} and b ${n}·${k} elements (got ${a.length} and ${b.length})`);
    const { exports, heapBase } = this.kernel;
    // B packed: ⌈n/8⌉ panels of [k][8] floats.
    const [pa, pb, pbp, pc, end] = layout(heapBase, [4 * a.length, 4 * b.length, 4 * Math.ceil(n / 8) * 8 * k, 4 * m * n]);
    growTo(exports.memory, end);
    copyIn(exports.memory, pa, a);
    copyIn(exports.memory, pb, b);
    exports.gemm_pack_rows(n, k, pb, pbp);
    exports.gemm_abt(m, n, k, pa, pbp, pc);
    return copyOut(exports.memory, pc, m * n);
  }
}
