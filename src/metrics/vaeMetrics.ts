import { batchTerms } from './batchTerms.ts';
import { Observable, type OperatorFunction } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import type { Normal } from '../distributions/normal.ts';
import type { Decoder } from '../models/decoder.ts';
import type { Encoder } from '../models/encoder.ts';
import type { Rng } from '../random/rng.ts';
import type { AxisFrame } from '../models/axisFrame.ts';
import { Apparatus } from '../simulators/apparatus.ts';
import { RotatedApparatus } from '../simulators/rotatedApparatus.ts';
import type { ApparatusBatch } from '../simulators/apparatusSource.ts';
import { exactMoments } from '../simulators/exactMoments.ts';
import { branchInformation } from '../simulators/knowledge.ts';
import { sampleWithBranch } from '../simulators/sampleWithBranch.ts';
import { latentBranchInformation } from './branchInformation.ts';
import { sensorSaliency } from './sensorSaliency.ts';
import { bimodalityCoefficient } from '../stats/bimodality.ts';
import { fitGaussianMixture2 } from '../stats/gaussianMixture2.ts';
import { linearFit } from '../stats/regression.ts';
import { histogram, type MetricRecord } from './records.ts';

/** What a trained VAE step carries (see minimize + elbo). Tensors are borrowed. */
export interface VaeStep {
  step: number;
  records: ApparatusBatch;
  q: Normal;
  loss: Tensor;
  reconstruction: Tensor;
  kl: Tensor;
  reg?: number;
}

export interface VaeMetricsOptions {
  /** Emit every `every` steps (and at `lastStep`). */
  every: number;
  lastStep?: number;
  apparatus: VaeApparatus;
  encoder: Encoder;
  /**
   * The learned pointer frame the records pass through before the encoder and decoder (rotated
   * measurement bases); the scalars then gain `axis_angle_deg`, the mean sign-blind angle between
   * the learned and the apparatus's true axes, in degrees.
   */
  frame?: AxisFrame | null;
  decoder: Decoder;
  /** Fresh records per evaluation (latent statistics, histograms); default 500. */
  evalRecords?: number;
  /** Randomness of the evaluation records and latent draws; separate from training's. */
  rng: Rng;
  bins?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
  /**
   * Also measure how much of the branch information the latent holds (issue 15): the evaluation
   * records are then drawn with their branch s (sampleWithBranch: the same distribution, another
   * random stream), and the scalars gain `branch_info_latent` ± `_se` (a held-out lower bound on
   * I(s; μ_z), latentBranchInformation), `branch_info_exact` ± `_se` (I(s; x), what the record
   * holds: exact on the fixed axis with one ε, 20 000 exact draws otherwise), `branch_info_share` (their
   * ratio) and `branch_entropy` (H(s)). Default false (the evaluation stream as before).
   */
  branchInformation?: boolean;
  /**
   * Records (of the evaluation's) on which the sensor saliencies are measured when ε varies from
   * qubit to qubit (see sensorSaliency): the scalars gain `sensor_corr` (Pearson correlation of
   * each qubit's saliency with εᵢ) and `sensor_corr_exact` (the exact posterior's, on the same
   * records) — with a decoder of per-qubit gains also `sensor_gain_corr` (of |gᵢ| with εᵢ) — and the
   * last step emits table `sensors` (step, qubit, epsilon, saliency, exact_saliency[, gain]).
   * Default 200; 0 turns it off. Ignored for a uniform apparatus.
   */
  sensorRecords?: number;
}

/**
 * Step stream → metric records, every k steps: the seed's TensorBoard panel (loss, latent norm,
 * latent fluctuation; histograms of the data magnetisation, m and z) and what the seed asked for:
 *
 * - `nll_exact`: −log p[x] per record from the apparatus's exact joint (the best any model can do),
 *   and `elbo_gap` = loss − nll_exact (≥ 0 in expectation when reg = 1);
 * - `m_mag_corr`, `m_mag_slope`: correlation and slope of m(μ_z) against the data magnetisation,
 *   `mag_artanh_slope`: least-squares ratio ⟨x⟩ / artanh m(μ_z) (the seed's TODO);
 * - `z_bimodality`: Sarle's coefficient of the aggregate p(z) (> 5/9 hints at two modes) and
 *   `z_separation`: Ashman's D of a two-Gaussian EM fit (> 2: separated modes), to locate the
 *   delayed latent bifurcation.
 *
 * Per-record values (loss, reconstruction, kl) are batch means of the summed objective's terms.
 */
