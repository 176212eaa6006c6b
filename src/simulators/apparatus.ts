import { recordMagnetisation } from './recordMagnetisation.ts';
import type { Rng } from '../random/rng.ts';
import { chainLogProb } from './chainLogProb.ts';
import { checkBatch, checkLength } from './checkRecords.ts';
import { jointLogProb } from './jointLogProb.ts';
import { sampleChain } from './sampleChain.ts';

/** Measurement scheme: `fixed` axis (outcomes ±1, d = 1) or `random` axis (unit vectors in R³, d = 3). */
export type Scheme = 'fixed' | 'random';

export const SCHEMES: readonly Scheme[] = ['fixed', 'random'];

export interface ApparatusConfig {
  scheme: Scheme;
  /**
   * measurement strength ε, finite, ≥ 0 (0: no measurement; ∞: projective): one number for all
   * qubits, or N numbers ε₁ … ε_N, one per qubit (heterogeneous sensors; ε_i = 0 is a dead sensor).
   */
  epsilon: number | readonly number[];
  /** number N of measured qubits, integer ≥ 1. */
  qubits: number;
  /** initial α₀ of the cat state, any finite real (default 0: unbiased cat). */
  alpha0?: number;
}

/** Validated, complete parameters; what the loops in this folder read. */
export interface ApparatusParams {
  readonly scheme: Scheme;
  /** the common ε when `uniform`; reading it when ε varies from qubit to qubit throws. */
  readonly epsilon: number;
  /** ε_i of every qubit, shape [N] (all equal when `uniform`). */
  readonly epsilons: Float64Array;
  /** every ε_i equal: the loops take exactly the scalar path (bit-identical to a scalar config). */
  readonly uniform: boolean;
  readonly qubits: number;
  readonly alpha0: number;
  readonly dim: 1 | 3;
}

/** Records drawn by {@link Apparatus.sampleWithLogProb}. */
export interface SampleWithLogProb {
  /** outcomes, shape [batch, N, d], row-major. */
  readonly x: Float32Array;
  /** Σᵢ log p(xᵢ | x₁ … xᵢ₋₁) accumulated while sampling, shape [batch]; equals `logProb(x)` to round-off. */
  readonly logProb: Float64Array;
}

