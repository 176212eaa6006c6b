import { tf } from '../backend/tf.ts';
import type { VaeStep } from './vaeMetrics.ts';

/** The training batch's terms per record, and the exact NLL of the same records. */
export interface BatchTerms {
  loss: number;
  reconstruction: number;
  kl: number;
  /** −log p[x] per record from the apparatus's exact joint: the best any model can do. */
  nllExact: number;
}

/**
 * What every qubit-VAE metrics operator logs first: loss, reconstruction and KL of the step's batch
 * (one read of the three tensors) and the exact NLL of its records.
 * @param logProb the apparatus's exact joint, records [batch, N, d] → [batch]
 */
export function batchTerms(s: VaeStep, logProb: (x: Float32Array, batch: number) => Float64Array): BatchTerms {
  const b = s.records.batch;
  const terms = tf.tidy(() => tf.stack([tf.div(s.loss, b), tf.mean(s.reconstruction), tf.mean(s.kl)]));
  const [loss, reconstruction, kl] = terms.dataSync();
  terms.dispose();
  let nll = 0;
  const lp = logProb(s.records.x, b);
  for (let i = 0; i < b; i++) nll -= lp[i];
  return { loss, reconstruction, kl, nllExact: nll / b };
}
