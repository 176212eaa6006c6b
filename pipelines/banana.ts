/**
 * Seed 003 on the operator toolkit: normalising flows, HMC and NUTS on the banana posterior, each a
 * stage of one run, every one scored against the exact posterior.
 *
 *   data y ──► BananaPosterior ──► exact reference (1-D quadrature + fine grid: log p(y), moments, marginals)
 *        ├─ planar ▸ nice ▸ realnvp ▸ spline : fitFlow = trainingSteps ▸ minimize(reverseKl(flow, target)) ▸ exact KL, ESS, L_K
 *        ├─ hmc ▸ nuts                        : runMcmc = sampleChains(kernel, window adaptation) ▸ R̂, ESS, moment errors
 *        └─ refine                            : HMC transitions from each flow's samples, distance to the truth per transition
 *
 * The stages run one after another (concat) and share one step clock; each is an Observable of
 * metric records, so a user composes their own run from any subset.
 */
import { concat, defer, EMPTY, finalize, type Observable } from 'rxjs';
import type { Flow } from '../src/flows/flow.ts';
import { niceFlow, planarFlow, realNvpFlow, splineFlow } from '../src/flows/index.ts';
import { fitFlow } from '../src/inference/fitFlow.ts';
import type { ExactReference } from '../src/inference/reference.ts';
import { refineWithMcmc } from '../src/inference/refineWithMcmc.ts';
import { runMcmc } from '../src/inference/runMcmc.ts';
import { StageClock } from '../src/inference/stageClock.ts';
import type { MetricRecord, TableRowRecord } from '../src/metrics/records.ts';
import { Rng } from '../src/random/rng.ts';
import { BananaPosterior, generateBananaData } from '../src/targets/banana.ts';
import { bananaExact } from '../src/targets/bananaExact.ts';
import { bananaGrid } from '../src/targets/posteriorGrid.ts';

export const FLOW_METHODS = ['planar', 'nice', 'realnvp', 'spline'] as const;
export const MCMC_METHODS = ['hmc', 'nuts'] as const;
export const METHODS = [...FLOW_METHODS, ...MCMC_METHODS] as const;
export type FlowMethod = (typeof FLOW_METHODS)[number];
export type McmcMethod = (typeof MCMC_METHODS)[number];
export type BananaMethod = (typeof METHODS)[number];

export interface BananaConfig {
  methods: BananaMethod[];
  /** Likelihood scale σ_y (the seed: 2). */
  sigmaY: number;
  /** Prior scale of θ (the seed: 1). */
  priorScale: number;
  /** Points generated when no data file is given: y = 1 + 2ξ (the seed has 100). */
  points: number;
  /** The data file the points came from, or null for generated data (recorded in run.parquet). */
  data: string | null;
  /** Flow layers (the seed: 5; NICE: couplings before its scaling layer). */
  layers: number;
  batch: number;
  lr: number;
  steps: number;
  /** Metric interval in steps / iterations. */
  every: number;
  /** Fresh flow draws per evaluation. */
  evalSamples: number;
  /** Draws for the IWAE bounds and the final ELBO. */
  iwaeSamples: number;
  iwaeEvery: number;
  /** Final draws per method written to `samples` (flows; MCMC writes every kept draw). */
  samples: number;
  chains: number;
  warmup: number;
  /** Kept draws per chain. */
  draws: number;
  /** HMC leapfrog steps L (the seed: 30). */
  leapfrogSteps: number;
  /** Initial step size ε before adaptation (the seed: 0.05, fixed). */
  stepSize: number;
  /** Adapt step size and diagonal mass matrix during warm-up (Stan's windows). */
  adapt: boolean;
  maxTreeDepth: number;
  /** Target acceptance of the step-size adaptation (Stan's adapt_delta). */
  targetAcceptance: number;
  /** Particles moved by HMC from each flow's samples (0: no refine stage). */
  refineParticles: number;
  /** Transitions of the refine stage (distance measured at 0, 1, 2, 4, … up to this). */
  refineTransitions: number;
  seed: number;
}

/** The seed's settings: 5-layer flows, batch 256, Adam 1e-2, 1000 steps; HMC L = 30, ε = 0.05 before adaptation. */
export const DEFAULT_CONFIG: BananaConfig = {
  methods: [...METHODS],
  sigmaY: 2,
  priorScale: 1,
  points: 100,
  data: null,
  layers: 5,
  batch: 256,
  lr: 1e-2,
  steps: 1000,
  every: 10,
  evalSamples: 4096,
  iwaeSamples: 100_000,
  iwaeEvery: 250,
  samples: 2000,
  chains: 4,
  warmup: 1000,
  draws: 1000,
  leapfrogSteps: 30,
  stepSize: 0.05,
  adapt: true,
  maxTreeDepth: 10,
  targetAcceptance: 0.8,
  refineParticles: 2000,
  refineTransitions: 128,
  seed: 1,
};

