/**
 * What our own WebAssembly kernels (src/{models,optim}/native/*.c, built without libc) share: one
 * instance per user with its own linear memory, buffers laid out from `__heap_base` at 16-byte
 * alignment (for SIMD loads), memory grown on demand, typed arrays copied in and out.
 */

/** The exports every kernel has besides its functions. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
}

/** A fresh instance of a compiled kernel: its exports and the first free 16-byte-aligned byte. */
export function instantiateKernel<E>(compiled: WebAssembly.Module): { exports: E & KernelExports; heapBase: number } {
  const exports = new WebAssembly.Instance(compiled, {}).exports as unknown as E & KernelExports;
  return { exports, heapBase: align16(exports.__heap_base.value as number) };
}

/** Byte offsets of consecutive 16-byte-aligned buffers of the given sizes from `base`, then the end. */
export function layout(base: number, bytes: readonly number[]): number[] {
  const at = [base];
  for (const n of bytes) at.push(align16(at[at.length - 1] + n));
  return at;
}

/** Grows `memory` to at least `bytes` (detaching earlier views of its buffer when it grows). */
export function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const missing = bytes - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
}

/** Copies `data` into `memory` at byte `offset`. */
export function copyIn(memory: WebAssembly.Memory, offset: number, data: Float32Array | Int32Array): void {
  new Uint8Array(memory.buffer, offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** A fresh copy of `length` floats at byte `offset` of `memory`. */
export function copyOut(memory: WebAssembly.Memory, offset: number, length: number): Float32Array {
  return new Float32Array(memory.buffer, offset, length).slice();
}

function align16(n: number): number {
  return (n + 15) & ~15;
}