export function vaeMetrics(options: VaeMetricsOptions): OperatorFunction<VaeStep, MetricRecord> {
  const { every, apparatus, encoder, decoder, rng } = options;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`vaeMetrics: every must be an integer ≥ 1 (got ${every})`);
  const evalRecords = options.evalRecords ?? 500;
  const bins = options.bins ?? 40;
  const now = options.now ?? Date.now;
  // The magnetisation's exact spread fixes its histogram range for the whole run: ±(|E M| + 5 sd),
  // rounded up to a tenth and capped at the possible ±d, so the mass is not squeezed into a few bins.
  const frame = options.frame ?? null;
  // A rotation of the pointer axes changes no statistic of the components along them.
  const moments = exactMoments(alongPointerAxes(apparatus));
  const exactInfo = options.branchInformation
    ? branchInformation(
        { scheme: apparatus.scheme, epsilon: apparatus.uniform ? apparatus.epsilons[0] : apparatus.epsilons, qubits: apparatus.qubits, alpha0: apparatus.alpha0 },
        apparatus.scheme === 'fixed' && apparatus.uniform ? {} : { samples: 20_000, rng: rng.fork() },
      )
    : null;
  const sensorRecords = apparatus.uniform ? 0 : (options.sensorRecords ?? 200);
  if (!Number.isSafeInteger(sensorRecords) || sensorRecords < 0) {
    throw new RangeError(`vaeMetrics: sensorRecords must be an integer ≥ 0 (got ${String(options.sensorRecords)})`);
  }
  const magRange = Math.min(apparatus.dim, Math.ceil(10 * (Math.abs(moments.magnetisationMean) + 5 * Math.sqrt(moments.magnetisationVariance))) / 10);
  return (source) =>
    new Observable<MetricRecord>((subscriber) => {
      const started = now();
      return source.subscribe({
        next(s) {
          if (s.step % every !== 0 && s.step !== options.lastStep) return;
          const wallTime = now();
          const { loss, reconstruction: recon, kl, nllExact: nll } = batchTerms(s, (x, b) => apparatus.logProb(x, b));

          const ev = evaluate(encoder, decoder, apparatus, evalRecords, rng, exactInfo != null, frame);
          const branchValues: Record<string, number> = {};
          if (exactInfo != null && ev.branch != null) {
            const latent = latentBranchInformation(ev.branch, ev.muSum);
            Object.assign(branchValues, {
              branch_info_latent: latent.information,
              branch_info_latent_se: latent.se,
              branch_info_exact: exactInfo.information,
              branch_info_exact_se: exactInfo.standardError,
              branch_info_share: exactInfo.information > 0 ? latent.information / exactInfo.information : 0,
              branch_entropy: exactInfo.priorEntropy,
            });
          }
          const sensorValues: Record<string, number> = {};
          let sensors: ReturnType<typeof sensorSaliency> | null = null;
          let gains: Float32Array | null = null;
          if (sensorRecords > 0) {
            const k = Math.min(sensorRecords, evalRecords);
            sensors = sensorSaliency(encoder, ev.x.subarray(0, k * apparatus.qubits * apparatus.dim), k, apparatus.epsilons);
            Object.assign(sensorValues, { sensor_corr: sensors.correlation, sensor_corr_exact: sensors.exactCorrelation });
            gains = decoder.gains();
            if (gains != null) sensorValues.sensor_gain_corr = linearFit(apparatus.epsilons, gains.map(Math.abs)).correlation;
          }
          const fit = linearFit(ev.magnetisation, ev.mAtMean);
          const artanh = ev.mAtMean.map((m) => Math.atanh(m));
          const ratio = linearFit(artanh, ev.magnetisation);
          const mix = fitGaussianMixture2(ev.zSum);
          subscriber.next({
            kind: 'scalars',
            step: s.step,
            wallTime,
            values: {
              loss,
              reconstruction: recon,
              kl,
              reg: s.reg ?? 1,
              nll_exact: nll,
              elbo_gap: loss - nll,
              latent_norm: ev.latentNorm,
              latent_fluctuation: ev.latentFluctuation,
              m_mag_corr: fit.correlation,
              m_mag_slope: fit.slope,
              mag_artanh_slope: ratio.slope,
              z_bimodality: bimodalityCoefficient(ev.zSum),
              z_separation: mix.separation,
              ...branchValues,
              ...sensorValues,
              ...(frame != null && apparatus instanceof RotatedApparatus ? { axis_angle_deg: (frame.angleTo(apparatus.axes) * 180) / Math.PI } : {}),
              elapsed_s: (wallTime - started) / 1000,
            },
          });
          subscriber.next(histogram('magnetisation', s.step, ev.magnetisation, bins, -magRange, magRange, wallTime));
          subscriber.next(histogram('m', s.step, ev.mSampled, bins, -1, 1, wallTime));
          subscriber.next(histogram('z', s.step, ev.zSum, bins, -4, 4, wallTime));
          if (sensors != null && s.step === options.lastStep) {
            for (let i = 0; i < apparatus.qubits; i++) {
              subscriber.next({
                kind: 'row',
                table: 'sensors',
                row: {
                  step: s.step,
                  qubit: i,
                  epsilon: apparatus.epsilons[i],
                  saliency: sensors.saliency[i],
                  exact_saliency: sensors.exact[i],
                  ...(gains != null ? { gain: gains[i] } : {}),
                },
              });
            }
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

interface Evaluation {
  magnetisation: Float64Array;
  /** m(μ_z) per record. */
  mAtMean: Float64Array;
  /** m(z) for one z ~ q(z|x) per record (the seed's `p.m` histogram). */
  mSampled: Float32Array;
  /** Σ_k z_k for one z per record (the seed's z histogram sums latent dimensions). */
  zSum: Float64Array;
  latentNorm: number;
  latentFluctuation: number;
  /** Σ_k μ_k per record. */
  muSum: Float64Array;
  /** The branch s = ±1 of each record, when drawn with it. */
  branch: Int8Array | null;
  /** The records, shape [n, N, d]. */
  x: Float32Array;
}

/** The apparatuses the qubit VAE trains on: today's, and the one with rotated pointer axes. */
export type VaeApparatus = Apparatus | RotatedApparatus;

/** The same apparatus with every pointer axis along ẑ (itself when it has no axes). */
function alongPointerAxes(apparatus: VaeApparatus): Apparatus {
  if (apparatus instanceof Apparatus) return apparatus;
  const epsilon = apparatus.uniform ? apparatus.epsilons[0] : Array.from(apparatus.epsilons);
  return new Apparatus({ scheme: 'random', epsilon, qubits: apparatus.qubits, alpha0: apparatus.alpha0 });
}

/** Fresh records through the model without gradients; all tensors freed here. */
export function evaluate(encoder: Encoder, decoder: Decoder, apparatus: VaeApparatus, n: number, rng: Rng, withBranch = false, frame: AxisFrame | null = null): Evaluation {
  const drawn = !withBranch ? null : apparatus instanceof RotatedApparatus ? apparatus.sampleWithBranch(n, rng) : sampleWithBranch(apparatus, n, rng);
  const xData = drawn?.x ?? apparatus.sample(n, rng);
  const magnetisation = apparatus.magnetisation(xData, n);
  const [mu, sigma, mMean, mSampled, z] = tf.tidy(() => {
    const records = tf.tensor3d(xData, [n, apparatus.qubits, apparatus.dim]);
    const x = frame == null ? records : frame.toFrame(records);
    const { q } = encoder.apply(x);
    const zs = q.sample([], rng);
    return [q.loc, q.scale, decoder.polarisation(q.loc), decoder.polarisation(zs), zs];
  });
  const muData = mu.dataSync(), sigmaData = sigma.dataSync(), zData = z.dataSync();
  const zDim = mu.shape[1] as number;
  let latentNorm = 0, latentFluctuation = 0;
  const zSum = new Float64Array(n);
  const muSum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let k = 0; k < zDim; k++) {
      sq += muData[i * zDim + k] ** 2;
      muSum[i] += muData[i * zDim + k];
      latentFluctuation += sigmaData[i * zDim + k];
      zSum[i] += zData[i * zDim + k];
    }
    latentNorm += Math.sqrt(sq);
  }
  const result: Evaluation = {
    magnetisation,
    mAtMean: Float64Array.from(mMean.dataSync()),
    mSampled: mSampled.dataSync() as Float32Array,
    zSum,
    latentNorm: latentNorm / n,
    latentFluctuation: latentFluctuation / (n * zDim),
    muSum,
    branch: drawn?.branch ?? null,
    x: xData,
  };
  tf.dispose([mu, sigma, mMean, mSampled, z]);
  return result;
}
