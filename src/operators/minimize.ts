import { Observable, of, type OperatorFunction } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import type { Adam } from '../optim/adam.ts';
import { createdTensors, emitThenDispose } from './borrow.ts';

/**
 * The optimiser step as an operator: for each input, runs the composed differentiable stages
 * `forward` synchronously inside the gradient tape, takes ∇loss w.r.t. the optimiser's
 * variables, applies the update, and emits the forward context (q, z, p, loss, …) downstream.
 *
 * `forward` is an ordinary RxJS pipe of synchronous stages — `pipe(encode(e), sampleLatent(…),
 * decode(d), elbo())` — so any stage can be swapped. Tensors of the emitted context belong to
 * this operator and are freed when `next` returns (see borrow.ts).
 *
 * @example
 *   source$.pipe(toTensor(), withSchedule('reg', tanhWarmup(200)), minimize(forward, adam))
 */
export function minimize<F extends object, Out extends { loss: Tensor }>(
  forward: OperatorFunction<F, Out>,
  optimizer: Adam,
): <In extends F>(source: Observable<In>) => Observable<In & Out> {
  // Stages spread their input into their output, so the emitted context keeps the upstream fields.
  return <In extends F>(source: Observable<In>) =>
    new Observable<In & Out>((subscriber) =>
      source.subscribe({
        next(input) {
          let out: (In & Out) | undefined;
          let kept: Tensor[] = [];
          let grads: Record<string, Tensor> | undefined;
          try {
            const result = tf.variableGrads(() => {
              out = runSync(forward, input) as In & Out;
              if (out.loss.rank !== 0) throw new RangeError(`minimize: loss must be a scalar (got shape [${out.loss.shape.join(', ')}])`);
              // Keep what the stages made so downstream can read it after the tape's scope closes.
              kept = createdTensors(out, input);
              kept.forEach((t) => tf.keep(t));
              return out.loss as tf.Scalar;
            }, optimizer.variables as tf.Variable[]);
            grads = result.grads;
            // A variable the loss does not reach gets no entry: its gradient is zero.
            const ordered = optimizer.variables.map((v) => result.grads[v.name] ?? tf.zerosLike(v));
            optimizer.apply(ordered);
            tf.dispose(ordered.filter((g) => !Object.values(result.grads).includes(g)));
          } catch (err) {
            tf.dispose(kept);
            if (grads) tf.dispose(grads);
            subscriber.error(err);
            return;
          }
          tf.dispose(grads);
          emitThenDispose(subscriber, out as In & Out, kept);
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

/**
 * Runs a pipe of synchronous stages on one value and returns its single result.
 * @throws if a stage is asynchronous (emits after subscribe returns) or emits nothing.
 */
export function runSync<In, Out>(stages: OperatorFunction<In, Out>, input: In): Out {
  let result: { value: Out } | undefined;
  let failure: { error: unknown } | undefined;
  of(input)
    .pipe(stages)
    .subscribe({ next: (v) => (result = { value: v }), error: (e) => (failure = { error: e }) })
    .unsubscribe();
  if (failure) throw failure.error;
  if (!result) {
    throw new Error('runSync: the stages emitted nothing synchronously — differentiable stages must be synchronous (map-like) operators');
  }
  return result.value;
}

