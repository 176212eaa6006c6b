import { Command, InvalidArgumentError, Option } from 'commander';
import { relative } from 'node:path';
import { tap } from 'rxjs';
import {
  AIS_BASES, createRbmTraining, DEFAULT_CONFIG, RBM_PIPELINE, rbmPipeline, SALAKHUTDINOV_MURRAY_2008, stepsPerEpoch,
  type AisBase, type RbmConfig, type RbmData, type RbmTraining,
} from '../../../pipelines/rbm.ts';
import { DataFileError } from '../../data/dataFileError.ts';
import { readIdxDataset } from '../../data/idx.ts';
import { loadShippedDigits } from '../../data/shippedDigits.ts';
import { EXACT_LOG_Z_MAX_HIDDEN } from '../../energy/exactLogZ.ts';
import { RBM_FIGURES } from '../../inference/rbmFigures.ts';
import type { MetricRecord, ScalarsRecord } from '../../metrics/records.ts';
import { guardFinite, openRun, SinkWriteError, superviseRun, type Run } from '../../sinks/index.ts';
import { addViewOptions, viewsFromOptions, type ViewOptions, type Views } from '../../views/viewOptions.ts';
import { numberIn, oneOf, seedOption } from '../../options/optionParsers.ts';
import { UserFacingError } from '../../options/userFacingError.ts';

type RbmOptions = ViewOptions & {
  threads: 1 | 2;
  hidden: number;
  k: number;
  persistent: boolean;
  lr: number;
  momentum: number;
  weightDecay: number;
  batch: number;
  epochs: number;
  data?: string;
  trainSubset?: number;
  testSubset?: number;
  aisBase: AisBase;
  aisRuns: number;
  finalAisRuns: number;
  aisBetas: number;
  finalAisBetas: number;
  figuresEvery: number;
  chains: number;
  chainSweeps: number;
  resume?: string;
  seed: number;
  out: string;
  quiet: boolean;
  flushInterval: number;
  onNonFinite: 'fail' | 'skip';
};

/** A number in [0, 1): momentum (numberIn has no exclusive maximum). */
function momentumIn(raw: string): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!(Number.isFinite(value) && value >= 0 && value < 1)) throw new InvalidArgumentError(`expected a number ≥ 0 and < 1, got ${Number.isFinite(value) ? raw : `"${raw}"`}`);
  return value;
}

/**
 * `rbm`: seed 004's Bernoulli RBM of MNIST digits (or any MNIST-style IDX files), trained by CD-k
 * or PCD-k in plain JS (src/energy/), with an honest monitor (pseudo-likelihood), AIS log Z and test
 * log-likelihood every epoch, and the three figures, live on the dashboard. No TF.js backend is used.
 */
