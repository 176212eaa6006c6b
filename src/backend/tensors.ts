import { tf, type Tensor } from './tf.ts';

/**
 * tf.tidy for functions returning objects that hold tensors (distributions, stage contexts):
 * every tensor reachable from the result survives the scope, everything else is freed.
 */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}

/**
 * Every tensor reachable from `value` through arrays, plain objects and class instances'
 * own enumerable fields (distributions keep their parameters there). Visits each object once.
 */
export function tensorsIn(value: unknown, out: Tensor[] = [], seen = new Set<unknown>()): Tensor[] {
  if (value == null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (value instanceof tf.Tensor) {
    out.push(value);
    return out;
  }
  if (ArrayBuffer.isView(value)) return out;
  for (const k of Object.keys(value)) tensorsIn((value as Record<string, unknown>)[k], out, seen);
  return out;
}
