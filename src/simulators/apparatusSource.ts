import { Observable, type Subscription } from 'rxjs';
import type { Rng } from '../random/rng.ts';

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
}

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

  return new Observable<ApparatusBatch>((subscriber) => {
    const stream = options.forkRng === false ? rng : rng.fork();
    let index = 0;
    let offset = 0;
    let pending: ReturnType<typeof setImmediate> | undefined;
    // Pull mode: requests not yet served; push mode: unlimited.
    let requested = demand === undefined ? Infinity : 0;
    let demandDone = false;
    let demandSubscription: Subscription | undefined;

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
      requested--;
      subscriber.next({ index, offset, batch: size, qubits: apparatus.qubits, dim: apparatus.dim, x });
      index++;
      offset += size;
      schedule();
    };

    const schedule = (): void => {
      if (subscriber.closed || pending !== undefined) return;
      if (index >= batches || (demandDone && requested <= 0)) {
        subscriber.complete();
        return;
      }
      if (requested > 0) pending = setImmediate(produce);
    };

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
    };
  });
}
