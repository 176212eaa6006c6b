import type { Command } from 'commander';
import { BANANA_PIPELINE, bananaCommand } from '../cli/commands/banana.ts';
import { ebmCommand } from '../cli/commands/ebm.ts';
import { imageVaeCommand } from '../cli/commands/image-vae.ts';
import { isingCommand } from '../cli/commands/ising.ts';
import { rbmCommand } from '../cli/commands/rbm.ts';
import { trainCommand } from '../cli/commands/train.ts';
import { VAE_PIPELINE } from '../cli/commands/trainRun.ts';

/** What a sweep needs to know about a pipeline it can sweep. */
export interface SweepPipeline {
  /** The CLI command of one point, also the `--pipeline` value. */
  readonly command: string;
  /** The pipeline's run directory under `--out` (`emergent-classicality` for `train`); the sweep's is `<run>-sweep`. */
  readonly run: string;
  /** A fresh copy of the pipeline's command: its options define what may be swept and how values parse. */
  readonly create: () => Command;
  /** The step count a point's progress counts to, from its parsed options, when the pipeline has one. */
  readonly total?: (opts: Readonly<Record<string, unknown>>) => number | undefined;
  /** Scalars shown beside a running point's step. */
  readonly keys: readonly string[];
  /** A relative estimate of a point's cost from its parsed options: the sweep starts the longest first. */
  readonly cost?: (opts: Readonly<Record<string, unknown>>) => number;
}

/** The VAE's work per run: steps × records × qubits × outcome components. */
const vaeCost = (opts: Readonly<Record<string, unknown>>) =>
  Number(opts.steps) * Number(opts.batch) * Number(opts.qubits) * (opts.scheme === 'random' ? 3 : 1);

const steps = (opts: Readonly<Record<string, unknown>>) => (typeof opts.steps === 'number' ? opts.steps : undefined);

/** The pipelines `sweep --pipeline` accepts, the VAE (`train`) first: it is the default. */
export const SWEEP_PIPELINES: readonly SweepPipeline[] = [
  { command: 'train', run: VAE_PIPELINE, create: trainCommand, total: steps, keys: ['m_mag_corr'], cost: vaeCost },
  { command: 'ising', run: 'ising', create: isingCommand, total: steps, keys: ['rel_error'] },
  { command: 'banana', run: BANANA_PIPELINE, create: bananaCommand, keys: [] },
  { command: 'rbm', run: 'rbm', create: rbmCommand, keys: [] },
  { command: 'ebm', run: 'ebm', create: ebmCommand, total: steps, keys: [] },
  { command: 'image-vae', run: 'image-vae', create: imageVaeCommand, keys: [] },
];

/** The pipeline of `--pipeline <command>`; undefined when the sweep does not know it. */
export function sweepPipeline(command: string): SweepPipeline | undefined {
  return SWEEP_PIPELINES.find((p) => p.command === command);
}
