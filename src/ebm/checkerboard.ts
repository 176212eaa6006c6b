import type { Rng } from '../random/rng.ts';
import { checkCount, type ToyDistribution } from './toyData.ts';

/** Side of a square: a 4 × 4 board of squares of side 2 tiles [−4, 4]². */
const SIDE = 2;
const SQUARES = 4;
const LO = -(SIDE * SQUARES) / 2;
/** The black squares (column i, row j with i + j even): 8 of 16, so p = 1 / (8 · 2²) = 1/32 on them. */
const BLACK: ReadonlyArray<readonly [number, number]> = Array.from({ length: SQUARES * SQUARES }, (_, k) => [k % SQUARES, Math.floor(k / SQUARES)] as const).filter(
  ([i, j]) => (i + j) % 2 === 0,
);
const LOG_DENSITY = -Math.log(BLACK.length * SIDE * SIDE);

/**
 * The checkerboard: uniform on the 8 black squares of a 4 × 4 board on [−4, 4]² (FFJORD's toy
 * set, scaled by 2). Its density is exact: 1/32 on black, 0 on white, entropy log 32 ≈ 3.466 nats.
 */
export function checkerboard(): ToyDistribution {
  return {
    name: 'checkerboard',
    sample(n: number, rng: Rng): Float32Array {
      checkCount('checkerboard.sample', n);
      const out = new Float32Array(2 * n);
      for (let p = 0; p < n; p++) {
        const [i, j] = BLACK[Math.floor(rng.uniform() * BLACK.length)];
        out[2 * p] = LO + SIDE * (i + rng.uniform());
        out[2 * p + 1] = LO + SIDE * (j + rng.uniform());
      }
      return out;
    },
    logDensity(points: ArrayLike<number>): Float64Array {
      const m = Math.floor(points.length / 2);
      const out = new Float64Array(m);
      for (let p = 0; p < m; p++) {
        const i = Math.floor((points[2 * p] - LO) / SIDE);
        const j = Math.floor((points[2 * p + 1] - LO) / SIDE);
        const inside = i >= 0 && i < SQUARES && j >= 0 && j < SQUARES;
        out[p] = inside && (i + j) % 2 === 0 ? LOG_DENSITY : -Infinity;
      }
      return out;
    },
  };
}
