import type { Subscriber } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import { tensorsIn } from '../backend/tensors.ts';

/**
 * Emits `value` and then frees the tensors this operator created for it.
 *
 * The toolkit's ownership rule for tensors in a stream: the operator that creates a tensor owns
 * it; downstream operators borrow it for the duration of the synchronous `next` call and must
 * clone (`tf.clone`/`tf.keep`) anything they keep longer. Every stage of a training pipeline is
 * synchronous, so by the time `next` returns the whole chain has used the tensors.
 *
 * @param owned tensors to free after emission (defaults to every tensor reachable from `value`
 *              that is not in `exclude`, e.g. the upstream input's tensors).
 */
export function emitThenDispose<T>(subscriber: Subscriber<T>, value: T, owned: Tensor[]): void {
  try {
    subscriber.next(value);
  } finally {
    tf.dispose(owned);
  }
}

/** Tensors reachable from `value` that are not reachable from `input` (the ones a stage created). */
export function createdTensors(value: unknown, input: unknown): Tensor[] {
  const before = new Set(tensorsIn(input).map((t) => t.id));
  return tensorsIn(value).filter((t) => !before.has(t.id));
}
