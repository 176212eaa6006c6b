import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { runSampleApparatus, type SampleApparatusConfig } from '../../../pipelines/sample-apparatus.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import { Rng } from '../../random/rng.ts';
import { SCHEMES, type Scheme } from '../../simulators/apparatus.ts';
import { parsePointerAxes } from '../../simulators/pointerAxes.ts';
import { sensorEpsilons } from '../../simulators/sensorEpsilons.ts';
import { addCommonOptions, type CommonOptions } from '../commonOptions.ts';
import { numberIn, oneOf } from '../../options/optionParsers.ts';
import { SinkWriteError } from '../../sinks/index.ts';
import { UserFacingError } from '../../options/userFacingError.ts';

interface SampleOptions extends CommonOptions {
  scheme: Scheme;
  epsilon: number;
  epsilons?: string;
  qubits: number;
  alpha0: number;
  records: number;
  batch: number;
  flushInterval: number;
  axes?: string;
  systems?: number;
  assignment?: string;
  withBranch?: boolean;
}

/**
 * `sample`: streams weak-measurement apparatus records to `<out>/sample-apparatus/<run-id>/samples-*.parquet`
 * (one row per record: index, outcomes as FLOAT[] list columns, exact log_prob, magnetisation) plus
 * its `run` table, and prints the run directory on stdout.
 *
 * Every option is validated while parsing, so a bad value exits with code 2 before anything is
 * created. `--epsilons <spec>` (instead of `--epsilon`) gives one ε per qubit (see `sensorEpsilons`:
 * a comma list, `dead:f@ε`, `file:PATH`); dead sensors are chosen from a fork of `--seed`. The run
 * table then has `epsilons` (the N values, comma-joined) and config_json the list `epsilon`.
 *
 * The generalised apparatuses (issue 15):
 * - `--axes <spec>` (random scheme): pointer axes nᵢ (`RotatedApparatus`; see `parsePointerAxes`);
 *   run table `axes` (the N·3 unit components, comma-joined) and `axes_spec`; log_prob is the rotated
 *   joint and magnetisation 3⟨nᵢ·xᵢ⟩;
 * - `--systems K [--assignment a₁,…,a_N]`: K system qubits (`MultiSystemApparatus.sampleWithBits`);
 *   `samples` gains `bits` FLOAT[K], the run table `systems` and `assignment`;
 * - `--with-branch`: records drawn branch first (`sampleWithBranch`: same distribution, another random
 *   stream), `samples` gains `branch` BIGINT ±1 and the run table `with_branch`.
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
    .option('--flush-interval <s>', 'seconds between flushes to disk (a number > 0)', numberIn({ min: 0, exclusiveMin: true }), 2)
    .addOption(
      new Option('--axes <spec>', 'pointer axis of each qubit, random scheme only: z | x,y,z | tilt:θdeg | spread:θdeg@seed | file:PATH (N lines of x y z)')
        .conflicts('systems'),
    )
    .option('--systems <K>', 'number K of system qubits, 1 ≤ K ≤ N; stores the K bits of each record', numberIn({ min: 1, integer: true }))
    .option('--assignment <list>', 'with --systems: the system qubit (0 … K−1) of each of the N qubits, comma-separated (default i mod K)')
    .addOption(
      new Option('--with-branch', 'draw each record branch first and store its branch s = ±1 (same distribution, a different random stream than the default sampler: the same seed gives other records)')
        .conflicts('systems'),
    );
  return addCommonOptions(cmd).action(async (opts: SampleOptions) => {
    const config = sampleConfig(opts);
    const backend = await selectBackend(opts.backend);
    if (!opts.quiet) process.stderr.write(`backend: ${backend.name}\n`);
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

/**
 * The pipeline's config from the parsed options, checking what depends on several of them.
 * @throws UserFacingError (exit 2), one line naming the option, for a value or combination that does not fit
 */
function sampleConfig(opts: SampleOptions): SampleApparatusConfig {
  const n = opts.qubits;
  const usage = (message: string): UserFacingError => new UserFacingError(message, 2);
  let epsilon: number | number[] = opts.epsilon;
  let axes: Float64Array | undefined;
  try {
    if (opts.epsilons !== undefined) epsilon = Array.from(sensorEpsilons(opts.epsilons, n, new Rng(opts.seed).fork()));
    if (opts.axes !== undefined) {
      if (opts.scheme !== 'random') throw usage(`--axes: pointer axes need --scheme random (got --scheme ${opts.scheme})`);
      axes = parsePointerAxes(opts.axes, n);
    }
  } catch (err) {
    if (err instanceof RangeError) throw usage(err.message);
    throw err;
  }
  if (opts.systems !== undefined && opts.systems > n) throw usage(`--systems: expected an integer 1 ≤ K ≤ N = ${n}, got ${opts.systems}`);
  if (opts.assignment !== undefined && opts.systems === undefined) throw usage('--assignment: needs --systems K');
  const assignment = opts.assignment === undefined ? undefined : parseAssignment(opts.assignment, n, opts.systems!);
  return {
    scheme: opts.scheme,
    epsilon,
    qubits: n,
    alpha0: opts.alpha0,
    records: opts.records,
    batch: opts.batch,
    ...(axes !== undefined ? { axes, axesSpec: opts.axes } : {}),
    ...(opts.systems !== undefined ? { systems: opts.systems } : {}),
    ...(assignment !== undefined ? { assignment } : {}),
    ...(opts.withBranch ? { withBranch: true } : {}),
  };
}

/** `--assignment a₁,…,a_N`: N integers in 0 … K−1. */
function parseAssignment(raw: string, qubits: number, systems: number): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length !== qubits) throw new UserFacingError(`--assignment: expected N = ${qubits} system indices (one per qubit), got ${parts.length}`, 2);
  return parts.map((p, i) => {
    const v = p === '' ? NaN : Number(p);
    if (!Number.isInteger(v) || v < 0 || v >= systems) {
      throw new UserFacingError(`--assignment: assignment[${i}] must be an integer in 0 … K−1 = ${systems - 1}, got "${p}"`, 2);
    }
    return v;
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
