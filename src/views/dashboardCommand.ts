import { Command } from 'commander';
import { numberIn } from '../options/optionParsers.ts';
import { UserFacingError } from '../options/userFacingError.ts';
import { startDashboard } from './dashboard/dashboardServer.ts';
import { DEFAULT_DASHBOARD_PORT } from './viewOptions.ts';

interface DashboardCommandOptions {
  port: number;
  host: string;
  out: string;
}

/**
 * `dashboard`: the dashboard page without a live run, to open and compare finished runs under
 * `--out` from their Parquet tables. Serves until Ctrl-C.
 * (Belongs with the other commands; kept here until the lead registers it.)
 */
export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description('serve the dashboard to open and compare finished runs under --out (Ctrl-C stops it)')
    .option('--port <n>', `TCP port (0: any free port)`, numberIn({ min: 0, max: 65535, integer: true }), DEFAULT_DASHBOARD_PORT)
    .option('--host <address>', 'interface to listen on (any other than 127.0.0.1 exposes your runs, with a warning)', '127.0.0.1')
    .option('--out <dir>', 'root directory of run outputs', 'output')
    .action(async (opts: DashboardCommandOptions) => {
      let server;
      try {
        server = await startDashboard({ port: opts.port, host: opts.host, runsRoot: opts.out });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserFacingError(`--port: ${opts.port} is in use; pick another (0: any free port)`, 2);
        throw err;
      }
      process.stderr.write(`dashboard: ${server.url} (runs under ${opts.out}; Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
