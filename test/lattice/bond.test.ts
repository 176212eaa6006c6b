import { describe, expect, it } from 'vitest';
import { ising, pairOverlap, potts } from '../../src/lattice/bond.ts';

describe('bond weights', () => {
  it("Ising(1) is the seed's matrix [[e, 1/e], [1/e, e]]", () => {
    expect(Array.from(ising(1).weight)).toEqual([Math.E, 1 / Math.E, 1 / Math.E, Math.E].map((v) => expect.closeTo(v, 12)));
    expect(ising(0.3).criticalBeta).toBeCloseTo(0.44068679350977, 12);
  });

  it('Potts(q, β): e^β on the diagonal, 1 elsewhere; q = 2 Potts at 2β equals Ising at β up to the factor e^β', () => {
    const p = potts(3, 0.7);
    expect(Array.from(p.weight)).toEqual([Math.exp(0.7), 1, 1, 1, Math.exp(0.7), 1, 1, 1, Math.exp(0.7)].map((v) => expect.closeTo(v, 12)));
    const p2 = potts(2, 1.2), i1 = ising(0.6);
    for (let k = 0; k < 4; k++) expect(p2.weight[k] / i1.weight[k]).toBeCloseTo(Math.exp(0.6), 12);
    expect(potts(3, 1).criticalBeta).toBeCloseTo(Math.log(1 + Math.sqrt(3)), 12);
  });

  it('pair overlap is s_a s_b for q = 2 and averages to 0 over independent uniform states', () => {
    expect([pairOverlap(2, 0, 0), pairOverlap(2, 0, 1), pairOverlap(2, 1, 1)]).toEqual([1, -1, 1]);
    let s = 0;
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) s += pairOverlap(4, a, b);
    expect(s).toBeCloseTo(0, 12);
  });

  it('rejects bad parameters naming them', () => {
    expect(() => ising(-1)).toThrow(/beta must be a finite number ≥ 0 \(got -1\)/);
    expect(() => potts(1, 1)).toThrow(/q must be an integer in \[2, 255\] \(got 1\)/);
  });
});
