import type { Rng } from '../random/rng.ts';
import { SCHEMES, type Scheme } from './apparatus.ts';
import { logAddExp, logTwoCosh } from './branchFactors.ts';
import { dipolarCosine } from './dipolarCosine.ts';

/**
 * Knowledge acquisition by the apparatus (issue 15): how far apart the two branches s = ±1 of the
 * cat are in record space (their overlap, the decoherence factor), and how much the record x tells
 * about s (the mutual information I(s; x)).
 *
 * Given s the N outcomes are i.i.d. with p(xᵢ | s) = (1 + s t xᵢ₃)/Ω (t = tanh ε; Ω = 2, xᵢ₃ = xᵢ = ±1
 * for the fixed scheme; Ω = 4π, xᵢ a unit vector for the random one), so the posterior half-log-odds
 * is α_N = α₀ + Σᵢ artanh(t xᵢ₃) (fixed: α₀ + ε S) and p(+ | x) = σ(2α_N).
 */

/** The Bhattacharyya coefficient BC = Σ_x √(p(x | +) p(x | −)) of the two branches' record laws. */
export interface BranchOverlap {
  /** BC₁ of one qubit: sech ε (fixed), ½(√(1 − t²) + arcsin(t)/t) (random); 1 at ε = 0. */
  readonly perQubit: number;
  /** log BC₁, accurate for small ε (no cancellation in 1 − BC₁). */
  readonly logPerQubit: number;
  /** BC = BC₁^N, the decoherence factor |⟨branch₊|branch₋⟩| of the record; underflows to 0 for large Nε². */
  readonly overlap: number;
  /** log BC = N log BC₁, finite for any N. */
  readonly logOverlap: number;
}

/**
 * Overlap of the two branches' record distributions after `qubits` weak measurements of strength
 * `epsilon`. For small ε, BC ≈ e^{−Nε²/2} (fixed) and e^{−Nε²/6} (random axis: only the x₃
 * component, ⟨x₃²⟩ = 1/3, carries information).
 *
 * @example branchOverlap('random', 0.1, 300).overlap // ≈ e^{−1/2}
 * @throws RangeError naming the argument for an unknown scheme, ε not finite ≥ 0, N not an integer ≥ 0.
 */
export function branchOverlap(scheme: Scheme, epsilon: number, qubits: number): BranchOverlap {
  checkScheme('branchOverlap', scheme);
  checkEpsilon('branchOverlap', epsilon);
  if (!Number.isInteger(qubits) || qubits < 0) throw new RangeError(`branchOverlap: qubits must be an integer ≥ 0 (got ${qubits})`);
  const logPerQubit = epsilon === 0 ? 0 : scheme === 'fixed' ? -logCosh(epsilon) : Math.log1p(-oneMinusRandomOverlap(Math.tanh(epsilon)));
  const logOverlap = qubits === 0 ? 0 : qubits * logPerQubit;
  return { perQubit: Math.exp(logPerQubit), logPerQubit, overlap: Math.exp(logOverlap), logOverlap };
}

/** log cosh ε without cancellation near 0 (cosh ε − 1 = 2 sinh²(ε/2)). */
function logCosh(e: number): number {
  if (e < 1) {
    const sh = Math.sinh(e / 2);
    return Math.log1p(2 * sh * sh);
  }
  return logTwoCosh(e) - Math.LN2;
}

/**
 * 1 − BC₁ for the random scheme, BC₁ = ∫₀¹ √(1 − t²u²) du = ½(√(1 − t²) + arcsin(t)/t). For small t
 * the series Σ_k c_k t^{2k}/(2k + 1), c_k = C(2k, k)/((2k − 1) 4^k) (from 1 − √(1 − y) = Σ c_k y^k),
 * i.e. t²/6 + t⁴/40 + t⁶/112 + …; √(1 − t²) = sech ε is passed in exactly otherwise.
 */
function oneMinusRandomOverlap(t: number): number {
  if (t === 0) return 0;
  if (t < 0.1) {
    let sum = 0;
    let c = 0.5; // c₁
    let power = t * t;
    for (let k = 1; k <= 14; k++) {
      sum += (c * power) / (2 * k + 1);
      c *= (2 * k - 1) / (2 * (k + 1)); // c_{k+1}/c_k
      power *= t * t;
    }
    return sum;
  }
  return 1 - 0.5 * (Math.sqrt((1 - t) * (1 + t)) + Math.asin(t) / t);
}

/** What {@link branchInformation} needs: the apparatus's scheme, ε, N and α₀. */
export interface BranchInformationConfig {
  scheme: Scheme;
  /** measurement strength ε, finite, ≥ 0: one for all qubits, or N values ε₁ … ε_N (heterogeneous sensors). */
  epsilon: number | ArrayLike<number>;
  /** number N of measured qubits, integer ≥ 1. */
  qubits: number;
  /** initial α₀ of the cat, finite (default 0). */
  alpha0?: number;
}

