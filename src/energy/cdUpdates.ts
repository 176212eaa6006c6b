import { Observable, type OperatorFunction } from 'rxjs';
import { Rng } from '../random/rng.ts';
import { cdStep, type CdInfo, type CdOptions, type CdState } from './contrastiveDivergence.ts';
import type { Rows } from './rbm.ts';

/** One training update, as cdUpdates emits it. */
export interface CdUpdate {
  /** 0-based count of updates in this subscription. */
  readonly step: number;
  /** The state after this update (its model is a fresh copy: keep it). */
  readonly state: CdState;
  readonly info: CdInfo;
}

/**
 * The operator that turns a stream of binary batches (e.g. `minibatches(…, { binarize: 'dynamic' })`,
 * whose `images` are [batch, visible]) into a stream of CD-k / PCD-k updates, starting from
 * `initial`. Per-subscription state lives in the subscribe-time closure, and the generator is
 * replayed from `rng`'s state at call time (forked once), so every subscription trains afresh and identically.
 *
 * @example
 *   minibatches(train, { batch: 64, epochs: 10, shuffle: true, rng: rng.fork(), binarize: 'dynamic' })
 *     .pipe(cdUpdates(cdInit(createRbm(784, 500, rng)), rng.fork(), { k: 1, learningRate: 0.1 }))
 */
export function cdUpdates(initial: CdState, rng: Rng, options: CdOptions = {}): OperatorFunction<{ readonly images: Rows }, CdUpdate> {
  const seed = rng.fork().state();
  return (source) =>
    new Observable<CdUpdate>((subscriber) => {
      const local = Rng.fromState(seed);
      let state = initial;
      let step = 0;
      return source.subscribe({
        next(batch) {
          let out: ReturnType<typeof cdStep>;
          try {
            out = cdStep(local, state, batch.images, options);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          state = out.state;
          subscriber.next({ step: step++, state, info: out.info });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
