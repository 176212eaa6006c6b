import { concat, defer, finalize, type Observable } from 'rxjs';
import type { tf } from '../backend/tf.ts';
import { Adam } from '../optim/adam.ts';
import type { StatmechStepInput } from './statmechStep.ts';
import { trainingSteps } from './trainingSteps.ts';

/** A stretch of training at one learning rate. */
export interface LearningRatePhase {
  readonly steps: number;
  readonly lr: number;
}

/**
 * A training run with a piecewise-constant learning rate: phases run one after the other, each
 * with a fresh Adam over `variables` (created at subscription, disposed when the phase ends) and
 * the next range of the same step stream ({@link trainingSteps}), so the random numbers do not
 * depend on how the run is cut into phases.
 *
 * Why phases: with score-function gradients Adam's stationary jitter scales with the learning rate,
 * so the final accuracy needs a smaller rate at the end (Adam's own rate is fixed per instance).
 *
 * @param train builds one phase's stream from its step source and optimiser, e.g.
 *   `(steps$, adam) => steps$.pipe(minimize(objective, adam))`
 * @example trainInPhases(stepDecay(600, 0.01), 1, model.variables, (s, adam) => s.pipe(minimize(obj, adam)))
 */
export function trainInPhases<T>(
  phases: readonly LearningRatePhase[],
  seed: number,
  variables: readonly tf.Variable[],
  train: (steps$: Observable<StatmechStepInput>, adam: Adam) => Observable<T>,
): Observable<T> {
  let start = 0;
  const parts = phases.map((phase) => {
    const from = start;
    start += phase.steps;
    return defer(() => {
      const adam = new Adam(variables, { lr: phase.lr });
      return train(trainingSteps(phase.steps, seed, from), adam).pipe(finalize(() => adam.dispose()));
    });
  });
  return concat(...parts);
}

/**
 * The default schedule: 60 % of the steps at `lr`, 25 % at lr/4, the last 15 % at lr/16.
 * `constant` gives one phase.
 */
export function learningRatePhases(steps: number, lr: number, schedule: 'step' | 'constant' = 'step'): LearningRatePhase[] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`learningRatePhases: steps must be an integer ≥ 1 (got ${steps})`);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`learningRatePhases: lr must be a finite number > 0 (got ${lr})`);
  if (schedule === 'constant') return [{ steps, lr }];
  const a = Math.round(steps * 0.6), b = Math.round(steps * 0.25);
  return [
    { steps: a, lr },
    { steps: b, lr: lr / 4 },
    { steps: steps - a - b, lr: lr / 16 },
  ].filter((p) => p.steps > 0);
}
