/**
 * Statistical mechanics with autoregressive networks (seed 002): a training stream of steps.
 *
 *   trainingSteps ──(β annealing)──► minimize( loss operator ) ──► statmechMetrics ──► MetricRecord stream
 *
 * Loss operators (swap one for another): `kl-gumbel` — the seed's reverse KL of the transfer map
 * with Gumbel-softmax dual sampling; `kl-reinforce` — the same KL with a score-function gradient;
 * `free-energy` — VAN's variational free energy of the L×L periodic lattice. Learning-rate phases
 * are consecutive ranges of one step stream (see trainInPhases). Exact references stream alongside.
 */
import { map, pipe, type Observable, type OperatorFunction } from 'rxjs';
import { AutoregressiveModel, type Activation } from '../src/autoregressive/AutoregressiveModel.ts';
import { CyclicSymmetrized } from '../src/autoregressive/CyclicSymmetrized.ts';
import type { RelaxedSiteDistribution } from '../src/autoregressive/SiteDistribution.ts';
import { ising, potts, type Bond } from '../src/lattice/bond.ts';
import { latticeReference, transferReference } from '../src/lattice/exactReference.ts';
import { configurationsSvg } from '../src/lattice/plots.ts';
import { statmechMetrics, type StatmechProblem } from '../src/lattice/statmechMetrics.ts';
import type { MetricRecord, ScalarsRecord } from '../src/metrics/records.ts';
import { gradientStatistics } from '../src/objectives/gradientVariance.ts';
import { reverseKlGumbel } from '../src/objectives/reverseKlGumbel.ts';
import { reverseKlReinforce } from '../src/objectives/reverseKlReinforce.ts';
import type { StatmechEstimate, StatmechStepInput } from '../src/objectives/statmechStep.ts';
import { learningRatePhases, trainInPhases } from '../src/objectives/trainInPhases.ts';
import { variationalFreeEnergy } from '../src/objectives/variationalFreeEnergy.ts';
import { minimize } from '../src/operators/minimize.ts';
import { Rng } from '../src/random/rng.ts';
import { lineChartSvg } from '../src/views/plots/lineChartSvg.ts';

export const OBJECTIVES = ['kl-gumbel', 'kl-reinforce', 'free-energy'] as const;
export type IsingObjective = (typeof OBJECTIVES)[number];

export interface IsingConfig {
  objective: IsingObjective;
  /** Spin model of the bonds. */
  model: 'ising' | 'potts';
  /** States per site (2 for Ising). */
  q: number;
  beta: number;
  /** L of the L×L lattice (free-energy) or N of the ring (transfer-matrix objectives). */
  size: number;
  batch: number;
  steps: number;
  lr: number;
  lrSchedule: 'step' | 'constant';
  /** Gumbel-softmax temperature (kl-gumbel). */
  tau: number;
  /** Straight-through hard Gumbel samples (kl-gumbel). */
  hard: boolean;
  /** Hidden feature counts per site between input and output, e.g. [16]. */
  hidden: number[];
  activation: Activation;
  /** Average the model over cyclic relabelling of states (Z2 for Ising), as VAN's --z2. */
  symmetrize: boolean;
  /** β annealing β_t = β(1 − rate^{t+1}) (VAN's 0.998); 0 turns it off. */
  anneal: number;
  seed: number;
  /** Metric interval in steps. */
  every: number;
  /** Gradient-variance probe interval in steps (0: off) and its repeats. */
  gradVarianceEvery: number;
  gradVarianceRepeats: number;
}

export const DEFAULT_CONFIG: IsingConfig = {
  objective: 'free-energy',
  model: 'ising',
  q: 2,
  beta: 0.44,
  size: 4,
  batch: 256,
  steps: 400,
  lr: 0.01,
  lrSchedule: 'step',
  tau: 0.3,
  hard: false,
  hidden: [16],
  activation: 'tanh',
  symmetrize: true,
  anneal: 0,
  seed: 1,
  every: 10,
  gradVarianceEvery: 0,
  gradVarianceRepeats: 8,
};

export interface IsingSetup {
  readonly config: IsingConfig;
  readonly bond: Bond;
  readonly problem: StatmechProblem;
  readonly network: AutoregressiveModel;
  /** The trained distribution: the network, or its symmetrised average. */
  readonly distribution: RelaxedSiteDistribution;
  dispose(): void;
}

/** Builds the bond, exact reference and network (weights from the config's seed). */
export function createIsing(config: IsingConfig): IsingSetup {
  const bond = config.model === 'ising' ? ising(config.beta) : potts(config.q, config.beta);
  const lattice = config.objective === 'free-energy';
  const units = lattice ? config.size * config.size : config.size;
  const problem: StatmechProblem = lattice
    ? { kind: 'lattice', L: config.size, bond, reference: latticeReference(config.size, bond) }
    : { kind: 'transfer', units, bond, reference: transferReference(units, bond) };
  const q = bond.states;
  const network = new AutoregressiveModel(units, [q, ...config.hidden, q], { rng: streams(config.seed).init, activation: config.activation });
  const distribution = config.symmetrize ? new CyclicSymmetrized(network) : network;
  return { config, bond, problem, network, distribution, dispose: () => network.dispose() };
}

