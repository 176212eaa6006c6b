import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../checkpoint/safetensors.ts';
import { rbmFrom, type Rbm } from './rbm.ts';

/**
 * RBM weights as safetensors with the seed's (004) parameter names and shapes, float32:
 * `W` [hidden, visible], `v_bias` [visible], `h_bias` [hidden], so the seed's PyTorch class loads
 * them with `rbm.load_state_dict({k: torch.from_numpy(a) for k, a in tensors.items()})`.
 * `__metadata__` holds `format: qubit-rx/1`, `model: bernoulli-rbm` and any extra entries.
 */
export function encodeRbm(model: Rbm, metadata: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(
    {
      W: { dtype: 'F32', shape: [model.hidden, model.visible], data: Float32Array.from(model.W) },
      v_bias: { dtype: 'F32', shape: [model.visible], data: Float32Array.from(model.vBias) },
      h_bias: { dtype: 'F32', shape: [model.hidden], data: Float32Array.from(model.hBias) },
    },
    { format: 'qubit-rx/1', model: 'bernoulli-rbm', ...metadata },
  );
}

/**
 * An RBM from safetensors bytes holding W [hidden, visible], v_bias [visible], h_bias [hidden] (F32 or F64).
 * @throws Error naming `source` and the tensor that is missing or of another dtype or shape
 */
export function decodeRbm(bytes: Uint8Array, source = 'safetensors data'): { model: Rbm; metadata: Record<string, string> | null } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  for (const name of ['W', 'v_bias', 'h_bias']) {
    const t = tensors[name];
    if (!t) throw new Error(`${source} has no tensor ${name}: an RBM file holds W, v_bias and h_bias`);
    if (t.dtype !== 'F32' && t.dtype !== 'F64') throw new Error(`${source}: tensor ${name} is ${t.dtype}, expected F32 or F64`);
  }
  const W = tensors.W;
  if (W.shape.length !== 2) throw new Error(`${source}: tensor W must have shape [hidden, visible] (got [${W.shape.join(', ')}])`);
  const [hidden, visible] = W.shape;
  if (tensors.v_bias.shape.join() !== String(visible)) throw new Error(`${source}: tensor v_bias has shape [${tensors.v_bias.shape.join(', ')}] but W implies [${visible}]`);
  if (tensors.h_bias.shape.join() !== String(hidden)) throw new Error(`${source}: tensor h_bias has shape [${tensors.h_bias.shape.join(', ')}] but W implies [${hidden}]`);
  const model = rbmFrom({ visible, hidden, W: W.data as Float32Array, vBias: tensors.v_bias.data as Float32Array, hBias: tensors.h_bias.data as Float32Array });
  return { model, metadata };
}

/** Writes `model` to `path` atomically (temporary name, then rename). */
export function saveRbm(path: string, model: Rbm, metadata?: Record<string, string>): void {
  const bytes = encodeRbm(model, metadata);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** Reads an RBM written by saveRbm (or by the seed's class through safetensors). */
export function loadRbm(path: string): { model: Rbm; metadata: Record<string, string> | null } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read RBM weights ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  return decodeRbm(bytes, path);
}
