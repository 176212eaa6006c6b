/**
 * Sweeps of the emergent-classicality VAE over measurement strength ε and qubit count N — the
 * seed's open questions: how m(μ_z) follows the magnetisation as a function of N (or ε), whether
 * the statistics collapse on Nε² (universality), how σ_z scales with Nε² (the seed saw ≈ −0.34
 * where −1/2 was expected), and where the latent space bifurcates. The grid itself is run by
 * `src/sweep/` (any pipeline); this file holds what is particular to the VAE's summary.
 */
import type { EmergentClassicalityConfig } from './emergent-classicality.ts';
import { Rng } from '../src/random/rng.ts';
import type { Scheme } from '../src/simulators/apparatus.ts';
import { branchInformation, branchOverlap } from '../src/simulators/knowledge.ts';

/** The columns of a VAE sweep point that the Nε² summary needs, from the point's config. */
export interface VaePointColumns {
  [column: string]: string | number;
  scheme: string;
  /** ε (the largest per-qubit ε for heterogeneous sensors). */
  epsilon: number;
  qubits: number;
  /** Nε², the seed's universal variable. */
  n_eps2: number;
}

/** A VAE sweep point's scheme, ε, N and Nε². */
export function vaePointColumns(config: EmergentClassicalityConfig): VaePointColumns {
  return { scheme: config.scheme, epsilon: config.epsilon, qubits: config.qubits, n_eps2: config.qubits * config.epsilon ** 2 };
}

/**
 * Nε² values for a dense curve over a sweep: `count` log-spaced values from half the smallest
 * positive Nε² to twice the largest, merged with the sweep's own values (so the curve passes
 * through the measured points exactly, not by interpolation), ascending.
 * @param nEps2 the sweep's Nε² values (those ≤ 0 or non-finite are left out)
 * @returns an empty array when no value is positive
 */
export function knowledgeGrid(nEps2: readonly number[], count = 48): number[] {
  const own = nEps2.filter((x) => Number.isFinite(x) && x > 0);
  if (own.length === 0) return [];
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`knowledgeGrid: count must be an integer ≥ 2 (got ${count})`);
  const lo = Math.log10(Math.min(...own) / 2), hi = Math.log10(Math.max(...own) * 2);
  const dense = Array.from({ length: count }, (_, i) => 10 ** (lo + ((hi - lo) * i) / (count - 1)));
  return [...new Set([...dense, ...own])].sort((a, b) => a - b);
}

export interface KnowledgeCurveOptions {
  scheme: Scheme;
  /** The one N of the whole curve, an integer ≥ 1; ε = √(Nε²/N) varies along it. */
  qubits: number;
  /** Initial α₀ of the cat (default 0). */
  alpha0?: number;
  /** Monte Carlo records per grid value on the random scheme (default 2000). */
  samples?: number;
  /** Seed of the Monte Carlo (default 15); every grid value reuses it, so the curve is smooth in ε. */
  seed?: number;
}

/** The exact knowledge curves of a sweep, each of the length of `n_eps2`. */
export interface KnowledgeCurve {
  qubits: number;
  n_eps2: number[];
  /** I(s; x) in nats (branchInformation: exact sum on the fixed axis, Monte Carlo on the random one). */
  information: number[];
  /** Its standard error (0 on the fixed axis). */
  standardError: number[];
  /** The Bhattacharyya overlap of the two branches' record laws (branchOverlap), ≈ e^{−Nε²/2} fixed, e^{−Nε²/6} random. */
  overlap: number[];
}

/**
 * I(s; x) and the branch overlap along `nEps2` at one qubit count: both depend on N and ε only
 * through Nε² to leading order (corrections O(ε²) at fixed Nε²), so one N — the sweep's largest —
 * draws the curve that points of every N should sit on.
 * @example knowledgeCurve(knowledgeGrid([0.5, 2, 4.5]), { scheme: 'fixed', qubits: 50 }).information
 * @throws RangeError naming the argument for a bad N or Nε² (from branchInformation / branchOverlap).
 */
export function knowledgeCurve(nEps2: readonly number[], options: KnowledgeCurveOptions): KnowledgeCurve {
  const { scheme, qubits } = options;
  if (!Number.isInteger(qubits) || qubits < 1) throw new RangeError(`knowledgeCurve: qubits must be an integer ≥ 1 (got ${qubits})`);
  const curve: KnowledgeCurve = { qubits, n_eps2: [...nEps2], information: [], standardError: [], overlap: [] };
  for (const x of nEps2) {
    if (!Number.isFinite(x) || x < 0) throw new RangeError(`knowledgeCurve: every Nε² must be a finite number ≥ 0 (got ${x})`);
    const epsilon = Math.sqrt(x / qubits);
    const info = branchInformation(
      { scheme, epsilon, qubits, alpha0: options.alpha0 ?? 0 },
      scheme === 'fixed' ? { method: 'exact' } : { samples: options.samples ?? 2000, rng: new Rng(options.seed ?? 15) },
    );
    curve.information.push(info.information);
    curve.standardError.push(info.standardError);
    curve.overlap.push(branchOverlap(scheme, epsilon, qubits).overlap);
  }
  return curve;
}
