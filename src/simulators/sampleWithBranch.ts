import type { Rng } from '../random/rng.ts';
import type { ApparatusParams } from './apparatus.ts';
import { drawDipolarOutcome } from './dipolarCosine.ts';


/** Records drawn together with the branch that produced them, by {@link sampleWithBranch}. */
export interface SampleWithBranch {
  /** outcomes, shape [batch, N, d], row-major (the layout of `Apparatus.sample`). */
  readonly x: Float32Array;
  /** the branch s = ±1 of each record (+1: |0…0⟩, weight e^{α₀}/(2 cosh α₀)), shape [batch]. */
  readonly branch: Int8Array;
}

/**
 * Draws records by ancestral sampling of the two-branch mixture, keeping the branch: for each record
 * s = +1 with probability σ(2α₀) = e^{α₀}/(2 cosh α₀), else −1; then, given s, the qubits are
 * independent with p(xᵢ | s) = (1 + s tᵢ xᵢ₃)/Ω, tᵢ = tanh εᵢ (see `Apparatus`).
 *
 * The records have the same distribution as `Apparatus.sample` (the autoregressive sampler is this
 * mixture with s integrated out), but NOT the same random stream: the same seed gives different
 * records. Draw order per record: one uniform for s; then per qubit — fixed: one uniform v,
 * x = +1 iff v < (1 + s tᵢ)/2; random: v for x₃ by inverse CDF of (1 + m x₃)/2, m = s tᵢ,
 *   x₃ = (m − 2 + 4v) / (1 + √((1 − m)² + 4 m v))
 * (the form used by `branchInformation`'s Monte Carlo and by the autoregressive sampler), rounded
 * to float32, then v′ for the azimuth φ = 2π v′, x₁ + i x₂ = e^{iφ} √(1 − x₃²).
 *
 * @param app the apparatus (an `Apparatus` or any validated `ApparatusParams`)
 * @param batch number of records, integer ≥ 0
 * @param out if given, filled with the outcomes, length batch·N·d
 * @example
 *   const { x, branch } = sampleWithBranch(new Apparatus({ scheme: 'random', epsilon: 0.2, qubits: 50 }), 100, new Rng(1));
 *   // x: shape [100, 50, 3]; branch: shape [100], each ±1
 * @throws RangeError naming the argument for a bad batch or an out of the wrong length.
 */
export function sampleWithBranch(app: ApparatusParams, batch: number, rng: Rng, out?: Float32Array): SampleWithBranch {
  if (typeof batch !== 'number' || !Number.isSafeInteger(batch) || batch < 0) {
    throw new RangeError(`sampleWithBranch: batch must be an integer ≥ 0 (got ${String(batch)})`);
  }
  const n = app.qubits, d = app.dim;
  const size = batch * n * d;
  if (out !== undefined && out.length !== size) {
    throw new RangeError(`sampleWithBranch: out must have length batch·N·d = ${batch}·${n}·${d} = ${size} (got ${out.length})`);
  }
  const x = out ?? new Float32Array(size);
  const branch = new Int8Array(batch);
  const t = app.epsilons.map(Math.tanh);
  const piPlus = 1 / (1 + Math.exp(-2 * app.alpha0));
  const uniform = () => rng.uniform();
  for (let b = 0, k = 0; b < batch; b++) {
    const s = rng.uniform() < piPlus ? 1 : -1;
    branch[b] = s;
    if (d === 1) {
      for (let i = 0; i < n; i++, k++) x[k] = rng.uniform() < 0.5 * (1 + s * t[i]) ? 1 : -1;
      continue;
    }
    for (let i = 0; i < n; i++, k += 3) drawDipolarOutcome(s * t[i], uniform, x, k);
  }
  return { x, branch };
}
