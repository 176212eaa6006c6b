import { recordMagnetisation } from './recordMagnetisation.ts';
import type { Rng } from '../random/rng.ts';
import { Apparatus, SCHEMES, type Scheme } from './apparatus.ts';
import { logAddExp, logTwoCosh, type QubitBranchFactors } from './branchFactors.ts';
import { UNIT_NORM_TOLERANCE } from './checkRecords.ts';
import { dipolarCosine, drawDipolarOutcome } from './dipolarCosine.ts';
import { binaryEntropyOfLogit, branchInformation, type InformationMethod } from './knowledge.ts';


export interface MultiSystemApparatusConfig {
  scheme: Scheme;
  /** measurement strength ε, finite, ≥ 0: one number for all ancillas, or N numbers ε₁ … ε_N. */
  epsilon: number | readonly number[];
  /** number N of measured ancilla qubits, integer ≥ 1. */
  qubits: number;
  /** number K of system qubits, integer 1 ≤ K ≤ N. */
  systems: number;
  /**
   * the system qubit a(i) ∈ {0 … K−1} that ancilla i copies, length N (default: round robin,
   * a(i) = i mod K — balanced groups of ⌊N/K⌋ or ⌈N/K⌉, and every prefix of the record sees every
   * system qubit equally, so truncating N keeps the groups balanced and index position alone says
   * nothing about which records share a system qubit beyond i ≡ j mod K).
   */
  assignment?: ArrayLike<number>;
  /** α₀ of each system qubit's cat, finite: one number for all, or K numbers (default 0). */
  alpha0?: number | readonly number[];
}

/** Records drawn by {@link MultiSystemApparatus.sampleWithBits}. */
export interface SampleWithBits {
  /** outcomes, shape [batch, N, d], row-major (the layout of `Apparatus.sample`). */
  readonly x: Float32Array;
  /** the bit s_k = ±1 of every system qubit (+1: |0⟩, weight e^{α_k}/(2 cosh α_k)), shape [batch, K]. */
  readonly bits: Int8Array;
}

/** Exact low moments of the longitudinal components x_{i3} (x for fixed). */
export interface MultiSystemMoments {
  /** E[x_{i3}] = tanh α_{a(i)} · tᵢ / d, shape [N]. */
  readonly means: Float64Array;
  /** E[x_{i3}²] = 1/d. */
  readonly second: number;
  /** E[x_{i3} x_{j3}]: 1/d (i = j), tᵢ tⱼ / d² (a(i) = a(j)), means[i]·means[j] (a(i) ≠ a(j)); qubits 0-based. */
  pairOf(i: number, j: number): number;
  /** Cov[x_{i3}, x_{j3}] = pairOf(i, j) − means[i] means[j]: exactly 0 across groups. */
  covarianceOf(i: number, j: number): number;
}

export interface BitInformationOptions {
  /**
   * `exact` (fixed scheme, every group of equal ε: `branchInformation`'s sum over the count) or
   * `monte-carlo`. Default: exact where it applies, Monte Carlo for the other groups.
   */
  method?: InformationMethod;
  /** Monte Carlo records per system qubit, integer ≥ 2 (default 4000). */
  samples?: number;
  /** randomness for Monte Carlo (required when any group needs it). */
  rng?: Rng;
}

/** I(s_k; x) per system qubit, in nats. */
export interface BitInformation {
  /** I(s_k; x) = I(s_k; x_{group k}), shape [K]. */
  readonly information: Float64Array;
  /** its Monte Carlo standard error (0 where exact), shape [K]. */
  readonly standardError: Float64Array;
  /** H(s_k) = h(σ(2α_k)), the largest possible information, shape [K]. */
  readonly priorEntropy: Float64Array;
  /** how each entry was computed, length K (an empty group or ε ≡ 0 is exactly 0: `exact`). */
  readonly methods: readonly InformationMethod[];
}