export function rbmCommand(): Command {
  const d = DEFAULT_CONFIG;
  const int = (min: number, max?: number) => numberIn({ min, max, integer: true });
  const cmd = new Command('rbm')
    .description('Bernoulli RBM of MNIST-style images (seed 004): CD-k / PCD-k, AIS log Z and test log-likelihood, samples, filters and long Gibbs chains')
    .option('--hidden <n>', `hidden units (an integer ≥ 1; ≤ ${EXACT_LOG_Z_MAX_HIDDEN} also logs the exact log Z)`, int(1), d.hidden)
    .option('--k <k>', 'Gibbs sweeps per CD update (an integer ≥ 1)', int(1), d.k)
    .option('--persistent', 'persistent CD (Tieleman 2008): negative chains carried across updates', d.persistent)
    .option('--lr <η>', 'SGD learning rate (a number > 0)', numberIn({ min: 0, exclusiveMin: true }), d.lr)
    .option('--momentum <μ>', 'SGD momentum (a number ≥ 0 and < 1)', momentumIn, d.momentum)
    .option('--weight-decay <λ>', 'L2 penalty on W (a number ≥ 0)', numberIn({ min: 0 }), d.weightDecay)
    .option('--batch <n>', 'images per CD update (an integer ≥ 1)', int(1), d.batch)
    .option('--epochs <n>', 'epochs in total (an integer ≥ 1; a resumed run continues up to this)', int(1), d.epochs)
    .option('--data <dir>', 'MNIST-style IDX files (train-images-idx3-ubyte, …, plain or .gz); default: the shipped MNIST digits')
    .option('--train-subset <n>', 'train on the first n training images (an integer ≥ 1; default all)', int(1))
    .option('--test-subset <n>', 'evaluate on the first n test images (an integer ≥ 1; default all)', int(1))
    .addOption(new Option('--ais-base <name>', 'AIS base model: data (base rate of the training pixels) or visible-bias (the RBM\'s own visible biases)').argParser(oneOf(AIS_BASES)).default(d.aisBase))
    .option('--ais-runs <M>', 'AIS runs of the per-epoch log Z estimate (an integer ≥ 2)', int(2), d.aisRuns)
    .option('--final-ais-runs <M>', 'AIS runs of the final log Z estimate (an integer ≥ 2)', int(2), d.finalAisRuns)
    .option('--ais-betas <K>', 'AIS intermediate distributions of the per-epoch estimate (an integer ≥ 3)', int(3), d.aisBetas)
    .option('--final-ais-betas <K>', 'AIS intermediate distributions of the final estimate after the last epoch (an integer ≥ 3)', int(3), d.finalAisBetas)
    .option('--figures-every <n>', 'draw the three figures every n epochs and after the last (an integer ≥ 0; 0: only after the last)', int(0), d.figuresEvery)
    .option('--threads <n>', 'threads of the wasm engine: 1 (default; the same seed gives the same numbers) or 2 (2.8 against 4.5 ms per CD-1 step at 784 × 500, whole epochs measured level; not bit-reproducible)', int(1, 2), 1)
    .option('--chains <n>', 'long Gibbs chains of rbm-chains.png (an integer in [1, 100])', int(1, 100), d.chains)
    .option('--chain-sweeps <n>', 'sweeps of each long chain (an integer ≥ 1)', int(1), d.chainSweeps)
    .option('--resume <checkpoint>', 'continue from checkpoints/latest.json of an rbm run (same settings; --epochs is the total)')
    .option('--seed <n>', 'random seed (integer ≥ 0)', seedOption, d.seed)
    .option('--out <dir>', 'root directory for run outputs', 'output')
    .option('--quiet', 'no progress output', false)
    .option('--flush-interval <s>', 'seconds between flushes to disk (a number > 0)', numberIn({ min: 0, exclusiveMin: true }), 2)
    .addOption(new Option('--on-non-finite <mode>', 'a NaN/Inf loss fails the run (fail) or its epoch record is skipped (skip)').argParser(oneOf(['fail', 'skip'] as const)).default('fail'));
  return addViewOptions(cmd).action(async (opts: RbmOptions) => {
    // Read the data before anything is written: a bad directory is a usage error with nothing on disk.
    let data: RbmData;
    try {
      data = opts.data != null ? await readIdxDataset(opts.data) : loadShippedDigits();
    } catch (err) {
      if (err instanceof DataFileError) throw new UserFacingError(`--data: ${err.message}`, opts.data != null ? 2 : 1);
      throw err;
    }
    const config: RbmConfig = {
      hidden: opts.hidden,
      k: opts.k,
      persistent: opts.persistent,
      lr: opts.lr,
      momentum: opts.momentum,
      weightDecay: opts.weightDecay,
      batch: opts.batch,
      epochs: opts.epochs,
      // The sizes actually used, so the run table never claims more images than were used.
      trainSubset: opts.trainSubset == null ? null : Math.min(opts.trainSubset, data.train.n),
      testSubset: opts.testSubset == null ? null : Math.min(opts.testSubset, data.test.n),
      aisBase: opts.aisBase,
      aisRuns: opts.aisRuns,
      finalAisRuns: opts.finalAisRuns,
      aisBetas: opts.aisBetas,
      finalAisBetas: opts.finalAisBetas,
      figuresEvery: opts.figuresEvery,
      chains: opts.chains,
      chainSweeps: opts.chainSweeps,
      data: opts.data ?? 'shipped-digits',
      seed: opts.seed,
    };
    const say = (s: string) => {
      if (!opts.quiet) process.stderr.write(`${s}\n`);
    };
    const visible = data.train.rows * data.train.cols;
    let training: RbmTraining;
    try {
      training = createRbmTraining(config, visible, opts.resume);
    } catch (err) {
      throw new UserFacingError(`${opts.resume != null ? '--resume: ' : ''}${(err as Error).message.split('\n')[0]}`, 2);
    }
    if (training.epoch >= config.epochs) throw new UserFacingError(`--epochs ${config.epochs} is not beyond the checkpoint's epoch ${training.epoch}: nothing to train`, 2);

    let run: Run;
    try {
      const { seed, ...rest } = config;
      run = await openRun({
        root: opts.out,
        pipeline: RBM_PIPELINE,
        config: { ...rest, visible, trainImages: config.trainSubset ?? data.train.n, testImages: config.testSubset ?? data.test.n, resume: opts.resume ?? null },
        seed,
        backend: 'js',
        flushMs: opts.flushInterval * 1000,
      });
    } catch (err) {
      if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
      throw err;
    }
    const dir = relative(process.cwd(), run.dir) || run.dir;
    const steps = stepsPerEpoch(config, data.train);
    say(`run: ${dir}`);
    say(`config: ${describe(config, visible)}; ${config.trainSubset ?? data.train.n} training images of ${data.train.name} (${steps} updates per epoch), ${config.epochs} epochs${training.epoch ? `, resumed after epoch ${training.epoch}` : ''}`);

    let views: Views;
    try {
      views = await viewsFromOptions(opts, {
        info: { id: run.id, pipeline: RBM_PIPELINE, config: { ...config }, total: config.epochs * steps, startStep: training.epoch * steps },
        runDir: run.dir,
        progress: { label: 'rbm', keys: ['test_loglik', 'loss'] },
        say,
      });
    } catch (err) {
      await run.close('failed', (err as Error).message.split('\n')[0]);
      throw err;
    }

    const records: MetricRecord[] = [];
    const started = performance.now();
    const records$ = rbmPipeline(config, data, training, { dir: run.dir, onFigure: (name) => views.figure(name), threads: opts.threads }).pipe(
      guardFinite({ keys: ['loss'], onNonFinite: opts.onNonFinite }),
      tap((r) => {
        records.push(r);
        if (r.kind === 'scalars' && r.values.epoch === config.epochs) say(`final evaluation: AIS with ${config.finalAisRuns} runs × ${config.finalAisBetas} distributions`);
      }),
      views.operator,
    );
    const outcome = await superviseRun(run, records$);
    const wall = (performance.now() - started) / 1000;
    process.stdout.write(`${formatSummary(records, config, data, visible, outcome.status, wall)}\n  wrote ${dir}/ (${[...RBM_FIGURES, 'weights.safetensors', 'checkpoints/latest.json', 'scalars and final tables'].join(', ')})\n`);
    await views.serveUntilInterrupted();
    if (outcome.status === 'interrupted') throw new UserFacingError(`interrupted by ${outcome.reason}; everything up to the last finished epoch is in ${dir} (continue with --resume ${relative(process.cwd(), `${run.dir}/checkpoints/latest.json`)})`, outcome.exitCode);
    if (outcome.status === 'failed') throw new UserFacingError(`${outcome.reason} (run recorded as failed in ${dir})`, outcome.exitCode);
  });
}

