import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Calls `save(step)` every `every` steps and at `lastStep` — after the step's value has gone
 * through the (synchronous) rest of the pipeline, so metrics drawn for that step are already
 * accounted for in the saved generator states, and a resumed run continues exactly.
 */
export function checkpointEvery<T extends { step: number }>(options: { every: number; lastStep?: number; save: (step: number) => void }): MonoTypeOperatorFunction<T> {
  const { every, lastStep, save } = options;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`checkpointEvery: every must be an integer ≥ 1 (got ${every})`);
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next(value) {
          subscriber.next(value);
          if (value.step % every === 0 || value.step === lastStep) {
            try {
              save(value.step);
            } catch (err) {
              subscriber.error(err);
            }
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}
