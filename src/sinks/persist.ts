import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { MetricRecord } from '../metrics/records.ts';
import type { Run } from './openRun.ts';

/**
 * Persists every record into `run`'s tables and passes it through unchanged.
 *
 * Records are only buffered here; the run writes them as Parquet segments on its flush timer and
 * size limit. Completion waits for a final flush, so once the stream completes every record is on
 * disk. A failed write (disk full, directory gone) errors the stream with a one-line
 * SinkWriteError naming the file; segments already written stay valid. The run itself stays
 * open: closing it, with the status the pipeline ended in, is the caller's (see superviseRun).
 *
 * @example
 *   metrics$.pipe(guardFinite(), persist(run)).subscribe();
 */
export function persist(run: Run): MonoTypeOperatorFunction<MetricRecord> {
  return (source) =>
    new Observable<MetricRecord>((subscriber) => {
      const stopListening = run.onFailure((err) => subscriber.error(err));
      const subscription = source.subscribe({
        next: (record) => {
          try {
            run.append(record);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(record);
        },
        // Keep what arrived before the error: flush first, then report the original error.
        error: (err) => run.flush().then(() => subscriber.error(err), () => subscriber.error(err)),
        complete: () => run.flush().then(() => subscriber.complete(), (err) => subscriber.error(err)),
      });
      return () => {
        stopListening();
        subscription.unsubscribe();
      };
    });
}
