import { Command, Option } from 'commander';
import { relative } from 'node:path';
import { tap } from 'rxjs';
import { createEbm, createEbmData, DEFAULT_CONFIG, EBM_FIGURES, EBM_PIPELINE, ebmPipeline, TOY_DATASETS, type EbmConfig, type EbmModel, type ToyDatasetName } from '../../../pipelines/ebm.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import type { MetricRecord, ScalarsRecord } from '../../metrics/records.ts';
import { guardFinite, openRun, SinkWriteError, superviseRun, type Run } from '../../sinks/index.ts';
import { addViewOptions, viewsFromOptions, type ViewOptions, type Views } from '../../views/viewOptions.ts';
import { addCommonOptions, type CommonOptions } from '../commonOptions.ts';
import { numberIn, oneOf } from '../../options/optionParsers.ts';
import { UserFacingError } from '../../options/userFacingError.ts';

type EbmOptions = CommonOptions &
  ViewOptions & {
    data: ToyDatasetName;
    steps: number;
    langevinSteps: number;
    stepSize: number;
    temperature: number;
    buffer: number;
    reinit: number;
    hidden: number;
    lr: number;
    batch: number;
    alpha: number;
    every: number;
    figuresEvery: number;
    resume?: string;
    flushInterval: number;
  };

/**
 * `ebm`: an energy-based model of a 2-D toy density (two moons, rings, checkerboard) trained by
 * short-run Langevin from a replay buffer (Du & Mordatch 2019), its density normalised on a grid
 * and scored against the exact one: held-out NLL, KL, the uniform baseline; figures live.
 */
export function ebmCommand(): Command {
  const d = DEFAULT_CONFIG;
  const int = (min: number, max?: number) => numberIn({ min, max, integer: true });
  const positive = (max?: number) => numberIn({ min: 0, exclusiveMin: true, max });
  const cmd = new Command('ebm')
    .description('an energy-based model of a 2-D toy density trained by short-run Langevin with a replay buffer (Du & Mordatch 2019), scored against the exact density on a grid')
    .addOption(new Option('--data <name>', `toy data set: ${TOY_DATASETS.join(', ')}`).argParser(oneOf(TOY_DATASETS)).default(d.data))
    .option('--steps <n>', 'optimiser steps in total (an integer ≥ 1; a resumed run continues up to this)', int(1), d.steps)
    .option('--langevin-steps <K>', 'Langevin steps per update (an integer in [1, 10000])', int(1, 10_000), d.langevinSteps)
    .option('--step-size <λ>', 'Langevin step size λ in x ← x − (λ/2)∇E + √(λT)ξ (a number > 0 and ≤ 10)', positive(10), d.stepSize)
    .option('--temperature <T>', 'temperature of the Langevin noise; 1 samples exp(−E) itself (a number > 0 and ≤ 10)', positive(10), d.temperature)
    .option('--buffer <n>', 'replay buffer capacity, the persistent chains (an integer in [1, 10000000], ≥ --batch)', int(1, 10_000_000), d.buffer)
    .option('--reinit <f>', 'probability that a drawn chain restarts from uniform noise (a number in [0, 1])', numberIn({ min: 0, max: 1 }), d.reinit)
    .option('--hidden <h>', 'width of both hidden layers of the energy net (an integer in [1, 4096])', int(1, 4096), d.hidden)
    .option('--lr <η>', 'Adam learning rate (a number > 0 and ≤ 1)', positive(1), d.lr)
    .option('--batch <n>', 'data points and chains per update (an integer in [1, 100000])', int(1, 100_000), d.batch)
    .option('--alpha <α>', 'weight of the energy regulariser α(E(x⁺)² + E(x⁻)²) (a number ≥ 0)', numberIn({ min: 0 }), d.alpha)
    .option('--every <k>', 'scalars, grid scores and a checkpoint every k steps (an integer ≥ 1)', int(1), d.every)
    .option('--figures-every <k>', 'figures every k steps and after the last (an integer ≥ 0; 0: only after the last)', int(0), d.figuresEvery)
    .option('--resume <checkpoint>', 'continue from checkpoints/latest.json of an ebm run (same settings; --steps is the total)')
    .option('--flush-interval <s>', 'seconds between flushes to disk (a number > 0)', positive(), 2);
  return addViewOptions(addCommonOptions(cmd, { seed: d.seed })).action(async (opts: EbmOptions) => {
    if (opts.batch > opts.buffer) throw new UserFacingError(`--batch ${opts.batch} is more than --buffer ${opts.buffer}: each update draws --batch distinct chains from the buffer`, 2);
    const config: EbmConfig = {
      ...d,
      data: opts.data,
      steps: opts.steps,
      langevinSteps: opts.langevinSteps,
      stepSize: opts.stepSize,
      temperature: opts.temperature,
      buffer: opts.buffer,
      reinit: opts.reinit,
      hidden: opts.hidden,
      lr: opts.lr,
      batch: opts.batch,
      alpha: opts.alpha,
      every: opts.every,
      figuresEvery: opts.figuresEvery,
      seed: opts.seed,
    };
    const backend = await selectBackend(opts.backend);
    const say = (s: string) => {
      if (!opts.quiet) process.stderr.write(`${s}\n`);
    };
    let model: EbmModel;
    try {
      model = createEbm(config, opts.resume);
    } catch (err) {
      throw new UserFacingError(`${opts.resume != null ? '--resume: ' : ''}${(err as Error).message.split('\n')[0]}`, 2);
    }
    if (model.step >= config.steps) {
      model.dispose();
      throw new UserFacingError(`--steps ${config.steps} is not beyond the checkpoint's step ${model.step}: nothing to train`, 2);
    }
    // Said after the checkpoint is read, so a bad --resume is the only line a usage error prints.
    say(`backend: ${backend.name}`);
    const data = createEbmData(config);

    let run: Run;
    try {
      const { seed, ...rest } = config;
      run = await openRun({ root: opts.out, pipeline: EBM_PIPELINE, config: { ...rest, resume: opts.resume ?? null }, seed, backend: backend.name, flushMs: opts.flushInterval * 1000 });
    } catch (err) {
      model.dispose();
      if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
      throw err;
    }
    const dir = relative(process.cwd(), run.dir) || run.dir;
    say(`run: ${dir}`);
    say(
      `config: ${config.data}, ${config.trainPoints} training points; net 2-${config.hidden}-${config.hidden}-1 Swish; ${config.langevinSteps} Langevin steps of λ = ${config.stepSize} (T = ${config.temperature}) from a buffer of ${config.buffer} (${config.reinit * 100}% noise); batch ${config.batch}, Adam ${config.lr}, ${config.steps} steps${model.step ? `, resumed after step ${model.step}` : ''}`,
    );

    let views: Views;
    try {
      views = await viewsFromOptions(opts, {
        info: { id: run.id, pipeline: EBM_PIPELINE, config: { ...config }, total: config.steps, startStep: model.step },
        runDir: run.dir,
        progress: { label: 'ebm', keys: ['heldout_nll', 'kl_grid'] },
        say,
      });
    } catch (err) {
      model.dispose();
      await run.close('failed', (err as Error).message.split('\n')[0]);
      throw err;
    }
    const records: MetricRecord[] = [];
    const records$ = ebmPipeline(config, data, model, { dir: run.dir, onFigure: (name) => views.figure(name) }).pipe(
      guardFinite({ keys: ['loss', 'heldout_nll'] }),
      tap((r) => records.push(r)),
      views.operator,
    );
    const outcome = await superviseRun(run, records$);
    model.dispose();
    process.stdout.write(`${formatSummary(records, config, outcome.status, backend.name)}\n  wrote ${dir}/ (${[...EBM_FIGURES, 'weights.safetensors', 'checkpoints/latest.json', 'scalars and summary tables'].join(', ')})\n`);
    await views.serveUntilInterrupted();
    if (outcome.status === 'interrupted') throw new UserFacingError(`interrupted by ${outcome.reason}; everything up to the last checkpoint is in ${dir} (continue with --resume ${relative(process.cwd(), `${run.dir}/checkpoints/latest.json`)})`, outcome.exitCode);
    if (outcome.status === 'failed') throw new UserFacingError(`${outcome.reason} (run recorded as failed in ${dir})`, outcome.exitCode);
  });
}

