import type { Bond } from './bond.ts';
import { bruteForceLattice } from './exact/bruteForce.ts';
import { isingTorusLogZ } from './exact/isingTorusLogZ.ts';
import { ringCorrelation, transferStationary } from './exact/transferStationary.ts';

/** Largest q^N the exact references enumerate (2^16: Ising L = 4, or a 16-site ring). */
export const ENUMERATION_LIMIT = 2 ** 16;

/** Exact answers for the transfer-matrix problem on an N-site ring (null where N is too large). */
export interface TransferReference {
  readonly kind: 'transfer';
  /** Stationary distribution over all q^N rows (enumeration order). */
  readonly probs: Float64Array;
  readonly logLambda: number;
  /** Free energy per site and row, f = −ln λ / (β N). */
  readonly freeEnergy: number;
  /** C(r), r = 0 … N−1. */
  readonly correlation: Float64Array;
}

/** Exact answers for the L×L periodic lattice. */
export interface LatticeReference {
  readonly kind: 'lattice';
  /** Exact free energy per site at inverse temperature β (for annealed runs), or null if unknown. */
  freeEnergy(beta: number): number | null;
  /** ln p_β(x) of all q^{L²} configurations (enumeration order) at inverse temperature β, when enumerable (Ising L ≤ 4), else null. */
  logBoltzmann(beta: number): Float64Array | null;
  /** How the reference is computed. */
  readonly method: 'kaufman' | 'enumeration' | 'none';
}

/** Power iteration for N sites (q^N ≤ 2^20, e.g. Ising N ≤ 20), else null. */
export function transferReference(units: number, bond: Bond): TransferReference | null {
  if (bond.states ** units > 2 ** 20) return null;
  const st = transferStationary(units, bond);
  return {
    kind: 'transfer',
    probs: st.probs,
    logLambda: st.logLambda,
    freeEnergy: -st.logLambda / (bond.beta * units),
    correlation: ringCorrelation(st.probs, units, bond.states),
  };
}

/** Kaufman for Ising at any L; enumeration for small Potts lattices; otherwise no free energy. */
export function latticeReference(L: number, bond: Bond): LatticeReference {
  const N = L * L, q = bond.states;
  const enumerable = q ** N <= ENUMERATION_LIMIT;
  const energies = enumerable ? bruteForceLattice(L, bond).energies : null;
  const logZAt = (beta: number): number | null => {
    if (bond.model === 'ising') return isingTorusLogZ(L, beta);
    if (!energies) return null;
    let minE = Infinity;
    for (const e of energies) minE = Math.min(minE, e);
    let z = 0;
    for (const e of energies) z += Math.exp(-beta * (e - minE));
    return Math.log(z) - beta * minE;
  };
  return {
    kind: 'lattice',
    freeEnergy: (beta) => {
      const lz = logZAt(beta);
      return lz == null ? null : -lz / (beta * N);
    },
    logBoltzmann: (beta) => {
      if (!energies) return null;
      const logZ = logZAt(beta) as number;
      return energies.map((e) => -beta * e - logZ);
    },
    method: bond.model === 'ising' ? 'kaufman' : energies ? 'enumeration' : 'none',
  };
}
