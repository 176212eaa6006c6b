import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseNpy } from '../data/npy.ts';
import { Rng } from '../random/rng.ts';

/** The option the CLI spells; errors name it so they read as one line under `error:`. */
const OPTION = '--epsilons';

/**
 * Per-qubit measurement strengths ε₁ … ε_N from a spec (the CLI's `--epsilons`):
 * - `0.1,0.2,…`: a comma list of exactly N numbers, each finite and ≥ 0;
 * - `dead:f@ε`: every sensor at ε except round(f·N) dead ones (ε = 0), 0 ≤ f ≤ 1; which ones are dead
 *   is a partial Fisher–Yates shuffle drawn from `rng` (default `new Rng(0)`), so the same seed gives
 *   the same dead sensors;
 * - `file:PATH`: one number per line (blank lines and `#` comments skipped) or a 1-D `.npy`.
 *
 * @returns ε, shape [N]
 * @throws RangeError, one line naming `--epsilons`, the constraint and the bad value
 * @example
 *   sensorEpsilons('dead:0.25@0.3', 8, new Rng(1));   // six 0.3 and two 0, at seeded positions
 */
export function sensorEpsilons(spec: string, qubits: number, rng?: Rng): Float64Array {
  if (typeof spec !== 'string' || spec.trim() === '') throw new RangeError(`${OPTION}: expected a comma list, dead:f@ε or file:PATH, got "${String(spec)}"`);
  if (!Number.isSafeInteger(qubits) || qubits < 1) throw new RangeError(`${OPTION}: qubits must be an integer ≥ 1 (got ${qubits})`);
  const s = spec.trim();
  if (s.startsWith('dead:')) return deadSensors(s, qubits, rng ?? new Rng(0));
  if (s.startsWith('file:')) return checked(fromFile(s.slice('file:'.length)), qubits, `in ${s.slice('file:'.length)}`);
  const parts = s.split(',').map((p) => p.trim());
  return checked(parts.map((p) => (p === '' ? NaN : Number(p))), qubits, '', parts);
}

function deadSensors(spec: string, n: number, rng: Rng): Float64Array {
  const m = /^dead:([^@]+)@(.+)$/.exec(spec);
  const f = m ? Number(m[1]) : NaN, eps = m ? Number(m[2]) : NaN;
  if (!m || m[1].trim() === '' || !(f >= 0 && f <= 1)) throw new RangeError(`${OPTION}: dead:f@ε needs a fraction 0 ≤ f ≤ 1, got "${spec}"`);
  if (m[2].trim() === '' || !Number.isFinite(eps) || eps < 0) throw new RangeError(`${OPTION}: dead:f@ε needs a finite ε ≥ 0, got "${spec}"`);
  const out = new Float64Array(n).fill(eps);
  const dead = Math.round(f * n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < dead; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    [order[i], order[j]] = [order[j], order[i]];
    out[order[i]] = 0;
  }
  return out;
}

function fromFile(path: string): number[] {
  if (path === '') throw new RangeError(`${OPTION}: file:PATH needs a path`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RangeError(`${OPTION}: cannot read ${path} (${code ?? String(err)})`);
  }
  if (extname(path).toLowerCase() === '.npy') {
    let array;
    try {
      array = parseNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
    } catch (err) {
      throw new RangeError(`${OPTION}: ${(err as Error).message}`);
    }
    if (array.shape.length !== 1) throw new RangeError(`${OPTION}: ${path} must hold a 1-D array, got shape (${array.shape.join(', ')})`);
    return Array.from(array.data);
  }
  return bytes.toString('utf-8').split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '').map((l) => (l === '' ? NaN : Number(l)));
}

function checked(values: readonly number[], n: number, where: string, raw?: readonly string[]): Float64Array {
  const at = where === '' ? '' : ` ${where}`;
  if (values.length !== n) throw new RangeError(`${OPTION}: expected N = ${n} values (one per qubit)${at}, got ${values.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v < 0) {
      throw new RangeError(`${OPTION}: epsilon[${i}] must be a finite number ≥ 0${at}, got ${raw ? `"${raw[i]}"` : String(v)}`);
    }
    out[i] = v;
  }
  return out;
}
