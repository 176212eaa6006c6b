import { Command, Option } from 'commander';
import { relative } from 'node:path';
import { tap } from 'rxjs';
import {
  ARCHITECTURES, BURDA_TABLE1, createImageVae, DEFAULT_CONFIG, IMAGE_VAE_PIPELINE, imageVaePipeline, LIKELIHOODS, MODEL_DEFAULTS, OBJECTIVES, stepsPerEpoch,
  type ImageLikelihood, type ImageObjective, type ImageVaeConfig, type ImageVaeData, type ImageVaeModel,
} from '../../../pipelines/image-vae.ts';
import { hostKernelsLabel } from '../../backend/hostKernels.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import { DataFileError } from '../../data/dataFileError.ts';
import { readIdxDataset } from '../../data/idx.ts';
import { loadShippedDigits } from '../../data/shippedDigits.ts';
import { IMAGE_VAE_FIGURES } from '../../inference/imageVaeFigures.ts';
import type { ImageArchitecture } from '../../models/image/imageVae.ts';
import type { MetricRecord, ScalarsRecord } from '../../metrics/records.ts';
import { guardFinite, openRun, SinkWriteError, superviseRun, type Run } from '../../sinks/index.ts';
import { addViewOptions, viewsFromOptions, type ViewOptions, type Views } from '../../views/viewOptions.ts';
import { addCommonOptions, type CommonOptions } from '../commonOptions.ts';
import { numberIn, numberListIn, oneOf } from '../../options/optionParsers.ts';
import { UserFacingError } from '../../options/userFacingError.ts';

type ImageVaeOptions = CommonOptions &
  ViewOptions & {
    model: ImageArchitecture;
    likelihood: ImageLikelihood;
    objective: ImageObjective;
    k: number;
    latent?: number;
    batch: number;
    epochs: number;
    lr: number;
    data?: string;
    trainSubset?: number;
    evalK?: number[];
    testSubset?: number;
    finalK: number;
    finalSubset?: number;
    figuresEvery: number;
    resume?: string;
    flushInterval: number;
    onNonFinite: 'fail' | 'skip';
  };

/**
 * `image-vae`: seeds 003 and 004's VAEs of MNIST digits (or Fashion-MNIST, or any MNIST-style IDX
 * files), trained by the qubit VAE's operators, with honest test likelihoods (L_K up to K = 5000)
 * and the four figures, live on the dashboard.
 */
