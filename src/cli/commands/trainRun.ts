import { join, relative } from 'node:path';
import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import { createModel, emergentClassicality, type EmergentClassicalityConfig } from '../../../pipelines/emergent-classicality.ts';
import type { MetricRecord, ScalarsRecord } from '../../metrics/records.ts';
import { guardFinite, openRun, SinkWriteError, superviseRun, type Run, type RunOutcome } from '../../sinks/index.ts';
import { UserFacingError } from '../userFacingError.ts';

export const VAE_PIPELINE = 'emergent-classicality';

export interface TrainRunOptions {
  out: string;
  backend: string;
  flushMs: number;
  onNonFinite: 'fail' | 'skip';
  resume?: string;
  /** Extra columns of the run table (e.g. a sweep's id). */
  extraConfig?: Record<string, string | number | null>;
  /** The views (progress, dashboard, …), built once the run directory exists. */
  views: (run: Run, startStep: number) => Promise<MonoTypeOperatorFunction<MetricRecord>>;
  say: (line: string) => void;
}

export interface TrainRunResult {
  outcome: RunOutcome;
  /** The last scalars record, if any step was logged. */
  last?: ScalarsRecord;
  /** Run directory relative to the working directory. */
  dir: string;
}

/**
 * One supervised VAE run: model (fresh or from a checkpoint), run directory, views, Parquet
 * persistence, NaN guard, Ctrl-C handling. Shared by `train` and `sweep`.
 */
export async function trainRun(config: EmergentClassicalityConfig, options: TrainRunOptions): Promise<TrainRunResult> {
  let model;
  try {
    model = createModel(config, options.resume);
  } catch (err) {
    throw new UserFacingError((err as Error).message.split('\n')[0], options.resume ? 2 : 1);
  }
  if (model.step >= config.steps) {
    model.dispose();
    throw new UserFacingError(`--steps ${config.steps} is not beyond the checkpoint's step ${model.step}: nothing to train`, 2);
  }

  let run: Run;
  try {
    const { seed, ...rest } = config; // the run table has its own seed column
    run = await openRun({
      root: options.out,
      pipeline: VAE_PIPELINE,
      // Per-qubit ε as one comma-joined column (as `sample` writes it); the numbers stay exact in config_json.
      config: { ...rest, ...(rest.epsilons ? { epsilons: rest.epsilons.join(',') } : {}), resume: options.resume ?? null, ...options.extraConfig },
      seed,
      backend: options.backend,
      flushMs: options.flushMs,
    });
  } catch (err) {
    model.dispose();
    if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
    throw err;
  }
  options.say(`run: ${relative(process.cwd(), run.dir) || run.dir}`);
  options.say(
    `config: ${config.scheme} axis, ${describeEpsilon(config)}, N = ${config.qubits}${config.positions ? `, position embedding ${config.positions}` : ''}${config.axes ? `, pointer axes ${config.axes} (learned frame: ${model.frame ? (model.frame.shared ? 'shared' : 'per-qubit') : 'none'})` : ''}, z_dim ${config.latent}, plan ${config.plan}, batch ${config.batch}, ${config.steps} steps, reg ${config.reg}${model.step ? `, resumed at step ${model.step}` : ''}`,
  );

  let views: MonoTypeOperatorFunction<MetricRecord>;
  try {
    views = await options.views(run, model.step);
  } catch (err) {
    model.dispose();
    await run.close('failed', (err as Error).message.split('\n')[0]);
    throw err;
  }

  let last: ScalarsRecord | undefined;
  const records$ = emergentClassicality(config, model, { checkpointDir: join(run.dir, 'checkpoints') }).pipe(
    guardFinite({ keys: ['loss'], onNonFinite: options.onNonFinite }),
    tap((r) => {
      if (r.kind === 'scalars') last = r;
    }),
    views,
  );
  const outcome = await superviseRun(run, records$);
  model.dispose();
  return { outcome, last, dir: relative(process.cwd(), outcome.dir) || outcome.dir };
}

/** Turns a run that did not complete into the command's error (one line, its exit code). */
export function failUnlessCompleted(result: TrainRunResult): void {
  const { outcome, dir } = result;
  if (outcome.status === 'interrupted') throw new UserFacingError(`interrupted by ${outcome.reason}; everything up to the last flush is in ${dir}`, outcome.exitCode);
  if (outcome.status === 'failed') throw new UserFacingError(`${outcome.reason} (run recorded as failed in ${dir})`, outcome.exitCode);
}

/** `ε = 0.2`, or for heterogeneous sensors `εᵢ from 0 to 0.3 (12 dead)`. */
function describeEpsilon(config: EmergentClassicalityConfig): string {
  const e = config.epsilons;
  if (e == null) return `ε = ${config.epsilon}`;
  const dead = e.filter((v) => v === 0).length;
  return `εᵢ from ${Math.min(...e)} to ${Math.max(...e)}${dead ? ` (${dead} dead)` : ''}`;
}