export type InformationMethod = 'exact' | 'monte-carlo';

export interface BranchInformationOptions {
  /**
   * `exact` (fixed scheme with one ε only: a sum over S) or `monte-carlo`. Default: exact for a fixed
   * scheme with one ε, monte-carlo otherwise.
   */
  method?: InformationMethod;
  /** Monte Carlo records M, integer ≥ 2 (default 4000). */
  samples?: number;
  /** Randomness for Monte Carlo (required there). */
  rng?: Rng;
}

/** I(s; x) = H(s) − E_x[H(s | x)] in nats, with the Bayes error of guessing s from x. */
export interface BranchInformation {
  readonly method: InformationMethod;
  /** I(s; x) in nats, 0 ≤ I ≤ H(s). */
  readonly information: number;
  /** Its Monte Carlo standard error; 0 for the exact sum. */
  readonly standardError: number;
  /** H(s), the prior's binary entropy h(σ(2α₀)) in nats. */
  readonly priorEntropy: number;
  /** P_e = E_x[min(p(+ | x), p(− | x))], the error of the best guess of s from x. */
  readonly bayesError: number;
  readonly bayesErrorStandardError: number;
  /** Records drawn (0 for the exact sum). */
  readonly samples: number;
}

/**
 * The mutual information between the branch s and the record x.
 *
 * - `exact` (fixed scheme): k = #(+1) is σ₊ Bin(N, p₊) + σ₋ Bin(N, p₋), p± = e^{±ε}/(2 cosh ε), and
 *   α_N = α₀ + ε(2k − N); the sum over k = 0 … N runs in logs, so N = 10⁵ is fine (O(N)).
 * - `monte-carlo` (either scheme): M records drawn exactly — s from its prior, then each xᵢ₃ given s
 *   (fixed: ±1; random: u on [−1, 1] with density (1 + s tᵢ u)/2 by inverse CDF) — averaging
 *   H(s | x) = h(σ(2α_N)), α_N = α₀ + Σ artanh(tᵢ xᵢ₃); O(M N). Heterogeneous sensors (an ε array
 *   that is not constant) use this method; a constant array is the scalar case.
 *
 * @example branchInformation({ scheme: 'random', epsilon: 0.1, qubits: 300 }, { samples: 4000, rng: new Rng(1) })
 * @throws RangeError naming the argument for a bad config, `exact` on the random scheme, or a missing rng.
 */
export function branchInformation(config: BranchInformationConfig, options: BranchInformationOptions = {}): BranchInformation {
  const { scheme, qubits } = config;
  const alpha0 = config.alpha0 ?? 0;
  checkScheme('branchInformation', scheme);
  if (!Number.isInteger(qubits) || qubits < 1) throw new RangeError(`branchInformation: qubits must be an integer ≥ 1 (got ${qubits})`);
  const epsilons = perQubit(config.epsilon, qubits);
  const uniform = epsilons.every((e) => e === epsilons[0]);
  if (!Number.isFinite(alpha0)) throw new RangeError(`branchInformation: alpha0 must be finite (got ${alpha0})`);
  const method = options.method ?? (scheme === 'fixed' && uniform ? 'exact' : 'monte-carlo');
  if (method === 'exact') {
    if (scheme !== 'fixed') throw new RangeError(`branchInformation: method 'exact' needs scheme 'fixed' (got '${scheme}'); use 'monte-carlo'`);
    if (!uniform) throw new RangeError("branchInformation: method 'exact' needs one ε for all qubits (got ε varying from qubit to qubit); use 'monte-carlo'");
    return exactFixed(epsilons[0], qubits, alpha0);
  }
  if (method !== 'monte-carlo') throw new RangeError(`branchInformation: method must be 'exact' or 'monte-carlo' (got '${String(method)}')`);
  const samples = options.samples ?? 4000;
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`branchInformation: samples must be an integer ≥ 2 (got ${samples})`);
  if (options.rng == null) throw new RangeError('branchInformation: method monte-carlo needs options.rng');
  return monteCarlo(scheme, epsilons, alpha0, samples, options.rng);
}

/** ε as N per-qubit values, validated. */
function perQubit(epsilon: number | ArrayLike<number>, n: number): Float64Array {
  if (typeof epsilon === 'number') {
    checkEpsilon('branchInformation', epsilon);
    return new Float64Array(n).fill(epsilon);
  }
  if (epsilon == null || typeof epsilon.length !== 'number' || epsilon.length !== n) {
    throw new RangeError(`branchInformation: epsilon must be a number or N = ${n} numbers (got length ${String(epsilon?.length)})`);
  }
  const out = Float64Array.from(epsilon);
  out.forEach((e, i) => {
    if (!Number.isFinite(e) || e < 0) throw new RangeError(`branchInformation: epsilon[${i}] must be a finite number ≥ 0 (got ${e})`);
  });
  return out;
}

