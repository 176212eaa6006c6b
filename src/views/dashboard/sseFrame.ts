import type { MetricRecord } from '../../metrics/records.ts';
import type { RunInfo, RunStatus } from '../runInfo.ts';

/** Scalars as JSON: non-finite values become null (JSON has no NaN); the page draws them as gaps. */
export interface ScalarsJson {
  step: number;
  wallTime: number;
  values: Record<string, number | null>;
}

export interface HistogramJson {
  step: number;
  wallTime: number;
  tag: string;
  edges: number[];
  counts: number[];
}

/** A run as the page knows it. */
export interface RunJson {
  info: RunInfo;
  status: RunStatus;
  /** Why a run failed, when it did. */
  message?: string;
  startedAt: number;
  endedAt?: number;
}

/** The page's copy of a whole run (a finished run read from Parquet travels like this). */
export interface RunDataJson extends RunJson {
  scalars: ScalarsJson[];
  histograms: HistogramJson[];
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

export function scalarsJson(record: Extract<MetricRecord, { kind: 'scalars' }>): ScalarsJson {
  const values: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(record.values)) values[k] = finite(v);
  return { step: record.step, wallTime: record.wallTime, values };
}

export function histogramJson(record: Extract<MetricRecord, { kind: 'histogram' }>): HistogramJson {
  return { step: record.step, wallTime: record.wallTime, tag: record.tag, edges: Array.from(record.edges), counts: Array.from(record.counts) };
}

/**
 * One server-sent event. `data` is one line of JSON (JSON.stringify never emits raw newlines),
 * so the frame cannot be split or spoofed by values.
 */
export function sseFrame(event: 'hello' | 'run' | 'scalars' | 'histogram' | 'figure', data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
