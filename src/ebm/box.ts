import type { Rng } from '../random/rng.ts';

/**
 * The square [lo, hi]² every EBM of this folder lives on: the toy data sets put all (or all but a
 * negligible part) of their mass inside it, the model density exp(−E)/Z is defined on it (Z by
 * quadrature over it), Langevin chains are clamped to it and the replay buffer's fresh chains start
 * uniform on it. A bounded domain is what makes Z finite for any energy net and exact on a grid.
 */
export interface Box {
  readonly lo: number;
  readonly hi: number;
}

/** [−4, 4]²: the toy sets span about [−3.5, 3.5]², and the checkerboard's squares of side 2 tile it exactly. */
export const DEFAULT_BOX: Box = Object.freeze({ lo: -4, hi: 4 });

/** Area of the box: the uniform baseline's density is 1/area, its NLL log(area). */
export function boxArea(box: Box): number {
  return (box.hi - box.lo) ** 2;
}

/**
 * `n` points uniform on the box, row-major [n, 2], from `rng`.
 * @example uniformInBox(DEFAULT_BOX, 100, new Rng(1)); // Float32Array of length 200
 */
export function uniformInBox(box: Box, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(2 * n);
  const w = box.hi - box.lo;
  for (let i = 0; i < out.length; i++) out[i] = box.lo + w * rng.uniform();
  return out;
}

/** @throws RangeError naming `fn` when the box is not a finite interval lo < hi. */
export function checkBox(fn: string, box: Box): void {
  if (!(Number.isFinite(box.lo) && Number.isFinite(box.hi) && box.lo < box.hi)) {
    throw new RangeError(`${fn}: box must have finite lo < hi (got [${box.lo}, ${box.hi}])`);
  }
}
