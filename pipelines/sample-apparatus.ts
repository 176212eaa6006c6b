import { concatMap, from, tap, type Observable } from 'rxjs';
import type { MetricRecord, TableRowRecord } from '../src/metrics/records.ts';
import { Rng } from '../src/random/rng.ts';
import {
  Apparatus, apparatusSource, MultiSystemApparatus, RotatedApparatus, sampleWithBranch,
  type ApparatusBatch, type RecordSampler, type Scheme,
} from '../src/simulators/index.ts';
import { openRun, superviseRun, type ConfigValue, type RunOutcome } from '../src/sinks/index.ts';

/** The pipeline's name: its runs go to `<root>/sample-apparatus/<run-id>/`. */
export const PIPELINE = 'sample-apparatus';

export interface SampleApparatusConfig {
  scheme: Scheme;
  /** measurement strength ε ≥ 0: one number, or N numbers (one per qubit) */
  epsilon: number | readonly number[];
  /** number N of measured qubits, integer ≥ 1 */
  qubits: number;
  /** initial α₀ of the cat state (of every system qubit with `systems`) */
  alpha0: number;
  /** records to draw, integer ≥ 1 */
  records: number;
  /** records per apparatus batch, integer ≥ 1 (only changes speed and memory, never the records) */
  batch: number;
  /** pointer axes nᵢ, flat shape [N, 3] (random scheme only): records from `RotatedApparatus` */
  axes?: ArrayLike<number>;
  /** how `axes` was specified (the CLI's `--axes`), recorded as `axes_spec` */
  axesSpec?: string;
  /** number K of system qubits, 1 ≤ K ≤ N: records from `MultiSystemApparatus.sampleWithBits` */
  systems?: number;
  /** the system qubit of each ancilla, shape [N], values 0 … K−1 (default round robin) */
  assignment?: ArrayLike<number>;
  /** draw single-system records branch first (`sampleWithBranch`) and store the branch */
  withBranch?: boolean;
}

/** What `apparatusRows` reads of an exact simulator (`Apparatus`, `RotatedApparatus`, `MultiSystemApparatus`). */
export interface ExactRecords {
  /** exact joint log-probability (density for the random scheme), shape [batch] */
  logProb(x: ArrayLike<number>, batch: number): Float64Array;
  /** per-record magnetisation, shape [batch] */
  magnetisation(x: ArrayLike<number>, batch: number): Float64Array;
}

/** A latent drawn with the records: the branch s (`width` 1) or the K bits s_k. */
export interface LatentDraw {
  readonly x: Float32Array;
  /** shape [batch, width], entries ±1 */
  readonly latent: Int8Array;
}

/**
 * A `RecordSampler` whose `sample` calls a latent-drawing method and remembers the latent of every
 * buffer it returns (keyed by the buffer, weakly), so `apparatusRows` can store it beside the
 * records while `apparatusSource` stays unaware of it.
 */
export class LatentSampler implements RecordSampler {
  private readonly latents = new WeakMap<Float32Array, Int8Array>();

  /**
   * @param column the `samples` column: `branch` (BIGINT ±1, width 1) or `bits` (FLOAT[K])
   * @param width latent values per record (1 for the branch, K for bits)
   */
  constructor(
    readonly column: 'branch' | 'bits',
    readonly width: number,
    readonly qubits: number,
    readonly dim: 1 | 3,
    private readonly draw: (batch: number, rng: Rng) => LatentDraw,
  ) {}

  sample(batch: number, rng: Rng): Float32Array {
    const { x, latent } = this.draw(batch, rng);
    this.latents.set(x, latent);
    return x;
  }

  /** The latent drawn with `x`, shape [batch, width]. @throws Error when `x` did not come from this sampler. */
  latentOf(x: Float32Array): Int8Array {
    const latent = this.latents.get(x);
    if (latent === undefined) throw new Error(`LatentSampler.latentOf: no ${this.column} recorded for this batch (it was not drawn by this sampler)`);
    return latent;
  }
}

/**
 * One `samples` row per apparatus record, in stream order:
 * - `index` BIGINT: 0, 1, 2, … (the record's position in the seeded stream);
 * - fixed scheme: `x` FLOAT[N], the outcomes ±1 of qubits 1 … N;
 *   random scheme: `x1`, `x2`, `x3` FLOAT[N], the unit-vector components per qubit (x3 is the cat's axis);
 * - `log_prob` DOUBLE: the exact joint log-probability of the record (log-density on the spheres for random);
 * - `magnetisation` DOUBLE: mean of x (fixed) or 3·mean of x3 (random; 3·mean of nᵢ·xᵢ with pointer axes);
 * - with a `LatentSampler`: `branch` BIGINT ±1 (the cat branch s that produced the record) or
 *   `bits` FLOAT[K] (the bit s_k = ±1 of every system qubit).
 *
 * @param batches apparatus batches, x of shape [batch, N, d]
 * @param latents the sampler that drew the batches, when it keeps a latent per record
 */