/**
 * Exact simulator of K independent system qubits, each weakly measured through its own ancillas.
 *
 * ## Model
 * System qubit k is in the cat e^{α_k/2}|0⟩ + e^{−α_k/2}|1⟩; ancilla i copies system qubit a(i) by a
 * CNOT and is weakly measured once with strength εᵢ, as in `Apparatus` (which is the case K = 1).
 * The system qubits are never measured, so each dephases its own ancillas: the ancillas are in
 *   ρ = ⊗_k (e^{α_k} |0…0⟩⟨0…0| + e^{−α_k} |1…1⟩⟨1…1|)_{group k} / (2 cosh α_k),
 * a mixture over the 2^K bit patterns s ∈ {±1}^K with weights Π_k w_k(s_k), w_k(±1) = e^{±α_k}/(2 cosh α_k).
 * Given s the ancillas are independent, p(xᵢ | s) = (1 + s_{a(i)} tᵢ x_{i3})/Ω (tᵢ = tanh εᵢ, Ω = 2 or
 * 4π, x_{i3} := x for the fixed scheme: the POVM effects derived in `Apparatus`). Summing over s, the
 * joint factorises over the groups G_k = {i : a(i) = k}:
 *   log p[x] = Σ_k log Σ_{s=±1} w_k(s) Π_{i∈G_k} (1 + s tᵢ x_{i3})/Ω,
 * an empty group contributing log 1 = 0. The groups are independent, so I(s_k; x) = I(s_k; x_{G_k})
 * and the posterior of s_k depends on group k only:
 *   log p(s_k = +1 | x) / p(s_k = −1 | x) = 2α_k + 2 Σ_{i∈G_k} artanh(tᵢ x_{i3})   (fixed: 2α_k + 2 Σ εᵢ xᵢ).
 * As in `Apparatus` the factors 1 ± tᵢ x_{i3} are summed as logs of w± (see `branchFactors`), so
 * nothing overflows for large groups or strong ε.
 *
 * Layout: records are [batch, N, d] row-major Float32Array (d = 1 fixed, 3 random); bits are
 * [batch, K] Int8Array. Records are drawn one after another from the Rng, so a stream does not depend
 * on how it is cut into batches.
 *
 * @example
 *   const app = new MultiSystemApparatus({ scheme: 'random', epsilon: 0.3, qubits: 60, systems: 3, alpha0: [0, 0.5, -1] });
 *   const { x, bits } = app.sampleWithBits(100, new Rng(1));   // x: [100, 60, 3], bits: [100, 3]
 *   const odds = app.posteriorLogOdds(x, 100);                  // [100, 3]
 */
export class MultiSystemApparatus {
  readonly scheme: Scheme;
  readonly dim: 1 | 3;
  /** N, the number of ancillas. */
  readonly qubits: number;
  /** K, the number of system qubits. */
  readonly systems: number;
  /** a(i) for every ancilla, shape [N]. */
  readonly assignment: Int32Array;
  /** εᵢ of every ancilla, shape [N]. */
  readonly epsilons: Float64Array;
  /** α_k of every system qubit, shape [K]. */
  readonly alpha0s: Float64Array;
  private readonly factors: QubitBranchFactors;

