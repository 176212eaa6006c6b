import { concatMap, from, tap, type Observable } from 'rxjs';
import type { MetricRecord, TableRowRecord } from '../src/metrics/records.ts';
import { Rng } from '../src/random/rng.ts';
import { Apparatus, apparatusSource, type ApparatusBatch, type Scheme } from '../src/simulators/index.ts';
import { openRun, superviseRun, type RunOutcome } from '../src/sinks/index.ts';

/** The pipeline's name: its runs go to `<root>/sample-apparatus/<run-id>/`. */
export const PIPELINE = 'sample-apparatus';

export interface SampleApparatusConfig {
  scheme: Scheme;
  /** measurement strength ε ≥ 0 */
  epsilon: number;
  /** number N of measured qubits, integer ≥ 1 */
  qubits: number;
  /** initial α₀ of the cat state */
  alpha0: number;
  /** records to draw, integer ≥ 1 */
  records: number;
  /** records per apparatus batch, integer ≥ 1 (only changes speed and memory, never the records) */
  batch: number;
}

/**
 * One `samples` row per apparatus record, in stream order:
 * - `index` BIGINT: 0, 1, 2, … (the record's position in the seeded stream);
 * - fixed scheme: `x` FLOAT[N], the outcomes ±1 of qubits 1 … N;
 *   random scheme: `x1`, `x2`, `x3` FLOAT[N], the unit-vector components per qubit (x3 is the cat's axis);
 * - `log_prob` DOUBLE: the exact joint log-probability of the record (log-density on the spheres for random);
 * - `magnetisation` DOUBLE: mean of x (fixed) or 3·mean of x3 (random).
 *
 * @param batches apparatus batches, x of shape [batch, N, d]
 */
export function apparatusRows(apparatus: Apparatus): (batches: Observable<ApparatusBatch>) => Observable<MetricRecord> {
  return (batches) =>
    batches.pipe(
      concatMap((b) => {
        const { batch, qubits: n, dim, x, offset } = b;
        const logProb = apparatus.logProb(x, batch);
        const magnetisation = apparatus.magnetisation(x, batch);
        // Components as separate [batch, N] planes, so each record's lists are views, not copies.
        const planes = dim === 1 ? [x] : deinterleave(x, batch * n);
        const columns = dim === 1 ? ['x'] : ['x1', 'x2', 'x3'];
        const rows = new Array<TableRowRecord>(batch);
        for (let r = 0; r < batch; r++) {
          const row: Record<string, bigint | number | Float32Array> = { index: BigInt(offset + r) };
          for (let c = 0; c < planes.length; c++) row[columns[c]] = planes[c].subarray(r * n, (r + 1) * n);
          row.log_prob = logProb[r];
          row.magnetisation = magnetisation[r];
          rows[r] = { kind: 'row', table: 'samples', row };
        }
        return from(rows);
      }),
    );
}

export interface RunSampleApparatusOptions {
  config: SampleApparatusConfig;
  seed: number;
  /** root of run outputs (the CLI's `--out`) */
  root: string;
  /** compute backend name, recorded in the run table */
  backend: string;
  /** flush interval in ms (default: the sink's) */
  flushMs?: number;
  /** called after each batch with the number of records drawn so far */
  onProgress?: (records: number) => void;
  /** called once the run directory exists */
  onOpen?: (dir: string) => void;
}

/**
 * apparatus source → `samples` rows → persist, supervised (Ctrl-C flushes and marks the run
 * `interrupted`). Writes `run.parquet` and `samples-NNNNN.parquet` under `<root>/sample-apparatus/<run-id>/`.
 */
export async function runSampleApparatus(options: RunSampleApparatusOptions): Promise<RunOutcome> {
  const { config, seed } = options;
  const apparatus = new Apparatus({ scheme: config.scheme, epsilon: config.epsilon, qubits: config.qubits, alpha0: config.alpha0 });
  const run = await openRun({
    root: options.root,
    pipeline: PIPELINE,
    config: { ...config },
    seed,
    backend: options.backend,
    flushMs: options.flushMs,
  });
  options.onOpen?.(run.dir);
  const rows$ = apparatusSource(apparatus, { batch: config.batch, records: config.records, rng: new Rng(seed) }).pipe(
    tap((b) => options.onProgress?.(b.offset + b.batch)),
    apparatusRows(apparatus),
  );
  return superviseRun(run, rows$);
}

/** [k, 3] interleaved → three [k] planes. */
function deinterleave(x: Float32Array, k: number): [Float32Array, Float32Array, Float32Array] {
  const a = new Float32Array(k), b = new Float32Array(k), c = new Float32Array(k);
  for (let i = 0, j = 0; i < k; i++, j += 3) {
    a[i] = x[j];
    b[i] = x[j + 1];
    c[i] = x[j + 2];
  }
  return [a, b, c];
}
