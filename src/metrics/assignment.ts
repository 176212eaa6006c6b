import { latentBranchInformation, type LatentBranchInformationOptions } from './branchInformation.ts';

/**
 * Does a model discover which ancillas belong to which system qubit (issue 15, several system
 * qubits)? Two views: the structural one (which latent dimension each ancilla's outcome drives, read
 * off a sensitivity matrix) and the informational one (how much of each true bit some latent carries).
 */

/** Most system qubits for the exhaustive search over the K! matchings; above it a greedy match. */
export const EXHAUSTIVE_MATCHING_LIMIT = 8;

/** The result of {@link assignmentAccuracy}. */
export interface AssignmentAccuracy {
  /** fraction of ancillas whose predicted system qubit is the true one under the best matching, in [0, 1]. */
  readonly accuracy: number;
  /** the matching: latent dim l → system qubit permutation[l], shape [K]. */
  readonly permutation: Int32Array;
  /** predicted system qubit of every ancilla, permutation[argmax_l |sensitivity[i, l]|], shape [N]. */
  readonly predicted: Int32Array;
}

/**
 * Accuracy of the assignment of ancillas to system qubits that a model implies. Each ancilla i is
 * given the latent dim it drives most, l(i) = argmax_l |sensitivity[i, l]| (ties: the lowest l; a row
 * of zeros therefore goes to l = 0); then latent dims are matched one-to-one to system qubits so as
 * to maximise the number of ancillas with permutation[l(i)] = truth[i] — latent dims are only defined
 * up to a permutation. For K ≤ 8 all K! matchings are tried (ties: the first in lexicographic order);
 * above that a greedy match repeatedly pairs the latent dim and system qubit that share the most
 * ancillas, which can fall short of the optimum (a lower bound on the best accuracy).
 *
 * A sensitivity with no information gives ≈ 1/K (slightly more, from maximising over matchings).
 *
 * @param sensitivity how strongly each ancilla and each latent dim are coupled, e.g. |∂mᵢ/∂z_l| of the
 *   decoder or |change of μ_{z_l} when xᵢ is flipped|; shape [N, K] row-major, finite
 * @param truth the true system qubit a(i) ∈ {0 … K−1} of every ancilla, shape [N]
 * @param k the number K of system qubits (= latent dims), integer ≥ 1
 * @example
 *   assignmentAccuracy(Float64Array.of(0, 1, 1, 0, 0, 2), Int32Array.of(0, 1, 0), 2);
 *   // { accuracy: 1, permutation: [1, 0], predicted: [0, 1, 0] }
 * @throws RangeError naming the argument for a bad K, a length mismatch, a non-finite sensitivity or a truth outside 0 … K−1.
 */
export function assignmentAccuracy(sensitivity: ArrayLike<number>, truth: ArrayLike<number>, k: number): AssignmentAccuracy {
  const fn = 'assignmentAccuracy';
  if (!(Number.isSafeInteger(k) && k >= 1)) throw new RangeError(`${fn}: k must be an integer ≥ 1 (got ${String(k)})`);
  if (truth == null || truth.length < 1) throw new RangeError(`${fn}: truth must hold N ≥ 1 system indices (got ${truth == null ? String(truth) : 'length 0'})`);
  const n = truth.length;
  if (sensitivity == null || sensitivity.length !== n * k) {
    throw new RangeError(`${fn}: sensitivity must have shape [N, K] = [${n}, ${k}], i.e. length ${n * k} (got ${sensitivity == null ? String(sensitivity) : `length ${sensitivity.length}`})`);
  }
  const latentOf = new Int32Array(n);
  const counts = new Float64Array(k * k); // counts[l·K + s]: ancillas with latent l and truth s
  for (let i = 0; i < n; i++) {
    const s = truth[i];
    if (!(Number.isInteger(s) && s >= 0 && s < k)) throw new RangeError(`${fn}: truth[${i}] must be an integer in 0 … K−1 = ${k - 1} (got ${String(s)})`);
    let best = 0, bestValue = -1;
    for (let l = 0; l < k; l++) {
      const v = sensitivity[i * k + l];
      if (!Number.isFinite(v)) throw new RangeError(`${fn}: sensitivity[${i}, ${l}] must be finite (got ${String(v)})`);
      if (Math.abs(v) > bestValue) { best = l; bestValue = Math.abs(v); }
    }
    latentOf[i] = best;
    counts[best * k + s]++;
  }
  const permutation = k <= EXHAUSTIVE_MATCHING_LIMIT ? bestMatching(counts, k) : greedyMatching(counts, k);
  let correct = 0;
  for (let l = 0; l < k; l++) correct += counts[l * k + permutation[l]];
  return { accuracy: correct / n, permutation, predicted: latentOf.map((l) => permutation[l]) };
}

/** The permutation maximising Σ_l counts[l, perm[l]], by trying all K! in lexicographic order. */
function bestMatching(counts: Float64Array, k: number): Int32Array {
  const current = new Int32Array(k), used = new Uint8Array(k);
  let best = new Int32Array(k), bestScore = -1;
  const visit = (l: number, score: number): void => {
    if (l === k) {
      if (score > bestScore) { bestScore = score; best = current.slice(); }
      return;
    }
    for (let s = 0; s < k; s++) {
      if (used[s]) continue;
      used[s] = 1;
      current[l] = s;
      visit(l + 1, score + counts[l * k + s]);
      used[s] = 0;
    }
  };
  visit(0, 0);
  return best;
}

