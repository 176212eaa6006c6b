import type { Bond } from '../bond.ts';
import { configurationCount } from '../configurations.ts';
import { latticeEnergyOfStates } from '../latticeEnergy.ts';

/**
 * ln Z and exact energies of every configuration of an L×L periodic lattice by enumeration
 * (q^{L²} ≤ 2^24 configurations: Ising L ≤ 4, Potts q = 3 L ≤ 3). The reference Kaufman's formula
 * and the variational free energy are tested against.
 */
export function bruteForceLattice(L: number, bond: Bond): { logZ: number; energies: Float64Array } {
  const q = bond.states, N = L * L;
  const count = configurationCount(N, q);
  const energies = new Float64Array(count);
  const state = new Uint8Array(N);
  for (let s = 0; s < count; s++) {
    let r = s;
    for (let i = 0; i < N; i++) { state[i] = r % q; r = Math.floor(r / q); }
    energies[s] = latticeEnergyOfStates(state, L, bond)[0];
  }
  let minE = Infinity;
  for (const e of energies) minE = Math.min(minE, e);
  let z = 0;
  for (const e of energies) z += Math.exp(-bond.beta * (e - minE));
  return { logZ: Math.log(z) - bond.beta * minE, energies };
}
