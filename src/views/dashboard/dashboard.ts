import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { MetricRecord } from '../../metrics/records.ts';
import type { RunInfo } from '../runInfo.ts';
import type { DashboardServer, LiveRunOptions } from './dashboardServer.ts';

/**
 * Feeds every record passing through to the dashboard page as run `info.id`; records pass on
 * unchanged. The run shows `completed`, `failed` (with the error's message) or `interrupted`
 * (unsubscribed early) when the stream ends. Several pipelines may share one server: each run
 * is one more line per chart on the same page. With `options.dir` the page also shows the run
 * directory's figures (`*.svg`, `*.png`); announce a new one with `server.figure(info.id, name)`.
 * @example const server = await startDashboard(); metrics$.pipe(dashboard(server, { id, pipeline, config }, { dir: run.dir }))
 */
export function dashboard(server: DashboardServer, info: RunInfo, options: LiveRunOptions = {}): MonoTypeOperatorFunction<MetricRecord> {
  return (source) =>
    defer(() => {
      const run = server.run(info, options);
      return source.pipe(
        tap({
          next: (record) => run.publish(record),
          complete: () => run.finish('completed'),
          error: (err: unknown) => run.finish('failed', err instanceof Error ? err.message : String(err)),
          unsubscribe: () => run.finish('interrupted'),
        }),
      );
    });
}
