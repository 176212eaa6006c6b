import type { OperatorFunction } from 'rxjs';
import { tf } from '../backend/tf.ts';
import { runSync } from '../operators/minimize.ts';
import type { Rng } from '../random/rng.ts';
import type { StatmechEstimate, StatmechStepInput } from './statmechStep.ts';

export interface GradientStatistics {
  /** tr Cov[ĝ]: summed per-parameter variance of the batch gradient estimate ĝ over independent repeats. */
  readonly variance: number;
  /** ‖E ĝ‖² estimated from the repeats (minus the variance share, so unbiased; may be < 0 when noise dominates). */
  readonly meanNormSq: number;
  readonly repeats: number;
}

/**
 * Variance of a loss operator's gradient estimator at the current parameters: `repeats` independent
 * estimates (fresh random streams forked from `rng`), no parameter update. Costs `repeats` forward and
 * backward passes, so pipelines call it every few hundred steps, and the bench compares estimators with it.
 *
 * @param objective a synchronous loss operator (as passed to `minimize`)
 * @param variables the parameters to differentiate
 */
export function gradientStatistics(
  objective: OperatorFunction<StatmechStepInput, StatmechEstimate>,
  variables: readonly tf.Variable[],
  step: number,
  rng: Rng,
  repeats: number,
): GradientStatistics {
  if (!Number.isInteger(repeats) || repeats < 2) throw new RangeError(`gradientStatistics: repeats must be an integer ≥ 2 (got ${repeats})`);
  const size = variables.reduce((s, v) => s + v.size, 0);
  const sum = new Float64Array(size);
  const sumSq = new Float64Array(size);
  for (let r = 0; r < repeats; r++) {
    const input: StatmechStepInput = { step, rng: rng.fork() };
    const { value, grads } = tf.variableGrads(() => runSync(objective, input).loss, variables as tf.Variable[]);
    let o = 0;
    for (const v of variables) {
      const g = grads[v.name];
      const data = g ? g.dataSync() : new Float32Array(v.size);
      for (let k = 0; k < v.size; k++) {
        sum[o + k] += data[k];
        sumSq[o + k] += data[k] * data[k];
      }
      o += v.size;
    }
    tf.dispose([value, ...Object.values(grads)]);
  }
  let variance = 0, meanSq = 0;
  for (let k = 0; k < size; k++) {
    const m = sum[k] / repeats;
    const varK = (sumSq[k] - repeats * m * m) / (repeats - 1);
    variance += varK;
    meanSq += m * m - varK / repeats;
  }
  return { variance, meanNormSq: meanSq, repeats };
}