/** Greedy matching: repeatedly the largest remaining counts[l, s] (ties: lowest l, then lowest s). */
function greedyMatching(counts: Float64Array, k: number): Int32Array {
  const permutation = new Int32Array(k).fill(-1), taken = new Uint8Array(k);
  for (let step = 0; step < k; step++) {
    let bl = -1, bs = -1, bv = -1;
    for (let l = 0; l < k; l++) {
      if (permutation[l] >= 0) continue;
      for (let s = 0; s < k; s++) if (!taken[s] && counts[l * k + s] > bv) { bl = l; bs = s; bv = counts[l * k + s]; }
    }
    permutation[bl] = bs;
    taken[bs] = 1;
  }
  return permutation;
}

/** The result of {@link bitLatentInformation}, in nats. */
export interface BitLatentInformation {
  /** for each true bit k, the largest held-out lower bound on I(s_k; z_l) over latent dims l, shape [K]. */
  readonly information: Float64Array;
  /** its standard error (of the selected l), shape [K]. */
  readonly se: Float64Array;
  /** the latent dim l that attains it, shape [K]. */
  readonly latentOf: Int32Array;
  /** every estimate, latentBranchInformation(s_k, z_l).information, shape [K, L] row-major. */
  readonly matrix: Float64Array;
}

/**
 * How much of each true bit the latents carry: for every bit k and latent dim l the held-out
 * logistic lower bound `latentBranchInformation(s_k, z_l)` (quadratic in z_l; see there), and for each
 * k the best l. Taking the maximum over L noisy estimates biases the result up by O(se·√(2 log L))
 * when several latents carry about as much; with one informative latent per bit it is negligible.
 * Each latent is scored alone, so a bit spread over several latent dims is undercounted.
 *
 * @param bits the true bits s_k = ±1 of every record, shape [n, K] row-major, n ≥ 4
 * @param latents a per-record summary (e.g. the encoder means μ_z), finite, shape [n, L] row-major
 * @param k the number K of bits, integer ≥ 1
 * @param l the number L of latent dims, integer ≥ 1
 * @example
 *   const { bits, x } = app.sampleWithBits(8000, new Rng(1));
 *   bitLatentInformation(bits, app.posteriorLogOdds(x, 8000), app.systems, app.systems).information; // ≈ app.bitInformation().information
 * @throws RangeError naming the argument for bad K or L, mismatched lengths, a bit not ±1, a latent not finite, n < 4 or bad options.
 */
export function bitLatentInformation(
  bits: ArrayLike<number>,
  latents: ArrayLike<number>,
  k: number,
  l: number,
  options: LatentBranchInformationOptions = {},
): BitLatentInformation {
  const fn = 'bitLatentInformation';
  if (!(Number.isSafeInteger(k) && k >= 1)) throw new RangeError(`${fn}: k must be an integer ≥ 1 (got ${String(k)})`);
  if (!(Number.isSafeInteger(l) && l >= 1)) throw new RangeError(`${fn}: l must be an integer ≥ 1 (got ${String(l)})`);
  if (bits == null || bits.length % k !== 0) {
    throw new RangeError(`${fn}: bits must have shape [n, K] with K = ${k} (got ${bits == null ? String(bits) : `length ${bits.length}`})`);
  }
  const n = bits.length / k;
  if (n < 4) throw new RangeError(`${fn}: need n ≥ 4 records (got ${n})`);
  if (latents == null || latents.length !== n * l) {
    throw new RangeError(`${fn}: latents must have shape [n, L] = [${n}, ${l}], i.e. length ${n * l} (got ${latents == null ? String(latents) : `length ${latents.length}`})`);
  }
  for (let j = 0; j < n * k; j++) {
    const s = bits[j];
    if (s !== 1 && s !== -1) throw new RangeError(`${fn}: bits[${Math.floor(j / k)}, ${j % k}] must be +1 or −1 (got ${String(s)})`);
  }
  for (let j = 0; j < n * l; j++) {
    if (!Number.isFinite(latents[j])) throw new RangeError(`${fn}: latents[${Math.floor(j / l)}, ${j % l}] must be finite (got ${String(latents[j])})`);
  }
  const information = new Float64Array(k), se = new Float64Array(k), latentOf = new Int32Array(k);
  const matrix = new Float64Array(k * l);
  const column = new Float64Array(n), bit = new Int8Array(n);
  for (let b = 0; b < k; b++) {
    for (let j = 0; j < n; j++) bit[j] = bits[j * k + b];
    information[b] = -Infinity;
    for (let c = 0; c < l; c++) {
      for (let j = 0; j < n; j++) column[j] = latents[j * l + c];
      const r = latentBranchInformation(bit, column, options);
      matrix[b * l + c] = r.information;
      if (r.information > information[b]) { information[b] = r.information; se[b] = r.se; latentOf[b] = c; }
    }
  }
  return { information, se, latentOf, matrix };
}
