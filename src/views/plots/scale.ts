import { logTicks, niceTicks } from './svg.ts';

/** A map from data values to pixels along one axis, with its tick values. */
export interface Scale {
  /** Data value → pixel; NaN for a value a log scale cannot show (≤ 0) or a non-finite one. */
  (v: number): number;
  readonly domain: readonly [number, number];
  readonly log: boolean;
  readonly ticks: readonly number[];
}

/**
 * A linear or log10 scale from `domain` onto the pixel interval `range` (either direction, so a y
 * axis passes `[bottom, top]`).
 * @param tickCount about how many ticks a linear scale gets
 */
export function scale(domain: readonly [number, number], range: readonly [number, number], log = false, tickCount = 5): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const t = log ? Math.log10 : (v: number) => v;
  const t0 = t(d0);
  const span = t(d1) - t0;
  const map = (v: number) => (Number.isFinite(v) && (!log || v > 0) ? r0 + ((t(v) - t0) / span) * (r1 - r0) : NaN);
  return Object.assign(map, { domain, log, ticks: log ? logTicks(d0, d1) : niceTicks(d0, d1, tickCount) });
}

/**
 * The range of `values` that a scale should cover: finite values (and only positive ones when
 * `log`), widened by `pad` of the span on each side (in log10 units for a log axis); a single value
 * gets a small range around it. Null when no value qualifies.
 */
export function paddedExtent(values: Iterable<number>, log = false, pad = 0.05): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && !(v > 0))) continue;
    const u = log ? Math.log10(v) : v;
    if (u < lo) lo = u;
    if (u > hi) hi = u;
  }
  if (lo > hi) return null;
  if (hi === lo) {
    const half = log ? 0.5 : Math.abs(lo) * 0.05 || 1;
    [lo, hi] = [lo - half, hi + half];
  } else {
    const p = (hi - lo) * pad;
    [lo, hi] = [lo - p, hi + p];
  }
  return log ? [10 ** lo, 10 ** hi] : [lo, hi];
}