/**
 * Exact simulator of the weak measurement of a cat state by N qubits.
 *
 * ## Model
 * A system qubit in e^{α₀/2}|0⟩ + e^{−α₀/2}|1⟩ is copied by a CNOT circuit onto N ancilla qubits,
 * giving the cat e^{α₀/2}|0…0⟩ + e^{−α₀/2}|1…1⟩; each ancilla is weakly measured once. The system
 * qubit itself is not measured, so the N measured qubits are in
 *   ρ = (e^{α₀} |0…0⟩⟨0…0| + e^{−α₀} |1…1⟩⟨1…1|) / (2 cosh α₀).
 *
 * ## Joint distribution (derived from the seed's measurement operators)
 * The seed writes p[x] = ⟨Ψ₀|K[x]|Ψ₀⟩, so its K_x are POVM effects E_x (Kraus operators
 * M_x = E_x^{1/2} ∝ e^{ε x·σ/2}). Completeness Σ_x E_x = 1 fixes their normalisation:
 * - fixed: Σ_{x=±1} e^{ε x Z} = 2 cosh(εZ) = 2 cosh ε (Z² = 1), so E_x = e^{ε x Z}/(2 cosh ε) = (1 + t x Z)/2;
 * - random: e^{ε x·σ} = cosh ε + sinh ε x·σ and ∫dΩ(x) x = 0, so ∫dΩ e^{ε x·σ} = 4π cosh ε and
 *   E_x = e^{ε x·σ}/(4π cosh ε) = (1 + t x·σ)/(4π), a density in the area element dΩ(x)
 *   (the seed's √(2 cosh ε) only fits the fixed scheme),
 * with t = tanh ε. Since ⟨0|E_x|0⟩ = (1 + t x₃)/Ω and ⟨1|E_x|1⟩ = (1 − t x₃)/Ω (Ω = 2 or 4π; x₃ := x
 * for the fixed scheme), p[x] = Tr(ρ Π E_{xᵢ}) is
 * - fixed:  p[x] = (e^{α₀+εS} + e^{−α₀−εS}) / (2 cosh α₀ (2 cosh ε)^N),  S = Σ xᵢ  (using 1 ± t = e^{±ε}/cosh ε);
 * - random: p[x] = (e^{α₀} Π(1 + t xᵢ₃) + e^{−α₀} Π(1 − t xᵢ₃)) / (2 cosh α₀ (4π)^N).
 * Both are mixtures of two branches s = ±1 (weights e^{±α₀}/(2 cosh α₀)) in which the qubits are
 * independent dipolar with polarisation s·t, so they are exchangeable.
 *
 * Caveat, random scheme only: for a pure N-qubit cat whose every qubit is measured, the coherence
 * ⟨0|E_x|1⟩ = t (x₁ − i x₂)/(4π) adds 2 tᴺ Π sin θᵢ cos(Σ φᵢ) / (2 cosh α₀ (4π)^N) to p[x]. That
 * N-body term vanishes here (the unmeasured system qubit dephases the ancillas), and in any case
 * on every marginal of fewer than N qubits and after integrating any one azimuth.
 *
 * ## Autoregressive sampler and the backaction
 * Integrating out qubits i+1 … N (each factor 1 ± t x₃ integrates to 1) and dividing,
 *   p(xᵢ | x₁ … xᵢ₋₁) = (1 + t tanh(αᵢ₋₁) xᵢ₃) / Ω,   e^{2αᵢ} := e^{2α₀} Π_{j≤i} (1 + t x_{j3})/(1 − t x_{j3}),
 * i.e. Dipolar(m = tanh αᵢ₋₁ · tanh ε), where α is HALF the posterior log-odds of the branches
 * |0…⟩ : |1…⟩ (the same convention as α₀: weights e^{±α}). Bayes' rule says each outcome multiplies
 * those odds by ⟨0|E_x|0⟩/⟨1|E_x|1⟩ = (1 + t x₃)/(1 − t x₃), hence the backaction
 *   αᵢ = αᵢ₋₁ + b(xᵢ),   b(x) = ½ log((1 + t x₃)/(1 − t x₃)) = artanh(x₃ tanh ε).
 * For the fixed scheme artanh(±t) = ±ε, so b = ε x and αᵢ = α₀ + ε Sᵢ: one definition for both.
 * The seed's b = 2 artanh(x₃ tanh(ε/2)) is what one gets by squaring only the diagonal Kraus
 * element ⟨s|M_x|s⟩ ∝ cosh(ε/2) ± sinh(ε/2) x₃ and dropping the spin-flip part
 * |⟨s̄|M_x|s⟩|² ∝ sinh²(ε/2)(1 − x₃²); it agrees with artanh(x₃ t) at O(ε) and at x₃ = ±1 only,
 * and its samples are not exchangeable (pair moments drift along the chain).
 *
 * ## Heterogeneous sensors
 * With one ε_i per qubit nothing above changes but the index: given the branch s the qubits are
 * independent with p(xᵢ | s) = (1 + s tᵢ xᵢ₃)/Ω, tᵢ = tanh εᵢ, so
 *   p[x] = (e^{α₀} Π(1 + tᵢ xᵢ₃) + e^{−α₀} Π(1 − tᵢ xᵢ₃)) / (2 cosh α₀ Ωᴺ),   αᵢ = αᵢ₋₁ + artanh(tᵢ xᵢ₃),
 * (fixed: log p[x] = log 2cosh(α₀ + Σ εᵢ xᵢ) − log 2cosh α₀ − Σ log 2cosh εᵢ). Exchangeability holds only
 * among qubits of equal ε. When all εᵢ are equal (a scalar ε, or an array of N equal values) the
 * loops compute exactly the floats of the scalar case, so existing runs reproduce.
 *
 * Layout: records are [batch, N, d] row-major Float32Array (d = 1 fixed, 3 random). Records are
 * drawn one after another from the Rng, so a stream of records does not depend on how it is cut
 * into batches. Sampled x₃ is rounded to float32 *before* it updates α, so α (and the accumulated
 * conditional log-probabilities) describe the stored record exactly.
 *
 * @example
 *   const app = new Apparatus({ scheme: 'random', epsilon: 0.2, qubits: 200 });
 *   const x = app.sample(50, new Rng(1));    // shape [50, 200, 3]
 *   const lp = app.logProb(x, 50);           // shape [50]
 */
export class Apparatus implements ApparatusParams {
  readonly scheme: Scheme;
  readonly epsilons: Float64Array;
  readonly uniform: boolean;
  readonly qubits: number;
  readonly alpha0: number;
  readonly dim: 1 | 3;
  /** the ε as given: a number, or a copy of the array. */
  private readonly epsilonGiven: number | readonly number[];

