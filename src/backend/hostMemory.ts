import { tf } from './tf.ts';

/** Backends whose tensors live in host memory, where reading one back is a copy, not a device sync. */
const HOST_MEMORY_BACKENDS = new Set(['wasm', 'cpu']);

/**
 * Whether the current backend keeps tensors in host memory (wasm, cpu). There our own WebAssembly
 * kernels and host-side updates cost only copies; on a GPU backend every read would stall the device.
 */
export function onHostMemory(): boolean {
  return HOST_MEMORY_BACKENDS.has(tf.getBackend());
}
