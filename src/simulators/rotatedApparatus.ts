import type { Rng } from '../random/rng.ts';
import { Apparatus } from './apparatus.ts';
import { logAddExp, logMixture, logTwoCosh, qubitBranchFactors, type QubitBranchFactors } from './branchFactors.ts';
import { UNIT_NORM_TOLERANCE } from './checkRecords.ts';
import { dipolarCosine } from './dipolarCosine.ts';
import type { SampleWithLogProb } from './apparatus.ts';
import type { SampleWithBranch } from './sampleWithBranch.ts';

const TWO_PI = 2 * Math.PI;

/**
 * Pointer axes as given: one 3-vector [x, y, z] shared by every qubit, N of them (an array of
 * 3-vectors), or N of them flat, shape [N, 3] (what `RotatedApparatus.axes` and the generators in
 * `pointerAxes` return). Need not be unit length; zero or non-finite vectors are rejected.
 */
export type PointerAxesInput = ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;

export interface RotatedApparatusConfig {
  /** measurement strength ε, finite, ≥ 0: one number, or N numbers (one per qubit), as for `Apparatus`. */
  epsilon: number | readonly number[];
  /** number N of measured qubits, integer ≥ 1. */
  qubits: number;
  /** initial α₀ of the cat state, any finite real (default 0). */
  alpha0?: number;
  /** pointer axis nᵢ of each qubit in the record's frame (normalised here); see {@link PointerAxesInput}. */
  axes: PointerAxesInput;
}

/**
 * The random-axis apparatus (seed 000's scheme) with each qubit's pointer axis nᵢ rotated away from ẑ.
 *
 * ## Model
 * As in `Apparatus`, but qubit i is measured with the POVM density E_x = (1 + tᵢ (Rᵢx)·σ)/(4π),
 * tᵢ = tanh εᵢ, x a unit vector in the record's frame, where Rᵢ rotates nᵢ onto ẑ. The unmeasured
 * system qubit leaves ρ the diagonal mixture of the branches s = ±1 (weights e^{±α₀}/(2 cosh α₀)),
 * and ⟨s|E_x|s⟩ = (1 + s tᵢ nᵢ·x)/(4π): given s the qubits are independent dipolar about their own axes,
 *   p[x] = (e^{α₀} Π(1 + tᵢ nᵢ·xᵢ) + e^{−α₀} Π(1 − tᵢ nᵢ·xᵢ)) / (2 cosh α₀ (4π)ᴺ),
 * a density w.r.t. the product of sphere areas. Everything in `Apparatus` holds with xᵢ₃ → cᵢ = nᵢ·xᵢ:
 *   p(xᵢ | x₁ … xᵢ₋₁) = (1 + tᵢ tanh(αᵢ₋₁) cᵢ)/(4π),   αᵢ = αᵢ₋₁ + artanh(tᵢ cᵢ).
 * The rotation only relabels each record's frame, so nothing about the branch information changes;
 * what changes is that a model which reads x₃ sees the polarisation shrunk by nᵢ·ẑ.
 *
 * ## Sampling
 * Per qubit, the cosine c = nᵢ·x by the same inverse CDF (`dipolarCosine`) and draw order as
 * `Apparatus` (u for c, then u′ for the azimuth φ = 2πu′), then
 *   x = √(1 − c²)(cos φ e₁ + sin φ e₂) + c nᵢ
 * in a fixed orthonormal frame (e₁, e₂, nᵢ) per qubit (the Rodrigues rotation of (x̂, ŷ, ẑ) onto nᵢ;
 * for nᵢ = ẑ exactly (x̂, ŷ, ẑ)). So with every nᵢ = ẑ the records, the sampler's log-probabilities
 * and `logProb` are those of `Apparatus({ scheme: 'random', … })` bit for bit. x is rounded to
 * float32, and α is updated with nᵢ·x of the *stored* record, so the chain describes it exactly.
 *
 * Deliberately not an `ApparatusParams` (it has no `epsilon`): the axis-blind helpers that take one
 * (`exactMoments`, `sampleWithBranch`, `apparatusSource`) would silently use ẑ. Use the methods here.
 *
 * Layout: records [batch, N, 3] row-major Float32Array; `axes` [N, 3] row-major Float64Array.
 *
 * @example
 *   const app = new RotatedApparatus({ epsilon: 0.5, qubits: 100, axes: [1, 0, 1] });
 *   const x = app.sample(50, new Rng(1));   // shape [50, 100, 3], polarised along (x̂ + ẑ)/√2
 *   app.logProb(x, 50);                     // shape [50]
 */
