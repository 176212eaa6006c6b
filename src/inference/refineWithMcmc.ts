import { Observable } from 'rxjs';
import type { Flow } from '../flows/flow.ts';
import type { MetricRecord, TableRowRecord } from '../metrics/records.ts';
import { Rng } from '../random/rng.ts';
import { hmc, type HmcState } from '../samplers/hmc.ts';
import type { Target } from '../targets/target.ts';
import { drawWeighted } from './fitFlow.ts';
import { binnedKl } from '../targets/sampleDistance.ts';
import { scoreSamples, type ExactReference } from './reference.ts';

export interface RefineOptions {
  /** Particles drawn from each flow and moved independently. */
  particles: number;
  /** Transitions in all; distances are taken at T = 0, 1, 2, 4, … and at the last. */
  transitions: number;
  /** Fixed leapfrog step size and steps: a fixed kernel leaves p invariant, so the theorem applies. */
  stepSize: number;
  leapfrogSteps: number;
  seed: number;
}

/** 0, 1, 2, 4, …, up to and including `last`. */
export function doublingSchedule(last: number): number[] {
  const out = [0];
  for (let t = 1; t < last; t *= 2) out.push(t);
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

/**
 * Seed 003 problem 1 made visible: a Markov kernel T with detailed balance for p never increases
 * KL(q_T‖p) (the data-processing inequality), so HMC transitions applied to a flow's samples move
 * them toward the posterior. Each particle is an independent HMC chain started at a flow draw;
 * after T = 0, 1, 2, 4, … transitions the particle cloud q_T is scored against the exact posterior
 * (binned KL, marginal W1, moment errors). At T = 0 the exact KL(q‖p) of the flow is known too
 * (`kl_exact`), the value the binned estimate should not exceed by more than its bias.
 *
 * Emits `refine` rows: method, transitions, binned_kl, w1_theta1, w1_theta2, moment errors,
 * acceptance (mean over particles of the last transition), kl_exact (T = 0 only), and
 * binned_kl_floor: the binned KL of as many exact draws, the estimator's bias floor.
 */
export function refineWithMcmc(flows: ReadonlyArray<{ name: string; flow: Flow }>, target: Target, ref: ExactReference, options: RefineOptions): Observable<MetricRecord> {
  return new Observable<MetricRecord>((subscriber) => {
    const root = new Rng(options.seed);
    const schedule = doublingSchedule(options.transitions);
    const kernel = hmc(target, { stepSize: options.stepSize, numSteps: options.leapfrogSteps });
    // The plug-in binned KL of a finite cloud is biased upward: exact draws of the same size show the floor a perfect sampler would reach.
    const floor = binnedKl(ref.exact.sampleExact(options.particles, root.fork()), ref.grid);
    // The work as a list of steps — start a flow's cloud, or move every particle once — run in chunks of a
    // few milliseconds between event-loop turns, so progress renders and Ctrl-C stops it promptly.
    const steps = flows.flatMap(({ name, flow }) => {
      const state = { rng: root, states: [] as HmcState[], cloud: new Float64Array(0), klExact: 0, accepted: 0, done: 0 };
      const start = () => {
        state.rng = root.fork();
        const { theta, logW } = drawWeighted(flow, target, options.particles, state.rng);
        let mean = 0;
        for (const w of logW) mean += w;
        state.klExact = ref.logEvidence - mean / logW.length;
        state.states = Array.from({ length: options.particles }, (_, i) => kernel.init(theta.slice(2 * i, 2 * i + 2)));
        state.cloud = new Float64Array(theta);
      };
      const move = () => {
        state.accepted = 0;
        for (let i = 0; i < state.states.length; i++) {
          const { state: next, info } = kernel.step(state.rng, state.states[i]);
          state.states[i] = next;
          state.accepted += info.acceptance;
        }
        state.done++;
      };
      const score = (t: number) => {
        state.states.forEach((s, i) => state.cloud.set(s.position, 2 * i));
        subscriber.next({
          kind: 'row',
          table: 'refine',
          row: {
            method: name,
            transitions: t,
            ...scoreSamples(state.cloud, ref),
            binned_kl_floor: floor,
            ...(t > 0 ? { acceptance: state.accepted / state.states.length } : { kl_exact: state.klExact }),
          },
        } satisfies TableRowRecord);
      };
      const out: Array<() => void> = [start];
      let done = 0;
      for (const t of schedule) {
        for (; done < t; done++) out.push(move);
        out.push(() => score(t));
      }
      return out;
    });
    let next = 0;
    let handle: ReturnType<typeof setImmediate> | undefined;
    const chunk = () => {
      handle = undefined;
      const deadline = performance.now() + 10;
      try {
        while (next < steps.length && !subscriber.closed) {
          steps[next++]();
          if (performance.now() >= deadline) break;
        }
      } catch (err) {
        subscriber.error(err);
        return;
      }
      if (subscriber.closed) return;
      if (next >= steps.length) subscriber.complete();
      else handle = setImmediate(chunk);
    };
    handle = setImmediate(chunk);
    return () => {
      if (handle !== undefined) clearImmediate(handle);
    };
  });
}