/** The configured loss operator. */
export function lossOperator(setup: IsingSetup): OperatorFunction<StatmechStepInput, StatmechEstimate> {
  const { config, bond, distribution } = setup;
  switch (config.objective) {
    case 'kl-gumbel':
      return reverseKlGumbel(distribution, { bond, batch: config.batch, tau: config.tau, hard: config.hard });
    case 'kl-reinforce':
      return reverseKlReinforce(distribution, { bond, batch: config.batch });
    case 'free-energy':
      return variationalFreeEnergy(distribution, { bond, L: config.size, batch: config.batch });
  }
}

/**
 * The training run as a cold Observable of metric records: subscribing trains, unsubscribing stops
 * after the current step.
 */
export function isingPipeline(setup: IsingSetup): Observable<MetricRecord> {
  const { config, network } = setup;
  const objective = lossOperator(setup);
  const annealing = config.anneal > 0 && config.objective === 'free-energy';
  const withBeta = map((s: StatmechStepInput) => (annealing ? { ...s, beta: config.beta * (1 - config.anneal ** (s.step + 1)) } : s));
  const { steps: stepSeed, probe: probeRng } = streams(config.seed);
  const metrics = statmechMetrics({
    every: config.every,
    steps: config.steps,
    problem: setup.problem,
    distribution: setup.distribution,
    gradient: config.gradVarianceEvery > 0
      ? { every: config.gradVarianceEvery, measure: (step) => gradientStatistics(pipe(withBeta, objective), network.variables, step, probeRng, config.gradVarianceRepeats) }
      : undefined,
  });
  return trainInPhases(learningRatePhases(config.steps, config.lr, config.lrSchedule), stepSeed, network.variables, (steps$, adam) =>
    steps$.pipe(withBeta, minimize(objective, adam), metrics),
  );
}

/**
 * The run's figures as SVG text: sampled configurations of the final model and F per site vs steps
 * against the exact line.
 * @param history the run's scalars records (any order)
 */
export function isingPlots(setup: IsingSetup, history: readonly ScalarsRecord[], rng: Rng): { samples: string; freeEnergy: string | null } {
  const { problem, distribution, config } = setup;
  const units = distribution.units;
  const samples = configurationsSvg(distribution.sampleStates(problem.kind === 'lattice' ? 32 : 48, rng), {
    units,
    q: distribution.states,
    columns: problem.kind === 'lattice' ? problem.L : units,
    perRow: problem.kind === 'lattice' ? 8 : 1,
    cell: problem.kind === 'lattice' ? Math.max(3, Math.round(96 / problem.L)) : 10,
    title: `${config.objective}: samples of the final model (${config.model}, β = ${config.beta}, ${problem.kind === 'lattice' ? `L = ${problem.L}` : `N = ${units}`})`,
  });
  const rows = [...history].sort((a, b) => a.step - b.step).filter((r) => Number.isFinite(r.values.free_energy));
  if (rows.length === 0) return { samples, freeEnergy: null };
  const x = rows.map((r) => r.step);
  const series = [{ label: 'F (model)', x, y: rows.map((r) => r.values.free_energy) }];
  if (rows.some((r) => Number.isFinite(r.values.free_energy_exact))) {
    series.push({ label: 'F exact', x, y: rows.map((r) => r.values.free_energy_exact ?? NaN) });
  }
  const fs = rows.map((r) => r.values.free_energy_exact).filter(Number.isFinite) as number[];
  const target = fs.length ? fs[fs.length - 1] : rows[rows.length - 1].values.free_energy;
  // Zoom on the end of training: the first steps (and annealing) would flatten the interesting part.
  const tail = rows.slice(Math.floor(rows.length * 0.2)).map((r) => r.values.free_energy);
  const spread = Math.max(...tail.map((v) => Math.abs(v - target)), Math.abs(target) * 1e-4);
  const freeEnergy = lineChartSvg(
    series.map((s, k) => ({ ...s, dashed: k === 1 })),
    {
      title: `Free energy per site vs step (${config.objective}, β = ${config.beta})`,
      xLabel: 'step',
      yLabel: 'F / N',
      yRange: [target - spread * 1.1, target + spread * 1.1],
    },
  );
  return { samples, freeEnergy };
}

/** Independent random streams of a run, all from its seed: weight init, training steps, gradient probe, plots. */
export function streams(seed: number): { init: Rng; steps: number; probe: Rng; plots: Rng } {
  const root = new Rng(seed);
  return { init: root.fork(), steps: root.nextUint32(), probe: root.fork(), plots: root.fork() };
}
