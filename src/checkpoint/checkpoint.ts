import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tf, type Variable } from '../backend/tf.ts';
import type { Module } from '../nn/module.ts';
import type { Adam } from '../optim/adam.ts';
import { Rng } from '../random/rng.ts';

/** Everything needed to continue a run bit for bit: weights, optimiser moments, generator states, step. */
export interface Checkpoint {
  format: 'qubit-rx-checkpoint/1';
  step: number;
  config: Record<string, unknown>;
  variables: Record<string, { shape: number[]; data: string /* base64 float32 */ }>;
  adam: { step: number; m: string[]; v: string[] };
  rngs: Record<string, number[]>;
}

const encode = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const decode = (s: string): Float32Array => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

export function snapshot(step: number, config: Record<string, unknown>, modules: Module[], optimizer: Adam, rngs: Record<string, Rng>): Checkpoint {
  const variables: Checkpoint['variables'] = {};
  for (const m of modules) {
    for (const [name, v] of m.namedVariables()) variables[name] = { shape: v.shape, data: encode(v.dataSync() as Float32Array) };
  }
  const st = optimizer.state();
  return {
    format: 'qubit-rx-checkpoint/1',
    step,
    config,
    variables,
    adam: { step: st.step, m: st.m.map(encode), v: st.v.map(encode) },
    rngs: Object.fromEntries(Object.entries(rngs).map(([k, r]) => [k, r.state()])),
  };
}

/** Writes atomically (temporary name, then rename): a crash never leaves a half-written checkpoint. */
export function saveCheckpoint(path: string, ckpt: Checkpoint): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(ckpt));
  renameSync(tmp, path);
}

export function loadCheckpoint(path: string): Checkpoint {
  let ckpt: Checkpoint;
  try {
    ckpt = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  } catch (err) {
    throw new Error(`cannot read checkpoint ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (ckpt.format !== 'qubit-rx-checkpoint/1') throw new Error(`${path} is not a qubit-rx checkpoint (format ${String(ckpt.format)})`);
  return ckpt;
}

/** Loads weights and optimiser state into live modules; returns the restored generators. */
export function restore(ckpt: Checkpoint, modules: Module[], optimizer: Adam): Record<string, Rng> {
  const live = new Map<string, Variable>(modules.flatMap((m) => m.namedVariables()));
  for (const [name, v] of live) {
    const saved = ckpt.variables[name];
    if (!saved) throw new Error(`checkpoint has no variable ${name}: was it written by a model of another shape?`);
    if (saved.shape.join() !== v.shape.join()) {
      throw new Error(`checkpoint variable ${name} has shape [${saved.shape}] but the model expects [${v.shape}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(decode(saved.data), saved.shape)));
  }
  optimizer.load({ step: ckpt.adam.step, m: ckpt.adam.m.map(decode), v: ckpt.adam.v.map(decode) });
  return Object.fromEntries(Object.entries(ckpt.rngs).map(([k, s]) => [k, Rng.fromState(s)]));
}
