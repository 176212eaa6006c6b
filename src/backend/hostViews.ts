import { tf, type Tensor } from './tf.ts';

/**
 * The wasm backend's internals that its own kernels use (tfjs-backend-wasm 4.x): a tensor's float32
 * data is a range of the WebAssembly heap, and a kernel's output is made before it is written.
 */
interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  dataIdMap: { has(dataId: object): boolean };
}

function wasmBackend(): WasmBackendInternals | null {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackendInternals) : null;
}

/**
 * Float32 tensors made and read in place, for host kernels (backend/hostKernels.ts) that take typed
 * arrays: on wasm, views of the heap — no copy in, no copy out, ~5 ms of the MLP VAE's 27 ms step
 * in copies otherwise; on other backends, copies (dataSync, then a new tensor from the array).
 *
 * Views of the wasm heap are invalidated when the heap grows, which any new tensor may cause: make
 * every output first (`output`), then take the input views (`read`), then run the kernel, and keep
 * no view past it.
 *
 * @example
 *   const io = hostIo();
 *   const y = io.output([m, n]);                       // allocates: before any read
 *   kernels.gemmInto(y.view(), io.read(x), io.read(w), m, n, k);
 *   return y.tensor();
 */
export interface HostIo {
  /** An output of `shape` whose view is filled by the kernel; `tensor()` is the result. */
  output(shape: number[]): { view(): Float32Array; tensor(): Tensor };
  /** t's float32 data: a view on wasm (not to be written, nor kept), a copy elsewhere. */
  read(t: Tensor): Float32Array;
}

export function hostIo(): HostIo {
  const wasm = wasmBackend();
  if (wasm === null) {
    return {
      output(shape) {
        const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
        return { view: () => data, tensor: () => tf.tensor(data, shape, 'float32') };
      },
      read: (t) => float32(t).dataSync() as Float32Array,
    };
  }
  return {
    output(shape) {
      const info = wasm.makeOutput(shape, 'float32');
      return { view: () => wasm.typedArrayFromHeap(info), tensor: () => tf.engine().makeTensorFromTensorInfo(info) };
    },
    read(t) {
      float32(t);
      // A tensor still on another backend is copied over by dataSync's path.
      return wasm.dataIdMap.has(t.dataId) ? wasm.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
    },
  };
}

function float32(t: Tensor): Tensor {
  if (t.dtype !== 'float32') throw new TypeError(`hostIo.read: expected a float32 tensor (got ${t.dtype})`);
  return t;
}
