import { join, relative } from 'node:path';
import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import { createModel, emergentClassicality, type EmergentClassicalityConfig, type RunOptions } from '../../../pipelines/emergent-classicality.ts';
import { createMultiSystemModel, multiSystem, type MultiSystemConfig } from '../../../pipelines/multi-system.ts';
import type { Observable } from 'rxjs';
import type { MetricRecord, ScalarsRecord } from '../../metrics/records.ts';
import { guardFinite, openRun, SinkWriteError, superviseRun, type Run, type RunOutcome } from '../../sinks/index.ts';
import { UserFacingError } from '../../options/userFacingError.ts';

export const VAE_PIPELINE = 'emergent-classicality';
export const MULTI_SYSTEM_PIPELINE = 'multi-system';

/** What `trainRun` needs of a pipeline: its name, how to build or restore its model, and its record stream. */
export interface TrainPipeline<C, M extends { step: number; dispose(): void }> {
  readonly name: string;
  create(config: C, resumeFrom?: string): M;
  run(config: C, model: M, options: RunOptions): Observable<MetricRecord>;
  /** The `config:` line printed when the run starts. */
  describe(config: C, model: M): string;
}

/** The qubit VAE of seed 000 (one system qubit; heterogeneous sensors, rotated axes). */
export const vaePipeline: TrainPipeline<EmergentClassicalityConfig, ReturnType<typeof createModel>> = {
  name: VAE_PIPELINE,
  create: createModel,
  run: emergentClassicality,
  describe: (config, model) =>
    `config: ${config.scheme} axis, ${describeEpsilon(config)}, N = ${config.qubits}${config.positions ? `, position embedding ${config.positions}` : ''}${config.axes ? `, pointer axes ${config.axes} (learned frame: ${model.frame ? (model.frame.shared ? 'shared' : 'per-qubit') : 'none'})` : ''}, z_dim ${config.latent}, plan ${config.plan}, batch ${config.batch}, ${config.steps} steps, reg ${config.reg}${model.step ? `, resumed at step ${model.step}` : ''}`,
};

/** K system qubits, each ancilla copying one (issue 15). */
export const multiSystemPipeline: TrainPipeline<MultiSystemConfig, ReturnType<typeof createMultiSystemModel>> = {
  name: MULTI_SYSTEM_PIPELINE,
  create: createMultiSystemModel,
  run: multiSystem,
  describe: (config, model) =>
    `config: ${config.scheme} axis, ε = ${config.epsilon}, N = ${config.qubits}, K = ${config.systems} system qubits (ancilla i copies i mod K), position embedding ${config.positions ?? 4}, z_dim ${config.latent ?? config.systems}, batch ${config.batch}, ${config.steps} steps, lr ${config.lr}, reg ${config.reg}${model.step ? `, resumed at step ${model.step}` : ''}`,
};

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
export async function trainRun<C extends { steps: number; seed: number }, M extends { step: number; dispose(): void }>(
  config: C,
  options: TrainRunOptions,
  pipeline: TrainPipeline<C, M> = vaePipeline as unknown as TrainPipeline<C, M>,
): Promise<TrainRunResult> {
  let model: M;
  try {
    model = pipeline.create(config, options.resume);
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
      pipeline: pipeline.name,
      // Per-qubit ε as one comma-joined column (as `sample` writes it); the numbers stay exact in config_json.
      config: { ...rest, ...(Array.isArray((rest as { epsilons?: unknown }).epsilons) ? { epsilons: (rest as unknown as { epsilons: number[] }).epsilons.join(',') } : {}), resume: options.resume ?? null, ...options.extraConfig },
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
  options.say(pipeline.describe(config, model));

  let views: MonoTypeOperatorFunction<MetricRecord>;
  try {
    views = await options.views(run, model.step);
  } catch (err) {
    model.dispose();
    await run.close('failed', (err as Error).message.split('\n')[0]);
    throw err;
  }

  let last: ScalarsRecord | undefined;
  const records$ = pipeline.run(config, model, { checkpointDir: join(run.dir, 'checkpoints') }).pipe(
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
