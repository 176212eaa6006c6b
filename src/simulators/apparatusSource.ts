import { coresAvailable } from './cores.ts';
import { Observable, type Subscription } from 'rxjs';
import type { Rng } from '../random/rng.ts';
import { ApparatusWorker, reviveError, type DrawReply } from './apparatusWorker.ts';
import { samplerSpec, type SamplerSpec } from './samplerSpec.ts';

/** One batch of apparatus records. */
export interface ApparatusBatch {
  /** 0, 1, 2, … within the subscription. */
  readonly index: number;
  /** stream index of the batch's first record (records before it in this subscription). */
  readonly offset: number;
  /** records in this batch (the `batch` option; only a final batch cut by `records` is shorter). */
  readonly batch: number;
  readonly qubits: number;
  readonly dim: 1 | 3;
  /** outcomes, shape [batch, N, d], row-major; a fresh buffer per batch (consumers may keep it). */
  readonly x: Float32Array;
}

/**
 * What `apparatusSource` draws from: any exact simulator of N qubits' records of dimension d
 * (`Apparatus`, and the generalised apparatuses: rotated pointer axes, several system qubits).
 */
export interface RecordSampler {
  readonly qubits: number;
  readonly dim: 1 | 3;
  /** Draws records one after another from `rng`, shape [batch, N, d]. */
  sample(batch: number, rng: Rng): Float32Array;
}

export interface ApparatusSourceOptions {
  /** records per batch, integer ≥ 1. */
  batch: number;
  /** randomness; each subscription draws from its own `rng.fork()`, taken at subscribe time (see `forkRng`). */
  rng: Rng;
  /**
   * Default true. false: draw straight from `rng`, so the caller's generator advances with the
   * stream and `rng.state()` checkpoints the data position (resume = same records). Then only one
   * subscription at a time should use that `rng`.
   */
  forkRng?: boolean;
  /** number of batches, integer ≥ 0 or Infinity (default Infinity). */
  count?: number;
  /** total records instead of `count`: ⌈records/batch⌉ batches, the last one shorter if needed. */
  records?: number;
  /**
   * Pull mode for asynchronous consumers: when given, one batch is made per emission of `demand`
   * (requests add up), never ahead of it. Errors of `demand` are forwarded; when it completes the
   * source completes once the requests already made are served.
   */
  demand?: Observable<unknown>;
  /**
   * Where batches are drawn (default 'auto'):
   * - 'worker': in a worker thread, one batch ahead of the consumer, so sampling overlaps its work
   *   on another core. Same records as 'main' for the same generator state, and the subscription's
   *   generator (`rng` itself with `forkRng: false`) is moved to the state after each batch just
   *   before that batch is emitted, so checkpoints taken while consuming it store the data position.
   *   Only `Apparatus`, `RotatedApparatus` and `MultiSystemApparatus` instances (not subclasses, not
   *   with a replaced `sample`) can be shipped to the thread; other samplers are a RangeError.
   * - 'main': in this thread, each batch when it is due.
   * - 'auto': 'worker' when the sampler can be shipped, the stream has more than one batch and
   *   the process has ≥ 2 cores (`coresAvailable`: QUBIT_RX_CORES, else the OS's count); otherwise 'main'. A thread that fails to start (or dies) is
   *   replaced by the main thread from the next batch on, with the same records.
   */
  thread?: SamplingThread;
}

export type SamplingThread = 'auto' | 'worker' | 'main';

const THREADS: readonly SamplingThread[] = ['auto', 'worker', 'main'];

/**
 * A cold, lazy stream of apparatus sample batches, shape [batch, N, d] each.
 *
 * Contract:
 * - One batch at a time, each in its own macrotask (`setImmediate`): a batch is made only after the
 *   previous `next` has returned, so a synchronous consumer (a training step that finishes inside
 *   `next`) gets natural backpressure — at most one batch alive, however slow it is — and timers,
 *   I/O, servers and signal handlers (Ctrl-C) run between batches.
 * - An asynchronous consumer (work that continues after `next` returns, e.g. `concatMap` of a
 *   promise) does NOT slow the source down: it would buffer batches. It should pass `demand` and emit
 *   on it when ready for the next batch (see the example), which bounds the backlog to its requests.
 * - Unsubscribing cancels the pending macrotask: no further batch is generated.
 * - Completes after `count` batches (or `records` records); errors of the sampler are forwarded.
 * - Records are drawn one after another from the subscription's fork of `rng` (or from `rng` itself
 *   with `forkRng: false`), so the same seed gives the same records whatever the batch size.
 *   Re-subscribing forks again (a new stream, not a replay).
 * - With the worker thread (`thread`) the records, the order of batches, errors and completion are
 *   the same; the thread draws the next batch while the consumer works on the current one, so at
 *   most one batch beyond the one being consumed exists (in pull mode it may be drawn before it is
 *   requested, never emitted before). If the consumer draws from the generator meanwhile, the batch
 *   drawn ahead is discarded and drawn again from the generator's new state.
 *
 * @example
 *   // synchronous consumer
 *   apparatusSource(app, { batch: 50, rng: new Rng(1), count: 1000 }).subscribe((b) => step(b.x));
 *   // asynchronous consumer: one request up front, one more after each finished step
 *   const ready = new BehaviorSubject<void>(undefined);
 *   apparatusSource(app, { batch: 50, rng, demand: ready })
 *     .pipe(concatMap(async (b) => { await stepAsync(b.x); ready.next(); }))
 *     .subscribe();
 */
