import { batchTerms } from './batchTerms.ts';
import { Observable, type OperatorFunction } from 'rxjs';
import { tf } from '../backend/tf.ts';
import type { Encoder } from '../models/encoder.ts';
import type { ReadoutDecoder } from '../models/readoutDecoder.ts';
import type { Rng } from '../random/rng.ts';
import type { BitInformation, MultiSystemApparatus } from '../simulators/multiSystemApparatus.ts';
import { assignmentAccuracy, bitLatentInformation } from './assignment.ts';
import type { MetricRecord } from './records.ts';
import type { VaeStep } from './vaeMetrics.ts';

export interface SystemsMetricsOptions {
  /** Emit every `every` steps (and at `lastStep`). */
  every: number;
  lastStep?: number;
  apparatus: MultiSystemApparatus;
  encoder: Encoder;
  decoder: ReadoutDecoder;
  /** Fresh records per evaluation, integer ≥ 4; default 500. */
  evalRecords?: number;
  /** Randomness of the evaluation records (and, forked once, of the exact information's Monte Carlo); separate from training's. */
  rng: Rng;
  /** Monte Carlo records per system qubit for `bit_info_exact` where no exact sum applies; default 20 000. */
  exactSamples?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/**
 * Step stream → metric records for the several-system-qubit VAE (issue 15): does the model find the
 * K hidden bits, and which ancilla belongs to which? Every `every` steps (and at `lastStep`) one
 * scalars record:
 *
 * - `loss`, `reconstruction`, `kl` (per-record batch means), `reg`, `nll_exact` (−log p[x] of the
 *   training batch from the apparatus's exact joint) and `elbo_gap` = loss − nll_exact;
 * - on `evalRecords` fresh records drawn with their bits (`sampleWithBits`, eval rng):
 *   `assignment_accuracy` — the decoder's sensitivity |∂aᵢ/∂z_l| at μ_z, each ancilla given the latent
 *   it follows most, latents matched to system qubits (assignmentAccuracy; with L > K latents the
 *   spare ones match empty systems, so an ancilla following one counts as wrong);
 *   `bit_info_latent` — mean over k of the best held-out lower bound on I(s_k; μ_{z,l})
 *   (bitLatentInformation), per bit `bit_info_latent_0` … `_{K−1}`; `bit_info_exact` — mean over k
 *   of I(s_k; x) (exact on the fixed axis with equal ε per group, else Monte Carlo, once at
 *   construction); `bit_info_share` = latent / exact; `elapsed_s`.
 *
 * At `lastStep` also table `assignment`: one row per ancilla {step, qubit, system (truth), latent
 * (the latent dim it follows), predicted_system (through the best matching), epsilon}.
 */
export function systemsMetrics(options: SystemsMetricsOptions): OperatorFunction<VaeStep, MetricRecord> {
  const fn = 'systemsMetrics';
  const { every, apparatus, encoder, decoder, rng } = options;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`${fn}: every must be an integer ≥ 1 (got ${every})`);
  const evalRecords = options.evalRecords ?? 500;
  if (!Number.isSafeInteger(evalRecords) || evalRecords < 4) throw new RangeError(`${fn}: evalRecords must be an integer ≥ 4 (got ${String(options.evalRecords)})`);
  const samples = options.exactSamples ?? 20_000;
  if (decoder.qubits !== apparatus.qubits) throw new RangeError(`${fn}: decoder.qubits must equal apparatus.qubits = ${apparatus.qubits} (got ${decoder.qubits})`);
  if (encoder.zDim !== decoder.zDim) throw new RangeError(`${fn}: encoder.zDim = ${encoder.zDim} and decoder.zDim = ${decoder.zDim} must agree`);
  const now = options.now ?? Date.now;
  const nk = apparatus.systems, nl = decoder.zDim;
  // Fork only when Monte Carlo is needed (as vaeMetrics does), so exact cases keep the eval stream.
  const exact = bitInformationOf(apparatus, samples, rng);
  const exactMean = mean(exact.information);
  return (source) =>
    new Observable<MetricRecord>((subscriber) => {
      const started = now();
      return source.subscribe({
        next(s) {
          if (s.step % every !== 0 && s.step !== options.lastStep) return;
          const wallTime = now();
          const { loss, reconstruction: recon, kl, nllExact: nll } = batchTerms(s, (x, b) => apparatus.logProb(x, b));

          const { x, bits } = apparatus.sampleWithBits(evalRecords, rng);
          const mu = tf.tidy(() => encoder.apply(tf.tensor3d(x, [evalRecords, apparatus.qubits, apparatus.dim])).q.loc);
          const muData = mu.dataSync() as Float32Array;
          mu.dispose();
          // L ≥ K latents: truth takes values in 0 … K−1 ⊂ 0 … L−1, so a one-to-one match of L latents to L "systems".
          const sensitivity = decoder.sensitivity(muData, evalRecords);
          const assignment = assignmentAccuracy(sensitivity, apparatus.assignment, nl);
          const info = bitLatentInformation(bits, muData, nk, nl);
          const latentMean = mean(info.information);
          const perBit: Record<string, number> = {};
          info.information.forEach((v, k) => (perBit[`bit_info_latent_${k}`] = v));
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
              assignment_accuracy: assignment.accuracy,
              bit_info_latent: latentMean,
              bit_info_exact: exactMean,
              bit_info_share: exactMean > 0 ? latentMean / exactMean : 0,
              ...perBit,
              elapsed_s: (wallTime - started) / 1000,
            },
          });
          if (s.step !== options.lastStep) return;
          for (let i = 0; i < apparatus.qubits; i++) {
            let latent = 0;
            for (let l = 1; l < nl; l++) if (Math.abs(sensitivity[i * nl + l]) > Math.abs(sensitivity[i * nl + latent])) latent = l;
            subscriber.next({
              kind: 'row',
              table: 'assignment',
              row: {
                step: s.step,
                qubit: i,
                system: apparatus.assignment[i],
                latent,
                predicted_system: assignment.predicted[i],
                epsilon: apparatus.epsilons[i],
              },
            });
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

/** I(s_k; x) per bit: exact where every group is on the fixed axis with one ε, else Monte Carlo on a fork of `rng`. */
function bitInformationOf(apparatus: MultiSystemApparatus, samples: number, rng: Rng): BitInformation {
  let exact = apparatus.scheme === 'fixed';
  for (let k = 0; exact && k < apparatus.systems; k++) {
    const eps = Array.from(apparatus.members(k), (i) => apparatus.epsilons[i]);
    exact = eps.every((e) => e === eps[0]);
  }
  return exact ? apparatus.bitInformation({ method: 'exact' }) : apparatus.bitInformation({ samples, rng: rng.fork() });
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length > 0 ? s / v.length : 0;
}
