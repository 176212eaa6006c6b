/**
 * How much of the branch s = ±1 of the cat a one-number summary z of each record carries (issue 15):
 * a held-out variational lower bound on the mutual information I(s; z).
 */

/** Options of {@link latentBranchInformation}. */
export interface LatentBranchInformationOptions {
  /**
   * ridge λ ≥ 0 on the coefficients (a, b, c) of the standardised features (default 1e-3): keeps
   * Newton's method finite when the training half is separable (z = s exactly) or z² is collinear
   * with the intercept; negligible otherwise.
   */
  ridge?: number;
  /** most Newton steps, integer ≥ 1 (default 100). */
  maxIterations?: number;
}

/** The estimate, in nats. */
export interface LatentBranchInformation {
  /**
   * Mean over the held-out half of log q(sⱼ | zⱼ) − log π̂(sⱼ): the entropy of s under its training-half
   * frequency minus the held-out cross-entropy of the fitted logistic model. A lower bound on
   * I(s; z) up to its noise `se` (any model q gives H(s) − E[−log q(s | z)] ≤ I(s; z)).
   */
  readonly information: number;
  /** Standard error of `information` from the spread of the per-record held-out terms. */
  readonly se: number;
  /** H(s), binary entropy of the branch frequency of all records: the largest possible I(s; z). */
  readonly entropy: number;
}

/**
 * Lower bound on I(s; z) between the branch s and a scalar latent z (e.g. the encoder mean μ_z),
 * one pair per record. A logistic regression p(s = +1 | z) = σ(a + b z + c z²) — the quadratic term
 * because μ_z may be bimodal-symmetric — is fitted by Newton's method on the first ⌊n/2⌋ records
 * and scored on the rest, so the estimate does not reward overfitting and is ≤ I(s; z) in
 * expectation. The baseline −log π̂(s) uses the training-half frequency (add-½ smoothed), so the
 * per-record terms are a difference of two held-out log-losses and the standard error includes the
 * noise of both.
 *
 * Degenerate cases: one branch only → { information: 0, se: 0, entropy: 0 }; a constant latent
 * leaves only the intercept, giving ≈ 0.
 *
 * @param branch branch of each record, ±1, shape [n], n ≥ 4
 * @param latent the summary of each record, finite, shape [n]
 * @example
 *   const { information, se } = latentBranchInformation(branch, muZ); // nats, ≤ log 2
 * @throws RangeError naming the argument for mismatched lengths, n < 4, a branch not ±1, a latent
 *   not finite, or bad options.
 */
export function latentBranchInformation(
  branch: ArrayLike<number>,
  latent: ArrayLike<number>,
  options: LatentBranchInformationOptions = {},
): LatentBranchInformation {
  const ridge = options.ridge ?? 1e-3;
  const maxIterations = options.maxIterations ?? 100;
  if (!(typeof ridge === 'number' && Number.isFinite(ridge) && ridge >= 0)) {
    throw new RangeError(`latentBranchInformation: options.ridge must be a finite number ≥ 0 (got ${String(ridge)})`);
  }
  if (!(Number.isSafeInteger(maxIterations) && maxIterations >= 1)) {
    throw new RangeError(`latentBranchInformation: options.maxIterations must be an integer ≥ 1 (got ${String(maxIterations)})`);
  }
  if (branch == null || latent == null || branch.length !== latent.length) {
    throw new RangeError(
      `latentBranchInformation: branch and latent must have the same length n (got ${branch == null ? String(branch) : branch.length} and ${latent == null ? String(latent) : latent.length})`,
    );
  }
  const n = branch.length;
  if (n < 4) throw new RangeError(`latentBranchInformation: need n ≥ 4 records (got ${n})`);
  let plus = 0;
  for (let j = 0; j < n; j++) {
    const s = branch[j];
    if (s !== 1 && s !== -1) throw new RangeError(`latentBranchInformation: branch[${j}] must be +1 or −1 (got ${String(s)})`);
    if (!Number.isFinite(latent[j])) throw new RangeError(`latentBranchInformation: latent[${j}] must be finite (got ${String(latent[j])})`);
    if (s === 1) plus++;
  }
  if (plus === 0 || plus === n) return { information: 0, se: 0, entropy: 0 };
  const entropy = binaryEntropy(plus / n);

  const nTrain = Math.floor(n / 2);
  // Standardise with training-half statistics only, so the held-out half stays unseen.
  let mean = 0;
  for (let j = 0; j < nTrain; j++) mean += latent[j];
  mean /= nTrain;
  let variance = 0;
  for (let j = 0; j < nTrain; j++) variance += (latent[j] - mean) ** 2;
  const sd = Math.sqrt(variance / nTrain);
  const scale = sd > 0 ? 1 / sd : 0; // constant latent: z′ ≡ 0 on the training half
  const w = fitLogistic(branch, latent, nTrain, mean, scale, ridge, maxIterations);

  let trainPlus = 0;
  for (let j = 0; j < nTrain; j++) if (branch[j] === 1) trainPlus++;
  const piPlus = (trainPlus + 0.5) / (nTrain + 1);
  const logPrior = [Math.log1p(-piPlus), Math.log(piPlus)]; // index (s + 1)/2
  let sum = 0, sq = 0;
  const nTest = n - nTrain;
  for (let j = nTrain; j < n; j++) {
    const s = branch[j];
    const z = (latent[j] - mean) * scale;
    const eta = w[0] + w[1] * z + w[2] * z * z;
    const d = -softplus(-s * eta) - logPrior[(s + 1) / 2];
    sum += d;
    sq += d * d;
  }
  const information = sum / nTest;
  const se = Math.sqrt(Math.max(0, (sq - sum * information) / (nTest - 1)) / nTest);
  return { information, se, entropy };
}

