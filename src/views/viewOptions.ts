import { basename, join } from 'node:path';
import type { Command } from 'commander';
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { MetricRecord } from '../metrics/records.ts';
import { numberIn } from '../options/optionParsers.ts';
import { UserFacingError } from '../options/userFacingError.ts';
import { dashboard } from './dashboard/dashboard.ts';
import { checkFigureName } from './dashboard/runFigures.ts';
import { startDashboard, type DashboardServer } from './dashboard/dashboardServer.ts';
import { plots } from './plots/plots.ts';
import { progress, type ProgressOptions } from './progress/progress.ts';
import type { RunInfo } from './runInfo.ts';
import { tensorboard } from './tensorboard/tensorboard.ts';

/** The flags {@link addViewOptions} adds, as commander parses them (plus the common --out and --quiet). */
export interface ViewOptions {
  /** `--dashboard` alone: true (port 6007); `--dashboard 8080`: that port; 0: any free port. */
  dashboard?: number | true;
  /** `--host`: interface for the dashboard (default 127.0.0.1). */
  host?: string;
  /** `--tensorboard` alone: true (event files in the run directory); with a value: a log root. */
  tensorboard?: string | true;
  /** `--no-plots` makes this false. */
  plots?: boolean;
  quiet?: boolean;
  /** Output root (`--out`); the dashboard offers its finished runs for comparison. */
  out?: string;
}

export const DEFAULT_DASHBOARD_PORT = 6007;

/** Adds `--dashboard [port]`, `--host <address>`, `--tensorboard [dir]` and `--no-plots` to `cmd`. */
export function addViewOptions(cmd: Command): Command {
  return cmd
    .option('--dashboard [port]', `serve a live dashboard at http://127.0.0.1:<port>/ (default port ${DEFAULT_DASHBOARD_PORT}; 0: any free port)`, numberIn({ min: 0, max: 65535, integer: true }))
    .option('--host <address>', 'interface the dashboard listens on (default 127.0.0.1; any other exposes the run to the network, with a warning)')
    .option('--tensorboard [dir]', 'write TensorBoard event files (default: into the run directory; with a dir: <dir>/<pipeline>/<run-id>)')
    .option('--no-plots', 'do not write scalars.svg and histograms.svg into the run directory at the end');
}

export interface ViewContext {
  info: RunInfo;
  /** The persisted run directory: plots go here, and event files for a bare `--tensorboard`. */
  runDir?: string;
  /** Label and metrics of the progress line (total comes from `info.total`). */
  progress?: Pick<ProgressOptions, 'label' | 'keys' | 'stream'>;
  /** Where the views say where they are (default stderr). */
  say?: (line: string) => void;
}

/** The views a command asked for, as one operator, plus their handles. */
export interface Views {
  /** progress ▸ tensorboard ▸ dashboard ▸ plots, each passing records through; pipe the metric stream through it. */
  readonly operator: MonoTypeOperatorFunction<MetricRecord>;
  readonly dashboardUrl?: string;
  /** Directory the event files go to. */
  readonly tensorboardDir?: string;
  /**
   * Announces that figure `name` (a `.svg` or `.png` file directly in the run directory, already
   * written) is new or changed, so the dashboard shows it at once; nothing more without a dashboard.
   * The dashboard also finds figures by itself, polling the directory every few seconds.
   * @example await writeFileAtomic(join(run.dir, 'scatter.svg'), bytes); views.figure('scatter.svg');
   */
  figure(name: string): void;
  /** After the run: keeps the dashboard up until Ctrl-C (SIGINT/SIGTERM), then closes it. Returns at once without a dashboard. */
  serveUntilInterrupted(): Promise<void>;
  /** Stops the dashboard server now. */
  close(): Promise<void>;
}

/**
 * Builds the views a command's flags ask for. Starts the dashboard server (so the URL can be
 * printed before training starts); the other views start when the stream is subscribed.
 * @example
 *   const views = await viewsFromOptions(opts, { info: { id: run.id, pipeline, config, total }, runDir: run.dir });
 *   await superviseRun(run, records$.pipe(views.operator));
 *   await views.serveUntilInterrupted();
 */
export async function viewsFromOptions(opts: ViewOptions, ctx: ViewContext): Promise<Views> {
  const say = ctx.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { info } = ctx;
  const stages: MonoTypeOperatorFunction<MetricRecord>[] = [
    progress({ total: info.total, startStep: info.startStep, label: info.pipeline, ...ctx.progress, quiet: opts.quiet ?? false }),
  ];

  let tensorboardDir: string | undefined;
  if (opts.tensorboard != null) {
    tensorboardDir =
      opts.tensorboard === true ? (ctx.runDir ?? join(opts.out ?? 'output', info.pipeline, info.id)) : join(opts.tensorboard, info.pipeline, info.id);
    const logdir = opts.tensorboard === true ? (opts.out ?? 'output') : opts.tensorboard;
    stages.push(tensorboard(tensorboardDir));
    say(`tensorboard: event files in ${tensorboardDir} (view: tensorboard --logdir ${logdir})`);
  }

  let server: DashboardServer | undefined;
  if (opts.dashboard != null) {
    const port = opts.dashboard === true ? DEFAULT_DASHBOARD_PORT : opts.dashboard;
    const host = opts.host ?? '127.0.0.1';
    try {
      server = await startDashboard({ port, host, runsRoot: opts.out, warn: (m) => say(`warning: ${m}`) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserFacingError(`--dashboard: port ${port} on ${host} is in use; pick another (--dashboard <port>, or 0 for any free port)`, 2);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserFacingError(`--host: ${host} is not an address of this machine`, 2);
      throw err;
    }
    stages.push(dashboard(server, info, { dir: ctx.runDir }));
    say(`dashboard: ${server.url}`);
  }

  const figure = (name: string) => {
    checkFigureName('Views.figure', name); // with or without a dashboard, so a bad name fails in every run
    server?.figure(info.id, name);
  };
  if (opts.plots !== false && ctx.runDir) {
    stages.push(plots(ctx.runDir, { title: `${info.pipeline}/${info.id}`, onWritten: (paths) => paths.forEach((p) => figure(basename(p))) }));
  }

  const operator: MonoTypeOperatorFunction<MetricRecord> = (source) => stages.reduce((s, stage) => stage(s), source);
  return {
    operator,
    dashboardUrl: server?.url,
    tensorboardDir,
    figure,
    close: async () => server?.close(),
    serveUntilInterrupted: async () => {
      if (!server) return;
      say(`dashboard: still serving ${server.url} — press Ctrl-C to stop`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
    },
  };
}
