import { Command, Option } from 'commander';
import { relative } from 'node:path';
import { tap } from 'rxjs';
import { bananaPipeline, createBanana, DEFAULT_CONFIG, METHODS, totalSteps, type BananaConfig, type BananaMethod } from '../../../pipelines/banana.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import { DataFileError, readSeries } from '../../data/readSeries.ts';
import { writeBananaFigures } from '../../inference/bananaFigures.ts';
import type { MetricRecord } from '../../metrics/records.ts';
import { guardFinite, openRun, SinkWriteError, superviseRun, type Run } from '../../sinks/index.ts';
import { addViewOptions, viewsFromOptions, type ViewOptions, type Views } from '../../views/viewOptions.ts';
import { addCommonOptions, type CommonOptions } from '../commonOptions.ts';
import { listOf } from '../../options/listOf.ts';
import { numberIn } from '../../options/optionParsers.ts';
import { UserFacingError } from '../../options/userFacingError.ts';
import { formatBananaTable } from '../../inference/bananaTable.ts';

export const BANANA_PIPELINE = 'banana';

type BananaOptions = CommonOptions &
  ViewOptions & {
    method: BananaMethod[];
    sigmaY: number;
    priorScale: number;
    points: number;
    data?: string;
    column?: string;
    layers: number;
    batch: number;
    lr: number;
    steps: number;
    every: number;
    evalSamples: number;
    iwaeSamples: number;
    samples: number;
    chains: number;
    warmup: number;
    draws: number;
    leapfrogSteps: number;
    stepSize: number;
    adapt: boolean;
    maxTreeDepth: number;
    targetAccept: number;
    refineParticles: number;
    refineTransitions: number;
    flushInterval: number;
  };

/**
 * `banana`: seed 003 — planar, NICE, RealNVP and spline flows fitted by the ELBO, HMC and NUTS
 * sampling the same posterior, every method scored against the exact posterior (grid and 1-D
 * quadrature), then HMC transitions started from each flow's samples.
 */
