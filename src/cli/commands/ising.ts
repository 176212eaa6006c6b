import { Command, InvalidArgumentError } from 'commander';
import { join, relative } from 'node:path';
import { tap } from 'rxjs';
import { createIsing, DEFAULT_CONFIG, isingPipeline, isingPlots, OBJECTIVES, streams, type IsingConfig, type IsingObjective } from '../../../pipelines/ising.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import type { ScalarsRecord } from '../../metrics/records.ts';
import { guardFinite, openRun, SinkWriteError, superviseRun } from '../../sinks/index.ts';
import { writeFileAtomic } from '../../sinks/writeFileAtomic.ts';
import { progress } from '../../views/progress/progress.ts';
import { addCommonOptions, type CommonOptions } from '../commonOptions.ts';
import { numberIn, oneOf } from '../../options/optionParsers.ts';
import { UserFacingError } from '../../options/userFacingError.ts';

/** The flags as commander parses them: the pipeline's config (less what is not a flag) plus the common options. */
type IsingOptions = CommonOptions & Omit<IsingConfig, 'seed' | 'gradVarianceRepeats'>;

const PIPELINE = 'ising';

/** `--hidden 16,16`: hidden feature counts per site; `none`: a single masked linear layer. */
function hiddenOption(raw: string): number[] {
  if (raw.trim() === 'none') return [];
  const parts = raw.split(',').map((s) => Number(s.trim()));
  if (parts.length === 0 || parts.some((n) => !Number.isInteger(n) || n < 1 || n > 1024)) {
    throw new InvalidArgumentError(`expected none or comma-separated integers in [1, 1024], e.g. 16 or 16,16, got "${raw}"`);
  }
  return parts;
}

/**
 * `ising`: autoregressive models for statistical mechanics (seed 002) — the seed's transfer-matrix
 * reverse KL (Gumbel or REINFORCE) on an N-site ring, or VAN's variational free energy of an L×L
 * periodic lattice — with exact references streamed beside the model's estimates.
 */
