import type { Rng } from '../random/rng.ts';

/**
 * A 2-D toy distribution with its exact density: the contract the EBM is trained and scored on.
 *
 * Points are row-major [n, 2] arrays (x, y interleaved). `logDensity` is the exact log p of the
 * distribution `sample` draws from — a closed form (checkerboard) or a 1-D quadrature over a
 * known curve convolved with Gaussian noise (moons, rings), accurate to ~1e-10 — so a model's
 * held-out NLL can be compared with the true entropy and KL(p‖model) computed on a grid.
 */
export interface ToyDistribution {
  /** The name the CLI knows it by. */
  readonly name: string;
  /**
   * `n` independent draws, row-major [n, 2].
   * @example moons().sample(1000, new Rng(1)); // Float32Array(2000)
   */
  sample(n: number, rng: Rng): Float32Array;
  /** log p at each point: points [m, 2] row-major → [m] (−Infinity where p = 0). */
  logDensity(points: ArrayLike<number>): Float64Array;
}

/** @throws RangeError naming `fn` unless n is an integer ≥ 1. */
export function checkCount(fn: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${fn}: n must be an integer ≥ 1 (got ${n})`);
}

/** log Σ exp(a_k) over a buffer, without overflow. */
export function logSumExp(a: ArrayLike<number>, length = a.length): number {
  let max = -Infinity;
  for (let k = 0; k < length; k++) if (a[k] > max) max = a[k];
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let k = 0; k < length; k++) s += Math.exp(a[k] - max);
  return max + Math.log(s);
}
