import { Command, InvalidArgumentError } from 'commander';
import { join, relative } from 'node:path';
import { tap } from 'rxjs';
import {
  createModel,
  DEFAULT_CONFIG,
  emergentClassicality,
  type EmergentClassicalityConfig,
} from '../../../pipelines/emergent-classicality.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import type { ScalarsRecord } from '../../metrics/records.ts';
import { parseSchedule } from '../../operators/schedule.ts';
import { SCHEMES, type Scheme } from '../../simulators/apparatus.ts';
import { guardFinite, openRun, SinkWriteError, superviseRun } from '../../sinks/index.ts';
import { addViewOptions, viewsFromOptions, type ViewOptions } from '../../views/viewOptions.ts';
import { addCommonOptions, type CommonOptions } from '../commonOptions.ts';
import { numberIn, oneOf } from '../options.ts';
import { UserFacingError } from '../userFacingError.ts';

type TrainOptions = CommonOptions & ViewOptions & {
  scheme: Scheme;
  epsilon: number;
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
  checkpointEvery: number;
  resume?: string;
  flushInterval: number;
  onNonFinite: 'fail' | 'skip';
};

const PIPELINE = 'emergent-classicality';

function scheduleOption(raw: string): string {
  try {
    parseSchedule(raw);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return raw;
}

/**
 * `train` (the main job): the emergent-classicality VAE of seed 000 trained on a live apparatus
 * stream, metrics persisted to `<out>/emergent-classicality/<run-id>/`, checkpoints beside them.
 */
export function trainCommand(): Command {
  const d = DEFAULT_CONFIG;
  const cmd = new Command('train')
    .description('train the emergent-classicality VAE on weak-measurement records (the main job)')
    .option('--scheme <name>', `measurement scheme (${SCHEMES.join(' or ')})`, oneOf(SCHEMES), d.scheme)
    .option('--epsilon <ε>', 'measurement strength ε (a number ≥ 0)', numberIn({ min: 0 }), d.epsilon)
    .option('--qubits <N>', 'measured qubits per record (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.qubits)
    .option('--alpha0 <α₀>', 'initial α₀ of the cat state (a number)', numberIn({}), d.alpha0)
    .option('--latent <k>', 'latent dimension z_dim (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.latent)
    .option('--plan <A|B>', 'A: one z per record; B: one z per qubit', oneOf(['A', 'B'] as const), d.plan)
    .option('--batch <n>', 'records per step (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.batch)
    .option('--steps <n>', 'optimiser steps in total (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.steps)
    .option('--lr <η>', 'Adam learning rate (a number > 0)', numberIn({ min: 0, exclusiveMin: true }), d.lr)
    .option('--reg <schedule>', 'KL weight: a number ≥ 0, tanh:T (the seed\'s warm-up) or linear:T', scheduleOption, d.reg)
    .option('--every <k>', 'metric interval in steps (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.every)
    .option('--eval-records <n>', 'fresh records per metric evaluation (an integer ≥ 10)', numberIn({ min: 10, integer: true }), d.evalRecords)
    .option('--checkpoint-every <k>', 'checkpoint interval in steps (an integer ≥ 0; 0: only at the end)', numberIn({ min: 0, integer: true }), d.checkpointEvery)
    .option('--resume <checkpoint>', 'continue from a checkpoint file written by train (same config; --steps is the total)')
    .option('--flush-interval <s>', 'seconds between flushes to disk (a number > 0)', numberIn({ min: 0, exclusiveMin: true }), 2)
    .option('--on-non-finite <mode>', 'a NaN/Inf loss fails the run (fail) or its step is skipped (skip)', oneOf(['fail', 'skip'] as const), 'fail');
  return addViewOptions(addCommonOptions(cmd, { seed: d.seed })).action(async (opts: TrainOptions) => {
    const config: EmergentClassicalityConfig = {
      scheme: opts.scheme,
      epsilon: opts.epsilon,
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
      checkpointEvery: opts.checkpointEvery,
    };
    const backend = await selectBackend(opts.backend);
    const say = (s: string) => { if (!opts.quiet) process.stderr.write(`${s}\n`); };
    say(`backend: ${backend.name}${backend.skipped.length ? ` (skipped ${backend.skipped.map((s) => s.split(':')[0]).join(', ')})` : ''}`);

    let model;
    try {
      model = createModel(config, opts.resume);
    } catch (err) {
      throw new UserFacingError((err as Error).message.split('\n')[0], opts.resume ? 2 : 1);
    }
    if (model.step >= config.steps) throw new UserFacingError(`--steps ${config.steps} is not beyond the checkpoint's step ${model.step}: nothing to train`, 2);

    let run;
    try {
      const { seed, ...rest } = config; // the run table has its own seed column
      run = await openRun({ root: opts.out, pipeline: PIPELINE, config: { ...rest, resume: opts.resume ?? null }, seed, backend: backend.name, flushMs: opts.flushInterval * 1000 });
    } catch (err) {
      if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
      throw err;
    }
    say(`run: ${relative(process.cwd(), run.dir) || run.dir}`);
    say(`config: ${config.scheme} axis, ε = ${config.epsilon}, N = ${config.qubits}, z_dim ${config.latent}, plan ${config.plan}, batch ${config.batch}, ${config.steps} steps, reg ${config.reg}${model.step ? `, resumed at step ${model.step}` : ''}`);

    let views;
    try {
      views = await viewsFromOptions(opts, {
        info: { id: run.id, pipeline: PIPELINE, config: { ...config }, total: config.steps },
        runDir: run.dir,
        progress: { label: 'train', keys: ['elbo_gap', 'm_mag_corr'] },
        say,
      });
    } catch (err) {
      await run.close('failed', (err as Error).message.split('\n')[0]);
      throw err;
    }

    let last: ScalarsRecord | undefined;
    const records$ = emergentClassicality(config, model, { checkpointDir: join(run.dir, 'checkpoints') }).pipe(
      guardFinite({ keys: ['loss'], onNonFinite: opts.onNonFinite }),
      tap((r) => { if (r.kind === 'scalars') last = r; }),
      views.operator,
    );
    const outcome = await superviseRun(run, records$);
    model.dispose();

    const rel = relative(process.cwd(), outcome.dir) || outcome.dir;
    if (last) {
      const v = last.values;
      process.stdout.write(
        [
          `${outcome.status} at step ${last.step}/${config.steps} on ${backend.name}`,
          `  loss ${v.loss.toFixed(3)} per record (reconstruction ${v.reconstruction.toFixed(3)}, KL ${v.kl.toFixed(3)}, reg ${v.reg.toFixed(3)})`,
          `  exact NLL ${v.nll_exact.toFixed(3)} → ELBO gap ${v.elbo_gap.toFixed(3)} nats per record`,
          `  m(μ_z) vs data magnetisation: correlation ${v.m_mag_corr.toFixed(3)}, slope ${v.m_mag_slope.toFixed(3)}`,
          `  latent: ‖μ_z‖ ${v.latent_norm.toFixed(3)}, σ_z ${v.latent_fluctuation.toFixed(3)}, bimodality ${v.z_bimodality.toFixed(3)}, mode separation ${v.z_separation.toFixed(2)}`,
          `  wrote ${rel}/ (run.parquet, scalars-*.parquet, histograms-*.parquet, checkpoints/${opts.plots !== false ? ', scalars.svg, histograms.svg' : ''})`,
          '',
        ].join('\n'),
      );
    } else {
      process.stdout.write(`${outcome.status}; wrote ${rel}/\n`);
    }
    await views.serveUntilInterrupted();
    if (outcome.status === 'interrupted') throw new UserFacingError(`interrupted by ${outcome.reason}; everything up to the last flush is in ${rel}`, outcome.exitCode);
    if (outcome.status === 'failed') throw new UserFacingError(`${outcome.reason} (run recorded as failed in ${rel})`, outcome.exitCode);
  });
}
