import type { ApparatusParams } from './apparatus.ts';

/**
 * Largest accepted | |x|² − 1 | for a random-scheme outcome: float32 storage of a unit vector is off
 * by ~2·10⁻⁷; anything much further is not on the sphere (wrong layout, unnormalised data).
 */
export const UNIT_NORM_TOLERANCE = 1e-5;

/** @throws RangeError unless batch is an integer ≥ 0. */
export function checkBatch(fn: string, batch: number): void {
  if (typeof batch !== 'number' || !Number.isSafeInteger(batch) || batch < 0) {
    throw new RangeError(`Apparatus.${fn}: batch must be an integer ≥ 0 (got ${String(batch)})`);
  }
}

/** @throws RangeError unless x holds exactly batch records of shape [N, d]. */
export function checkLength(fn: string, p: ApparatusParams, x: ArrayLike<number>, batch: number): void {
  checkBatch(fn, batch);
  const size = batch * p.qubits * p.dim;
  if (x == null || x.length !== size) {
    throw new RangeError(
      `Apparatus.${fn}: x must have shape [batch, N, d] = [${batch}, ${p.qubits}, ${p.dim}], i.e. length ${size} ` +
        `(got ${x == null ? String(x) : `length ${x.length}`})`,
    );
  }
}

/** The error for an outcome outside the support; `k` is the flat index of the outcome's first component. */
export function outcomeError(fn: string, p: ApparatusParams, x: ArrayLike<number>, k: number): RangeError {
  const record = Math.floor(k / (p.qubits * p.dim));
  const qubit = Math.floor(k / p.dim) % p.qubits;
  if (p.dim === 1) {
    return new RangeError(`Apparatus.${fn}: fixed-scheme outcomes must be ±1 (got x[${record}, ${qubit}] = ${x[k]})`);
  }
  const v = [x[k], x[k + 1], x[k + 2]];
  return new RangeError(
    `Apparatus.${fn}: random-scheme outcomes must be unit vectors (| |x|² − 1 | ≤ ${UNIT_NORM_TOLERANCE}, |x₃| ≤ 1) ` +
      `(got x[${record}, ${qubit}] = [${v.join(', ')}])`,
  );
}
