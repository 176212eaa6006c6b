import { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { findRunDirs, isRunDir } from '../../views/runData/findRunDirs.ts';
import { readRun } from '../../views/runData/readRun.ts';
import { writePlots } from '../../views/plots/writePlots.ts';
import { UserFacingError } from '../../options/userFacingError.ts';

interface PlotOptions {
  to?: string;
}

/**
 * `plot <dir>`: SVG figures of finished runs from their Parquet tables — `scalars.svg` (every
 * metric over steps) and `histograms.svg` (heat-maps over steps, last-step histograms). `<dir>` is a
 * run directory, or any directory above runs (a pipeline's, a sweep's), whose runs are all plotted.
 */
export function plotCommand(): Command {
  return new Command('plot')
    .description('write SVG figures of finished runs (scalars.svg, histograms.svg) into their run directories')
    .argument('<dir>', 'a run directory (output/<pipeline>/<run-id>) or a directory above runs')
    .option('--to <dir>', 'write the figures here instead (only for a single run)')
    .action(async (dir: string, opts: PlotOptions) => {
      const info = await stat(dir).catch(() => null);
      if (!info?.isDirectory()) throw new UserFacingError(`plot: ${dir} is not a directory`, 2);
      const targets = (await isRunDir(dir)) ? [dir] : (await findRunDirs(dir)).map((r) => r.path);
      if (targets.length === 0) throw new UserFacingError(`plot: no run under ${dir} (a run directory holds scalars-*.parquet)`, 2);
      if (opts.to != null && targets.length > 1) throw new UserFacingError(`plot: --to needs a single run, but ${dir} holds ${targets.length}`, 2);
      for (const runDir of targets) {
        const data = await readRun(runDir);
        const paths = writePlots(opts.to ?? runDir, data, `${data.info.pipeline}/${data.info.id}`);
        for (const p of paths) process.stdout.write(`${relative(process.cwd(), p) || p}\n`);
      }
    });
}
