import { concat, defer, filter, finalize, map, of, pipe, type Observable } from 'rxjs';
import { onHostMemory } from '../backend/hostMemory.ts';
import { tf } from '../backend/tf.ts';
import type { Flow } from '../flows/flow.ts';
import { reverseKl } from '../flows/reverseKl.ts';
import type { MetricRecord, ScalarsRecord, TableRowRecord } from '../metrics/records.ts';
import { variablesOf } from '../nn/module.ts';
import { importanceEss, iwaeBound, logMeanExp } from '../objectives/iwae.ts';
import { trainingSteps } from '../objectives/trainingSteps.ts';
import { minimize } from '../operators/minimize.ts';
import { Adam } from '../optim/adam.ts';
import { Rng } from '../random/rng.ts';
import type { Target } from '../targets/target.ts';
import { meanStandardError } from '../stats/meanStandardError.ts';
import { scoreSamples, type ExactReference } from './reference.ts';
import type { StageClock } from './stageClock.ts';

export interface FitFlowOptions {
  /** Method name: the `method` column and the prefix of its scalars (`planar_elbo`, …). */
  name: string;
  /** Optimiser steps (the seed: 1000). */
  steps: number;
  /** Reparameterised draws per step (the seed: 256). */
  batch: number;
  /** Adam learning rate (the seed: 1e-2). */
  lr: number;
  /** Evaluate every this many steps. */
  every: number;
  /** Fresh draws per evaluation of ELBO, KL and ESS. */
  evalSamples: number;
  /** IWAE bounds L_K for these K, at the end (and every `iwaeEvery` steps when > 0). */
  iwaeKs: readonly number[];
  iwaeEvery: number;
  /** Draws for the IWAE bounds: ⌊iwaeSamples / K⌋ independent replicates of L_K. */
  iwaeSamples: number;
  /** Final draws written to the `samples` table and scored against the exact posterior. */
  samples: number;
  seed: number;
}

/** A flow's sample and its log weights log p(y, θ) − log q(θ), in float64, without gradients. */
export function drawWeighted(flow: Flow, target: Target, n: number, rng: Rng, chunk = 16384): { theta: Float64Array; logQ: Float64Array; logW: Float64Array } {
  const d = flow.dim;
  const theta = new Float64Array(n * d);
  const logQ = new Float64Array(n);
  const logW = new Float64Array(n);
  const point = new Float64Array(d);
  const grad = new Float64Array(d);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const [x, lq] = tf.tidy(() => {
      const { x, logProb } = flow.rsampleAndLogProb(m, rng);
      return [x, logProb];
    });
    const xs = x.dataSync(), lqs = lq.dataSync();
    tf.dispose([x, lq]);
    theta.set(xs, start * d);
    for (let i = 0; i < m; i++) {
      // log p(y, θ) in float64 from the target's JavaScript form: at log p ≈ −200 float32 would cost 1e-5 nats per draw.
      for (let j = 0; j < d; j++) point[j] = xs[i * d + j];
      logQ[start + i] = lqs[i];
      logW[start + i] = target.logDensityAndGrad(point, grad) - lqs[i];
    }
  }
  return { theta, logQ, logW };
}

/**
 * The optimiser `fitFlow` trains with: Adam, run on the host where tensors live in host memory
 * (wasm, cpu) — a flow on a 2-D posterior has a few hundred parameters, and there ~30 kernel
 * launches of the device update cost more than its arithmetic.
 */
export function flowOptimizer(flow: Flow, lr: number): Adam {
  return new Adam(variablesOf(flow), { lr, host: onHostMemory() });
}

/** L_K for every K, as columns `iwae_K`, `iwae_K_se`. */
function iwaeColumns(logW: Float64Array, ks: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ks) {
    if (Math.floor(logW.length / k) < 2) continue;
    const b = iwaeBound(logW, k);
    out[`iwae_${k}`] = b.estimate;
    out[`iwae_${k}_se`] = b.standardError;
  }
  return out;
}

/**
 * One normalising-flow method as a stage of a run: fits `flow` to `target` by the reverse-KL ELBO
 * (`minimize(reverseKl(flow, target))`, seed 003 problem 3(1)) and streams its metrics, each an
 * exact score because the reference knows log p(y): KL(q‖p) = log p(y) − ELBO, the importance ESS
 * of p/q, and the IWAE bounds L_K that rise with K toward log p(y) (seed 003 problem 2).
 *
 * Emits `scalars` every `every` steps (`iteration`, `<name>_loss`, `<name>_elbo`, `<name>_kl`,
 * `<name>_ess`, `<name>_iwae_K`), then one `summary` row, the `iwae` rows (one per K) and the final
 * `samples` rows (method, theta1, theta2, log_q). The flow stays the caller's; the stage frees its
 * optimiser when it ends or is unsubscribed.
 */
