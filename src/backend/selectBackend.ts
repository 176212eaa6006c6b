import { createRequire } from 'node:module';
import { tf } from './tf.ts';
import { activateWebgpu } from './webgpu.ts';

/** Backends in the order we prefer them. `tensorflow` is the name tfjs-node(-gpu) registers. */
export const BACKENDS = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo {
  /** What the user asked for, or 'auto'. */
  requested: BackendName | 'auto';
  /** The toolkit's name for what runs. */
  name: BackendName;
  /** TF.js's own backend name (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why earlier candidates were skipped, one line each. */
  skipped: string[];
  /** The device, where the backend names one (webgpu: Dawn's adapter, e.g. `nvidia hopper …`). */
  device?: string;
}

const require = createRequire(import.meta.url);

/**
 * Loads and activates the best compute backend present:
 * tfjs-node-gpu (when installed and a GPU is usable) → webgpu (when Dawn finds an adapter, see
 * webgpu.ts) → tfjs-node → wasm → cpu. An explicit `requested` backend is used or fails with a
 * one-line reason. A candidate that fails leaves TF.js as it was, so the next one can start.
 *
 * wasm runs the VAE step about 2× faster than cpu here (13.5 vs 28 ms/step with the fused native
 * attention kernel both use; ~30× for plain TF.js ops such as a 512² matMul), hence its place
 * before cpu. See bench/RESULTS.md.
 */
export async function selectBackend(requested: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  const candidates: readonly BackendName[] = requested === 'auto' ? BACKENDS : [requested];
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      const { tfBackend, device } = await activate(name);
      return { requested, name, tfBackend, skipped, ...(device != null ? { device } : {}) };
    } catch (err) {
      skipped.push(`${name}: ${firstLine(err)}`);
    }
  }
  throw new BackendError(
    requested === 'auto'
      ? `no TF.js backend could start (${skipped.join('; ')})`
      : `--backend ${requested} is not usable here: ${skipped[0]}`,
  );
}

export class BackendError extends Error {
  override name = 'BackendError';
}

async function activate(name: BackendName): Promise<{ tfBackend: string; device?: string }> {
  switch (name) {
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      // Optional peer packages: absent on machines where libtensorflow cannot be downloaded.
      require(`@tensorflow/${name}`);
      if (name === 'tfjs-node-gpu' && !gpuVisible()) throw new Error('no CUDA GPU visible');
      await setOrThrow('tensorflow');
      return { tfBackend: 'tensorflow' };
    }
    case 'webgpu': {
      // Optional packages (webgpu, @tensorflow/tfjs-backend-webgpu), imported only here.
      const { adapter } = await activateWebgpu();
      return { tfBackend: 'webgpu', device: adapter };
    }
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      await setOrThrow('wasm');
      return { tfBackend: 'wasm' };
    }
    case 'cpu':
      await setOrThrow('cpu');
      return { tfBackend: 'cpu' };
  }
}

async function setOrThrow(tfName: string): Promise<void> {
  // PROD silences the cpu backend's "install tfjs-node" banner; we print our own backend line.
  tf.env().set('PROD', true);
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend('${tfName}') failed`);
  await tf.ready();
}

function gpuVisible(): boolean {
  // tfjs-node-gpu's require() already fails when libtensorflow's CUDA libraries are missing;
  // this only honours an explicit opt-out.
  return process.env.CUDA_VISIBLE_DEVICES !== '-1';
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].slice(0, 200);
}
