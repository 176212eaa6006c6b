import { readFileSync } from 'node:fs';
import { Rng } from '../random/rng.ts';
import { normaliseAxes, transverseFrame } from './rotatedApparatus.ts';

/** The option the CLI spells; errors name it so they read as one line under `error:`. */
const OPTION = '--axes';
const FORMS = "z | x,y,z | tilt:θdeg | spread:θdeg@seed | file:PATH";

export interface TiltedAxesOptions {
  /** number N of qubits, integer ≥ 1. */
  qubits: number;
  /** angle θ between each axis and the common axis, radians, finite. */
  tilt: number;
  /** the common axis (normalised; default ẑ). */
  about?: readonly number[];
  /**
   * one axis for every qubit (true) or one per qubit (false, default). A shared axis takes one
   * azimuth, per-qubit axes one each, in qubit order.
   */
  shared?: boolean;
  /**
   * the azimuths φ = 2π u about the common axis, u from this generator; without it every azimuth is
   * 0 (tilted toward the common axis's e₁, x̂ when it is ẑ), which makes per-qubit axes all equal.
   */
  rng?: Rng;
}

/**
 * Pointer axes tilted by θ from a common axis a, at random azimuths:
 *   nᵢ = cos θ a + sin θ (cos φᵢ e₁ + sin φᵢ e₂),
 * (e₁, e₂, a) the frame the Rodrigues rotation of ẑ onto a carries (x̂, ŷ, ẑ) to.
 *
 * @returns unit axes, shape [N, 3] (rows all equal when `shared`), ready for `RotatedApparatus`'s `axes`
 * @throws RangeError naming the option, its allowed range and the bad value
 * @example
 *   tiltedAxes({ qubits: 20, tilt: Math.PI / 6, rng: new Rng(3) });   // 20 axes on the 30° cone about ẑ
 */
export function tiltedAxes(options: TiltedAxesOptions): Float64Array {
  const { qubits, tilt } = options;
  if (typeof qubits !== 'number' || !Number.isSafeInteger(qubits) || qubits < 1) {
    throw new RangeError(`tiltedAxes: qubits must be an integer ≥ 1 (got ${String(qubits)})`);
  }
  if (typeof tilt !== 'number' || !Number.isFinite(tilt)) {
    throw new RangeError(`tiltedAxes: tilt must be a finite angle in radians (got ${String(tilt)})`);
  }
  const a = normaliseAxes('tiltedAxes', options.about ?? [0, 0, 1], 1);
  const e1 = new Float64Array(3), e2 = new Float64Array(3);
  transverseFrame(a, 0, e1, e2);
  const ct = Math.cos(tilt), st = Math.sin(tilt);
  const out = new Float64Array(3 * qubits);
  const shared = options.shared ?? false;
  let phi = 0;
  for (let i = 0; i < qubits; i++) {
    if (options.rng !== undefined && (i === 0 || !shared)) phi = 2 * Math.PI * options.rng.uniform();
    const cp = Math.cos(phi), sp = Math.sin(phi);
    for (let c = 0; c < 3; c++) out[3 * i + c] = ct * a[c] + st * (cp * e1[c] + sp * e2[c]);
  }
  return out;
}

/**
 * Pointer axes from a spec (the CLI's `--axes`), for N qubits:
 * - `z` (also `x`, `y`): every qubit along that axis;
 * - `x,y,z`: three numbers, one shared axis (normalised);
 * - `tilt:θdeg`: one shared axis θ degrees from ẑ toward x̂, (sin θ, 0, cos θ) (`deg` optional);
 * - `spread:θdeg@seed`: one axis per qubit, θ degrees from ẑ at an azimuth drawn from `new Rng(seed)`
 *   ({@link tiltedAxes}), so the same seed gives the same axes;
 * - `file:PATH`: N lines of three numbers (comma or space separated; blank lines and `#` comments skipped).
 *
 * @returns unit axes, shape [N, 3]
 * @throws RangeError, one line naming `--axes`, the allowed forms or the constraint, and the bad value
 * @example
 *   parsePointerAxes('spread:20deg@7', 50);   // 50 axes on the 20° cone about ẑ
 */
