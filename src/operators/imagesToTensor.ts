import { Observable, type OperatorFunction } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import type { Minibatch } from '../data/minibatches.ts';
import { emitThenDispose } from './borrow.ts';

/**
 * An image training step's input: the minibatch (epoch, index, labels, …, unchanged) plus its
 * images as a tensor, the image counterpart of toTensor's `Sample`.
 */
export interface ImageSample extends Minibatch {
  /** The batch's images, shape [size, rows · cols] (flat, as the image encoders read them). Borrowed: valid during the synchronous `next` call. */
  readonly x: Tensor;
}

/**
 * Minibatches (data/minibatches.ts) → `{ ...batch, x }` with x = tf.tensor2d(images, [size, pixels]),
 * pixels = images.length / size (784 for MNIST). This operator owns x and frees it as soon as
 * downstream has used it (operators/borrow.ts), so a training stream holds one batch tensor at a time.
 *
 * @example
 *   minibatches(train, { batch: 128, epochs: 10, shuffle: true, rng, binarize: 'dynamic' })
 *     .pipe(imagesToTensor(), minimize(pipe(encode(encoder), sampleLatent({ plan: 'A', rng }), decode(decoder), elbo()), adam))
 */
export function imagesToTensor(): OperatorFunction<Minibatch, ImageSample> {
  return (source) =>
    new Observable<ImageSample>((subscriber) =>
      source.subscribe({
        next(batch) {
          if (batch.size < 1 || batch.images.length % batch.size !== 0) {
            subscriber.error(new RangeError(`imagesToTensor: a batch of ${batch.size} images must hold a whole number of pixels per image (got ${batch.images.length} values)`));
            return;
          }
          const x = tf.tensor2d(batch.images, [batch.size, batch.images.length / batch.size]);
          emitThenDispose(subscriber, { ...batch, x }, [x]);
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}
