import { describe, expect, it } from 'vitest';
import { Rng } from '../src/random/rng.ts';

describe('Rng', () => {
  it('is reproducible and treats seed 0 as a real seed', () => {
    const a = new Rng(0), b = new Rng(0), c = new Rng(1);
    const xa = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xa);
  });

  it('draws uniforms with mean 1/2 and variance 1/12 within 5 standard errors', () => {
    const rng = new Rng(42), n = 200_000;
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const u = rng.uniform(); s += u; s2 += u * u; }
    const mean = s / n, variance = s2 / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // Var of the sample variance of U(0,1) is (1/80 - 1/144)/n.
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
  });

  it('draws normals with unit variance', () => {
    const rng = new Rng(7), n = 100_000;
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const z = rng.normal(); s += z; s2 += z * z; }
    expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });
});

describe('Rng state', () => {
  it('round-trips through state() / fromState()', () => {
    const a = new Rng(3);
    a.uniform();
    const b = Rng.fromState(a.state());
    expect(Array.from({ length: 4 }, () => b.nextUint32())).toEqual(Array.from({ length: 4 }, () => a.nextUint32()));
    expect(() => Rng.fromState([1, 2, 3])).toThrow(/4 unsigned 32-bit integers/);
  });
});

describe('Rng.fillUint32', () => {
  it('gives the words of as many nextUint32 calls and leaves the generator where they would', async () => {
    const { Rng } = await import('../src/random/rng.ts');
    const a = new Rng(99);
    const b = new Rng(99);
    const words = a.fillUint32(new Uint32Array(1000));
    for (let k = 0; k < 1000; k++) expect(words[k]).toBe(b.nextUint32());
    expect(a.state()).toEqual(b.state());
    expect(a.uniform()).toBe(b.uniform());
  });
});
