import { autocovariance } from './autocovariance.ts';
import { meanVariance, pooled, quantileSorted, rankNormalize, splitChains, usable, type Chains } from './chains.ts';

/**
 * Effective sample sizes of one scalar quantity (Vehtari, Gelman, Simpson, Carpenter & Bürkner
 * 2021, §3.2 and appendix; the same numbers as ArviZ's `ess(method=…)`):
 *
 * - `essBasic` — split chains, no rank normalisation: the ESS for the mean (ArviZ "mean");
 * - `essBulk`  — split, rank-normalised chains: robust to heavy tails (ArviZ "bulk");
 * - `essTail`  — min of the ESS of the indicators I(x ≤ q₀.₀₅) and I(x ≤ q₀.₉₅), split (ArviZ "tail").
 *
 * Input: `draws`, one Float64Array per chain, all of length n ≥ 4. Returns NaN for fewer than 4
 * draws or non-finite values, as ArviZ does.
 */

/** ESS of the mean of split chains: S / τ̂, the basic estimator. @example essBasic([chain0, chain1, chain2, chain3]) */
export function essBasic(draws: Chains): number {
  if (!usable('essBasic', draws)) return Number.NaN;
  return effectiveSampleSize(splitChains(draws));
}

/** Bulk ESS: the basic estimator on rank-normalised split chains. @example essBulk(draws) > 400 */
export function essBulk(draws: Chains): number {
  if (!usable('essBulk', draws)) return Number.NaN;
  return effectiveSampleSize(rankNormalize(splitChains(draws)));
}

/** Tail ESS: min over the 5% and 95% quantiles (of all draws pooled) of the ESS of I(x ≤ q), split. @example essTail(draws) */
export function essTail(draws: Chains): number {
  if (!usable('essTail', draws)) return Number.NaN;
  const sorted = pooled(draws).sort();
  return Math.min(quantileEss(draws, quantileSorted(sorted, 0.05)), quantileEss(draws, quantileSorted(sorted, 0.95)));
}

function quantileEss(draws: Chains, q: number): number {
  const indicators = draws.map((x) => {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i] <= q ? 1 : 0;
    return out;
  });
  return effectiveSampleSize(splitChains(indicators));
}

/**
 * ArviZ's `_ess` on m chains of n draws, already split and transformed as the caller wants:
 *
 *   ρ̂_t = 1 − (W − mean_c γ̂_{c,t}) / var⁺,   W = mean_c γ̂_{c,0}·n/(n−1),   var⁺ = W(n−1)/n + var(chain means)
 *
 * truncated by Geyer's initial positive sequence (sum consecutive pairs ρ̂_{2k} + ρ̂_{2k+1} while
 * positive), made monotone (Geyer's initial monotone sequence), τ̂ = −1 + 2 Σ_{t ≤ T} ρ̂_t + ρ̂_{T+1},
 * capped below at 1/log₁₀(mn) so that ESS ≤ mn·log₁₀(mn) for antithetic chains.
 * Constant input (range < 1e-15, numpy's float resolution) has ESS = mn.
 */
export function effectiveSampleSize(chains: Chains): number {
  const m = chains.length;
  const n = chains[0].length;
  let lo = Infinity, hi = -Infinity;
  for (const x of chains) for (let i = 0; i < n; i++) { if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i]; }
  if (hi - lo < 1e-15) return m * n;

  // The chain-averaged autocovariance is all the estimator needs, and only up to Geyer's
  // truncation lag: sum lags directly while few are needed (a well-mixing chain stops after a
  // handful), switch to the FFT (all lags, O(n log n)) once the direct sums would cost more.
  const acov = chainAveragedAutocovariance(chains);
  const chainMeans = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += chains[c][i];
    chainMeans[c] = s / n;
  }
  const meanVar = (acov(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += meanVariance(chainMeans).variance;

  const rho = new Float64Array(n);
  let rhoEven = 1;
  rho[0] = rhoEven;
  let rhoOdd = 1 - (meanVar - acov(1)) / varPlus;
  rho[1] = rhoOdd;
  // Geyer's initial positive sequence: stop at the first negative pair sum.
  let t = 1;
  while (t < n - 3 && rhoEven + rhoOdd > 0) {
    rhoEven = 1 - (meanVar - acov(t + 1)) / varPlus;
    rhoOdd = 1 - (meanVar - acov(t + 2)) / varPlus;
    if (rhoEven + rhoOdd >= 0) {
      rho[t + 1] = rhoEven;
      rho[t + 2] = rhoOdd;
    }
    t += 2;
  }
  const maxT = t - 2;
  // A positive even term past the truncation still improves the estimate.
  if (rhoEven > 0) rho[maxT + 1] = rhoEven;
  // Geyer's initial monotone sequence: pair sums must not increase.
  for (t = 1; t <= maxT - 2; t += 2) {
    if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) {
      rho[t + 1] = (rho[t - 1] + rho[t]) / 2;
      rho[t + 2] = rho[t + 1];
    }
  }
  const size = m * n;
  let tau = -1;
  for (let k = 0; k <= maxT; k++) tau += 2 * rho[k];
  if (maxT + 1 < n) tau += rho[maxT + 1];
  tau = Math.max(tau, 1 / Math.log10(size));
  for (let k = 0; k < n; k++) if (Number.isNaN(rho[k])) return Number.NaN;
  return size / tau;
}

/**
 * (1/m) Σ_c γ̂_{c,t} as a function of the lag t, computed lazily: direct O(mn) sums per lag for
 * the first lags, then — past about 2 log₂(2n) lags, where the FFT becomes cheaper — every lag at
 * once by `autocovariance`. Both give ArviZ's biased estimator; they differ only by rounding.
 */
function chainAveragedAutocovariance(chains: Chains): (t: number) => number {
  const m = chains.length;
  const n = chains[0].length;
  const centred = chains.map((x) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i];
    const mean = s / n;
    return x.map((v) => v - mean);
  });
  const directLags = 2 * Math.ceil(Math.log2(2 * n)) + 2;
  const direct = new Float64Array(Math.min(directLags, n)).fill(Number.NaN);
  let all: Float64Array | undefined;
  return (t: number): number => {
    if (all) return all[t];
    if (t < direct.length) {
      if (Number.isNaN(direct[t])) {
        let s = 0;
        for (const x of centred) for (let i = 0; i + t < n; i++) s += x[i] * x[i + t];
        direct[t] = s / n / m;
      }
      return direct[t];
    }
    all = new Float64Array(n);
    for (const x of chains) {
      const g = autocovariance(x);
      for (let k = 0; k < n; k++) all[k] += g[k] / m;
    }
    return all[t];
  };
}