/** The run's outcome for the terminal: the last interval's scores beside the exact and uniform NLLs. */
function formatSummary(records: readonly MetricRecord[], config: EbmConfig, status: string, backend: string): string {
  const intervals = records.filter((r): r is ScalarsRecord => r.kind === 'scalars');
  const last = intervals.at(-1);
  if (last == null) return `${status} before the first interval ended on ${backend}; nothing evaluated`;
  const v = last.values;
  const f = (x: number, digits = 3) => x.toFixed(digits);
  const train = intervals.reduce((s, r) => s + r.values.seconds, 0);
  const evaluation = intervals.reduce((s, r) => s + r.values.eval_seconds, 0);
  return [
    `${status} at step ${last.step}/${config.steps} on ${backend}: ${config.data}, ${config.testPoints} held-out points, grid ${config.grid} × ${config.grid}`,
    `  time: ${f(train, 1)} s training (${f((1000 * train) / Math.max(1, intervals.length * config.every), 1)} ms per step), ${f(evaluation, 1)} s scores, figures and checkpoints`,
    '                         NLL (nats)',
    `    EBM (grid-normalised) ${f(v.heldout_nll)} ± ${f(v.heldout_nll_se)}`,
    `    exact density         ${f(v.exact_nll)}   (entropy on the grid ${f(v.entropy_grid)})`,
    `    uniform on the box    ${f(v.uniform_nll)}`,
    `  excess NLL ${f(v.excess_nll)} ± ${f(v.excess_nll_se)}; KL(p‖EBM) on the grid ${f(v.kl_grid)}`,
  ].join('\n');
}
