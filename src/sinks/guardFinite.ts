import { filter, map, type MonoTypeOperatorFunction } from 'rxjs';
import type { MetricRecord, ScalarsRecord } from '../metrics/records.ts';

export interface GuardFiniteOptions {
  /** Scalar keys that must be finite. Default `['loss']`; `'all'` checks every value of a scalars record. */
  keys?: readonly string[] | 'all';
  /** `fail` (default) errors the stream with a NonFiniteMetricError; `skip` drops that scalars record and goes on. */
  onNonFinite?: 'fail' | 'skip';
  /** Told about each skipped record (`skip` mode), e.g. to count or log them. */
  onSkip?: (error: NonFiniteMetricError) => void;
}

/** A guarded metric was NaN or ±Infinity. The message is one line: `loss is NaN at step 1234`. */
export class NonFiniteMetricError extends Error {
  override name = 'NonFiniteMetricError';
  constructor(readonly key: string, readonly step: number, readonly value: number) {
    super(`${key} is ${value} at step ${step}`);
  }
}

/**
 * Stops (or, configured, skips) a run whose guarded metrics stop being finite. Placed before
 * `persist`, the failing step is not written and everything before it is kept; the supervisor
 * then records the run as `failed` with the error's message as reason. Only scalars records are
 * checked; histograms and rows pass untouched.
 *
 * @example
 *   metrics$.pipe(guardFinite({ keys: ['loss', 'kl'] }), persist(run))
 */
export function guardFinite(options: GuardFiniteOptions = {}): MonoTypeOperatorFunction<MetricRecord> {
  const keys = options.keys ?? ['loss'];
  const mode = options.onNonFinite ?? 'fail';
  if (mode !== 'fail' && mode !== 'skip') throw new TypeError(`guardFinite: onNonFinite must be 'fail' or 'skip', got "${String(mode)}"`);
  const firstNonFinite = (r: ScalarsRecord): NonFiniteMetricError | null => {
    for (const key of keys === 'all' ? Object.keys(r.values) : keys) {
      const v = r.values[key];
      if (v !== undefined && !Number.isFinite(v)) return new NonFiniteMetricError(key, r.step, v);
    }
    return null;
  };
  if (mode === 'fail') {
    return map((r) => {
      const bad = r.kind === 'scalars' ? firstNonFinite(r) : null;
      if (bad) throw bad;
      return r;
    });
  }
  return filter((r) => {
    const bad = r.kind === 'scalars' ? firstNonFinite(r) : null;
    if (bad) options.onSkip?.(bad);
    return bad == null;
  });
}
