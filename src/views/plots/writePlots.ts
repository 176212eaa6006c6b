import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistogramJson, ScalarsJson } from '../dashboard/sseFrame.ts';
import { histogramsSvg } from './histogramsSvg.ts';
import { scalarsSvg } from './scalarsSvg.ts';
import { sensorsSvg, type SensorRow } from './sensorsSvg.ts';

export interface PlotData {
  readonly scalars: readonly ScalarsJson[];
  readonly histograms: readonly HistogramJson[];
  /** Rows of the run's `sensors` table, when it has one (heterogeneous sensors). */
  readonly sensors?: readonly SensorRow[];
}

/** File names the figures get inside a run directory. */
export const PLOT_FILES = { scalars: 'scalars.svg', histograms: 'histograms.svg', sensors: 'sensors.svg' } as const;

/**
 * Writes `scalars.svg` (every metric over steps) and, when the run has histograms,
 * `histograms.svg` (heat-maps over steps + last-step histograms) and, when it has a `sensors` table,
 * `sensors.svg` (sensorsSvg) into `dir`.
 * @returns the paths written
 */
export function writePlots(dir: string, data: PlotData, title = ''): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new Error(`plots: cannot create ${dir}: ${(err as Error).message}`);
  }
  const files: [string, string][] = [[PLOT_FILES.scalars, scalarsSvg(data.scalars, { title: title ? `${title} — scalars` : 'scalars' })]];
  if (data.histograms.length > 0) {
    files.push([PLOT_FILES.histograms, histogramsSvg(data.histograms, { title: title ? `${title} — histograms` : 'histograms' })]);
  }
  if (data.sensors != null && data.sensors.length > 0) {
    files.push([PLOT_FILES.sensors, sensorsSvg(data.sensors, title ? `${title} — sensor discovery` : 'sensor discovery')]);
  }
  return files.map(([name, svg]) => {
    const path = join(dir, name);
    try {
      writeFileSync(path, svg);
    } catch (err) {
      throw new Error(`plots: cannot write ${path}: ${(err as Error).message}`);
    }
    return path;
  });
}
