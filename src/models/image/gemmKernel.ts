import { GEMM_WASM_BASE64 } from '../native/gemmWasm.ts';

/** The compiled kernel (src/models/native/gemm.c); immutable, shared by all instances. */
const compiled = new WebAssembly.Module(Buffer.from(GEMM_WASM_BASE64, 'base64'));

interface Exports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  gemm_pack_rows(n: number, k: number, b: number, bp: number): void;
  gemm_abt(m: number, n: number, k: number, a: number, bp: number, c: number): void;
}

/**
 * One instance of the A·Bᵀ kernel with its own linear memory, used as scratch by each call.
 * Inputs and outputs are plain Float32Arrays, copied in and out.
 */
export class GemmKernel {
  private readonly exports: Exports;
  private readonly heapBase: number;

  constructor() {
    this.exports = new WebAssembly.Instance(compiled, {}).exports as unknown as Exports;
    this.heapBase = align(this.exports.__heap_base.value as number);
  }

  /**
   * @param a [m, k] row-major   @param b [n, k] row-major
   * @returns a·bᵀ, [m, n]
   */
  abt(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array {
    if (a.length !== m * k || b.length !== n * k) throw new RangeError(`GemmKernel.abt: a must have ${m}·${k} and b ${n}·${k} elements (got ${a.length} and ${b.length})`);
    const pa = this.heapBase, pb = align(pa + 4 * a.length), pbp = align(pb + 4 * b.length);
    const pc = align(pbp + 4 * Math.ceil(n / 8) * 8 * k), end = align(pc + 4 * m * n);
    const { memory } = this.exports;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
    new Float32Array(memory.buffer, pa, a.length).set(a);
    new Float32Array(memory.buffer, pb, b.length).set(b);
    this.exports.gemm_pack_rows(n, k, pb, pbp);
    this.exports.gemm_abt(m, n, k, pa, pbp, pc);
    return new Float32Array(memory.buffer, pc, m * n).slice();
  }
}

function align(n: number): number {
  return (n + 15) & ~15;
}