export function isingCommand(): Command {
  const d = DEFAULT_CONFIG;
  const cmd = new Command('ising')
    .description('train an autoregressive model on a 2D Ising/Potts problem against exact references (transfer-matrix KL or variational free energy)')
    .option('--objective <name>', `loss: ${OBJECTIVES.join(', ')}`, oneOf(OBJECTIVES), d.objective)
    .option('--model <name>', 'spin model: ising or potts', oneOf(['ising', 'potts'] as const), d.model)
    .option('--q <q>', 'Potts states per site (an integer in [2, 8]; Ising uses 2)', numberIn({ min: 2, max: 8, integer: true }), d.q)
    .option('--beta <β>', 'inverse temperature (a number > 0 and ≤ 10)', numberIn({ min: 0, exclusiveMin: true, max: 10 }), d.beta)
    .option('--size <n>', 'L of the L×L lattice (free-energy) or N of the ring (kl-*) (an integer in [2, 64])', numberIn({ min: 2, max: 64, integer: true }), d.size)
    .option('--batch <n>', 'samples per step (an integer in [2, 100000])', numberIn({ min: 2, max: 100_000, integer: true }), d.batch)
    .option('--steps <n>', 'optimiser steps (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.steps)
    .option('--lr <η>', 'Adam learning rate (a number > 0 and ≤ 1)', numberIn({ min: 0, exclusiveMin: true, max: 1 }), d.lr)
    .option('--lr-schedule <s>', 'step: 60% at lr, 25% at lr/4, 15% at lr/16; constant', oneOf(['step', 'constant'] as const), d.lrSchedule)
    .option('--tau <τ>', 'Gumbel-softmax temperature for kl-gumbel (a number > 0 and ≤ 10)', numberIn({ min: 0, exclusiveMin: true, max: 10 }), d.tau)
    .option('--hard', 'straight-through hard Gumbel samples (kl-gumbel)', d.hard)
    .option('--hidden <f,...>', 'hidden features per site, e.g. 16 or 8,8; none: one masked linear layer', hiddenOption, d.hidden)
    .option('--activation <name>', 'hidden nonlinearity: relu, tanh or elu', oneOf(['relu', 'tanh', 'elu'] as const), d.activation)
    .option('--no-symmetrize', 'do not average the model over relabelled states (Z2 for Ising; needed against mode collapse)')
    .option('--anneal <rate>', 'β annealing β(1 − rate^(t+1)) for free-energy, e.g. 0.998 (a number in [0, 1); 0: off)', numberIn({ min: 0, max: 0.999999 }), d.anneal)
    .option('--every <k>', 'metric interval in steps (an integer ≥ 1)', numberIn({ min: 1, integer: true }), d.every)
    .option('--grad-variance-every <k>', 'gradient-variance probe interval in steps (an integer ≥ 0; 0: off)', numberIn({ min: 0, integer: true }), d.gradVarianceEvery);
  return addCommonOptions(cmd, { seed: d.seed }).action(async (opts: IsingOptions) => {
    const config: IsingConfig = {
      ...d,
      objective: opts.objective,
      model: opts.model,
      q: opts.model === 'ising' ? 2 : opts.q,
      beta: opts.beta,
      size: opts.size,
      batch: opts.batch,
      steps: opts.steps,
      lr: opts.lr,
      lrSchedule: opts.lrSchedule,
      tau: opts.tau,
      hard: opts.hard,
      hidden: opts.hidden,
      activation: opts.activation,
      symmetrize: opts.symmetrize,
      anneal: opts.anneal,
      seed: opts.seed,
      every: opts.every,
      gradVarianceEvery: opts.gradVarianceEvery,
    };
    if (config.objective !== 'free-energy' && config.q ** config.size > 2 ** 20) {
      throw new UserFacingError(`--size ${config.size}: the transfer-matrix objectives need q^N ≤ 2^20 rows for their exact reference (N ≤ 20 for Ising)`, 2);
    }
    const backend = await selectBackend(opts.backend);
    const say = (s: string) => { if (!opts.quiet) process.stderr.write(`${s}\n`); };
    say(`backend: ${backend.name}`);
    const setup = createIsing(config);

    let run;
    try {
      const { seed, ...rest } = config;
      run = await openRun({ root: opts.out, pipeline: PIPELINE, config: { ...rest, hidden: rest.hidden.join(',') || 'none' }, seed, backend: backend.name });
    } catch (err) {
      setup.dispose();
      if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
      throw err;
    }
    say(`run: ${relative(process.cwd(), run.dir) || run.dir}`);

    const history: ScalarsRecord[] = [];
    let warned = false;
    const records$ = isingPipeline(setup).pipe(
      guardFinite({ keys: ['loss'] }),
      tap((r) => {
        if (r.kind !== 'scalars') return;
        history.push(r);
        if (r.values.mode_collapse === 1 && !warned) {
          warned = true;
          // A warning is not progress: printed even with --quiet.
          process.stderr.write(`warning: mode collapse at step ${r.step}: ${(100 * r.values.mode_balance).toFixed(1)}% of samples share one majority state at β = ${config.beta} > β_c = ${setup.bond.criticalBeta.toFixed(4)}${config.symmetrize ? '' : ' (try without --no-symmetrize)'}\n`);
        }
      }),
      progress({ total: config.steps, label: PIPELINE, keys: ['rel_error', 'kl_exact'], quiet: opts.quiet }),
    );
    const outcome = await superviseRun(run, records$);
    const rel = relative(process.cwd(), outcome.dir) || outcome.dir;
    try {
      if (history.length > 0) {
        const plots = isingPlots(setup, history, streams(config.seed).plots);
        await writeFileAtomic(join(outcome.dir, 'samples.svg'), new TextEncoder().encode(plots.samples));
        if (plots.freeEnergy) await writeFileAtomic(join(outcome.dir, 'free_energy.svg'), new TextEncoder().encode(plots.freeEnergy));
      }
    } finally {
      setup.dispose();
    }
    const last = history[history.length - 1];
    if (last) {
      const v = last.values;
      const f = (k: string, digits = 6) => (Number.isFinite(v[k]) ? v[k].toPrecision(digits) : 'n/a');
      process.stdout.write(
        [
          `${outcome.status} at step ${last.step}/${config.steps} on ${backend.name}: ${config.objective}, ${config.model}${config.model === 'potts' ? ` q=${config.q}` : ''}, β = ${config.beta}, ${config.objective === 'free-energy' ? `L = ${config.size}` : `N = ${config.size}`}`,
          `  F/N ${f('free_energy')} (exact ${f('free_energy_exact')}), relative error ${f('rel_error', 3)}`,
          `  KL to exact ${f('kl_exact', 3)} (estimate ${f('kl_estimate', 3)}), ⟨|m|⟩ ${f('abs_m', 4)}, mode balance ${f('mode_balance', 3)}${v.mode_collapse === 1 ? ' — MODE COLLAPSE' : ''}`,
          `  wrote ${rel}/ (run.parquet, scalars-*.parquet, histograms-*.parquet, samples.svg, free_energy.svg)`,
          '',
        ].join('\n'),
      );
    } else {
      process.stdout.write(`${outcome.status}; wrote ${rel}/\n`);
    }
    if (outcome.status === 'interrupted') throw new UserFacingError(`interrupted by ${outcome.reason}; everything up to the last flush is in ${rel}`, outcome.exitCode);
    if (outcome.status === 'failed') throw new UserFacingError(`${outcome.reason} (run recorded as failed in ${rel})`, outcome.exitCode);
  });
}
