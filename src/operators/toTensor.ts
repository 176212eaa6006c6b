import { Observable, type OperatorFunction } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import type { ApparatusBatch } from '../simulators/apparatusSource.ts';
import { emitThenDispose } from './borrow.ts';

/** A training step's input: the batch's records as a tensor plus the step number. */
export interface Sample {
  /** 1-based optimiser step. */
  readonly step: number;
  /** Outcomes, shape [batch, N, d]. Borrowed: valid during the synchronous `next` call. */
  readonly x: Tensor;
  /** The raw batch (typed array), for exact references computed off the tensor path. */
  readonly records: ApparatusBatch;
}

/**
 * Apparatus batches → tensors, numbered as optimiser steps (`startStep + 1`, …; a resumed run
 * passes its checkpoint's step). Frees each tensor once downstream has used it.
 */
export function toTensor(options: { startStep?: number } = {}): OperatorFunction<ApparatusBatch, Sample> {
  return (source) =>
    new Observable<Sample>((subscriber) => {
      let step = options.startStep ?? 0;
      return source.subscribe({
        next(records) {
          const x = tf.tensor3d(records.x, [records.batch, records.qubits, records.dim]);
          step += 1;
          emitThenDispose(subscriber, { step, x, records }, [x]);
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