  /** @throws RangeError naming the parameter, its allowed range and the bad value. */
  constructor(config: ApparatusConfig) {
    if (config == null || typeof config !== 'object') {
      throw new TypeError(`Apparatus: config must be an object {scheme, epsilon, qubits, alpha0?} (got ${String(config)})`);
    }
    const { scheme, epsilon, qubits } = config;
    const alpha0 = config.alpha0 ?? 0;
    if (!(SCHEMES as readonly unknown[]).includes(scheme)) {
      throw new RangeError(`Apparatus: scheme must be one of ${SCHEMES.map((s) => `'${s}'`).join(', ')} (got ${show(scheme)})`);
    }
    if (typeof qubits !== 'number' || !Number.isSafeInteger(qubits) || qubits < 1) {
      throw new RangeError(`Apparatus: qubits must be an integer ≥ 1 (got ${show(qubits)})`);
    }
    const epsilons = new Float64Array(qubits);
    if (typeof epsilon === 'number' || !isArrayLike(epsilon)) {
      if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon < 0) {
        throw new RangeError(`Apparatus: epsilon must be a finite number ≥ 0 (got ${show(epsilon)}), or an array of N = ${qubits} such numbers`);
      }
      epsilons.fill(epsilon);
      this.epsilonGiven = epsilon;
    } else {
      if (epsilon.length !== qubits) {
        throw new RangeError(`Apparatus: epsilon must have one value per qubit, length N = ${qubits} (got length ${epsilon.length})`);
      }
      for (let i = 0; i < qubits; i++) {
        const e = epsilon[i];
        if (typeof e !== 'number' || !Number.isFinite(e) || e < 0) {
          throw new RangeError(`Apparatus: epsilon[${i}] must be a finite number ≥ 0 (got ${show(e)})`);
        }
        epsilons[i] = e;
      }
      this.epsilonGiven = Array.from(epsilons);
    }
    if (typeof alpha0 !== 'number' || !Number.isFinite(alpha0)) {
      throw new RangeError(`Apparatus: alpha0 must be a finite number (got ${show(alpha0)})`);
    }
    this.scheme = scheme;
    this.epsilons = epsilons;
    this.uniform = epsilons.every((e) => e === epsilons[0]);
    this.qubits = qubits;
    this.alpha0 = alpha0;
    this.dim = scheme === 'fixed' ? 1 : 3;
  }

  /**
   * The common measurement strength ε (uniform apparatus only).
   * @throws RangeError when ε varies from qubit to qubit: read `epsilons` instead.
   */
  get epsilon(): number {
    if (!this.uniform) {
      throw new RangeError(`Apparatus.epsilon: ε varies from qubit to qubit (heterogeneous sensors); read epsilons, shape [${this.qubits}]`);
    }
    return this.epsilons[0];
  }

  /** The configuration this apparatus was built from (with alpha0 filled in; an ε array as a fresh copy). */
  get config(): Required<ApparatusConfig> {
    const epsilon = typeof this.epsilonGiven === 'number' ? this.epsilonGiven : this.epsilonGiven.slice();
    return { scheme: this.scheme, epsilon, qubits: this.qubits, alpha0: this.alpha0 };
  }

  /**
   * Draws records with the autoregressive sampler.
   * @param batch number of records, integer ≥ 0
   * @param out optional buffer of length batch·N·d to fill instead of allocating
   * @returns x, shape [batch, N, d]
   */
  sample(batch: number, rng: Rng, out?: Float32Array): Float32Array {
    const x = this.outputBuffer('sample', batch, out);
    sampleChain(this, batch, rng, x, null);
    return x;
  }

  /** Like `sample`, also returning the accumulated conditional log-probabilities of each record. */
  sampleWithLogProb(batch: number, rng: Rng): SampleWithLogProb {
    const x = this.outputBuffer('sampleWithLogProb', batch, undefined);
    const logProb = new Float64Array(batch);
    sampleChain(this, batch, rng, x, logProb);
    return { x, logProb };
  }

  /**
   * Exact joint log-probability (closed form, log-sum-exp over the two branches); a log-density
   * w.r.t. the product of sphere areas for the random scheme.
   * @param x records, shape [batch, N, d]; fixed entries must be ±1, random entries unit vectors
   * @returns shape [batch]
   */
  logProb(x: ArrayLike<number>, batch: number): Float64Array {
    return jointLogProb(this, x, batch);
  }

  /**
   * The same log-probability computed the other way: Σᵢ log p(xᵢ | αᵢ₋₁) along the α chain.
   * @param x records, shape [batch, N, d]
   * @returns shape [batch]
   */
  sequentialLogProb(x: ArrayLike<number>, batch: number): Float64Array {
    return chainLogProb(this, x, batch);
  }

  /**
   * Data magnetisation of each record: ⟨x⟩ over qubits (fixed) or 3⟨x₃⟩ (random), so that its
   * exact mean is tanh α₀ · tanh ε in both schemes (tanh α₀ · mean of tanh εᵢ for heterogeneous sensors).
   * @param x records, shape [batch, N, d]
   * @returns shape [batch]
   */
  magnetisation(x: ArrayLike<number>, batch: number): Float64Array {
    checkLength('magnetisation', this, x, batch);
    return recordMagnetisation(x, batch, this.qubits, this.dim);
  }

  private outputBuffer(fn: string, batch: number, out: Float32Array | undefined): Float32Array {
    checkBatch(fn, batch);
    const size = batch * this.qubits * this.dim;
    if (out === undefined) return new Float32Array(size);
    if (out.length !== size) {
      throw new RangeError(`Apparatus.${fn}: out must have length batch·N·d = ${batch}·${this.qubits}·${this.dim} = ${size} (got ${out.length})`);
    }
    return out;
  }
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}