  /** @throws RangeError naming the parameter, its allowed range and the bad value. */
  constructor(config: MultiSystemApparatusConfig) {
    const fn = 'MultiSystemApparatus';
    if (config == null || typeof config !== 'object') {
      throw new TypeError(`${fn}: config must be an object {scheme, epsilon, qubits, systems, assignment?, alpha0?} (got ${String(config)})`);
    }
    const { scheme, epsilon, qubits, systems } = config;
    if (!(SCHEMES as readonly unknown[]).includes(scheme)) {
      throw new RangeError(`${fn}: scheme must be one of ${SCHEMES.map((s) => `'${s}'`).join(', ')} (got ${show(scheme)})`);
    }
    if (typeof qubits !== 'number' || !Number.isSafeInteger(qubits) || qubits < 1) {
      throw new RangeError(`${fn}: qubits must be an integer ≥ 1 (got ${show(qubits)})`);
    }
    if (typeof systems !== 'number' || !Number.isSafeInteger(systems) || systems < 1 || systems > qubits) {
      throw new RangeError(`${fn}: systems must be an integer 1 ≤ K ≤ N = ${qubits} (got ${show(systems)})`);
    }
    const epsilons = new Float64Array(qubits);
    if (typeof epsilon === 'number' || !isArrayLike(epsilon)) {
      if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon < 0) {
        throw new RangeError(`${fn}: epsilon must be a finite number ≥ 0 (got ${show(epsilon)}), or an array of N = ${qubits} such numbers`);
      }
      epsilons.fill(epsilon);
    } else {
      if (epsilon.length !== qubits) {
        throw new RangeError(`${fn}: epsilon must have one value per qubit, length N = ${qubits} (got length ${epsilon.length})`);
      }
      for (let i = 0; i < qubits; i++) {
        const e = epsilon[i];
        if (typeof e !== 'number' || !Number.isFinite(e) || e < 0) {
          throw new RangeError(`${fn}: epsilon[${i}] must be a finite number ≥ 0 (got ${show(e)})`);
        }
        epsilons[i] = e;
      }
    }
    const assignment = new Int32Array(qubits);
    if (config.assignment === undefined) {
      for (let i = 0; i < qubits; i++) assignment[i] = i % systems;
    } else {
      const given = config.assignment;
      if (!isArrayLike(given) || given.length !== qubits) {
        throw new RangeError(`${fn}: assignment must have one system index per qubit, length N = ${qubits} (got ${isArrayLike(given) ? `length ${given.length}` : show(given)})`);
      }
      for (let i = 0; i < qubits; i++) {
        const a = given[i];
        if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= systems) {
          throw new RangeError(`${fn}: assignment[${i}] must be an integer in 0 … K−1 = ${systems - 1} (got ${show(a)})`);
        }
        assignment[i] = a;
      }
    }
    const alpha0 = config.alpha0 ?? 0;
    const alpha0s = new Float64Array(systems);
    if (typeof alpha0 === 'number' || !isArrayLike(alpha0)) {
      if (typeof alpha0 !== 'number' || !Number.isFinite(alpha0)) {
        throw new RangeError(`${fn}: alpha0 must be a finite number (got ${show(alpha0)}), or an array of K = ${systems} such numbers`);
      }
      alpha0s.fill(alpha0);
    } else {
      if (alpha0.length !== systems) {
        throw new RangeError(`${fn}: alpha0 must have one value per system qubit, length K = ${systems} (got length ${alpha0.length})`);
      }
      for (let k = 0; k < systems; k++) {
        const a = alpha0[k];
        if (typeof a !== 'number' || !Number.isFinite(a)) throw new RangeError(`${fn}: alpha0[${k}] must be a finite number (got ${show(a)})`);
        alpha0s[k] = a;
      }
    }
    this.scheme = scheme;
    this.dim = scheme === 'fixed' ? 1 : 3;
    this.qubits = qubits;
    this.systems = systems;
    this.assignment = assignment;
    this.epsilons = epsilons;
    this.alpha0s = alpha0s;
    // the constants of `qubitBranchFactors`, by the same expressions (so K = 1 matches Apparatus to round-off)
    const logOmega = this.dim === 1 ? Math.LN2 : Math.log(4 * Math.PI);
    const q = epsilons.map((e) => Math.exp(-2 * e));
    this.factors = { q, t: epsilons.map(Math.tanh), logNorm: q.map((qi) => Math.log1p(qi) + logOmega) };
  }

  /** The ancillas of system qubit k, G_k = {i : a(i) = k} in increasing order, shape [|G_k|]. */
  members(k: number): Int32Array {
    this.checkSystem('members', k);
    return Int32Array.from(Array.from(this.assignment.keys()).filter((i) => this.assignment[i] === k));
  }

  /**
   * The single-system `Apparatus` of group k: its ancillas (in increasing order), their εᵢ and α_k.
   * Since the groups are independent, log p[x] = Σ_k group(k).logProb(x_{G_k}).
   * @throws RangeError for k outside 0 … K−1 or an empty group (an Apparatus needs N ≥ 1).
   */
  group(k: number): Apparatus {
    const members = this.members(k);
    if (members.length === 0) throw new RangeError(`MultiSystemApparatus.group: system qubit ${k} has no ancillas`);
    return new Apparatus({ scheme: this.scheme, epsilon: Array.from(members, (i) => this.epsilons[i]), qubits: members.length, alpha0: this.alpha0s[k] });
  }

  /**
   * Draws records by ancestral sampling, keeping the bits. Draw order per record: K uniforms, s_k = +1
   * iff u_k < σ(2α_k) (k = 0 … K−1); then per ancilla i, with m = s_{a(i)} tᵢ — fixed: one uniform v,
   * x = +1 iff v < (1 + m)/2; random: v for x₃ = dipolarCosine(m, v) rounded to float32, then v′ for
   * the azimuth φ = 2πv′. With K = 1 this is `sampleWithBranch`'s stream exactly.
   * @param batch number of records, integer ≥ 0
   * @param out optional buffer of length batch·N·d to fill instead of allocating
   * @returns x, shape [batch, N, d]; bits, shape [batch, K]
   */
  sampleWithBits(batch: number, rng: Rng, out?: Float32Array): SampleWithBits {
    const x = this.outputBuffer('sampleWithBits', batch, out);
    const n = this.qubits, nk = this.systems, a = this.assignment, t = this.factors.t;
    const bits = new Int8Array(batch * nk);
    const piPlus = this.alpha0s.map((a0) => 1 / (1 + Math.exp(-2 * a0)));
    const uniform = () => rng.uniform();
    for (let b = 0, k = 0; b < batch; b++) {
      const row = b * nk;
      for (let s = 0; s < nk; s++) bits[row + s] = rng.uniform() < piPlus[s] ? 1 : -1;
      if (this.dim === 1) {
        for (let i = 0; i < n; i++, k++) x[k] = rng.uniform() < 0.5 * (1 + bits[row + a[i]] * t[i]) ? 1 : -1;
        continue;
      }
      for (let i = 0; i < n; i++, k += 3) drawDipolarOutcome(bits[row + a[i]] * t[i], uniform, x, k);
    }
    return { x, bits };
  }

  /**
   * Draws records: the x of `sampleWithBits` (same random stream), bits dropped.
   * @returns x, shape [batch, N, d]
   */
  sample(batch: number, rng: Rng, out?: Float32Array): Float32Array {
    return this.sampleWithBits(batch, rng, out).x;
  }

  /**
   * Exact joint log-probability, float64: per group a log-sum-exp over s = ±1 (see the class doc);
   * a log-density w.r.t. the product of sphere areas for the random scheme.
   * @param x records, shape [batch, N, d]; fixed entries ±1, random entries unit vectors
   * @returns shape [batch]
   */
  logProb(x: ArrayLike<number>, batch: number): Float64Array {
    const { plus, minus } = this.groupLogFactors('logProb', x, batch);
    const nk = this.systems;
    let norm = 0;
    for (let i = 0; i < this.qubits; i++) norm += this.factors.logNorm[i];
    const prior = this.alpha0s.map(logTwoCosh);
    const out = new Float64Array(batch);
    for (let b = 0; b < batch; b++) {
      let lp = -norm;
      for (let s = 0; s < nk; s++) {
        const a0 = this.alpha0s[s];
        lp += logAddExp(a0 + plus[b * nk + s], -a0 + minus[b * nk + s]) - prior[s];
      }
      out[b] = lp;
    }
    return out;
  }

  /**
   * Data magnetisation of each record, as for `Apparatus`: ⟨x⟩ over the ancillas (fixed) or 3⟨x₃⟩
   * (random), so that its exact mean is the mean over i of tanh α_{a(i)} · tᵢ (with K = 1 exactly
   * `Apparatus.magnetisation`).
   * @param x records, shape [batch, N, d]
   * @returns shape [batch]
   */
  magnetisation(x: ArrayLike<number>, batch: number): Float64Array {
    this.checkRecords('magnetisation', x, batch);
    return recordMagnetisation(x, batch, this.qubits, this.dim);
  }

  /**
   * Exact posterior log-odds of every bit, log p(s_k = +1 | x) / p(s_k = −1 | x)
   * = 2α_k + 2 Σ_{i∈G_k} artanh(tᵢ x_{i3}) (computed as 2α_k + Σ log(w₊/w₋), without cancellation).
   * @param x records, shape [batch, N, d]
   * @returns shape [batch, K]
   */
  posteriorLogOdds(x: ArrayLike<number>, batch: number): Float64Array {
    const { plus, minus } = this.groupLogFactors('posteriorLogOdds', x, batch);
    const nk = this.systems;
    const out = new Float64Array(batch * nk);
    for (let b = 0, r = 0; b < batch; b++) {
      for (let s = 0; s < nk; s++, r++) out[r] = 2 * this.alpha0s[s] + plus[r] - minus[r];
    }
    return out;
  }

  /**
   * Exact moments of the longitudinal components. Given s, x_{i3} has mean s_{a(i)} tᵢ/d and second
   * moment 1/d, and different ancillas are independent; E[s_k] = tanh α_k, s_k² = 1, and bits of
   * different system qubits are independent. Hence within a group E[x_{i3} x_{j3}] = tᵢ tⱼ/d² whatever
   * α_k, and across groups the pair moment is the product of the means (zero covariance).
   */
  exactMoments(): MultiSystemMoments {
    const d = this.dim, n = this.qubits, a = this.assignment, t = this.factors.t;
    const means = Float64Array.from(t, (ti, i) => (Math.tanh(this.alpha0s[a[i]]) * ti) / d);
    const check = (name: string, i: number, j: number): void => {
      if (!(Number.isSafeInteger(i) && Number.isSafeInteger(j) && i >= 0 && j >= 0 && i < n && j < n)) {
        throw new RangeError(`MultiSystemApparatus.exactMoments.${name}: qubits must be integers in [0, ${n - 1}] (got ${i}, ${j})`);
      }
    };
    const pair = (i: number, j: number): number =>
      i === j ? 1 / d : a[i] === a[j] ? (t[i] * t[j]) / (d * d) : means[i] * means[j];
    return {
      means,
      second: 1 / d,
      pairOf: (i, j) => { check('pairOf', i, j); return pair(i, j); },
      covarianceOf: (i, j) => { check('covarianceOf', i, j); return a[i] === a[j] || i === j ? pair(i, j) - means[i] * means[j] : 0; },
    };
  }

  /**
   * Mutual information I(s_k; x) of every bit with the whole record, in nats. The groups are
   * independent, so I(s_k; x) = I(s_k; x_{G_k}): each bit is the K = 1 problem of its own group.
   * - `exact` (fixed scheme, all εᵢ of the group equal): `branchInformation`'s exact sum over the count;
   * - `monte-carlo`: M exact draws of (s_k, x_{G_k}) in the draw order of `sampleWithBits` restricted to
   *   the group, averaging H(s_k | x) = h(σ(L_k)), L_k the exact posterior log-odds; I = H(s_k) − mean,
   *   with the standard error of that mean (the approach of `branchInformation`'s Monte Carlo, here with
   *   per-ancilla εᵢ).
   * An empty group, or one whose εᵢ are all 0, carries exactly 0.
   * @returns shape [K] each
   * @throws RangeError naming the option for a bad method or samples, or a missing rng where Monte Carlo is needed.
   */
  bitInformation(options: BitInformationOptions = {}): BitInformation {
    const fn = 'MultiSystemApparatus.bitInformation';
    const method = options.method;
    if (method !== undefined && method !== 'exact' && method !== 'monte-carlo') {
      throw new RangeError(`${fn}: options.method must be 'exact' or 'monte-carlo' (got ${show(method)})`);
    }
    const samples = options.samples ?? 4000;
    if (!Number.isSafeInteger(samples) || samples < 2) throw new RangeError(`${fn}: options.samples must be an integer ≥ 2 (got ${show(samples)})`);
    const nk = this.systems;
    const information = new Float64Array(nk), standardError = new Float64Array(nk);
    const priorEntropy = this.alpha0s.map((a0) => binaryEntropyOfLogit(2 * a0));
    const methods: InformationMethod[] = [];
    for (let k = 0; k < nk; k++) {
      const members = this.members(k);
      const eps = Array.from(members, (i) => this.epsilons[i]);
      if (eps.every((e) => e === 0)) { methods.push('exact'); continue; }
      const canExact = this.scheme === 'fixed' && eps.every((e) => e === eps[0]);
      if (method === 'exact' && !canExact) {
        throw new RangeError(`${fn}: method 'exact' needs the fixed scheme and equal εᵢ within each group (system qubit ${k} fails); use 'monte-carlo'`);
      }
      if (canExact && method !== 'monte-carlo') {
        information[k] = branchInformation({ scheme: 'fixed', epsilon: eps[0], qubits: eps.length, alpha0: this.alpha0s[k] }, { method: 'exact' }).information;
        methods.push('exact');
        continue;
      }
      if (options.rng == null) throw new RangeError(`${fn}: Monte Carlo (system qubit ${k}) needs options.rng`);
      const r = this.groupMonteCarlo(k, members, samples, options.rng);
      information[k] = priorEntropy[k] - r.mean;
      standardError[k] = r.se;
      methods.push('monte-carlo');
    }
    return { information, standardError, priorEntropy, methods };
  }

  /** Mean and standard error of h(σ(L_k)) over M exact draws of (s_k, x_{G_k}). */
  private groupMonteCarlo(k: number, members: Int32Array, samples: number, rng: Rng): { mean: number; se: number } {
    const a0 = this.alpha0s[k], piPlus = 1 / (1 + Math.exp(-2 * a0));
    const { q, t } = this.factors;
    let sum = 0, sq = 0;
    for (let m = 0; m < samples; m++) {
      const s = rng.uniform() < piPlus ? 1 : -1;
      let odds = 2 * a0;
      for (const i of members) {
        if (this.dim === 1) {
          odds += 2 * this.epsilons[i] * (rng.uniform() < 0.5 * (1 + s * t[i]) ? 1 : -1);
          continue;
        }
        let x3 = dipolarCosine(s * t[i], rng.uniform());
        x3 = x3 > 1 ? 1 : x3 < -1 ? -1 : x3;
        odds += Math.log((1 + x3 + q[i] * (1 - x3)) / (1 - x3 + q[i] * (1 + x3)));
      }
      const h = binaryEntropyOfLogit(odds);
      sum += h;
      sq += h * h;
    }
    const mean = sum / samples;
    return { mean, se: Math.sqrt(Math.max(0, (sq - sum * mean) / (samples - 1)) / samples) };
  }

  /**
   * Σ_{i∈G_k} log w±ᵢ per record and group, shape [batch, K] each, after validating x; for the fixed
   * scheme w₊ = 2, w₋ = 2qᵢ at x = +1 (swapped at −1), so log w₊ − log w₋ = 2εᵢ xᵢ exactly in exact arithmetic.
   */
  private groupLogFactors(fn: string, x: ArrayLike<number>, batch: number): { plus: Float64Array; minus: Float64Array } {
    this.checkRecords(fn, x, batch);
    const n = this.qubits, nk = this.systems, d = this.dim, a = this.assignment, q = this.factors.q;
    const plus = new Float64Array(batch * nk), minus = new Float64Array(batch * nk);
    const logTwo = Math.LN2, logTwoQ = Float64Array.from(this.epsilons, (e) => Math.LN2 - 2 * e);
    for (let b = 0, k = 0; b < batch; b++) {
      const row = b * nk;
      for (let i = 0; i < n; i++, k += d) {
        const r = row + a[i];
        if (d === 1) {
          const v = x[k];
          if (v !== 1 && v !== -1) throw this.outcomeError(fn, x, k);
          plus[r] += v > 0 ? logTwo : logTwoQ[i];
          minus[r] += v > 0 ? logTwoQ[i] : logTwo;
          continue;
        }
        const x1 = x[k], x2 = x[k + 1], x3 = x[k + 2];
        if (!(x3 >= -1 && x3 <= 1 && Math.abs(x1 * x1 + x2 * x2 + x3 * x3 - 1) <= UNIT_NORM_TOLERANCE)) throw this.outcomeError(fn, x, k);
        plus[r] += Math.log(1 + x3 + q[i] * (1 - x3));
        minus[r] += Math.log(1 - x3 + q[i] * (1 + x3));
      }
    }
    return { plus, minus };
  }

  private checkSystem(fn: string, k: number): void {
    if (!(Number.isSafeInteger(k) && k >= 0 && k < this.systems)) {
      throw new RangeError(`MultiSystemApparatus.${fn}: k must be an integer in 0 … K−1 = ${this.systems - 1} (got ${show(k)})`);
    }
  }

  private checkRecords(fn: string, x: ArrayLike<number>, batch: number): void {
    checkBatch(fn, batch);
    const size = batch * this.qubits * this.dim;
    if (x == null || x.length !== size) {
      throw new RangeError(
        `MultiSystemApparatus.${fn}: x must have shape [batch, N, d] = [${batch}, ${this.qubits}, ${this.dim}], i.e. length ${size} ` +
          `(got ${x == null ? String(x) : `length ${x.length}`})`,
      );
    }
  }

  private outcomeError(fn: string, x: ArrayLike<number>, k: number): RangeError {
    const record = Math.floor(k / (this.qubits * this.dim)), qubit = Math.floor(k / this.dim) % this.qubits;
    if (this.dim === 1) return new RangeError(`MultiSystemApparatus.${fn}: fixed-scheme outcomes must be ±1 (got x[${record}, ${qubit}] = ${x[k]})`);
    return new RangeError(
      `MultiSystemApparatus.${fn}: random-scheme outcomes must be unit vectors (| |x|² − 1 | ≤ ${UNIT_NORM_TOLERANCE}, |x₃| ≤ 1) ` +
        `(got x[${record}, ${qubit}] = [${[x[k], x[k + 1], x[k + 2]].join(', ')}])`,
    );
  }

  private outputBuffer(fn: string, batch: number, out: Float32Array | undefined): Float32Array {
    checkBatch(fn, batch);
    const size = batch * this.qubits * this.dim;
    if (out === undefined) return new Float32Array(size);
    if (out.length !== size) {
      throw new RangeError(`MultiSystemApparatus.${fn}: out must have length batch·N·d = ${batch}·${this.qubits}·${this.dim} = ${size} (got ${out.length})`);
    }
    return out;
  }
}

function checkBatch(fn: string, batch: number): void {
  if (typeof batch !== 'number' || !Number.isSafeInteger(batch) || batch < 0) {
    throw new RangeError(`MultiSystemApparatus.${fn}: batch must be an integer ≥ 0 (got ${String(batch)})`);
  }
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}
