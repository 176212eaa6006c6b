import { map, type OperatorFunction } from 'rxjs';

/** A value as a function of the (1-based) step: e.g. the KL weight `reg`. */
export type Schedule = (step: number) => number;

export const constant = (value: number): Schedule => () => value;

/** The seed's warm-up: tanh(step / T), from 0 towards 1. */
export const tanhWarmup = (T: number): Schedule => (step) => Math.tanh(step / T);

/** Linear warm-up: min(1, step / T). */
export const linearWarmup = (T: number): Schedule => (step) => Math.min(1, step / T);

/**
 * Parses a schedule written on the command line: a number (`1`, `0`), `tanh:T` or `linear:T`.
 * @throws RangeError naming the accepted forms.
 */
export function parseSchedule(text: string): Schedule {
  const t = text.trim();
  const num = Number(t);
  if (t !== '' && Number.isFinite(num)) {
    if (num < 0) throw new RangeError(`schedule must be ≥ 0 (got ${text})`);
    return constant(num);
  }
  const m = /^(tanh|linear):(\d+(?:\.\d+)?)$/.exec(t);
  if (m && Number(m[2]) > 0) return m[1] === 'tanh' ? tanhWarmup(Number(m[2])) : linearWarmup(Number(m[2]));
  throw new RangeError(`expected a number ≥ 0, tanh:T or linear:T with T > 0 (got "${text}")`);
}

/** Adds `ctx[name] = schedule(ctx.step)`: `withSchedule('reg', tanhWarmup(200))`. */
export function withSchedule<T extends { step: number }, K extends string>(name: K, schedule: Schedule): OperatorFunction<T, T & Record<K, number>> {
  return map((ctx) => ({ ...ctx, [name]: schedule(ctx.step) }) as T & Record<K, number>);
}