export class RotatedApparatus {
  readonly scheme = 'random' as const;
  readonly dim = 3 as const;
  readonly epsilons: Float64Array;
  /** every εᵢ equal. */
  readonly uniform: boolean;
  readonly qubits: number;
  readonly alpha0: number;
  /** unit pointer axes nᵢ, shape [N, 3], row-major. */
  readonly axes: Float64Array;
  /** every nᵢ equal (one axis given, or N equal ones). */
  readonly shared: boolean;
  /** the equivalent ẑ-axis apparatus: validation of ε, qubits, α₀, and the branch constants. */
  private readonly base: Apparatus;
  private readonly factors: QubitBranchFactors;
  /** per-qubit transverse frame vectors e₁, e₂, shape [N, 3] each. */
  private readonly e1: Float64Array;
  private readonly e2: Float64Array;

  /** @throws RangeError naming the parameter, its allowed range and the bad value. */
  constructor(config: RotatedApparatusConfig) {
    if (config == null || typeof config !== 'object') {
      throw new TypeError(`RotatedApparatus: config must be an object {epsilon, qubits, alpha0?, axes} (got ${String(config)})`);
    }
    let base: Apparatus;
    try {
      base = new Apparatus({ scheme: 'random', epsilon: config.epsilon, qubits: config.qubits, alpha0: config.alpha0 });
    } catch (err) {
      if (err instanceof RangeError) throw new RangeError(err.message.replace(/^Apparatus:/, 'RotatedApparatus:'));
      throw err;
    }
    this.base = base;
    this.epsilons = base.epsilons;
    this.uniform = base.uniform;
    this.qubits = base.qubits;
    this.alpha0 = base.alpha0;
    this.axes = normaliseAxes('RotatedApparatus', config.axes, this.qubits);
    this.shared = allRowsEqual(this.axes);
    this.factors = qubitBranchFactors(base);
    const n = this.qubits;
    this.e1 = new Float64Array(3 * n);
    this.e2 = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) transverseFrame(this.axes, i, this.e1, this.e2);
  }

  /** The configuration (a fresh copy; axes as N unit 3-vectors). */
  get config(): Required<RotatedApparatusConfig> {
    const { epsilon, qubits, alpha0 } = this.base.config;
    const axes = Array.from({ length: this.qubits }, (_, i) => Array.from(this.axes.subarray(3 * i, 3 * i + 3)));
    return { epsilon, qubits, alpha0, axes };
  }

  /**
   * Draws records with the autoregressive sampler (draw order of `Apparatus.sample`).
   * @param batch number of records, integer ≥ 0
   * @param out optional buffer of length batch·N·3 to fill instead of allocating
   * @returns x, shape [batch, N, 3]
   */
  sample(batch: number, rng: Rng, out?: Float32Array): Float32Array {
    const x = this.outputBuffer('sample', batch, out);
    this.chain(batch, rng, x, null);
    return x;
  }

  /** Like `sample`, also returning Σᵢ log p(xᵢ | x₁ … xᵢ₋₁) accumulated while sampling, shape [batch]. */
  sampleWithLogProb(batch: number, rng: Rng): SampleWithLogProb {
    const x = this.outputBuffer('sampleWithLogProb', batch, undefined);
    const logProb = new Float64Array(batch);
    this.chain(batch, rng, x, logProb);
    return { x, logProb };
  }

  /**
   * Ancestral sampling keeping the branch (draw order of `sampleWithBranch`: one uniform for s, with
   * P(s = +1) = σ(2α₀), then per qubit u for c = nᵢ·x with polarisation s tᵢ, u′ for the azimuth).
   * Same distribution as `sample`, different random stream.
   * @returns x, shape [batch, N, 3]; branch ±1, shape [batch]
   */
  sampleWithBranch(batch: number, rng: Rng, out?: Float32Array): SampleWithBranch {
    const x = this.outputBuffer('sampleWithBranch', batch, out);
    const branch = new Int8Array(batch);
    const n = this.qubits, t = this.factors.t;
    const piPlus = 1 / (1 + Math.exp(-2 * this.alpha0));
    for (let b = 0, k = 0; b < batch; b++) {
      const s = rng.uniform() < piPlus ? 1 : -1;
      branch[b] = s;
      for (let i = 0; i < n; i++, k += 3) this.draw(i, s * t[i], rng, x, k);
    }
    return { x, branch };
  }

  /**
   * Exact joint log-probability, log-sum-exp of the two branches in float64 (the expressions of
   * `jointLogProb` with xᵢ₃ → nᵢ·xᵢ, clamped to [−1, 1] against round-off of float32 records).
   * @param x records, shape [batch, N, 3], unit vectors (| |x|² − 1 | ≤ UNIT_NORM_TOLERANCE)
   * @returns shape [batch], log-density w.r.t. the product of sphere areas
   */
  logProb(x: ArrayLike<number>, batch: number): Float64Array {
    const fn = 'logProb';
    this.checkLength(fn, x, batch);
    const { q, logNorm } = this.factors;
    const n = this.qubits, a0 = this.alpha0;
    let norm = 0;
    if (this.uniform) norm = n * logNorm[0];
    else for (let i = 0; i < n; i++) norm += logNorm[i];
    const prior = logTwoCosh(a0);
    const out = new Float64Array(batch);
    for (let b = 0, k = 0; b < batch; b++) {
      let lp = 0, lm = 0;
      for (let i = 0; i < n; i++, k += 3) {
        const c = this.cosine(fn, x, k, i);
        const qi = q[i];
        lp += Math.log(1 + c + qi * (1 - c));
        lm += Math.log(1 - c + qi * (1 + c));
      }
      out[b] = logAddExp(a0 + lp, -a0 + lm) - prior - norm;
    }
    return out;
  }

  /**
   * log p[x] along the chain, Σᵢ log p(xᵢ | αᵢ₋₁), αᵢ = αᵢ₋₁ + artanh(tᵢ nᵢ·xᵢ): equals `logProb`
   * to round-off, the statement that the backaction is consistent with the joint.
   * @param x records, shape [batch, N, 3]
   * @returns shape [batch]
   */
  sequentialLogProb(x: ArrayLike<number>, batch: number): Float64Array {
    const fn = 'sequentialLogProb';
    this.checkLength(fn, x, batch);
    const { q, logNorm } = this.factors;
    const n = this.qubits;
    const out = new Float64Array(batch);
    for (let b = 0, k = 0; b < batch; b++) {
      let a = this.alpha0, lq = 0;
      for (let i = 0; i < n; i++, k += 3) {
        const c = this.cosine(fn, x, k, i);
        const qi = q[i];
        const wp = 1 + c + qi * (1 - c);
        const wm = 1 - c + qi * (1 + c);
        lq += logMixture(a, wp, wm) - logNorm[i];
        a += 0.5 * Math.log(wp / wm);
      }
      out[b] = lq;
    }
    return out;
  }

  /**
   * Data magnetisation of each record along the pointer axes: 3⟨nᵢ·xᵢ⟩ over qubits (`Apparatus`'s
   * 3⟨x₃⟩ with x₃ → nᵢ·xᵢ; equal to it when every nᵢ = ẑ), so that its exact mean is
   * tanh α₀ · mean of tᵢ (each nᵢ·xᵢ has mean tanh α₀ · tᵢ/3).
   * @param x records, shape [batch, N, 3]
   * @returns shape [batch]
   */
  magnetisation(x: ArrayLike<number>, batch: number): Float64Array {
    this.checkLength('magnetisation', x, batch);
    const n = this.qubits, scale = 3 / n;
    const out = new Float64Array(batch);
    for (let b = 0, k = 0; b < batch; b++) {
      let s = 0;
      for (let i = 0; i < n; i++, k += 3) s += this.storedCosine(x, k, i);
      out[b] = s * scale;
    }
    return out;
  }

  /**
   * Exact E[xᵢ] = tanh α₀ · tᵢ/3 · nᵢ (the branch mean s tᵢ nᵢ/3 averaged over s).
   * @returns shape [N, 3]
   */
  meanX(): Float64Array {
    const n = this.qubits, out = new Float64Array(3 * n), th = Math.tanh(this.alpha0);
    for (let i = 0; i < n; i++) {
      const c = (th * this.factors.t[i]) / 3;
      for (let a = 0; a < 3; a++) out[3 * i + a] = c * this.axes[3 * i + a];
    }
    return out;
  }

  /**
   * Exact E[xᵢ xⱼᵀ]: (tᵢ tⱼ/9) nᵢ nⱼᵀ for i ≠ j (independent given s, and s² = 1, whatever α₀);
   * I/3 for i = j (the dipole term is odd in x).
   * @param i, j qubits, 0-based
   * @returns 3×3, row-major: entry [a, b] = E[xᵢₐ xⱼᵦ]
   */
  pairMoment(i: number, j: number): Float64Array {
    const n = this.qubits;
    for (const [name, v] of [['i', i], ['j', j]] as const) {
      if (!Number.isSafeInteger(v) || v < 0 || v >= n) {
        throw new RangeError(`RotatedApparatus.pairMoment: ${name} must be an integer in [0, ${n - 1}] (got ${String(v)})`);
      }
    }
    const out = new Float64Array(9);
    if (i === j) {
      out[0] = out[4] = out[8] = 1 / 3;
      return out;
    }
    const c = (this.factors.t[i] * this.factors.t[j]) / 9;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) out[3 * a + b] = c * this.axes[3 * i + a] * this.axes[3 * j + b];
    return out;
  }

  /** The autoregressive loop; mirrors `sampleChain` (random scheme) with x₃ → nᵢ·x. */
  private chain(batch: number, rng: Rng, out: Float32Array, logProb: Float64Array | null): void {
    const { q, t, logNorm } = this.factors;
    const n = this.qubits, a0 = this.alpha0;
    for (let b = 0, k = 0; b < batch; b++) {
      let a = a0, lq = 0;
      for (let i = 0; i < n; i++, k += 3) {
        this.draw(i, Math.tanh(a) * t[i], rng, out, k);
        const c = this.storedCosine(out, k, i);
        const qi = q[i];
        const wp = 1 + c + qi * (1 - c);
        const wm = 1 - c + qi * (1 + c);
        if (logProb !== null) lq += logMixture(a, wp, wm) - logNorm[i];
        a += 0.5 * Math.log(wp / wm);
      }
      if (logProb !== null) logProb[b] = lq;
    }
  }

  /** One outcome of qubit i with polarisation m along nᵢ, written to out[k … k+2] (two uniforms). */
  private draw(i: number, m: number, rng: Rng, out: Float32Array, k: number): void {
    let c = dipolarCosine(m, rng.uniform());
    c = Math.fround(c > 1 ? 1 : c < -1 ? -1 : c);
    const phi = TWO_PI * rng.uniform();
    const rho = Math.sqrt(Math.max(0, 1 - c * c));
    const p = rho * Math.cos(phi), r = rho * Math.sin(phi);
    const e1 = this.e1, e2 = this.e2, nv = this.axes, o = 3 * i;
    out[k] = p * e1[o] + r * e2[o] + c * nv[o];
    out[k + 1] = p * e1[o + 1] + r * e2[o + 1] + c * nv[o + 1];
    out[k + 2] = p * e1[o + 2] + r * e2[o + 2] + c * nv[o + 2];
  }

  /** nᵢ·x of a stored record, in float64, clamped to [−1, 1]. */
  private storedCosine(x: ArrayLike<number>, k: number, i: number): number {
    const nv = this.axes, o = 3 * i;
    const c = nv[o] * x[k] + nv[o + 1] * x[k + 1] + nv[o + 2] * x[k + 2];
    return c > 1 ? 1 : c < -1 ? -1 : c;
  }

  /** {@link storedCosine} after checking that x[k … k+2] is a unit vector. */
  private cosine(fn: string, x: ArrayLike<number>, k: number, i: number): number {
    const x1 = x[k], x2 = x[k + 1], x3 = x[k + 2];
    if (!(Math.abs(x1 * x1 + x2 * x2 + x3 * x3 - 1) <= UNIT_NORM_TOLERANCE)) {
      const record = Math.floor(k / (3 * this.qubits));
      throw new RangeError(
        `RotatedApparatus.${fn}: outcomes must be unit vectors (| |x|² − 1 | ≤ ${UNIT_NORM_TOLERANCE}) ` +
          `(got x[${record}, ${i}] = [${x1}, ${x2}, ${x3}])`,
      );
    }
    return this.storedCosine(x, k, i);
  }

  private checkLength(fn: string, x: ArrayLike<number>, batch: number): void {
    checkBatch(fn, batch);
    const size = batch * this.qubits * 3;
    if (x == null || x.length !== size) {
      throw new RangeError(
        `RotatedApparatus.${fn}: x must have shape [batch, N, 3] = [${batch}, ${this.qubits}, 3], i.e. length ${size} ` +
          `(got ${x == null ? String(x) : `length ${x.length}`})`,
      );
    }
  }

  private outputBuffer(fn: string, batch: number, out: Float32Array | undefined): Float32Array {
    checkBatch(fn, batch);
    const size = batch * this.qubits * 3;
    if (out === undefined) return new Float32Array(size);
    if (out.length !== size) {
      throw new RangeError(`RotatedApparatus.${fn}: out must have length batch·N·3 = ${batch}·${this.qubits}·3 = ${size} (got ${out.length})`);
    }
    return out;
  }
}