export function fitFlow(flow: Flow, target: Target, ref: ExactReference, clock: StageClock, options: FitFlowOptions): Observable<MetricRecord> {
  return defer(() => {
    const { name } = options;
    const root = new Rng(options.seed);
    const trainRng = root.fork();
    const evalRng = root.fork();
    const stepSeed = root.nextUint32();
    const adam = flowOptimizer(flow, options.lr);
    const started = performance.now();
    let trainMs = 0;
    // The last step's large draw serves both its IWAE columns and the summary row: drawn once.
    let finalW: Float64Array | null = null;

    const evaluate = (iteration: number, loss: number): ScalarsRecord => {
      const { logW } = drawWeighted(flow, target, options.evalSamples, evalRng);
      const { mean, standardError: se } = meanStandardError(logW);
      const values: Record<string, number> = {
        iteration,
        [`${name}_loss`]: loss,
        [`${name}_elbo`]: mean,
        [`${name}_elbo_se`]: se,
        [`${name}_kl`]: ref.logEvidence - mean,
        [`${name}_ess`]: importanceEss(logW),
      };
      const last = iteration === options.steps;
      if (last || (options.iwaeEvery > 0 && iteration % options.iwaeEvery === 0)) {
        const { logW: w } = drawWeighted(flow, target, options.iwaeSamples, evalRng);
        if (last) finalW = w;
        if (options.iwaeEvery > 0) for (const [k, v] of Object.entries(iwaeColumns(w, options.iwaeKs))) values[`${name}_${k}`] = v;
      }
      return { kind: 'scalars', step: clock.now - 1, wallTime: Date.now(), values };
    };

    const forward = pipe(reverseKl(flow, target, { batch: options.batch, rng: trainRng }));
    let stepStart = 0;
    const training$ = trainingSteps(options.steps, stepSeed).pipe(
      map((s) => {
        stepStart = performance.now();
        return s;
      }),
      minimize(forward, adam),
      map(({ step, loss }) => {
        const value = (loss.dataSync() as Float32Array)[0];
        trainMs += performance.now() - stepStart;
        clock.tick();
        const iteration = step + 1;
        return iteration % options.every === 0 || iteration === options.steps || iteration === 1 ? evaluate(iteration, value) : null;
      }),
      filter((r): r is ScalarsRecord => r != null),
    );

    const final$ = defer(() => {
      const seconds = (performance.now() - started) / 1000;
      const logW = finalW ?? drawWeighted(flow, target, options.iwaeSamples, evalRng).logW;
      const { mean, standardError: se } = meanStandardError(logW);
      const iwae = iwaeColumns(logW, options.iwaeKs);
      const kept = drawWeighted(flow, target, options.samples, evalRng);
      const summary: TableRowRecord = {
        kind: 'row',
        table: 'summary',
        row: {
          method: name,
          kind: 'flow',
          log_evidence: ref.logEvidence,
          elbo: mean,
          elbo_se: se,
          kl_q_p: ref.logEvidence - mean,
          kl_q_p_se: se,
          is_ess: importanceEss(logW),
          log_evidence_is: logMeanExp(logW),
          ...iwae,
          ...scoreSamples(kept.theta, ref),
          steps: options.steps,
          seconds,
          steps_per_s: (options.steps / trainMs) * 1000,
        },
      };
      const iwaeRows: TableRowRecord[] = options.iwaeKs
        .filter((k) => iwae[`iwae_${k}`] != null)
        .map((k) => ({ kind: 'row', table: 'iwae', row: { method: name, k, estimate: iwae[`iwae_${k}`], se: iwae[`iwae_${k}_se`], log_evidence: ref.logEvidence } }));
      const sampleRows: TableRowRecord[] = Array.from({ length: options.samples }, (_, i) => ({
        kind: 'row',
        table: 'samples',
        row: { method: name, theta1: kept.theta[2 * i], theta2: kept.theta[2 * i + 1], log_q: kept.logQ[i] },
      }));
      return of<MetricRecord[]>(summary, ...iwaeRows, ...sampleRows);
    });

    return concat(training$, final$).pipe(finalize(() => adam.dispose()));
  });
}