export function bananaCommand(): Command {
  const d = DEFAULT_CONFIG;
  const int = (min: number, max?: number) => numberIn({ min, max, integer: true });
  const positive = (max?: number) => numberIn({ min: 0, exclusiveMin: true, max });
  const cmd = new Command('banana')
    .description('normalising flows, HMC and NUTS on the banana posterior of seed 003, each scored against the exact posterior')
    .addOption(new Option('--method <m,...>', `methods to run, in order: ${METHODS.join(', ')}`).argParser(listOf(METHODS)).default(d.methods, 'all six'))
    .option('--sigma-y <σ>', 'likelihood scale σ_y of y_i ~ N(θ₁ + θ₂², σ_y²) (a number > 0)', positive(), d.sigmaY)
    .option('--prior-scale <s>', 'prior θ ~ N(0, s² I) (a number > 0)', positive(), d.priorScale)
    .option('--points <n>', 'generated data points y = 1 + 2ξ when no --data is given (an integer in [1, 1000000])', int(1, 1_000_000), d.points)
    .option('--data <file>', 'your data: a 1-D .npy, a .csv/.txt column, or a .parquet column')
    .option('--column <name>', 'column of a .csv or .parquet --data file (default: y, or the only numeric column)')
    .option('--layers <n>', 'flow layers (an integer in [1, 64])', int(1, 64), d.layers)
    .option('--batch <n>', 'flow draws per step (an integer in [2, 1000000])', int(2, 1_000_000), d.batch)
    .option('--lr <η>', 'Adam learning rate of the flows (a number > 0 and ≤ 1)', positive(1), d.lr)
    .option('--steps <n>', 'optimiser steps per flow (an integer ≥ 1)', int(1), d.steps)
    .option('--every <k>', 'metric interval in steps and iterations (an integer ≥ 1)', int(1), d.every)
    .option('--eval-samples <n>', 'flow draws per evaluation of ELBO, KL and ESS (an integer ≥ 16)', int(16), d.evalSamples)
    .option('--iwae-samples <n>', 'flow draws for the final ELBO and the IWAE bounds (an integer ≥ 2000)', int(2000), d.iwaeSamples)
    .option('--samples <n>', 'final draws per flow kept in the samples table (an integer ≥ 10)', int(10), d.samples)
    .option('--chains <n>', 'MCMC chains (an integer in [1, 64])', int(1, 64), d.chains)
    .option('--warmup <n>', 'MCMC warm-up iterations per chain (an integer ≥ 0)', int(0), d.warmup)
    .option('--draws <n>', 'MCMC kept draws per chain (an integer ≥ 4)', int(4), d.draws)
    .option('--leapfrog-steps <L>', 'HMC leapfrog steps per iteration (an integer in [1, 10000])', int(1, 10_000), d.leapfrogSteps)
    .option('--step-size <ε>', 'initial leapfrog step size, fixed with --no-adapt (a number > 0 and ≤ 10)', positive(10), d.stepSize)
    .option('--no-adapt', "keep ε and a unit mass matrix fixed (the seed's HMC) instead of Stan's warm-up adaptation")
    .option('--max-tree-depth <n>', 'NUTS maximum tree depth (an integer in [1, 15])', int(1, 15), d.maxTreeDepth)
    .option('--target-accept <δ>', "acceptance the step-size adaptation aims at, Stan's adapt_delta (a number > 0 and ≤ 0.99); raise it when there are divergences", positive(0.99), d.targetAcceptance)
    .option('--refine-particles <n>', 'particles HMC moves from each flow\'s samples (an integer ≥ 0; 0: no refine stage)', int(0), d.refineParticles)
    .option('--refine-transitions <n>', 'HMC transitions of the refine stage (an integer in [1, 4096])', int(1, 4096), d.refineTransitions)
    .option('--flush-interval <s>', 'seconds between flushes to disk (a number > 0)', positive(), 2);
  return addViewOptions(addCommonOptions(cmd, { seed: d.seed })).action(async (opts: BananaOptions) => {
    if (opts.draws * opts.chains < 8) throw new UserFacingError(`--draws ${opts.draws} × --chains ${opts.chains}: need at least 8 kept draws in all for the diagnostics`, 2);
    // Read the data before anything is written: a bad file is a usage error with nothing on disk.
    let userData: Float64Array | undefined;
    if (opts.data != null) {
      try {
        userData = await readSeries(opts.data, { column: opts.column });
      } catch (err) {
        if (err instanceof DataFileError) throw new UserFacingError(`--data: ${err.message}`, 2);
        throw err;
      }
    } else if (opts.column != null) {
      throw new UserFacingError('--column needs --data <file>', 2);
    }
    const config: BananaConfig = {
      methods: opts.method,
      sigmaY: opts.sigmaY,
      priorScale: opts.priorScale,
      points: userData?.length ?? opts.points,
      data: opts.data ?? null,
      layers: opts.layers,
      batch: opts.batch,
      lr: opts.lr,
      steps: opts.steps,
      every: opts.every,
      evalSamples: opts.evalSamples,
      iwaeSamples: opts.iwaeSamples,
      iwaeEvery: d.iwaeEvery,
      samples: opts.samples,
      chains: opts.chains,
      warmup: opts.warmup,
      draws: opts.draws,
      leapfrogSteps: opts.leapfrogSteps,
      stepSize: opts.stepSize,
      adapt: opts.adapt,
      maxTreeDepth: opts.maxTreeDepth,
      targetAcceptance: opts.targetAccept,
      refineParticles: opts.refineParticles,
      refineTransitions: opts.refineTransitions,
      seed: opts.seed,
    };
    const backend = await selectBackend(opts.backend);
    const say = (s: string) => {
      if (!opts.quiet) process.stderr.write(`${s}\n`);
    };
    say(`backend: ${backend.name}`);
    const setup = createBanana(config, userData);

    let run: Run;
    try {
      const { seed, methods, ...rest } = config;
      run = await openRun({ root: opts.out, pipeline: BANANA_PIPELINE, config: { ...rest, methods: methods.join(','), log_evidence: setup.reference.logEvidence }, seed, backend: backend.name, flushMs: opts.flushInterval * 1000 });
    } catch (err) {
      if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
      throw err;
    }
    const dir = relative(process.cwd(), run.dir) || run.dir;
    say(`run: ${dir}`);
    say(`data: ${setup.y.length} points${config.data ? ` from ${config.data}` : ' generated from the seed'}, σ_y = ${config.sigmaY}; exact log p(y) = ${setup.reference.logEvidence.toFixed(4)}`);

    let views: Views | undefined;
    try {
      views = await viewsFromOptions({ ...opts, plots: false }, {
        info: { id: run.id, pipeline: BANANA_PIPELINE, config: { ...config, methods: config.methods.join(',') }, total: totalSteps(config) },
        runDir: run.dir,
        progress: { label: 'banana', keys: config.methods.flatMap((m) => [`${m}_kl`, `${m}_accept`]) },
        say,
      });
    } catch (err) {
      await run.close('failed', (err as Error).message.split('\n')[0]);
      throw err;
    }
    const records: MetricRecord[] = [];
    // Figures are redrawn as each method's stage ends, so the dashboard shows them during the run.
    let figures: Promise<void> = Promise.resolve();
    const drawFigures = () => {
      if (opts.plots === false) return;
      const snapshot = records.slice();
      figures = figures
        .then(() => writeBananaFigures(run.dir, snapshot, setup))
        .then((names) => names.forEach((n) => views!.figure(n)))
        .catch((err) => say(`warning: figures not written: ${(err as Error).message.split('\n')[0]}`));
    };
    const records$ = bananaPipeline(setup).pipe(
      guardFinite({ keys: config.methods.map((m) => `${m}_loss`) }),
      tap((r) => {
        records.push(r);
        if (r.kind === 'row' && r.table === 'summary') drawFigures();
      }),
      views.operator,
    );
    const outcome = await superviseRun(run, records$);
    drawFigures();
    await figures;
    process.stdout.write(`${formatBananaTable(records, setup, outcome.status, backend.name)}\n  wrote ${dir}/\n`);
    await views.serveUntilInterrupted();
    if (outcome.status === 'interrupted') throw new UserFacingError(`interrupted by ${outcome.reason}; everything up to the last flush is in ${dir}`, outcome.exitCode);
    if (outcome.status === 'failed') throw new UserFacingError(`${outcome.reason} (run recorded as failed in ${dir})`, outcome.exitCode);
  });
}
