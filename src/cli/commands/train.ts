import { Command } from 'commander';
import { DEFAULT_CONFIG, type EmergentClassicalityConfig } from '../../../pipelines/emergent-classicality.ts';
import { DEFAULT_MULTI_SYSTEM_CONFIG, type MultiSystemConfig } from '../../../pipelines/multi-system.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import { addViewOptions, viewsFromOptions, type ViewOptions, type Views } from '../../views/viewOptions.ts';
import { addCommonOptions } from '../commonOptions.ts';
import { addVaeOptions, vaeConfig, type VaeOptions } from './trainOptions.ts';
import { numberIn } from '../../options/optionParsers.ts';
import { UserFacingError } from '../../options/userFacingError.ts';
import { failUnlessCompleted, multiSystemPipeline, trainRun, vaePipeline, type TrainRunOptions } from './trainRun.ts';

type TrainOptions = VaeOptions & ViewOptions & { resume?: string; systems?: number };

/**
 * `train --systems K`: the VAE config mapped onto the multi-system pipeline. Options the user left
 * at their defaults take the multi-system pipeline's (it needs a stronger ε and learning rate, and
 * a latent of K dimensions); the seed stays the common default.
 */
function multiSystemConfig(config: EmergentClassicalityConfig, systems: number, isDefault: (key: string) => boolean): MultiSystemConfig {
  const d = DEFAULT_MULTI_SYSTEM_CONFIG;
  const pick = <K extends keyof MultiSystemConfig & keyof EmergentClassicalityConfig>(key: K): MultiSystemConfig[K] =>
    (isDefault(key) ? d[key] : config[key]) as MultiSystemConfig[K];
  if (config.epsilons || config.axes) throw new UserFacingError('--systems: combine it with one --epsilon, not with --epsilons or --axes', 2);
  if (config.plan !== 'A') throw new UserFacingError('--systems: needs --plan A (the per-qubit readout decodes one z per record)', 2);
  const scheme = pick('scheme');
  const qubits = pick('qubits');
  if (systems > qubits) throw new UserFacingError(`--systems: K = ${systems} needs at least as many qubits (got --qubits ${qubits})`, 2);
  const latent = isDefault('latent') ? systems : config.latent;
  if (latent < systems) throw new UserFacingError(`--latent: needs at least K = ${systems} dimensions with --systems (got ${latent})`, 2);
  return {
    scheme, epsilon: pick('epsilon'), qubits, systems, alpha0: config.alpha0, latent,
    positions: config.positions ?? 4, plan: 'A', batch: pick('batch'), steps: pick('steps'), lr: pick('lr'), reg: pick('reg'),
    seed: config.seed, every: pick('every'), evalRecords: pick('evalRecords'), checkpointEvery: pick('checkpointEvery'),
  };
}

/**
 * `train` (the main job): the emergent-classicality VAE of seed 000 trained on a live apparatus
 * stream, metrics persisted to `<out>/emergent-classicality/<run-id>/`, checkpoints beside them.
 */
export function trainCommand(): Command {
  const cmd = addVaeOptions(new Command('train').description('train the emergent-classicality VAE on weak-measurement records (the main job)')).option(
    '--resume <checkpoint>',
    'continue from a checkpoint file written by train (same config; --steps is the total)',
  ).option('--systems <K>', 'several system qubits: K cats, ancilla i copies system qubit i mod K (an integer ≥ 2; the multi-system pipeline)', numberIn({ min: 2, integer: true }));
  return addViewOptions(addCommonOptions(cmd, { seed: DEFAULT_CONFIG.seed })).action(async (opts: TrainOptions, command: Command) => {
    const vae = vaeConfig(opts);
    const systems = opts.systems;
    const config = systems == null ? vae : multiSystemConfig(vae, systems, (key) => command.getOptionValueSource(key) === 'default');
    const backend = await selectBackend(opts.backend);
    const say = (s: string) => {
      if (!opts.quiet) process.stderr.write(`${s}\n`);
    };
    say(`backend: ${backend.name}${backend.skipped.length ? ` (skipped ${backend.skipped.map((s) => s.split(':')[0]).join(', ')})` : ''}`);

    let views: Views | undefined;
    const multi = systems != null;
    const pipeline = multi ? multiSystemPipeline : vaePipeline;
    const options: TrainRunOptions = {
      out: opts.out,
      backend: backend.name,
      flushMs: opts.flushInterval * 1000,
      onNonFinite: opts.onNonFinite,
      resume: opts.resume,
      say,
      views: async (run, startStep) => {
        views = await viewsFromOptions(opts, {
          info: { id: run.id, pipeline: pipeline.name, config: { ...config }, total: config.steps, startStep },
          runDir: run.dir,
          progress: { label: 'train', keys: multi ? ['elbo_gap', 'assignment_accuracy'] : ['elbo_gap', 'm_mag_corr'] },
          say,
        });
        return views.operator;
      },
    };
    const result = multi
      ? await trainRun(config as MultiSystemConfig, options, multiSystemPipeline)
      : await trainRun(config as EmergentClassicalityConfig, options, vaePipeline);

    const { outcome, last, dir } = result;
    if (last) {
      const v = last.values;
      const detail = multi
        ? [
            `  assignment accuracy ${v.assignment_accuracy.toFixed(3)} (which ancilla copies which system qubit, read off the decoder)`,
            `  bit information: latent ${v.bit_info_latent.toFixed(3)} of the record's ${v.bit_info_exact.toFixed(3)} nats per bit (share ${v.bit_info_share.toFixed(3)})`,
            `  wrote ${dir}/ (run.parquet, scalars-*.parquet, assignment-*.parquet, checkpoints/${opts.plots !== false ? ', scalars.svg' : ''})`,
          ]
        : [
            `  m(μ_z) vs data magnetisation: correlation ${v.m_mag_corr.toFixed(3)}, slope ${v.m_mag_slope.toFixed(3)}`,
            `  latent: ‖μ_z‖ ${v.latent_norm.toFixed(3)}, σ_z ${v.latent_fluctuation.toFixed(3)}, bimodality ${v.z_bimodality.toFixed(3)}, mode separation ${v.z_separation.toFixed(2)}`,
            `  wrote ${dir}/ (run.parquet, scalars-*.parquet, histograms-*.parquet, checkpoints/${opts.plots !== false ? ', scalars.svg, histograms.svg' : ''})`,
          ];
      process.stdout.write(
        [
          `${outcome.status} at step ${last.step}/${config.steps} on ${backend.name}`,
          `  loss ${v.loss.toFixed(3)} per record (reconstruction ${v.reconstruction.toFixed(3)}, KL ${v.kl.toFixed(3)}, reg ${v.reg.toFixed(3)})`,
          `  exact NLL ${v.nll_exact.toFixed(3)} → ELBO gap ${v.elbo_gap.toFixed(3)} nats per record`,
          ...detail,
          '',
        ].join('\n'),
      );
    } else {
      process.stdout.write(`${outcome.status}; wrote ${dir}/\n`);
    }
    await views?.serveUntilInterrupted();
    failUnlessCompleted(result);
  });
}
