/**
 * The single TF.js entry point of the toolkit.
 *
 * `@tensorflow/tfjs` (not bare tfjs-core) because its Node bundle registers every gradient;
 * tfjs-core's `register_all_gradients` is ESM-only with directory imports that Node refuses.
 * tfjs-node / tfjs-node-gpu register their backend into this same engine when imported.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