export function apparatusRows(apparatus: ExactRecords, latents?: LatentSampler): (batches: Observable<ApparatusBatch>) => Observable<MetricRecord> {
  return (batches) =>
    batches.pipe(
      concatMap((b) => {
        const { batch, qubits: n, dim, x, offset } = b;
        const logProb = apparatus.logProb(x, batch);
        const magnetisation = apparatus.magnetisation(x, batch);
        // Components as separate [batch, N] planes, so each record's lists are views, not copies.
        const planes = dim === 1 ? [x] : deinterleave(x, batch * n);
        const columns = dim === 1 ? ['x'] : ['x1', 'x2', 'x3'];
        const latent = latents?.latentOf(x);
        const bits = latents?.column === 'bits' && latent !== undefined ? Float32Array.from(latent) : undefined;
        const width = latents?.width ?? 0;
        const rows = new Array<TableRowRecord>(batch);
        for (let r = 0; r < batch; r++) {
          const row: Record<string, bigint | number | Float32Array> = { index: BigInt(offset + r) };
          for (let c = 0; c < planes.length; c++) row[columns[c]] = planes[c].subarray(r * n, (r + 1) * n);
          row.log_prob = logProb[r];
          row.magnetisation = magnetisation[r];
          if (bits !== undefined) row.bits = bits.subarray(r * width, (r + 1) * width);
          else if (latent !== undefined) row.branch = BigInt(latent[r]);
          rows[r] = { kind: 'row', table: 'samples', row };
        }
        return from(rows);
      }),
    );
}

/** The simulator a config asks for: what to draw from, what scores the records, and the latent keeper if any. */
export interface SampleApparatusSimulator {
  readonly exact: ExactRecords;
  readonly sampler: RecordSampler;
  readonly latents?: LatentSampler;
  /** the ancilla assignment in use (with `systems`), shape [N] */
  readonly assignment?: Int32Array;
}

/**
 * Builds the simulator of a config: `Apparatus` (default), `RotatedApparatus` (`axes`, random
 * scheme), `MultiSystemApparatus` drawn with its bits (`systems`); `withBranch` draws single-system
 * records branch first. Validates before any run is opened.
 * @throws RangeError naming the config field for combinations it does not support
 */
export function sampleApparatusSimulator(config: SampleApparatusConfig): SampleApparatusSimulator {
  const { scheme, epsilon, qubits, alpha0 } = config;
  if (config.systems !== undefined) {
    if (config.axes !== undefined) throw new RangeError('sampleApparatusSimulator: axes and systems cannot be combined');
    if (config.withBranch) throw new RangeError('sampleApparatusSimulator: withBranch is for one system qubit; with systems the bits are stored');
    const app = new MultiSystemApparatus({ scheme, epsilon, qubits, alpha0, systems: config.systems, assignment: config.assignment });
    const latents = new LatentSampler('bits', app.systems, app.qubits, app.dim, (batch, rng) => {
      const { x, bits } = app.sampleWithBits(batch, rng);
      return { x, latent: bits };
    });
    return { exact: app, sampler: latents, latents, assignment: app.assignment };
  }
  if (config.assignment !== undefined) throw new RangeError('sampleApparatusSimulator: assignment needs systems');
  if (config.axes !== undefined) {
    if (scheme !== 'random') throw new RangeError(`sampleApparatusSimulator: axes need the random scheme (got '${scheme}')`);
    const app = new RotatedApparatus({ epsilon, qubits, alpha0, axes: config.axes });
    if (!config.withBranch) return { exact: app, sampler: app };
    const latents = new LatentSampler('branch', 1, app.qubits, app.dim, (batch, rng) => {
      const { x, branch } = app.sampleWithBranch(batch, rng);
      return { x, latent: branch };
    });
    return { exact: app, sampler: latents, latents };
  }
  const app = new Apparatus({ scheme, epsilon, qubits, alpha0 });
  if (!config.withBranch) return { exact: app, sampler: app };
  const latents = new LatentSampler('branch', 1, app.qubits, app.dim, (batch, rng) => {
    const { x, branch } = sampleWithBranch(app, batch, rng);
    return { x, latent: branch };
  });
  return { exact: app, sampler: latents, latents };
}

/**
 * The `run` table's config: scheme, epsilon (a number, or the list in config_json), qubits, alpha0,
 * records, batch, then only where used — `epsilons` (the N ε comma-joined), `axes` (the N·3 unit
 * axis components comma-joined) and `axes_spec`, `systems` and `assignment` (comma-joined),
 * `with_branch`. A plain config gives exactly the columns it always had.
 */
export function sampleApparatusRunConfig(config: SampleApparatusConfig, simulator?: SampleApparatusSimulator): Record<string, ConfigValue> {
  const epsilon = typeof config.epsilon === 'number' ? config.epsilon : Array.from(config.epsilon);
  const out: Record<string, ConfigValue> = {
    scheme: config.scheme, epsilon, qubits: config.qubits, alpha0: config.alpha0, records: config.records, batch: config.batch,
  };
  if (Array.isArray(epsilon)) out.epsilons = epsilon.join(',');
  if (config.axes !== undefined) out.axes = Array.from(config.axes).join(',');
  if (config.axesSpec !== undefined) out.axes_spec = config.axesSpec;
  if (config.systems !== undefined) {
    out.systems = config.systems;
    const assignment = simulator?.assignment ?? config.assignment;
    if (assignment !== undefined) out.assignment = Array.from(assignment).join(',');
  }
  if (config.withBranch) out.with_branch = true;
  return out;
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
  const simulator = sampleApparatusSimulator(config);
  const run = await openRun({
    root: options.root,
    pipeline: PIPELINE,
    config: sampleApparatusRunConfig(config, simulator),
    seed,
    backend: options.backend,
    flushMs: options.flushMs,
  });
  options.onOpen?.(run.dir);
  const rows$ = apparatusSource(simulator.sampler, { batch: config.batch, records: config.records, rng: new Rng(seed) }).pipe(
    tap((b) => options.onProgress?.(b.offset + b.batch)),
    apparatusRows(simulator.exact, simulator.latents),
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
