/**
 * Typed metric records: what every pipeline emits and every sink (Parquet, live view,
 * TensorBoard, terminal) consumes. Metrics are data flowing to sinks, never console.log.
 */

/** Scalars of one step; `values` keys become float64 columns of the run's `scalars` table. */
export interface ScalarsRecord {
  readonly kind: 'scalars';
  /** Optimiser step (or record index for samplers). */
  readonly step: number;
  /** Wall-clock time, ms since the Unix epoch. */
  readonly wallTime: number;
  readonly values: Readonly<Record<string, number>>;
}

/** One histogram of one tag at one step (the seed's TensorBoard histograms: x3, m, z). */
export interface HistogramRecord {
  readonly kind: 'histogram';
  readonly step: number;
  readonly wallTime: number;
  readonly tag: string;
  /** Bin edges, shape [bins + 1], increasing. */
  readonly edges: Float64Array;
  /** Counts per bin, shape [bins]. */
  readonly counts: Float64Array;
}

/** A row of a pipeline-specific table (samples, latents, ...). Column types come from the values. */
export interface TableRowRecord {
  readonly kind: 'row';
  readonly table: string;
  readonly row: Readonly<Record<string, number | bigint | string | boolean | Float32Array | Float64Array | number[]>>;
}

export type MetricRecord = ScalarsRecord | HistogramRecord | TableRowRecord;

/** Histogram of `values` over `bins` equal bins spanning [lo, hi] (values outside are clamped into the end bins). */
export function histogram(tag: string, step: number, values: ArrayLike<number>, bins: number, lo: number, hi: number, wallTime = Date.now()): HistogramRecord {
  const edges = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) edges[b] = lo + ((hi - lo) * b) / bins;
  const counts = new Float64Array(bins);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)));
    counts[b] += 1;
  }
  return { kind: 'histogram', step, wallTime, tag, edges, counts };
}