export function imageVaeCommand(): Command {
  const d = DEFAULT_CONFIG;
  const int = (min: number, max?: number) => numberIn({ min, max, integer: true });
  const cmd = new Command('image-vae')
    .description("VAEs of MNIST-style images (seeds 003 and 004): training by ELBO or IWAE, test NLL by L_K, sample grid, reconstructions, latent scatter and traversal")
    .addOption(new Option('--model <name>', `architecture: mlp (seed 003, latent 2), mlp8 (seed 004, latent 8) or conv (the Keras example, latent 2)`).argParser(oneOf(ARCHITECTURES)).default(d.model))
    .addOption(new Option('--likelihood <name>', 'pixel likelihood: bernoulli (binarised pixels) or normal (grey levels, learned scale)').argParser(oneOf(LIKELIHOODS)).default(d.likelihood))
    .addOption(new Option('--objective <name>', 'training objective: elbo or iwae (K samples, see --k)').argParser(oneOf(OBJECTIVES)).default(d.objective))
    .option('--k <K>', 'importance samples of the IWAE objective (an integer in [1, 5000]; with --objective iwae)', int(1, 5000), d.k)
    .option('--latent <d>', 'latent dimension (an integer in [1, 512]; default: the model\'s, 2, 8 or 2)', int(1, 512))
    .option('--batch <n>', 'images per optimiser step (an integer ≥ 1)', int(1), d.batch)
    .option('--epochs <n>', 'epochs in total (an integer ≥ 1; a resumed run continues up to this)', int(1), d.epochs)
    .option('--lr <η>', 'Adam learning rate (a number > 0 and ≤ 1)', numberIn({ min: 0, exclusiveMin: true, max: 1 }), d.lr)
    .option('--data <dir>', 'MNIST-style IDX files (train-images-idx3-ubyte, …, plain or .gz), e.g. /usr/share/datasets/fashion-mnist; default: the shipped MNIST digits')
    .option('--train-subset <n>', 'train on the first n training images (an integer ≥ 1; default all)', int(1))
    .option('--eval-k <K,...>', 'K of the test NLLs −L_K reported every epoch (integers ≥ 1; default 1,10,100,1000, conv 1,10,100)', numberListIn({ min: 1, integer: true }))
    .option('--test-subset <n>', 'test images of the per-epoch evaluation, the first n (an integer ≥ 1; default 50)', int(1))
    .option('--final-k <K>', 'K of the final test NLL after the last epoch (an integer ≥ 1)', int(1), d.finalK)
    .option('--final-subset <n>', 'test images of the final evaluation, the first n (an integer ≥ 1; default 100, conv 20)', int(1))
    .option('--figures-every <n>', 'draw the four figures every n epochs and after the last (an integer ≥ 0; 0: only after the last)', int(0), d.figuresEvery)
    .option('--resume <checkpoint>', 'continue from checkpoints/latest.json of an image-vae run (same settings; --epochs is the total)')
    .option('--flush-interval <s>', 'seconds between flushes to disk (a number > 0)', numberIn({ min: 0, exclusiveMin: true }), 2)
    .addOption(new Option('--on-non-finite <mode>', 'a NaN/Inf loss fails the run (fail) or its epoch record is skipped (skip)').argParser(oneOf(['fail', 'skip'] as const)).default('fail'));
  return addViewOptions(addCommonOptions(cmd, { seed: d.seed })).action(async (opts: ImageVaeOptions, command: Command) => {
    if (command.getOptionValueSource('k') === 'cli' && opts.objective !== 'iwae') throw new UserFacingError(`--k applies to --objective iwae (the objective is ${opts.objective})`, 2);
    const defaults = MODEL_DEFAULTS[opts.model];
    const evalK = [...new Set(opts.evalK ?? defaults.evalK)].sort((a, b) => a - b);
    if (evalK.at(-1)! > opts.finalK) throw new UserFacingError(`--eval-k ${evalK.at(-1)} is beyond --final-k ${opts.finalK}; the final evaluation reports every K up to --final-k`, 2);

    // Read the data before anything is written: a bad directory is a usage error with nothing on disk.
    let data: ImageVaeData;
    try {
      data = opts.data != null ? await readIdxDataset(opts.data) : loadShippedDigits();
    } catch (err) {
      if (err instanceof DataFileError) throw new UserFacingError(`--data: ${err.message}`, opts.data != null ? 2 : 1);
      throw err;
    }
    const config: ImageVaeConfig = {
      model: opts.model,
      likelihood: opts.likelihood,
      objective: opts.objective,
      k: opts.k,
      latent: opts.latent ?? defaults.latent,
      batch: opts.batch,
      epochs: opts.epochs,
      lr: opts.lr,
      evalK,
      // The sizes actually used, so the run table never claims more test images than were evaluated.
      testSubset: Math.min(opts.testSubset ?? defaults.testSubset, data.test.n),
      finalK: opts.finalK,
      finalSubset: Math.min(opts.finalSubset ?? defaults.finalSubset, data.test.n),
      figuresEvery: opts.figuresEvery,
      trainSubset: opts.trainSubset == null ? null : Math.min(opts.trainSubset, data.train.n),
      data: opts.data ?? 'shipped-digits',
      seed: opts.seed,
    };

    const backend = await selectBackend(opts.backend);
    const say = (s: string) => {
      if (!opts.quiet) process.stderr.write(`${s}\n`);
    };
    const hostKernels = hostKernelsLabel();
    say(`backend: ${backend.name}${hostKernels !== 'off' ? `, host kernels (${hostKernels})` : ''}`);
    let model: ImageVaeModel;
    try {
      model = createImageVae(config, data.test, opts.resume);
    } catch (err) {
      throw new UserFacingError(`${opts.resume != null ? '--resume: ' : ''}${(err as Error).message.split('\n')[0]}`, 2);
    }
    if (model.epoch >= config.epochs) {
      model.dispose();
      throw new UserFacingError(`--epochs ${config.epochs} is not beyond the checkpoint's epoch ${model.epoch}: nothing to train`, 2);
    }

    let run: Run;
    try {
      const { seed, evalK: ks, ...rest } = config;
      run = await openRun({
        root: opts.out,
        pipeline: IMAGE_VAE_PIPELINE,
        config: { ...rest, evalK: ks.join(','), hostKernels, trainImages: config.trainSubset ?? data.train.n, testImages: data.test.n, resume: opts.resume ?? null },
        seed,
        backend: backend.name,
        flushMs: opts.flushInterval * 1000,
      });
    } catch (err) {
      model.dispose();
      if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
      throw err;
    }
    const dir = relative(process.cwd(), run.dir) || run.dir;
    const steps = stepsPerEpoch(config, data.train);
    const trainImages = config.trainSubset ?? data.train.n;
    say(`run: ${dir}`);
    say(
      `config: ${config.model}, latent ${config.latent}, ${config.likelihood}, ${config.objective === 'iwae' ? `IWAE (K = ${config.k})` : 'ELBO'}; ${trainImages} training images of ${data.train.name}, batch ${config.batch} (${steps} steps per epoch), ${config.epochs} epochs${model.epoch ? `, resumed after epoch ${model.epoch}` : ''}`,
    );

    let views: Views;
    try {
      views = await viewsFromOptions(opts, {
        info: { id: run.id, pipeline: IMAGE_VAE_PIPELINE, config: { ...config, evalK: config.evalK.join(',') }, total: config.epochs * steps, startStep: model.epoch * steps },
        runDir: run.dir,
        progress: { label: 'image-vae', keys: ['test_nll', 'kl'] },
        say,
      });
    } catch (err) {
      model.dispose();
      await run.close('failed', (err as Error).message.split('\n')[0]);
      throw err;
    }

    const records: MetricRecord[] = [];
    const records$ = imageVaePipeline(config, data, model, { dir: run.dir, onFigure: (name) => views.figure(name) }).pipe(
      guardFinite({ keys: ['loss'], onNonFinite: opts.onNonFinite }),
      tap((r) => {
        if (r.kind !== 'row' || r.table !== 'latents') records.push(r);
        if (r.kind === 'scalars' && r.values.epoch === config.epochs) say(`final evaluation: −L_K up to K = ${config.finalK} on the first ${config.finalSubset} test images`);
      }),
      views.operator,
    );
    const outcome = await superviseRun(run, records$);
    model.dispose();
    process.stdout.write(`${formatSummary(records, config, data, outcome.status, backend.name)}\n  wrote ${dir}/ (${[...IMAGE_VAE_FIGURES, 'weights.safetensors', 'checkpoints/latest.json', 'scalars, test_nll and latents tables'].join(', ')})\n`);
    await views.serveUntilInterrupted();
    if (outcome.status === 'interrupted') throw new UserFacingError(`interrupted by ${outcome.reason}; everything up to the last finished epoch is in ${dir} (continue with --resume ${relative(process.cwd(), `${run.dir}/checkpoints/latest.json`)})`, outcome.exitCode);
    if (outcome.status === 'failed') throw new UserFacingError(`${outcome.reason} (run recorded as failed in ${dir})`, outcome.exitCode);
  });
}