export function parsePointerAxes(spec: string, qubits: number): Float64Array {
  if (!Number.isSafeInteger(qubits) || qubits < 1) throw new RangeError(`${OPTION}: qubits must be an integer ≥ 1 (got ${qubits})`);
  if (typeof spec !== 'string' || spec.trim() === '') throw new RangeError(`${OPTION}: expected ${FORMS}, got "${String(spec)}"`);
  const s = spec.trim();
  const named: Record<string, number[]> = { x: [1, 0, 0], y: [0, 1, 0], z: [0, 0, 1] };
  if (Object.hasOwn(named, s)) return normaliseAxes(OPTION, named[s], qubits);
  if (s.startsWith('tilt:')) {
    const theta = degrees(s.slice('tilt:'.length), 'tilt:θdeg', s);
    return tiltedAxes({ qubits, tilt: theta, shared: true });
  }
  if (s.startsWith('spread:')) {
    const m = /^spread:([^@]*)@(.*)$/.exec(s);
    if (!m) throw new RangeError(`${OPTION}: spread:θdeg@seed needs a seed, got "${s}"`);
    const theta = degrees(m[1], 'spread:θdeg@seed', s);
    const seed = m[2].trim() === '' ? NaN : Number(m[2]);
    if (!Number.isSafeInteger(seed)) throw new RangeError(`${OPTION}: spread:θdeg@seed needs an integer seed, got "${s}"`);
    return tiltedAxes({ qubits, tilt: theta, rng: new Rng(seed) });
  }
  if (s.startsWith('file:')) return fromFile(s.slice('file:'.length).trim(), qubits);
  const parts = s.split(',').map((p) => p.trim());
  if (parts.length !== 3) throw new RangeError(`${OPTION}: expected ${FORMS}, got "${s}"`);
  return vector(parts, s, qubits);
}

/** A finite angle in degrees (optional `deg` suffix), in radians. */
function degrees(text: string, form: string, spec: string): number {
  const t = text.trim().replace(/deg$/, '').trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v)) throw new RangeError(`${OPTION}: ${form} needs a finite angle in degrees, got "${spec}"`);
  return (v * Math.PI) / 180;
}

/** Three numeric strings as one shared unit axis. */
function vector(parts: readonly string[], where: string, qubits: number): Float64Array {
  const v = parts.map((p) => (p === '' ? NaN : Number(p)));
  if (!v.every(Number.isFinite)) throw new RangeError(`${OPTION}: x,y,z must be three finite numbers, got "${where}"`);
  if (v.every((c) => c === 0)) throw new RangeError(`${OPTION}: the axis must be a non-zero vector, got "${where}"`);
  return normaliseAxes(OPTION, v, qubits);
}

function fromFile(path: string, qubits: number): Float64Array {
  if (path === '') throw new RangeError(`${OPTION}: file:PATH needs a path`);
  let text: string;
  try {
    text = readFileSync(path, 'utf-8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RangeError(`${OPTION}: cannot read ${path} (${code ?? String(err)})`);
  }
  const lines = text.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
  if (lines.length !== qubits) throw new RangeError(`${OPTION}: expected N = ${qubits} lines of x y z (one per qubit) in ${path}, got ${lines.length}`);
  const out = new Float64Array(3 * qubits);
  lines.forEach((line, i) => {
    const parts = line.split(/[\s,]+/);
    const v = parts.map(Number);
    if (parts.length !== 3 || !v.every(Number.isFinite)) {
      throw new RangeError(`${OPTION}: line ${i + 1} of ${path} must be three finite numbers, got "${line}"`);
    }
    if (v.every((c) => c === 0)) throw new RangeError(`${OPTION}: axis ${i} in ${path} must be a non-zero vector, got "${line}"`);
    out.set(normaliseAxes(OPTION, v, 1), 3 * i);
  });
  return out;
}
