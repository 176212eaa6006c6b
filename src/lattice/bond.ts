/**
 * Nearest-neighbour bond of a q-state lattice model: energy e(a, b) of two neighbouring sites in
 * states a, b, and the Boltzmann bond weight W(a, b) = exp(−β e(a, b)) the seed calls the bond weight.
 *
 * Conventions (J = 1, k_B = 1):
 * - Ising: state 0 = ↑ (s = +1), state 1 = ↓ (s = −1), e(a, b) = −s_a s_b, so W = [[e^β, e^−β], [e^−β, e^β]] (the seed's `Ising(β)`).
 * - Potts: e(a, b) = −δ_ab, W = e^β on the diagonal, 1 off it. q = 2 Potts at 2β is Ising at β up to a constant.
 */
export interface Bond {
  readonly model: 'ising' | 'potts';
  /** Number of states per site, q. */
  readonly states: number;
  readonly beta: number;
  /** e(a, b), row-major [q, q]. */
  readonly energy: Float64Array;
  /** W(a, b) = exp(−β e(a, b)), row-major [q, q]. */
  readonly weight: Float64Array;
  /** β_c of this model on the infinite square lattice (ordered phase for β > β_c). */
  readonly criticalBeta: number;
}

/** Ising bond weights at inverse temperature β ≥ 0. */
export function ising(beta: number): Bond {
  checkBeta('ising', beta);
  const energy = Float64Array.from([-1, 1, 1, -1]);
  return { model: 'ising', states: 2, beta, energy, weight: energy.map((e) => Math.exp(-beta * e)), criticalBeta: Math.log(1 + Math.SQRT2) / 2 };
}

/** q-state Potts bond weights at inverse temperature β ≥ 0 (q ≥ 2). */
export function potts(q: number, beta: number): Bond {
  if (!Number.isInteger(q) || q < 2 || q > 255) throw new RangeError(`potts: q must be an integer in [2, 255] (got ${q})`);
  checkBeta('potts', beta);
  const energy = new Float64Array(q * q);
  for (let a = 0; a < q; a++) energy[a * q + a] = -1;
  return { model: 'potts', states: q, beta, energy, weight: energy.map((e) => Math.exp(-beta * e)), criticalBeta: Math.log(1 + Math.sqrt(q)) };
}

/** The same model at another inverse temperature (for β annealing). */
export function withBeta(bond: Bond, beta: number): Bond {
  return bond.model === 'ising' ? ising(beta) : potts(bond.states, beta);
}

/**
 * Order-parameter weight of a pair of states, σ(a, b) = (q δ_ab − 1)/(q − 1): s_a s_b for Ising,
 * the normalised Potts overlap otherwise; correlation functions are ⟨σ(x_0, x_r)⟩.
 */
export function pairOverlap(q: number, a: number, b: number): number {
  return ((a === b ? q : 0) - 1) / (q - 1);
}

function checkBeta(fn: string, beta: number): void {
  if (!Number.isFinite(beta) || beta < 0) throw new RangeError(`${fn}: beta must be a finite number ≥ 0 (got ${beta})`);
}
