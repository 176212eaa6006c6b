import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONFIG, type EmergentClassicalityConfig } from '../../../pipelines/emergent-classicality.ts';
import { parseSchedule } from '../../operators/schedule.ts';
import { Rng } from '../../random/rng.ts';
import { SCHEMES, type Scheme } from '../../simulators/apparatus.ts';
import { parsePointerAxes } from '../../simulators/pointerAxes.ts';
import { sensorEpsilons } from '../../simulators/sensorEpsilons.ts';
import { UserFacingError } from '../../options/userFacingError.ts';
import type { CommonOptions } from '../commonOptions.ts';
import { numberIn, oneOf } from '../../options/optionParsers.ts';

/** The VAE's options as commander parses them (flags of `train`, and of `sweep` except its grid axes). */
export type VaeOptions = CommonOptions & {
  scheme: Scheme;
  epsilon: number;
  epsilons?: string;
  positions?: number;
  axes?: string;
  learnAxis?: 'shared' | 'per-qubit' | 'none';
  qubits: number;
  alpha0: number;
  latent: number;
  plan: 'A' | 'B';
  batch: number;
  steps: number;
  lr: number;
  reg: string;
  every: number;
  evalRecords: number;
  branchInfo?: boolean;
  checkpointEvery: number;
  flushInterval: number;
  onNonFinite: 'fail' | 'skip';
};

function scheduleOption(raw: string): string {
  try {
    parseSchedule(raw);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return raw;
}

/** Adds the VAE's options to `cmd`, leaving out `omit` (a sweep replaces ε and N by lists). */
export function addVaeOptions(cmd: Command, omit: ReadonlyArray<'epsilon' | 'qubits'> = []): Command {
  const d = DEFAULT_CONFIG;
  cmd.option('--scheme <name>', `measurement scheme (${SCHEMES.join(' or ')})`, oneOf(SCHEMES), d.scheme);
  if (!omit.includes('epsilon')) {
    cmd
      .option('--epsilon <ε>', 'measurement strength ε (a number ≥ 0)', numberIn({ min: 0 }), d.epsilon)
      .addOption(
        new Option('--epsilons <spec>', 'per-qubit ε (heterogeneous sensors): N comma-separated numbers ≥ 0, dead:f@ε (a fraction f of sensors at ε = 0) or file:PATH').conflicts(
          'epsilon',
        ),
      );
  }
  if (!omit.includes('qubits')) cmd.option('--qubits <N>', 'measured qubits per record (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.qubits);
  return cmd
    .option('--alpha0 <α₀>', 'initial α₀ of the cat state (a number)', numberIn({}), d.alpha0)
    .option('--latent <k>', 'latent dimension z_dim (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.latent)
    .option('--plan <A|B>', 'A: one z per record; B: one z per qubit', oneOf(['A', 'B'] as const), d.plan)
    .option('--batch <n>', 'records per step (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.batch)
    .option('--steps <n>', 'optimiser steps in total (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.steps)
    .option('--lr <η>', 'Adam learning rate (a number > 0)', numberIn({ min: 0, exclusiveMin: true }), d.lr)
    .option('--reg <schedule>', "KL weight: a number ≥ 0, tanh:T (the seed's warm-up) or linear:T", scheduleOption, d.reg)
    .option('--every <k>', 'metric interval in steps (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.every)
    .option('--eval-records <n>', 'fresh records per metric evaluation (an integer ≥ 10)', numberIn({ min: 10, integer: true }), d.evalRecords)
    .option(
      '--positions <E>',
      'sensor discovery: a learned qubit-index embedding of dimension E in the encoder and a learned gain per qubit in the decoder (an integer ≥ 1; default off)',
      numberIn({ min: 1, integer: true }),
    )
    .option('--axes <spec>', 'rotated measurement bases (random scheme): the pointer axes, x,y,z (one for all), tilt:θdeg, spread:θdeg@seed (one per qubit) or file:PATH')
    .option(
      '--learn-axis <mode>',
      'the learned pointer frame shared by encoder and decoder: shared, per-qubit or none (default with --axes: shared for one axis, per-qubit otherwise)',
      oneOf(['shared', 'per-qubit', 'none'] as const),
    )
    .option('--branch-info', "also log the latent's share of the branch information I(s; x) (branch_info_latent, branch_info_exact, branch_info_share)")
    .option('--checkpoint-every <k>', 'checkpoint interval in steps (an integer ≥ 0; 0: only at the end)', numberIn({ min: 0, integer: true }), d.checkpointEvery)
    .option('--flush-interval <s>', 'seconds between flushes to disk (a number > 0)', numberIn({ min: 0, exclusiveMin: true }), 2)
    .option('--on-non-finite <mode>', 'a NaN/Inf loss fails the run (fail) or its step is skipped (skip)', oneOf(['fail', 'skip'] as const), 'fail');
}

/** The pipeline config from parsed options; `overrides` set the grid axes of a sweep. */
export function vaeConfig(opts: VaeOptions, overrides: Partial<EmergentClassicalityConfig> = {}): EmergentClassicalityConfig {
  const qubits = overrides.qubits ?? opts.qubits;
  let epsilons: number[] | undefined;
  if (opts.epsilons !== undefined) {
    try {
      // The same fork of the seed as `sample --epsilons`, so both commands pick the same dead sensors.
      epsilons = Array.from(sensorEpsilons(opts.epsilons, qubits, new Rng(opts.seed).fork()));
    } catch (err) {
      if (err instanceof RangeError) throw new UserFacingError(err.message, 2);
      throw err;
    }
  }
  if (opts.axes !== undefined) {
    if (opts.scheme !== 'random') throw new UserFacingError(`--axes: rotated pointer axes need --scheme random (got ${opts.scheme})`, 2);
    try {
      parsePointerAxes(opts.axes, qubits);
    } catch (err) {
      if (err instanceof RangeError) throw new UserFacingError(err.message.split('\n')[0], 2);
      throw err;
    }
  }
  return {
    scheme: opts.scheme,
    epsilon: epsilons ? Math.max(...epsilons) : opts.epsilon,
    ...(opts.axes !== undefined ? { axes: opts.axes } : {}),
    ...(opts.learnAxis !== undefined ? { learnAxis: opts.learnAxis } : {}),
    ...(epsilons ? { epsilons } : {}),
    ...(opts.positions ? { positions: opts.positions } : {}),
    qubits: opts.qubits,
    alpha0: opts.alpha0,
    latent: opts.latent,
    plan: opts.plan,
    batch: opts.batch,
    steps: opts.steps,
    lr: opts.lr,
    reg: opts.reg,
    seed: opts.seed,
    every: opts.every,
    evalRecords: opts.evalRecords,
    branchInfo: opts.branchInfo ?? false,
    checkpointEvery: opts.checkpointEvery,
    ...overrides,
  };
}