export interface BananaSetup {
  readonly config: BananaConfig;
  readonly y: Float64Array;
  readonly posterior: BananaPosterior;
  readonly reference: ExactReference;
}

/** Independent random streams of a run, all from its seed. */
export function streams(seed: number): { data: Rng; methods: (m: BananaMethod) => number; refine: number } {
  const root = new Rng(seed);
  const data = root.fork();
  const base = root.nextUint32();
  const refine = root.nextUint32();
  // One seed per method, fixed by its name's place in METHODS, so `--method hmc` alone gives the same HMC as in the full run.
  return { data, methods: (m) => (base + 7919 * (METHODS.indexOf(m) + 1)) >>> 0, refine };
}

/** The posterior of the data (the user's, or generated from the seed) and its exact reference. */
export function createBanana(config: BananaConfig, userData?: Float64Array): BananaSetup {
  const y = userData ?? generateBananaData(config.points, streams(config.seed).data);
  const posterior = new BananaPosterior({ y, sigmaY: config.sigmaY, priorScale: config.priorScale });
  const exact = bananaExact(posterior);
  const grid = bananaGrid(posterior);
  return { config, y, posterior, reference: { logEvidence: exact.logEvidence, exact, grid } };
}

/** A fresh flow of `method` with the config's layers, weights from `rng`. */
export function makeFlow(method: FlowMethod, config: BananaConfig, rng: Rng): Flow {
  switch (method) {
    case 'planar': return planarFlow(2, config.layers, rng);
    case 'nice': return niceFlow(2, config.layers, rng);
    case 'realnvp': return realNvpFlow(2, config.layers, rng);
    case 'spline': return splineFlow(2, config.layers, rng);
  }
}

/**
 * The whole run as a cold Observable of metric records: the `data` rows, every method's stage in
 * the order given, then the refine stage. Unsubscribing stops after the current step.
 */
export function bananaPipeline(setup: BananaSetup): Observable<MetricRecord> {
  return defer(() => {
    const { config, posterior, reference } = setup;
    const clock = new StageClock();
    const seeds = streams(config.seed);
    const flows = new Map<FlowMethod, Flow>();
    const dataRows: TableRowRecord[] = Array.from(setup.y, (y, index) => ({ kind: 'row', table: 'data', row: { index, y } }));

    const stages = config.methods.map((method) =>
      defer((): Observable<MetricRecord> => {
        const seed = seeds.methods(method);
        if ((FLOW_METHODS as readonly string[]).includes(method)) {
          const flow = makeFlow(method as FlowMethod, config, new Rng(seed));
          flows.set(method as FlowMethod, flow);
          return fitFlow(flow, posterior, reference, clock, {
            name: method,
            steps: config.steps,
            batch: config.batch,
            lr: config.lr,
            every: config.every,
            evalSamples: config.evalSamples,
            iwaeKs: [1, 10, 100, 1000],
            iwaeEvery: config.iwaeEvery,
            iwaeSamples: config.iwaeSamples,
            samples: config.samples,
            seed: seed + 1,
          });
        }
        return runMcmc(method as McmcMethod, posterior, reference, clock, {
          chains: config.chains,
          warmup: config.warmup,
          draws: config.draws,
          leapfrogSteps: config.leapfrogSteps,
          stepSize: config.stepSize,
          adapt: config.adapt,
          maxTreeDepth: config.maxTreeDepth,
          targetAcceptance: config.targetAcceptance,
          every: config.every,
          seed,
          priorScale: config.priorScale,
        });
      }),
    );

    const refine$ = defer(() =>
      config.refineParticles > 0 && flows.size > 0
        ? refineWithMcmc([...flows.entries()].map(([name, flow]) => ({ name, flow })), posterior, reference, {
            particles: config.refineParticles,
            transitions: config.refineTransitions,
            stepSize: config.stepSize,
            leapfrogSteps: config.leapfrogSteps,
            seed: seeds.refine,
          })
        : EMPTY,
    );

    return concat(dataRows, ...stages, refine$).pipe(
      finalize(() => {
        for (const flow of flows.values()) flow.dispose();
      }),
    );
  });
}

/** Steps the run's clock will count: flow steps plus MCMC iterations (warm-up and kept). */
export function totalSteps(config: BananaConfig): number {
  return config.methods.reduce((n, m) => n + ((FLOW_METHODS as readonly string[]).includes(m) ? config.steps : config.warmup + config.draws), 0);
}
