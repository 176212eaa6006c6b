import type { HistogramRecord, ScalarsRecord } from '../../metrics/records.ts';
import { EventType } from './eventSchema.ts';
import { SEED_TAGS, tensorboardTag } from './tensorboardTags.ts';

/** Version string TensorBoard expects in the first event of every file. */
export const FILE_VERSION = 'brain.Event:2';

/** Serialised `Event` that opens every event file: file_version and the writer's name. */
export function fileVersionEvent(wallTimeMs: number): Uint8Array {
  return encode({ wall_time: wallTimeMs / 1000, file_version: FILE_VERSION, source_metadata: { writer: 'qubit-rx' } });
}

/** Serialised `Event` with one `simple_value` per entry of `record.values` (float32, as TensorBoard stores them). */
export function scalarsEvent(record: ScalarsRecord, tags: Readonly<Record<string, string>> = SEED_TAGS): Uint8Array {
  const value = Object.entries(record.values).map(([name, v]) => ({ tag: tensorboardTag(name, tags), simple_value: v }));
  return encode({ wall_time: record.wallTime / 1000, step: record.step, summary: { value } });
}

/** Serialised `Event` holding `record` as a `HistogramProto`. */
export function histogramEvent(record: HistogramRecord, tags: Readonly<Record<string, string>> = SEED_TAGS): Uint8Array {
  return encode({
    wall_time: record.wallTime / 1000,
    step: record.step,
    summary: { value: [{ tag: tensorboardTag(record.tag, tags), histo: histogramProto(record.edges, record.counts) }] },
  });
}

/** Fields of TensorBoard's `HistogramProto` (snake_case, as in the .proto). */
export interface HistogramProtoFields {
  min: number;
  max: number;
  num: number;
  sum: number;
  sum_squares: number;
  bucket_limit: number[];
  bucket: number[];
}

/**
 * Equal-or-unequal bins → `HistogramProto`. TensorBoard draws bucket i over
 * [bucket_limit(i-1), bucket_limit(i)] with `min` as the left edge of the first bucket and `max` as the
 * right edge of the last, so empty bins at both ends are dropped and min/max are the outer edges
 * of the bins that hold data; older and newer TensorBoards then draw the same bins.
 * Raw values are gone by now, so sum and sum_squares use bin centres.
 * @param edges shape [bins + 1], increasing
 * @param counts shape [bins]
 */
export function histogramProto(edges: ArrayLike<number>, counts: ArrayLike<number>): HistogramProtoFields {
  const bins = counts.length;
  if (edges.length !== bins + 1) {
    throw new Error(`histogramProto: edges must have counts.length + 1 = ${bins + 1} entries, got ${edges.length}`);
  }
  let first = 0;
  while (first < bins && !(counts[first] > 0)) first++;
  let last = bins - 1;
  while (last >= first && !(counts[last] > 0)) last--;
  if (first > last) {
    return { min: 0, max: 0, num: 0, sum: 0, sum_squares: 0, bucket_limit: [], bucket: [] };
  }
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  const bucketLimit: number[] = [];
  const bucket: number[] = [];
  for (let b = first; b <= last; b++) {
    const c = counts[b];
    const centre = (edges[b] + edges[b + 1]) / 2;
    num += c;
    sum += c * centre;
    sumSquares += c * centre * centre;
    bucketLimit.push(edges[b + 1]);
    bucket.push(c);
  }
  return { min: edges[first], max: edges[last + 1], num, sum, sum_squares: sumSquares, bucket_limit: bucketLimit, bucket };
}

function encode(event: Record<string, unknown>): Uint8Array {
  return EventType.encode(EventType.fromObject(event)).finish();
}
