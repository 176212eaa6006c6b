/**
 * Boundary checks shared by the sampler factories. Each throws a RangeError that names the
 * function, the option, the range it must lie in and the value it got, so a bad configuration
 * fails where it is written rather than as a NaN a thousand iterations later.
 */

/** `value` must be a finite number > 0. */
export function checkPositive(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${fn}: ${name} must be a finite number > 0 (got ${value})`);
  }
}

/** `value` must be an integer ≥ `min`. */
export function checkInteger(fn: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${fn}: ${name} must be an integer ≥ ${min} (got ${value})`);
  }
}

/** `value` must be a number in [lo, hi) (or [lo, hi] with `closed`). */
export function checkInRange(fn: string, name: string, value: number, lo: number, hi: number, closed = false): void {
  const ok = typeof value === 'number' && value >= lo && (closed ? value <= hi : value < hi);
  if (!ok) throw new RangeError(`${fn}: ${name} must lie in [${lo}, ${hi}${closed ? ']' : ')'} (got ${value})`);
}

/**
 * A diagonal inverse mass matrix: length `dim`, every entry finite and > 0. Returns a private
 * copy (or ones when omitted) so that a caller mutating their array cannot change a live kernel.
 */
export function checkInverseMass(fn: string, inverseMassDiag: ArrayLike<number> | undefined, dim: number): Float64Array {
  if (inverseMassDiag == null) return new Float64Array(dim).fill(1);
  if (inverseMassDiag.length !== dim) {
    throw new RangeError(`${fn}: inverseMassDiag must have length dim = ${dim} (got length ${inverseMassDiag.length})`);
  }
  for (let i = 0; i < dim; i++) {
    const v = inverseMassDiag[i];
    if (!Number.isFinite(v) || v <= 0) {
      throw new RangeError(`${fn}: inverseMassDiag entries must be finite and > 0 (entry ${i} is ${v})`);
    }
  }
  return Float64Array.from(inverseMassDiag);
}

/** A starting point: length `dim`, finite entries. */
export function checkPosition(fn: string, position: ArrayLike<number>, dim: number): void {
  if (position.length !== dim) {
    throw new RangeError(`${fn}: position must have length dim = ${dim} (got length ${position.length})`);
  }
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(position[i])) throw new RangeError(`${fn}: position entries must be finite (entry ${i} is ${position[i]})`);
  }
}
