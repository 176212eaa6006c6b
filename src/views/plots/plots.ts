import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { MetricRecord } from '../../metrics/records.ts';
import { histogramJson, scalarsJson, type HistogramJson, type ScalarsJson } from '../dashboard/sseFrame.ts';
import type { SensorRow } from './sensorsSvg.ts';
import { writePlots } from './writePlots.ts';

export interface PlotsOptions {
  /** Title on the figures, e.g. the run id. */
  title?: string;
  /** Called with the paths written. */
  onWritten?: (paths: string[]) => void;
}

/**
 * Keeps the run's scalars and histograms and, when the stream ends, writes SVG figures into `dir`
 * (see {@link writePlots}). On completion the files are written before completion passes on, and
 * a write failure errors the stream; after an error or an unsubscribe (Ctrl-C) they are written
 * on a best-effort basis, so a failed or stopped run still leaves its pictures.
 * @example metrics$.pipe(persist(run), plots(run.dir, { title: run.id }))
 */
export function plots(dir: string, options: PlotsOptions = {}): MonoTypeOperatorFunction<MetricRecord> {
  return (source) =>
    defer(() => {
      const scalars: ScalarsJson[] = [];
      const histograms: HistogramJson[] = [];
      const sensors: SensorRow[] = [];
      const write = () => {
        // Not `onWritten?.(writePlots(…))`: optional chaining would skip the write when no callback is given.
        const paths = writePlots(dir, { scalars, histograms, sensors }, options.title);
        options.onWritten?.(paths);
      };
      const bestEffort = () => {
        try {
          write();
        } catch {
          // The stream already ends for another reason; that reason is what the user must see.
        }
      };
      return source.pipe(
        tap({
          next: (record) => {
            if (record.kind === 'scalars') scalars.push(scalarsJson(record));
            else if (record.kind === 'histogram') histograms.push(histogramJson(record));
            else if (record.table === 'sensors') sensors.push(record.row as unknown as SensorRow);
          },
          complete: write,
          error: bestEffort,
          unsubscribe: bestEffort,
        }),
      );
    });
}