/**
 * Maximises Σⱼ log σ(sⱼ ηⱼ) − (λ/2)|w|², ηⱼ = w₀ + w₁ zⱼ′ + w₂ zⱼ′², over the first nTrain records by
 * Newton's method with step halving (the objective is strictly concave for λ > 0).
 */
function fitLogistic(
  branch: ArrayLike<number>,
  latent: ArrayLike<number>,
  nTrain: number,
  mean: number,
  scale: number,
  ridge: number,
  maxIterations: number,
): Float64Array {
  const z = new Float64Array(nTrain);
  for (let j = 0; j < nTrain; j++) z[j] = (latent[j] - mean) * scale;
  const objective = (w: Float64Array): number => {
    let f = -0.5 * ridge * (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    for (let j = 0; j < nTrain; j++) f -= softplus(-branch[j] * (w[0] + w[1] * z[j] + w[2] * z[j] * z[j]));
    return f;
  };
  let w = new Float64Array(3);
  let f = objective(w);
  const g = new Float64Array(3);
  const h = new Float64Array(9);
  for (let it = 0; it < maxIterations; it++) {
    g.fill(0);
    h.fill(0);
    for (let k = 0; k < 3; k++) { g[k] = -ridge * w[k]; h[4 * k] = ridge; }
    for (let j = 0; j < nTrain; j++) {
      const zj = z[j];
      const feature = [1, zj, zj * zj];
      const p = sigmoid(w[0] + w[1] * zj + w[2] * zj * zj);
      const r = (branch[j] + 1) / 2 - p;
      const v = p * (1 - p);
      for (let a = 0; a < 3; a++) {
        g[a] += r * feature[a];
        for (let b = 0; b < 3; b++) h[3 * a + b] += v * feature[a] * feature[b];
      }
    }
    const step = solve3(h, g);
    if (step === null) break;
    let t = 1;
    let next = w, fNext = -Infinity;
    for (let halving = 0; halving < 40; halving++, t /= 2) {
      next = w.map((wk, k) => wk + t * step[k]);
      fNext = objective(next);
      if (fNext >= f) break;
    }
    if (!(fNext >= f)) break;
    const moved = Math.max(...step.map((s) => Math.abs(t * s)));
    w = next;
    const gain = fNext - f;
    f = fNext;
    if (moved < 1e-10 || gain < 1e-13 * Math.max(1, Math.abs(f))) break;
  }
  return w;
}

/** Solves the 3×3 system H x = g (H row-major, positive semi-definite) by Gaussian elimination with pivoting; null if singular. */
function solve3(h: Float64Array, g: Float64Array): Float64Array | null {
  const m = [
    [h[0], h[1], h[2], g[0]],
    [h[3], h[4], h[5], g[1]],
    [h[6], h[7], h[8], g[2]],
  ];
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (!(Math.abs(m[p][c]) > 1e-300)) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < 3; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k < 4; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Float64Array(3);
  for (let r = 2; r >= 0; r--) {
    let s = m[r][3];
    for (let k = r + 1; k < 3; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/** log(1 + eˣ) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** h(p) in nats. */
function binaryEntropy(p: number): number {
  return p <= 0 || p >= 1 ? 0 : -p * Math.log(p) - (1 - p) * Math.log1p(-p);
}
