import { Observable, type OperatorFunction } from 'rxjs';
import { Rng } from '../random/rng.ts';
import { cdStep, resolveCdOptions, type CdInfo, type CdOptions, type CdState } from './contrastiveDivergence.ts';
import { RbmEngine } from './rbmEngine.ts';
import type { Rows } from './rbm.ts';

/** One training update, as cdUpdates emits it. */
export interface CdUpdate {
  /** 0-based count of updates in this subscription. */
  readonly step: number;
  /**
   * The state after this update (a fresh copy: keep it). With the wasm engine it is copied out of
   * the engine when first read, which must happen before the next update is computed — read it
   * in the same synchronous callback, or after the stream's last update (e.g. after `reduce` or
   * `last`); a later read throws rather than return the wrong step's weights.
   */
  readonly state: CdState;
  readonly info: CdInfo;
}

export interface CdUpdatesOptions extends CdOptions {
  /**
   * `wasm` (default): the float32 SIMD kernel (rbmEngine.ts), for binary batches; `js`: cdStep in
   * float64, for any batch. Both draw the same random stream; with `wasm`, a subscription whose
   * first batch is not binary runs on `js`.
   */
  engine?: 'wasm' | 'js';
  /** Threads of the wasm engine: 1 (default, bit-reproducible) or 2 (faster on large models; see RbmEngineOptions). */
  threads?: 1 | 2;
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
export function cdUpdates(initial: CdState, rng: Rng, options: CdUpdatesOptions = {}): OperatorFunction<{ readonly images: Rows }, CdUpdate> {
  const { engine: engineName = 'wasm', threads, ...cdOptions } = options;
  const resolved = resolveCdOptions('cdUpdates', cdOptions);
  const seed = rng.fork().state();
  return (source) =>
    new Observable<CdUpdate>((subscriber) => {
      const local = Rng.fromState(seed);
      let state = initial;
      let step = 0;
      let engine: RbmEngine | null | undefined = engineName === 'js' ? null : undefined;
      const inner = source.subscribe({
        next(batch) {
          try {
            if (engine === undefined) engine = isBinary(batch.images) ? engineFor(initial, threads) : null;
            subscriber.next(engine ? engineUpdate(engine, local, batch.images, resolved, step++) : jsUpdate());
          } catch (err) {
            subscriber.error(err);
          }
          function jsUpdate(): CdUpdate {
            const out = cdStep(local, state, batch.images, resolved);
            state = out.state;
            return { step: step++, state, info: out.info };
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      // The engine's worker thread goes with the subscription (its last state stays readable).
      return () => {
        inner.unsubscribe();
        engine?.dispose();
      };
    });
}

function engineFor(initial: CdState, threads: 1 | 2 | undefined): RbmEngine {
  const engine = new RbmEngine(initial.model, { threads });
  engine.setVelocity(initial.velocity);
  engine.setChains(initial.chains);
  return engine;
}

/** One engine update, its state and negatives copied out lazily while the engine is still at this step. */
function engineUpdate(engine: RbmEngine, rng: Rng, images: Rows, o: Required<CdOptions>, step: number): CdUpdate {
  const { loss, reconstructionError } = engine.cdStep(rng, images, o);
  const version = engine.version;
  let state: CdState | undefined;
  let negative: Float64Array | undefined;
  const current = (what: string) => {
    if (engine.version !== version) throw new Error(`cdUpdates: update ${step}'s ${what} was read after a later update ran; read it in the same callback (the wasm engine keeps only the newest weights)`);
  };
  return {
    step,
    get state() {
      if (state == null) {
        current('state');
        state = { model: engine.snapshot(), velocity: engine.velocity(), chains: engine.chains() };
      }
      return state;
    },
    info: {
      loss,
      reconstructionError,
      get negative() {
        if (negative == null) {
          current('negative samples');
          negative = engine.lastNegative(o.persistent);
        }
        return negative;
      },
    },
  };
}

function isBinary(rows: Rows): boolean {
  for (let k = 0; k < rows.length; k++) if (rows[k] !== 0 && rows[k] !== 1) return false;
  return true;
}