export function apparatusSource(apparatus: RecordSampler, options: ApparatusSourceOptions): Observable<ApparatusBatch> {
  const { batch, rng, demand } = options;
  if (typeof batch !== 'number' || !Number.isSafeInteger(batch) || batch < 1) {
    throw new RangeError(`apparatusSource: batch must be an integer ≥ 1 (got ${String(batch)})`);
  }
  if (options.count != null && options.records != null) {
    throw new RangeError('apparatusSource: give count or records, not both');
  }
  const count = options.count ?? Infinity;
  if (!(count === Infinity || (Number.isSafeInteger(count) && count >= 0))) {
    throw new RangeError(`apparatusSource: count must be an integer ≥ 0 or Infinity (got ${String(count)})`);
  }
  const records = options.records ?? Infinity;
  if (!(records === Infinity || (Number.isSafeInteger(records) && records >= 0))) {
    throw new RangeError(`apparatusSource: records must be an integer ≥ 0 or Infinity (got ${String(records)})`);
  }
  const batches = Math.min(count, Math.ceil(records / batch));
  const spec = workerSpec(apparatus, options.thread ?? 'auto', batches);
  const fallBack = options.thread !== 'worker';

  return new Observable<ApparatusBatch>((subscriber) => {
    const stream = options.forkRng === false ? rng : rng.fork();
    let index = 0;
    let offset = 0;
    let pending: ReturnType<typeof setImmediate> | undefined;
    // Pull mode: requests not yet served; push mode: unlimited.
    let requested = demand === undefined ? Infinity : 0;
    let demandDone = false;
    let demandSubscription: Subscription | undefined;
    // Worker thread: the batch drawn ahead (with the state it started from), and whether one is being drawn.
    let ahead: { reply: DrawReply; start: readonly number[] } | undefined;
    let drawingFrom: readonly number[] | undefined;

    const finished = (): boolean => index >= batches || (demandDone && requested <= 0);

    const emit = (size: number, x: Float32Array): void => {
      requested--;
      const b: ApparatusBatch = { index, offset, batch: size, qubits: apparatus.qubits, dim: apparatus.dim, x };
      index++;
      offset += size;
      // The worker draws the next batch while this one is consumed.
      if (worker !== undefined) draw();
      subscriber.next(b);
    };

    // Main thread: one batch per macrotask, when it is due.
    const produce = (): void => {
      pending = undefined;
      if (subscriber.closed) return;
      const size = Math.min(batch, records - offset);
      let x: Float32Array;
      try {
        x = apparatus.sample(size, stream);
      } catch (err) {
        subscriber.error(err);
        return;
      }
      emit(size, x);
      schedule();
    };

    // Worker thread: asks for the next batch, from the generator's current state, unless one is drawn already.
    const draw = (): void => {
      if (subscriber.closed || worker === undefined || ahead !== undefined || drawingFrom !== undefined || index >= batches) return;
      drawingFrom = stream.state();
      worker.request({ size: Math.min(batch, records - offset), state: drawingFrom });
    };

    const schedule = (): void => {
      if (subscriber.closed) return;
      if (worker === undefined) {
        if (pending !== undefined) return;
        if (finished()) subscriber.complete();
        else if (requested > 0) pending = setImmediate(produce);
        return;
      }
      if (ahead !== undefined && requested > 0) {
        const { reply, start } = ahead;
        ahead = undefined;
        if (!reply.ok) {
          subscriber.error(reviveError(reply.error));
          return;
        }
        if (sameState(stream.state(), start)) {
          stream.setState(reply.end);
          emit(reply.x.length / (apparatus.qubits * apparatus.dim), reply.x);
          if (subscriber.closed) return;
        }
        // else: the generator moved since this batch was asked for; `draw` below asks again.
      }
      if (finished()) {
        subscriber.complete();
        return;
      }
      draw();
    };

    let worker: ApparatusWorker | undefined;
    if (spec !== null) {
      worker = new ApparatusWorker(spec, {
        reply: (reply) => {
          ahead = { reply, start: drawingFrom! };
          drawingFrom = undefined;
          schedule();
        },
        failure: (err) => {
          if (!fallBack) {
            subscriber.error(err);
            return;
          }
          // Carry on in this thread: the generator is at the position of the next batch to emit.
          worker = undefined;
          ahead = undefined;
          drawingFrom = undefined;
          schedule();
        },
      });
    }

    if (demand !== undefined) {
      demandSubscription = demand.subscribe({
        next: () => {
          requested++;
          schedule();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          demandDone = true;
          schedule();
        },
      });
    }
    schedule();

    return () => {
      if (pending !== undefined) clearImmediate(pending);
      pending = undefined;
      demandSubscription?.unsubscribe();
      worker?.close();
    };
  });
}

/** The sampler's spec when its batches are to be drawn in a worker thread, else null. */
function workerSpec(apparatus: RecordSampler, thread: SamplingThread, batches: number): SamplerSpec | null {
  if (!THREADS.includes(thread)) {
    throw new RangeError(`apparatusSource: thread must be one of ${THREADS.map((t) => `'${t}'`).join(', ')} (got ${String(thread)})`);
  }
  if (thread === 'main') return null;
  const spec = samplerSpec(apparatus);
  if (thread === 'worker') {
    if (spec === null) {
      throw new RangeError(
        `apparatusSource: thread 'worker' needs an Apparatus, RotatedApparatus or MultiSystemApparatus (not a subclass, sample not replaced); got ${apparatus.constructor?.name ?? typeof apparatus}`,
      );
    }
    return spec;
  }
  return spec !== null && batches > 1 && coresAvailable() >= 2 ? spec : null;
}

function sameState(a: readonly number[], b: readonly number[]): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}
