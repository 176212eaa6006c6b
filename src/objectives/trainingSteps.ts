import { Observable } from 'rxjs';
import { Rng } from '../random/rng.ts';
import type { StatmechStepInput } from './statmechStep.ts';

/**
 * The step source of a training stream: emits `{ step, rng }` for step = start … start + count − 1,
 * yielding to the event loop (setImmediate) between steps so I/O, sinks and SIGINT handlers run while training.
 * Step s gets the (s+1)-th generator forked from `new Rng(seed)`, so consecutive ranges (phases) replay
 * exactly the stream of one long run; every subscription starts afresh. Stops at once on unsubscribe.
 *
 * @example trainingSteps(1000, 1).pipe(minimize(variationalFreeEnergy(model, opts), adam), ...)
 */
export function trainingSteps(count: number, seed: number, start = 0): Observable<StatmechStepInput> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`trainingSteps: count must be an integer ≥ 0 (got ${count})`);
  if (!Number.isInteger(start) || start < 0) throw new RangeError(`trainingSteps: start must be an integer ≥ 0 (got ${start})`);
  return new Observable<StatmechStepInput>((subscriber) => {
    const master = new Rng(seed);
    for (let s = 0; s < start; s++) master.fork();
    const end = start + count;
    let step = start;
    let handle: NodeJS.Immediate | undefined;
    const tick = () => {
      if (subscriber.closed) return;
      if (step >= end) {
        subscriber.complete();
        return;
      }
      subscriber.next({ step, rng: master.fork() });
      step++;
      handle = setImmediate(tick);
    };
    handle = setImmediate(tick);
    return () => {
      if (handle) clearImmediate(handle);
    };
  });
}
