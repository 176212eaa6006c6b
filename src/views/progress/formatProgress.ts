/** Pieces of a progress line, shared by the TTY bar and the plain CI lines. */

/** 4 significant digits, no exponent for ordinary magnitudes: `1.234`, `0.05678`, `1.2e-5`, `NaN`. */
export function formatMetric(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Seconds as `42s`, `3m07s`, `2h05m`; `?` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Steps per second with 3 significant digits. */
export function formatRate(stepsPerSecond: number): string {
  if (!Number.isFinite(stepsPerSecond)) return '?';
  return String(Number(stepsPerSecond.toPrecision(3)));
}

/** `loss 1.234  kl 0.05678` for the keys present in `values`, in the given order. */
export function formatMetrics(values: Readonly<Record<string, number>>, keys: readonly string[]): string {
  return keys
    .filter((k) => Object.hasOwn(values, k))
    .map((k) => `${k} ${formatMetric(values[k])}`)
    .join('  ');
}
