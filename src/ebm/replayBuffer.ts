import type { Rng } from '../random/rng.ts';
import { checkBox, uniformInBox, type Box } from './box.ts';

/** One draw from the buffer: where the chains start and which slots they go back to. */
export interface ReplayDraw {
  /** Buffer slots drawn, distinct, length n. */
  readonly slots: Int32Array;
  /** Starting points, row-major [n, 2]: the slots' stored points, or fresh uniform noise for reinitialised ones. */
  readonly points: Float32Array;
  /** How many of the n were reinitialised from noise. */
  readonly reinitialised: number;
}

/**
 * Du & Mordatch's (2019) replay buffer: a fixed set of `capacity` persistent chains on the box.
 * Each training step draws n distinct slots at random; each drawn chain restarts from uniform
 * noise with probability `reinit` (their 5%), so the buffer keeps exploring modes the chains
 * have not found, while the other 95% continue where they stopped, so short runs of K steps add up
 * to long chains. After the Langevin run the points are written back to the same slots.
 *
 * The buffer is plain data (`points`), so a checkpoint stores it and a resumed run continues
 * exactly; all randomness comes from the Rng passed to `draw`.
 */
export class ReplayBuffer {
  /** Stored chains, row-major [capacity, 2]. */
  readonly points: Float32Array;

  constructor(readonly capacity: number, readonly box: Box, readonly reinit: number, rng: Rng) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ReplayBuffer: capacity must be an integer ≥ 1 (got ${capacity})`);
    if (!(reinit >= 0 && reinit <= 1)) throw new RangeError(`ReplayBuffer: reinit must be in [0, 1] (got ${reinit})`);
    checkBox('ReplayBuffer', box);
    this.points = uniformInBox(box, capacity, rng);
  }

  /**
   * n chains to run: distinct slots drawn uniformly (partial Fisher–Yates), reinitialised with
   * probability `reinit` each.
   * @throws RangeError when n is not an integer in [1, capacity]
   */
  draw(n: number, rng: Rng): ReplayDraw {
    if (!Number.isInteger(n) || n < 1 || n > this.capacity) throw new RangeError(`ReplayBuffer.draw: n must be an integer in [1, ${this.capacity}] (got ${n})`);
    const slots = sampleWithoutReplacement(this.capacity, n, rng);
    const points = new Float32Array(2 * n);
    const w = this.box.hi - this.box.lo;
    let reinitialised = 0;
    for (let i = 0; i < n; i++) {
      if (rng.uniform() < this.reinit) {
        points[2 * i] = this.box.lo + w * rng.uniform();
        points[2 * i + 1] = this.box.lo + w * rng.uniform();
        reinitialised++;
      } else {
        points[2 * i] = this.points[2 * slots[i]];
        points[2 * i + 1] = this.points[2 * slots[i] + 1];
      }
    }
    return { slots, points, reinitialised };
  }

  /** Stores the chains' new positions: `points` row-major [n, 2] into `slots` [n]. */
  update(slots: Int32Array, points: Float32Array): void {
    if (points.length !== 2 * slots.length) throw new RangeError(`ReplayBuffer.update: points must be [${slots.length}, 2] (got ${points.length} values)`);
    for (let i = 0; i < slots.length; i++) {
      this.points[2 * slots[i]] = points[2 * i];
      this.points[2 * slots[i] + 1] = points[2 * i + 1];
    }
  }

  /** Replaces the stored chains (a checkpoint's), row-major [capacity, 2]. */
  load(points: Float32Array): void {
    if (points.length !== this.points.length) throw new RangeError(`ReplayBuffer.load: expected [${this.capacity}, 2] = ${this.points.length} values (got ${points.length})`);
    this.points.set(points);
  }
}

/** n distinct integers of [0, size), uniformly: the first n of a partial Fisher–Yates shuffle. */
function sampleWithoutReplacement(size: number, n: number, rng: Rng): Int32Array {
  // A sparse swap map keeps the draw O(n) however large the buffer is.
  const swapped = new Map<number, number>();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.uniform() * (size - i));
    const vj = swapped.get(j) ?? j;
    out[i] = vj;
    swapped.set(j, swapped.get(i) ?? i);
  }
  return out;
}
