import { Command } from 'commander';
import { DEFAULT_CONFIG } from '../../../pipelines/emergent-classicality.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import { addViewOptions, viewsFromOptions, type ViewOptions, type Views } from '../../views/viewOptions.ts';
import { addCommonOptions } from '../commonOptions.ts';
import { addVaeOptions, vaeConfig, type VaeOptions } from './trainOptions.ts';
import { failUnlessCompleted, trainRun, VAE_PIPELINE } from './trainRun.ts';

type TrainOptions = VaeOptions & ViewOptions & { resume?: string };

/**
 * `train` (the main job): the emergent-classicality VAE of seed 000 trained on a live apparatus
 * stream, metrics persisted to `<out>/emergent-classicality/<run-id>/`, checkpoints beside them.
 */
export function trainCommand(): Command {
  const cmd = addVaeOptions(new Command('train').description('train the emergent-classicality VAE on weak-measurement records (the main job)')).option(
    '--resume <checkpoint>',
    'continue from a checkpoint file written by train (same config; --steps is the total)',
  );
  return addViewOptions(addCommonOptions(cmd, { seed: DEFAULT_CONFIG.seed })).action(async (opts: TrainOptions) => {
    const config = vaeConfig(opts);
    const backend = await selectBackend(opts.backend);
    const say = (s: string) => {
      if (!opts.quiet) process.stderr.write(`${s}\n`);
    };
    say(`backend: ${backend.name}${backend.skipped.length ? ` (skipped ${backend.skipped.map((s) => s.split(':')[0]).join(', ')})` : ''}`);

    let views: Views | undefined;
    const result = await trainRun(config, {
      out: opts.out,
      backend: backend.name,
      flushMs: opts.flushInterval * 1000,
      onNonFinite: opts.onNonFinite,
      resume: opts.resume,
      say,
      views: async (run, startStep) => {
        views = await viewsFromOptions(opts, {
          info: { id: run.id, pipeline: VAE_PIPELINE, config: { ...config }, total: config.steps, startStep },
          runDir: run.dir,
          progress: { label: 'train', keys: ['elbo_gap', 'm_mag_corr'] },
          say,
        });
        return views.operator;
      },
    });

    const { outcome, last, dir } = result;
    if (last) {
      const v = last.values;
      process.stdout.write(
        [
          `${outcome.status} at step ${last.step}/${config.steps} on ${backend.name}`,
          `  loss ${v.loss.toFixed(3)} per record (reconstruction ${v.reconstruction.toFixed(3)}, KL ${v.kl.toFixed(3)}, reg ${v.reg.toFixed(3)})`,
          `  exact NLL ${v.nll_exact.toFixed(3)} → ELBO gap ${v.elbo_gap.toFixed(3)} nats per record`,
          `  m(μ_z) vs data magnetisation: correlation ${v.m_mag_corr.toFixed(3)}, slope ${v.m_mag_slope.toFixed(3)}`,
          `  latent: ‖μ_z‖ ${v.latent_norm.toFixed(3)}, σ_z ${v.latent_fluctuation.toFixed(3)}, bimodality ${v.z_bimodality.toFixed(3)}, mode separation ${v.z_separation.toFixed(2)}`,
          `  wrote ${dir}/ (run.parquet, scalars-*.parquet, histograms-*.parquet, checkpoints/${opts.plots !== false ? ', scalars.svg, histograms.svg' : ''})`,
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
