import { ATTENTION_POOL_WASM_BASE64 } from './native/attentionPoolWasm.ts';

/** The compiled kernel (src/models/native/attentionPool.c); immutable, shared by all instances. */
const compiled = new WebAssembly.Module(Buffer.from(ATTENTION_POOL_WASM_BASE64, 'base64'));

interface Exports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  pool_forward(B: number, N: number, d: number, H: number, x: number, w1: number, ws: number, a: number, pooled: number, hs: number, hv: number): void;
  pool_backward(B: number, N: number, d: number, H: number, x: number, w1: number, ws: number, a: number, dpooled: number, hs: number, hv: number, da: number, dw1: number, dws: number, dx: number): void;
}

/** Byte offsets of one call's buffers in the kernel's memory (16-byte aligned for SIMD loads). */
interface Layout {
  w1: number; ws: number; x: number; a: number; pooled: number; dpooled: number; da: number; dw1: number; dws: number; dx: number; hs: number; hv: number; end: number;
}

export interface PoolShape {
  batch: number;
  /** Qubits per record. */
  n: number;
  /** Outcome dimension. */
  d: number;
  /** Hidden width of each head (a multiple of 4). */
  hidden: number;
}

/**
 * Activations above this size are recomputed in the backward pass instead of kept between the
 * passes (they cost memory R·H·8 bytes, and recomputing costs about a third of a step more).
 */
const MAX_KEPT_BYTES = 512 * 1024 * 1024;

/**
 * One instance of the fused SIMD attention-pool kernel with its own linear memory, used as scratch
 * by each call (no state leaks between calls except the activations a forward pass may keep for
 * the backward pass of the same call, identified by the `tag` it returns).
 *
 * Inputs and outputs are plain Float32Arrays, copied in and out; only O(batch·N) numbers cross,
 * the [batch·N, hidden] activations stay inside.
 */
export class AttentionPoolKernel {
  /** Largest outcome dimension d the kernel handles (it keeps a row's d outcomes in registers). */
  static readonly MAX_D = 16;
  private readonly exports: Exports;
  private readonly heapBase: number;
  private nextTag = 1;
  /** Tag of the forward call whose activations sit in the hs/hv buffers, 0 when none. */
  private keptTag = 0;
  private keptLayout: Layout | null = null;

  constructor() {
    this.exports = new WebAssembly.Instance(compiled, {}).exports as unknown as Exports;
    this.heapBase = align(this.exports.__heap_base.value as number);
  }

  /**
   * @param x outcomes [batch, N, d]   @param w1 [d + 1, 2·hidden]   @param ws [hidden]
   * @param keep keep the activations for `backward` (when a gradient will be taken)
   * @returns pooled [batch, d + hidden], attention weights a [batch, N] and the call's tag
   */
  forward(shape: PoolShape, x: Float32Array, w1: Float32Array, ws: Float32Array, keep: boolean): { pooled: Float32Array; a: Float32Array; tag: number } {
    const { batch, n, d, hidden } = check(shape, x, w1, ws);
    const L = this.layout(shape);
    const keepHere = keep && L.end - L.hs <= MAX_KEPT_BYTES;
    this.ensure(keepHere ? L.end : L.hs);
    this.keptTag = 0;
    this.write(L.x, x);
    this.write(L.w1, w1);
    this.write(L.ws, ws);
    this.exports.pool_forward(batch, n, d, hidden, L.x, L.w1, L.ws, L.a, L.pooled, keepHere ? L.hs : 0, keepHere ? L.hv : 0);
    const tag = this.nextTag++;
    if (keepHere) {
      this.keptTag = tag;
      this.keptLayout = L;
    }
    return { pooled: this.read(L.pooled, batch * (d + hidden)), a: this.read(L.a, batch * n), tag };
  }

  /**
   * Gradients w.r.t. w1 and ws (and x, on request) of Σ pooled·dpooled, for the inputs of forward
   * call `tag`. Asking for dx leaves dw1 and dws bit for bit the same.
   * @param a the attention weights that call returned, [batch, N]   @param dpooled [batch, d + hidden]
   * @param options.dx also return dx (default false)
   * @returns dw1 [d + 1, 2·hidden], dws [hidden], and with options.dx, dx [batch, N, d]
   */
  backward(shape: PoolShape, tag: number, x: Float32Array, w1: Float32Array, ws: Float32Array, a: Float32Array, dpooled: Float32Array, options: { dx?: boolean } = {}): { dw1: Float32Array; dws: Float32Array; dx?: Float32Array } {
    const { batch, n, d, hidden } = check(shape, x, w1, ws);
    const L = this.layout(shape);
    const kept = tag === this.keptTag && this.keptLayout !== null && this.keptLayout.end === L.end;
    this.ensure(kept ? L.end : L.hs);
    this.write(L.x, x);
    this.write(L.w1, w1);
    this.write(L.ws, ws);
    this.write(L.a, a);
    this.write(L.dpooled, dpooled);
    const wantDx = options.dx ?? false;
    this.exports.pool_backward(batch, n, d, hidden, L.x, L.w1, L.ws, L.a, L.dpooled, kept ? L.hs : 0, kept ? L.hv : 0, L.da, L.dw1, L.dws, wantDx ? L.dx : 0);
    const grads = { dw1: this.read(L.dw1, (d + 1) * 2 * hidden), dws: this.read(L.dws, hidden) };
    return wantDx ? { ...grads, dx: this.read(L.dx, batch * n * d) } : grads;
  }

  private layout({ batch, n, d, hidden }: PoolShape): Layout {
    const rows = batch * n;
    let at = this.heapBase;
    const take = (floats: number) => {
      const start = at;
      at = align(at + 4 * floats);
      return start;
    };
    const w1 = take((d + 1) * 2 * hidden), ws = take(hidden), x = take(rows * d), a = take(rows);
    const pooled = take(batch * (d + hidden)), dpooled = take(batch * (d + hidden)), da = take(rows);
    const dw1 = take((d + 1) * 2 * hidden), dws = take(hidden), dx = take(rows * d);
    // The kept activations go last, so a call that does not keep them needs no memory for them.
    const hs = take(rows * hidden), hv = take(rows * hidden);
    return { w1, ws, x, a, pooled, dpooled, da, dw1, dws, dx, hs, hv, end: at };
  }

  private ensure(bytes: number): void {
    const memory = this.exports.memory;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  }

  private write(offset: number, data: Float32Array): void {
    new Float32Array(this.exports.memory.buffer, offset, data.length).set(data);
  }

  private read(offset: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, offset, length).slice();
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

function check(shape: PoolShape, x: Float32Array, w1: Float32Array, ws: Float32Array): PoolShape {
  const { batch, n, d, hidden } = shape;
  if (hidden % 4 !== 0) throw new RangeError(`AttentionPoolKernel: hidden must be a multiple of 4 (got ${hidden})`);
  if (d < 1 || d > AttentionPoolKernel.MAX_D) throw new RangeError(`AttentionPoolKernel: d must be in [1, ${AttentionPoolKernel.MAX_D}] (got ${d})`);
  const expect = (name: string, got: number, want: number) => {
    if (got !== want) throw new RangeError(`AttentionPoolKernel: ${name} must have ${want} elements (got ${got})`);
  };
  expect('x', x.length, batch * n * d);
  expect('w1', w1.length, (d + 1) * 2 * hidden);
  expect('ws', ws.length, hidden);
  return shape;
}