/** h(σ(z)) in nats, the binary entropy of σ(z) = 1/(1 + e^{−z}); symmetric in z, stable for any z. */
export function binaryEntropyOfLogit(z: number): number {
  const a = Math.abs(z);
  const e = Math.exp(-a);
  return Math.log1p(e) + (a * e) / (1 + e);
}

function exactFixed(epsilon: number, n: number, alpha0: number): BranchInformation {
  const priorEntropy = binaryEntropyOfLogit(2 * alpha0);
  const logSp = alpha0 - logTwoCosh(alpha0), logSm = -alpha0 - logTwoCosh(alpha0);
  const logPp = epsilon - logTwoCosh(epsilon), logPm = -epsilon - logTwoCosh(epsilon);
  let expectedEntropy = 0;
  let bayesError = 0;
  let logChoose = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log((n - k + 1) / k);
    // log P(k, s = ±1): branch weight × binomial.
    const up = logChoose + logSp + k * logPp + (n - k) * logPm;
    const down = logChoose + logSm + k * logPm + (n - k) * logPp;
    expectedEntropy += Math.exp(logAddExp(up, down)) * binaryEntropyOfLogit(up - down);
    bayesError += Math.exp(Math.min(up, down));
  }
  const information = epsilon === 0 ? 0 : Math.min(priorEntropy, Math.max(0, priorEntropy - expectedEntropy));
  return { method: 'exact', information, standardError: 0, priorEntropy, bayesError: Math.min(bayesError, 0.5), bayesErrorStandardError: 0, samples: 0 };
}

function monteCarlo(scheme: Scheme, epsilons: Float64Array, alpha0: number, samples: number, rng: Rng): BranchInformation {
  const priorEntropy = binaryEntropyOfLogit(2 * alpha0);
  const piPlus = 1 / (1 + Math.exp(-2 * alpha0));
  const n = epsilons.length;
  const uniform = epsilons.every((e) => e === epsilons[0]);
  const epsilon = epsilons[0], t = Math.tanh(epsilon);
  const ts = epsilons.map(Math.tanh);
  let hSum = 0, hSq = 0, eSum = 0, eSq = 0;
  for (let m = 0; m < samples; m++) {
    const s = rng.uniform() < piPlus ? 1 : -1;
    let alpha = alpha0;
    if (!uniform) {
      // Heterogeneous sensors: each qubit moves α by artanh(tᵢ xᵢ₃) (= εᵢ xᵢ on the fixed axis).
      for (let i = 0; i < n; i++) {
        const u = scheme === 'fixed' ? (rng.uniform() < (1 + s * ts[i]) / 2 ? 1 : -1) : dipolarCosine(s * ts[i], rng.uniform());
        alpha += scheme === 'fixed' ? epsilons[i] * u : Math.atanh(ts[i] * u);
      }
    } else if (scheme === 'fixed') {
      const pUp = (1 + s * t) / 2;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += rng.uniform() < pUp ? 1 : -1;
      alpha += epsilon * sum;
    } else {
      const a = s * t;
      for (let i = 0; i < n; i++) alpha += Math.atanh(t * dipolarCosine(a, rng.uniform()));
    }
    const h = binaryEntropyOfLogit(2 * alpha);
    const pe = 1 / (1 + Math.exp(2 * Math.abs(alpha)));
    hSum += h;
    hSq += h * h;
    eSum += pe;
    eSq += pe * pe;
  }
  const se = (sum: number, sq: number) => Math.sqrt(Math.max(0, (sq - (sum * sum) / samples) / (samples - 1)) / samples);
  return {
    method: 'monte-carlo',
    information: priorEntropy - hSum / samples,
    standardError: se(hSum, hSq),
    priorEntropy,
    bayesError: eSum / samples,
    bayesErrorStandardError: se(eSum, eSq),
    samples,
  };
}

function checkScheme(fn: string, scheme: Scheme): void {
  if (!SCHEMES.includes(scheme)) throw new RangeError(`${fn}: scheme must be one of ${SCHEMES.join(', ')} (got '${String(scheme)}')`);
}

function checkEpsilon(fn: string, epsilon: number): void {
  if (!Number.isFinite(epsilon) || epsilon < 0) throw new RangeError(`${fn}: epsilon must be a finite number ≥ 0 (got ${epsilon})`);
}
