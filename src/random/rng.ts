/**
 * A small, fast, seedable pseudo-random generator (xoshiro128**, seeded by splitmix32).
 *
 * Randomness is always an explicit argument in this toolkit: samplers take an `Rng`,
 * tensor samplers draw integer seeds for TF.js ops from one (`rng.seed()`), so the same
 * seed, config and backend give the same numbers. No module-level state.
 *
 * @example
 *   const rng = new Rng(1);
 *   rng.uniform();      // in [0, 1)
 *   rng.fork();         // independent child stream, e.g. one per operator
 */
export class Rng {
  // The state as signed 32-bit integers (the same bits as the uint32 words `state()` reports):
  // values that fit V8's small integers, so advancing the generator allocates nothing (as uint32
  // above 2³¹ they were heap numbers: 46 ns per draw instead of a few).
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed any finite number; 0 is a valid seed (never treated as "no seed"). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`Rng: seed must be a finite number (got ${seed})`);
    }
    let h = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    // Mix the high part of large seeds too, so 2**32 + k differs from k.
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const split = (): number => {
      h = (h + 0x9e3779b9) >>> 0;
      let z = h ^ hi;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split() | 0;
    this.s1 = split() | 0;
    this.s2 = split() | 0;
    this.s3 = split() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.s2 ^ this.s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = this.s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = rotl(s3, 11);
    return result;
  }

  /**
   * Fills `out` with the next out.length raw words — the same words as that many nextUint32()
   * calls, in a loop that keeps the state in locals (several times faster for bulk draws).
   */
  fillUint32(out: Uint32Array): Uint32Array {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let k = 0; k < out.length; k++) {
      out[k] = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    return out;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal draw (Box–Muller; one value per call, the pair's twin is discarded for simplicity). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** An integer seed for a TF.js random op (tf.randomUniform(..., seed)). */
  seed(): number {
    return this.nextUint32();
  }

  /** The generator's full state (4 × uint32), for checkpoints: `Rng.fromState(rng.state())` continues the same stream. */
  state(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /**
   * Continues from `state` (4 × uint32) in place: how a kernel that drew from a copy of this
   * generator's stream (energy/native/rbm.c) hands the advanced stream back.
   */
  setState(state: readonly number[]): void {
    const next = Rng.fromState(state);
    [this.s0, this.s1, this.s2, this.s3] = [next.s0, next.s1, next.s2, next.s3];
  }

  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || state.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new RangeError(`Rng.fromState: state must be 4 unsigned 32-bit integers (got [${state.join(', ')}])`);
    }
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((v) => v | 0) as [number, number, number, number];
    return rng;
  }

  /** An independent child generator; use one per stage so stages do not perturb each other's streams. */
  fork(): Rng {
    return new Rng(this.nextUint32() * 4294967296 + this.nextUint32());
  }
}

/** Rotate left on int32 bits (the result as a signed 32-bit integer). */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
