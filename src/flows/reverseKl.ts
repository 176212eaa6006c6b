import { map, type OperatorFunction } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import { tidy } from '../backend/tensors.ts';
import type { Rng } from '../random/rng.ts';
import type { Target } from '../targets/target.ts';
import type { Flow } from './flow.ts';
import { jsOp } from './jsOp.ts';
import { targetLogJoint, type TargetDensity } from './targetLogJoint.ts';

export interface ReverseKlOptions {
  /** Reparameterised draws per step, ≥ 1 (the seed: 256). */
  batch: number;
  /** Where the draws come from, in order, one batch per step. */
  rng: Rng;
  /** Which form of the target's density to use (default `logDensityAndGrad`, see `targetLogJoint`). */
  targetDensity?: TargetDensity;
}

export interface ReverseKlTerms {
  /** −ELBO, the scalar the optimiser minimises. */
  loss: tf.Scalar;
  /** The ELBO estimate mean_i log w_i (a reparameterised Monte Carlo estimate, standard error sd(log w)/√batch). */
  elbo: tf.Scalar;
  /** log w_i = log p(y, x_i) − log q(x_i) of this step's draws, [batch]. */
  logWeights: Tensor;
}

/**
 * The reverse-KL training stage of a flow (seed 003 problem 3(1)) as a synchronous operator for
 * `minimize`: draws x_i ~ q with log q(x_i) in one forward pass (`rsampleAndLogProb`), and
 *
 *   loss = −(1/B) Σ_i [log p(y, x_i) − log q(x_i)].
 *
 * This is the true ELBO (the seed's drops E log q0 and the likelihood's constants, which leaves the
 * gradient but not the value), so with a fully normalised `target`, KL(q‖p(·|y)) = log p(y) − ELBO
 * exactly, and the ELBO is a lower bound on log p(y). Its value here is a reparameterised Monte Carlo
 * estimate from this step's `batch` draws; its gradient is the reparameterisation gradient.
 *
 * Tensors it emits belong to the enclosing `minimize` (see operators/borrow.ts).
 *
 * @example
 *   const adam = new Adam(variablesOf(flow), { lr: 1e-2 });
 *   trainingSteps(1000, 1).pipe(minimize(pipe(reverseKl(flow, target, { batch: 256, rng })), adam))
 */
export function reverseKl<In extends object>(flow: Flow, target: Target, options: ReverseKlOptions): OperatorFunction<In, In & ReverseKlTerms> {
  const { batch, rng } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`reverseKl: batch must be an integer ≥ 1 (got ${batch})`);
  if (target.dim !== flow.dim) throw new RangeError(`reverseKl: target has dim ${target.dim}, flow has dim ${flow.dim}`);
  return map((input: In) => {
    const terms = tidy((): ReverseKlTerms => {
      const { x, logProb } = flow.rsampleAndLogProb(batch, rng);
      return elboTerms(targetLogJoint(target, x, options.targetDensity), logProb);
    });
    return { ...input, ...terms };
  });
}

/**
 * log w = log p − log q, its mean (the ELBO) and −mean (the loss), as one op.
 * @param logJoint [n] @param logProb [n]
 */
function elboTerms(logJoint: Tensor, logProb: Tensor): ReverseKlTerms {
  const n = logJoint.size;
  const [loss, elbo, logWeights] = jsOp([logJoint, logProb], ([lp, lq]) => {
    const w = new Float32Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = lp[i] - lq[i];
      w[i] = v;
      s += v;
    }
    const mean = s / n;
    return {
      outputs: [{ values: Float32Array.of(-mean), shape: [] }, { values: Float32Array.of(mean), shape: [] }, { values: w, shape: [n] }],
      // ∂J/∂log w_i = (∂J/∂elbo − ∂J/∂loss)/n + ∂J/∂w_i; log q enters with the opposite sign.
      backward: ([dLoss, dElbo, dW]) => {
        const common = (dElbo[0] - dLoss[0]) / n;
        const gp = new Float32Array(n);
        const gq = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          gp[i] = dW[i] + common;
          gq[i] = -gp[i];
        }
        return [gp, gq];
      },
    };
  });
  return { loss: loss as tf.Scalar, elbo: elbo as tf.Scalar, logWeights };
}