function describe(config: RbmConfig, visible: number): string {
  const extras = [config.momentum > 0 ? `momentum ${config.momentum}` : '', config.weightDecay > 0 ? `weight decay ${config.weightDecay}` : ''].filter(Boolean).join(', ');
  return `${visible}-${config.hidden} RBM, ${config.persistent ? 'PCD' : 'CD'}-${config.k}, SGD ${config.lr}${extras ? `, ${extras}` : ''}, batch ${config.batch}`;
}

/** The run's outcome for the terminal: times, the last epoch's numbers and the final evaluation beside Salakhutdinov & Murray's. */
function formatSummary(records: readonly MetricRecord[], config: RbmConfig, data: RbmData, visible: number, status: string, wall: number): string {
  const epochs = records.filter((r): r is ScalarsRecord => r.kind === 'scalars');
  const last = epochs.at(-1)?.values;
  if (last == null) return `${status} before the first epoch ended; nothing evaluated`;
  const f = (v: number, digits = 2) => v.toFixed(digits);
  const train = epochs.reduce((s, r) => s + r.values.train_seconds, 0);
  const evaluation = epochs.reduce((s, r) => s + r.values.eval_seconds, 0);
  const lines = [
    `${status} at epoch ${last.epoch}/${config.epochs}: ${describe(config, visible)}, ${config.trainSubset ?? data.train.n} training images of ${data.train.name}`,
    `  time: ${f(wall, 1)} s in all; ${f(train, 1)} s training (${f(train / epochs.length, 1)} s per epoch), ${f(evaluation, 1)} s per-epoch evaluation and figures`,
    `  last epoch: loss ${f(last.loss)}, reconstruction error ${f(last.reconstruction_error)}, pseudo-log-likelihood ${f(last.pseudo_loglik)}; AIS (${last.ais_runs} × ${last.ais_betas}) log Z ${f(last.log_z)} ± ${f(last.log_z_se)}, test log-likelihood ${f(last.test_loglik)} ± ${f(last.test_loglik_se)} nats on ${last.test_records} images`,
  ];
  const final = records.flatMap((r) => (r.kind === 'row' && r.table === 'final' ? [r.row as Record<string, number>] : []))[0];
  if (final != null) {
    lines.push(`  final evaluation after epoch ${final.epoch} (${f(final.seconds, 1)} s), ${final.test_records} images of ${data.test.name}, fixed binarisation:`);
    lines.push('                         log Z        test log-likelihood');
    lines.push(`    AIS ${String(final.ais_runs).padStart(4)} × ${String(final.ais_betas).padEnd(6)} ${f(final.log_z).padStart(9)} ± ${f(final.log_z_se).padEnd(6)}  ${f(final.test_loglik).padStart(9)} ± ${f(final.test_loglik_se)}`);
    if (final.log_z_exact != null) lines.push(`    exact (enumerated)  ${f(final.log_z_exact).padStart(9)}           ${f(final.test_loglik_exact).padStart(9)}`);
    lines.push(`  anchor, Salakhutdinov & Murray (2008) Table 2, 500 hidden units on MNIST: CD-1 ${SALAKHUTDINOV_MURRAY_2008.cd1}, CD-3 ${SALAKHUTDINOV_MURRAY_2008.cd3}, CD-25 ${SALAKHUTDINOV_MURRAY_2008.cd25} nats`);
  }
  return lines.join('\n');
}