function checkBatch(fn: string, batch: number): void {
  if (typeof batch !== 'number' || !Number.isSafeInteger(batch) || batch < 0) {
    throw new RangeError(`RotatedApparatus.${fn}: batch must be an integer ≥ 0 (got ${String(batch)})`);
  }
}

/**
 * Validates and normalises pointer axes to unit rows, shape [N, 3].
 * @param fn the caller, for error messages
 * @throws RangeError for a wrong count or a zero / non-finite vector, naming `axes[i]` and the value
 */
export function normaliseAxes(fn: string, axes: PointerAxesInput, qubits: number): Float64Array {
  const forms = `one 3-vector [x, y, z], N = ${qubits} of them, or a flat array of length 3N = ${3 * qubits}`;
  if (axes == null || typeof axes !== 'object' || typeof axes.length !== 'number') {
    throw new RangeError(`${fn}: axes must be ${forms} (got ${String(axes)})`);
  }
  const rows: ArrayLike<unknown>[] = [];
  const first = (axes as ArrayLike<unknown>)[0];
  if (first != null && typeof first === 'object') {
    for (let i = 0; i < axes.length; i++) rows.push((axes as ReadonlyArray<ArrayLike<unknown>>)[i]);
  } else {
    const flat = axes as ArrayLike<unknown>;
    if (flat.length % 3 !== 0) throw new RangeError(`${fn}: axes must be ${forms} (got length ${flat.length})`);
    for (let i = 0; i < flat.length; i += 3) rows.push([flat[i], flat[i + 1], flat[i + 2]]);
  }
  if (rows.length !== 1 && rows.length !== qubits) {
    throw new RangeError(`${fn}: axes must be ${forms} (got ${rows.length} vectors)`);
  }
  const out = new Float64Array(3 * qubits);
  const unit = rows.map((r, i) => {
    const v = r == null ? [] : Array.from(r as ArrayLike<unknown>);
    const label = rows.length === 1 ? 'axes' : `axes[${i}]`;
    const shown = `[${v.map(String).join(', ')}]`;
    if (v.length !== 3 || !v.every((c) => typeof c === 'number' && Number.isFinite(c))) {
      throw new RangeError(`${fn}: ${label} must be a 3-vector of finite numbers (got ${shown})`);
    }
    const [a, b, c] = v as number[];
    const norm = Math.hypot(a, b, c);
    if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError(`${fn}: ${label} must be a non-zero vector (got ${shown})`);
    // an exact unit vector (ẑ) is kept as given, so its frame is exactly (x̂, ŷ, ẑ)
    return norm === 1 ? [a, b, c] : [a / norm, b / norm, c / norm];
  });
  for (let i = 0; i < qubits; i++) out.set(unit[rows.length === 1 ? 0 : i], 3 * i);
  return out;
}

