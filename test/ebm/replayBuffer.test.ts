import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../../src/ebm/replayBuffer.ts';
import { Rng } from '../../src/random/rng.ts';

const box = { lo: -4, hi: 4 };

describe('ReplayBuffer', () => {
  it('starts uniform on the box and draws distinct slots', () => {
    const b = new ReplayBuffer(1000, box, 0.05, new Rng(1));
    for (const v of b.points) expect(v >= -4 && v < 4).toBe(true);
    const d = b.draw(1000, new Rng(2));
    expect(new Set(d.slots).size).toBe(1000);
  });

  it('restarts a binomial fraction of the drawn chains from noise and hands the others back as stored', () => {
    const b = new ReplayBuffer(500, box, 0.05, new Rng(3));
    b.points.fill(10); // outside the box: any point inside it was freshly drawn
    let fresh = 0;
    const draws = 200, n = 100;
    const rng = new Rng(4);
    for (let t = 0; t < draws; t++) {
      const d = b.draw(n, rng);
      let inside = 0;
      for (let i = 0; i < n; i++) if (d.points[2 * i] !== 10) inside++;
      expect(inside).toBe(d.reinitialised);
      fresh += d.reinitialised;
    }
    const total = draws * n;
    // Binomial(20 000, 0.05): sd √(20 000 · 0.05 · 0.95) ≈ 31.
    expect(Math.abs(fresh - 0.05 * total)).toBeLessThan(5 * Math.sqrt(total * 0.05 * 0.95));
    expect(new ReplayBuffer(10, box, 0, new Rng(1)).draw(10, new Rng(1)).reinitialised).toBe(0);
    expect(new ReplayBuffer(10, box, 1, new Rng(1)).draw(10, new Rng(1)).reinitialised).toBe(10);
  });

  it('writes chains back to their slots, and repeats itself from the same seeds', () => {
    const b = new ReplayBuffer(50, box, 0, new Rng(5));
    const d = b.draw(3, new Rng(6));
    b.update(d.slots, Float32Array.of(1, 2, 3, 4, 5, 6));
    expect(Array.from(d.slots, (s) => [b.points[2 * s], b.points[2 * s + 1]])).toEqual([[1, 2], [3, 4], [5, 6]]);
    const c = new ReplayBuffer(50, box, 0, new Rng(5));
    expect(c.draw(3, new Rng(6))).toEqual(new ReplayBuffer(50, box, 0, new Rng(5)).draw(3, new Rng(6)));
  });

  it('refuses bad settings by name', () => {
    expect(() => new ReplayBuffer(0, box, 0.05, new Rng(1))).toThrow(/capacity must be an integer ≥ 1 \(got 0\)/);
    expect(() => new ReplayBuffer(10, box, 1.5, new Rng(1))).toThrow(/reinit must be in \[0, 1\] \(got 1.5\)/);
    expect(() => new ReplayBuffer(10, box, 0.1, new Rng(1)).draw(11, new Rng(1))).toThrow(/n must be an integer in \[1, 10\] \(got 11\)/);
    expect(() => new ReplayBuffer(10, box, 0.1, new Rng(1)).load(new Float32Array(3))).toThrow(/expected \[10, 2\]/);
  });
});
