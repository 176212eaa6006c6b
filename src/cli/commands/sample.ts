import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { runSampleApparatus, type SampleApparatusConfig } from '../../../pipelines/sample-apparatus.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import { Rng } from '../../random/rng.ts';
import { SCHEMES, type Scheme } from '../../simulators/apparatus.ts';
import { sensorEpsilons } from '../../simulators/sensorEpsilons.ts';
import { addCommonOptions, type CommonOptions } from '../commonOptions.ts';
import { numberIn, oneOf } from '../options.ts';
import { SinkWriteError } from '../../sinks/index.ts';
import { UserFacingError } from '../userFacingError.ts';

type SampleOptions = CommonOptions & SampleApparatusConfig & { flushInterval: number; epsilons?: string };

/**
 * The pipeline's config with ε per qubit. `runSampleApparatus` hands `epsilon` to `Apparatus`, which
 * takes a number or N numbers, and to the run table (an array lands in config_json); its declared type
 * still says number, hence the one cast below until the pipeline widens it.
 */
type SampleConfig = Omit<SampleApparatusConfig, 'epsilon'> & { epsilon: number | number[]; epsilons?: string };

/**
 * `sample`: streams weak-measurement apparatus records to `<out>/sample-apparatus/<run-id>/samples-*.parquet`
 * (one row per record: index, outcomes as FLOAT[] list columns, exact log_prob, magnetisation) plus
 * its `run` table, and prints the run directory on stdout.
 *
 * Every option is validated while parsing, so a bad value exits with code 2 before anything is
 * created. `--epsilons <spec>` (instead of `--epsilon`) gives one ε per qubit (see `sensorEpsilons`:
 * a comma list, `dead:f@ε`, `file:PATH`); dead sensors are chosen from a fork of `--seed`. The run
 * table then has `epsilons` (the N values, comma-joined) and config_json the list `epsilon`.
 */
export function sampleCommand(): Command {
  const cmd = new Command('sample')
    .description('stream weak-measurement apparatus records to a Parquet table')
    .option('--scheme <name>', `measurement scheme (${SCHEMES.join(' or ')})`, oneOf(SCHEMES), 'random' as Scheme)
    .option('--epsilon <ε>', 'measurement strength ε (a number ≥ 0)', numberIn({ min: 0 }), 0.2)
    .addOption(
      new Option('--epsilons <spec>', 'per-qubit ε: N comma-separated numbers ≥ 0, dead:f@ε (a fraction f of sensors at ε = 0) or file:PATH (.txt/.npy)')
        .conflicts('epsilon'),
    )
    .option('--qubits <N>', 'number of measured qubits (an integer ≥ 1)', numberIn({ min: 1, integer: true }), 200)
    .option('--alpha0 <α₀>', 'initial α₀ of the cat state (a number)', numberIn({}), 0)
    .option('--records <n>', 'records to draw (an integer ≥ 1)', numberIn({ min: 1, integer: true }), 10_000)
    .option('--batch <n>', 'records per batch (an integer ≥ 1; speed only, same records)', numberIn({ min: 1, integer: true }), 1000)
    .option('--flush-interval <s>', 'seconds between flushes to disk (a number > 0)', numberIn({ min: 0, exclusiveMin: true }), 2);
  return addCommonOptions(cmd).action(async (opts: SampleOptions) => {
    let epsilon: number | number[] = opts.epsilon;
    if (opts.epsilons !== undefined) {
      try {
        epsilon = Array.from(sensorEpsilons(opts.epsilons, opts.qubits, new Rng(opts.seed).fork()));
      } catch (err) {
        if (err instanceof RangeError) throw new UserFacingError(err.message, 2);
        throw err;
      }
    }
    const backend = await selectBackend(opts.backend);
    if (!opts.quiet) process.stderr.write(`backend: ${backend.name}\n`);
    const full: SampleConfig = {
      scheme: opts.scheme,
      epsilon,
      qubits: opts.qubits,
      alpha0: opts.alpha0,
      records: opts.records,
      batch: opts.batch,
      ...(Array.isArray(epsilon) ? { epsilons: epsilon.join(',') } : {}),
    };
    const config = full as unknown as SampleApparatusConfig;
    const progress = opts.quiet ? null : progressReporter(opts.records);
    let outcome;
    try {
      outcome = await runSampleApparatus({
        config,
        seed: opts.seed,
        root: opts.out,
        backend: backend.name,
        flushMs: opts.flushInterval * 1000,
        onProgress: progress?.update,
      });
    } catch (err) {
      // The output directory could not be created: nothing was written.
      if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
      throw err;
    } finally {
      progress?.stop();
    }
    process.stdout.write(`${outcome.dir}\n`);
    if (outcome.status === 'interrupted') {
      throw new UserFacingError(`interrupted by ${outcome.reason}; the records drawn so far are saved in ${outcome.dir}`, outcome.exitCode);
    }
    if (outcome.status === 'failed') throw new UserFacingError(`${outcome.reason} (run recorded as failed in ${outcome.dir})`, outcome.exitCode);
  });
}

/** A cli-progress bar on a terminal; otherwise a plain line at most every 5 s (logs, CI). */
function progressReporter(total: number): { update: (done: number) => void; stop: () => void } {
  const start = performance.now();
  const rate = (done: number): number => Math.round(done / Math.max(1e-3, (performance.now() - start) / 1000));
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: 'sample |{bar}| {percentage}% {value}/{total} records | {rate} records/s | ETA {eta_formatted}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0 });
    return { update: (done) => bar.update(done, { rate: rate(done) }), stop: () => bar.stop() };
  }
  let last = start;
  return {
    update: (done) => {
      const now = performance.now();
      if (now - last < 5000 && done < total) return;
      last = now;
      process.stderr.write(`sample: ${done}/${total} records (${Math.floor((100 * done) / total)}%), ${rate(done)} records/s\n`);
    },
    stop: () => undefined,
  };
}
