import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Rng } from '../../src/random/rng.ts';
import { ising, potts, type Bond } from '../../src/lattice/bond.ts';
import { toOneHot } from '../../src/lattice/configurations.ts';
import { latticeEnergy, latticeEnergyOfStates, magnetisationOfStates } from '../../src/lattice/latticeEnergy.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Independent brute force: each site with its four torus neighbours, every bond seen twice → halve. */
function bruteEnergy(state: ArrayLike<number>, L: number, bond: Bond): number {
  const q = bond.states;
  let s = 0;
  for (let r = 0; r < L; r++) {
    for (let c = 0; c < L; c++) {
      for (const [dr, dc] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const rr = (r + dr + L) % L, cc = (c + dc + L) % L;
        s += bond.energy[state[r * L + c] * q + state[rr * L + cc]] / 2;
      }
    }
  }
  return s;
}

describe('latticeEnergy', () => {
  for (const [name, bond] of [['Ising', ising(1)], ['Potts q=3', potts(3, 1)]] as [string, Bond][]) {
    for (const L of [2, 3, 4]) {
      it(`${name}, L=${L}: TF and plain-JS energies equal the four-neighbour brute force`, () => {
        const q = bond.states, n = 20, rng = new Rng(L * 7 + q);
        const states = Uint8Array.from({ length: n * L * L }, () => Math.floor(rng.uniform() * q));
        const js = latticeEnergyOfStates(states, L, bond);
        const tfE = tf.tidy(() => latticeEnergy(tf.tensor2d(toOneHot(states, L * L, q), [n, L * L * q]), L, bond).dataSync());
        for (let k = 0; k < n; k++) {
          const ref = bruteEnergy(states.subarray(k * L * L, (k + 1) * L * L), L, bond);
          expect(js[k]).toBeCloseTo(ref, 10);
          expect(tfE[k]).toBeCloseTo(ref, 4);
        }
      });
    }
  }

  it('Ising ground state −2L², checkerboard +2L² (even L); 2L² bonds', () => {
    const L = 4, up = new Uint8Array(16), chk = Uint8Array.from({ length: 16 }, (_, i) => ((i % 4) + Math.floor(i / 4)) % 2);
    expect(latticeEnergyOfStates(up, L, ising(1))[0]).toBe(-32);
    expect(latticeEnergyOfStates(chk, L, ising(1))[0]).toBe(32);
  });

  it('magnetisation: Ising signed m and majority sign; Potts order parameter in [0, 1]', () => {
    const { m, majority } = magnetisationOfStates(Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0]), 4, 2);
    expect(Array.from(m)).toEqual([0.5, -0.5, 0]);
    expect(Array.from(majority)).toEqual([0, 1, -1]);
    const p = magnetisationOfStates(Uint8Array.from([2, 2, 2, 0, 1, 2]), 3, 3);
    expect(p.m[0]).toBe(1);
    expect(p.m[1]).toBe(0);
  });
});