function allRowsEqual(axes: Float64Array): boolean {
  for (let k = 3; k < axes.length; k++) if (axes[k] !== axes[k % 3]) return false;
  return true;
}

/**
 * e₁, e₂ completing nᵢ to a right-handed orthonormal frame: the columns R x̂, R ŷ of the Rodrigues
 * rotation R = I + K + K²/(1 + n₃) that maps ẑ onto n (K = [ẑ × n]×). Near n = −ẑ, where that rotation
 * is singular, the frame of −n with e₂ flipped (any frame will do: the azimuth is uniform).
 * @param axes unit axes, shape [N, 3]; row i is read, rows i of e1 and e2 (shape [N, 3]) are written
 */
export function transverseFrame(axes: Float64Array, i: number, e1: Float64Array, e2: Float64Array): void {
  const o = 3 * i;
  const flip = axes[o + 2] < -0.5;
  const s = flip ? -1 : 1;
  const ux = s * axes[o], uy = s * axes[o + 1], uz = s * axes[o + 2];
  const h = 1 / (1 + uz);
  e1[o] = 1 - ux * ux * h;
  e1[o + 1] = -ux * uy * h;
  e1[o + 2] = -ux;
  e2[o] = s * (-ux * uy * h);
  e2[o + 1] = s * (1 - uy * uy * h);
  e2[o + 2] = s * -uy;
}