/** The run's outcome for the terminal: per-epoch times, the last epoch's numbers and the final L_K table beside Burda et al.'s. */
function formatSummary(records: readonly MetricRecord[], config: ImageVaeConfig, data: ImageVaeData, status: string, backend: string): string {
  const epochs = records.filter((r): r is ScalarsRecord => r.kind === 'scalars');
  const last = epochs.at(-1)?.values;
  if (last == null) return `${status} before the first epoch ended on ${backend}; nothing evaluated`;
  const f = (v: number, digits = 2) => v.toFixed(digits);
  const train = epochs.reduce((s, r) => s + r.values.train_seconds, 0);
  const evaluation = epochs.reduce((s, r) => s + r.values.eval_seconds, 0);
  const lines = [
    `${status} at epoch ${last.epoch}/${config.epochs} on ${backend}: ${config.model}, latent ${config.latent}, ${config.likelihood}, ${config.objective === 'iwae' ? `IWAE K = ${config.k}` : 'ELBO'}, ${config.trainSubset ?? data.train.n} training images of ${data.train.name}`,
    `  time: ${f(train, 1)} s training (${f(train / epochs.length, 1)} s per epoch), ${f(evaluation, 1)} s per-epoch evaluation and figures`,
    `  last epoch: training −ELBO ${f(last.loss)} nats per image (reconstruction ${f(last.reconstruction)}, KL ${f(last.kl)}); test −L_${last.iwae_k} ${f(last.test_nll)} ± ${f(last[`test_nll_${last.iwae_k}_se`])} on ${last.test_records} images`,
  ];
  const rows = records.flatMap((r) => (r.kind === 'row' && r.table === 'test_nll' ? [r.row as Record<string, number>] : []));
  if (rows.length > 0) {
    const testName = config.likelihood === 'bernoulli' ? `${data.test.name}, fixed binarisation` : `${data.test.name}, grey levels`;
    lines.push(`  test NLL after epoch ${rows[0].epoch}: first ${rows[0].records} images of ${testName}, ${rows[0].samples} draws per image (${f(rows[0].seconds, 1)} s)`);
    lines.push('         K     −L_K      ± se');
    for (const r of rows) lines.push(`    ${String(r.k).padStart(6)}  ${f(r.nll).padStart(8)}  ${f(r.se).padStart(7)}`);
    if (config.likelihood === 'bernoulli') {
      lines.push(`  anchor, Burda et al. (2016) Table 1, MNIST with dynamic binarisation (50 latent units, ≈ 3 280 epochs, L_5000 on 10 000 test images): VAE ${BURDA_TABLE1.vae}, IWAE (K = 50) ${BURDA_TABLE1.iwae50} nats`);
    }
  }
  return lines.join('\n');
}
