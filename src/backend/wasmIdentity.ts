import { tf } from './tf.ts';

interface RefCounted {
  incRef(dataId: object): void;
}

/**
 * Makes the wasm backend's Identity share its input's memory (one more reference) instead of copying
 * it, as the cpu backend's does. TF.js calls Identity for every tensor it saves for a gradient
 * (engine.clone), so with the copying kernel each recorded op's inputs were copied once per step:
 * 8 copies of the MLP VAE's [128, 784] logits per step, 1.7 ms of its 27. Tensors are immutable,
 * nothing writes to an input's memory, so sharing it changes no number. Idempotent.
 */
export function shareWasmIdentity(): void {
  const current = tf.getKernel('Identity', 'wasm');
  if (current?.kernelFunc === shared) return;
  if (current) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: shared });
}

function shared({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  (backend as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
