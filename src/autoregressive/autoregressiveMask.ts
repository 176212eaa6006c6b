/**
 * The connectivity mask of a multi-feature autoregressive linear layer.
 *
 * Layout (TF.js convention `y = x · W`, so W has shape [inputs, outputs]):
 * input index `j·inFeatures + a` (unit j, feature a), output index `i·outFeatures + c` (unit i, feature c).
 * Output block i may read input block j exactly when `j ≤ i + diagonal`:
 * `diagonal = -1` is the strictly autoregressive first layer (unit i sees units < i),
 * `diagonal = 0` the hidden layers (unit i sees units ≤ i of the previous hidden layer).
 *
 * This is the seed's `tensordot(tril(ones(U,U), diagonal), ones(out,in)).transpose(1,2).reshape(...)`
 * written out, transposed to TF.js's [in, out] layout.
 *
 * @returns Float32Array of shape [units·inFeatures, units·outFeatures], row-major, entries 0 or 1.
 * @example autoregressiveMask(4, 2, 3, -1) // 8×12, zero in output block 0
 */
export function autoregressiveMask(units: number, inFeatures: number, outFeatures: number, diagonal: number): Float32Array {
  checkLayerShape('autoregressiveMask', units, inFeatures, outFeatures, diagonal);
  const rows = units * inFeatures;
  const cols = units * outFeatures;
  const mask = new Float32Array(rows * cols);
  for (let j = 0; j < units; j++) {
    for (let a = 0; a < inFeatures; a++) {
      const row = (j * inFeatures + a) * cols;
      // Output units i ≥ j − diagonal may read input unit j.
      for (let i = Math.max(0, j - diagonal); i < units; i++) {
        mask.fill(1, row + i * outFeatures, row + (i + 1) * outFeatures);
      }
    }
  }
  return mask;
}

/** Number of input units that output unit `i` reads: units 0 … i + diagonal, clamped to [0, units]. */
export function visibleUnits(i: number, diagonal: number, units: number): number {
  return Math.max(0, Math.min(units, i + 1 + diagonal));
}

/** Shared argument check for the mask and the layer; messages name the function, argument and value. */
export function checkLayerShape(fn: string, units: number, inFeatures: number, outFeatures: number, diagonal: number): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${fn}: ${name} must be an integer ≥ 1 (got ${v})`);
  };
  positiveInt('units', units);
  positiveInt('inFeatures', inFeatures);
  positiveInt('outFeatures', outFeatures);
  if (!Number.isInteger(diagonal) || diagonal > 0 || diagonal < -units) {
    throw new RangeError(`${fn}: diagonal must be an integer in [-units, 0] = [${-units}, 0] (got ${diagonal})`);
  }
}
