import { InvalidArgumentError } from 'commander';

/**
 * Option parsers for commander. Each returns a parser that turns the raw string into a
 * validated value or throws a one-line message naming the allowed range and the bad value;
 * the CLI (src/cli/main.ts) prints it as `error: --flag: message` and exits with code 2.
 */
export interface NumberRange {
  min?: number;
  max?: number;
  /** min is excluded (e.g. a scale must be > 0). */
  exclusiveMin?: boolean;
  integer?: boolean;
}

export function numberIn(range: NumberRange): (raw: string) => number {
  return (raw: string) => {
    const trimmed = raw.trim();
    const value = trimmed === '' ? NaN : Number(trimmed);
    const what = describe(range);
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`expected ${what}, got "${raw}"`);
    if (range.integer && !Number.isInteger(value)) throw new InvalidArgumentError(`expected ${what}, got ${raw}`);
    if (range.min != null && (range.exclusiveMin ? value <= range.min : value < range.min)) {
      throw new InvalidArgumentError(`expected ${what}, got ${raw}`);
    }
    if (range.max != null && value > range.max) throw new InvalidArgumentError(`expected ${what}, got ${raw}`);
    return value;
  };
}

export function oneOf<T extends string>(choices: readonly T[]): (raw: string) => T {
  return (raw: string) => {
    if ((choices as readonly string[]).includes(raw)) return raw as T;
    throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${raw}"`);
  };
}

function describe(r: NumberRange): string {
  const kind = r.integer ? 'an integer' : 'a number';
  const lo = r.min != null ? `${r.exclusiveMin ? '>' : '≥'} ${r.min}` : '';
  const hi = r.max != null ? `≤ ${r.max}` : '';
  const range = [lo, hi].filter(Boolean).join(' and ');
  return range ? `${kind} ${range}` : kind;
}

/** Integer ≥ 0 usable as a seed (0 is a real seed). */
export const seedOption = numberIn({ min: 0, integer: true, max: Number.MAX_SAFE_INTEGER });

/** A comma-separated list of numbers, each checked against `range`: `--epsilon 0.1,0.2,0.4`. */
export function numberListIn(range: NumberRange): (raw: string) => number[] {
  const one = numberIn(range);
  return (raw: string) => {
    const parts = raw.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((p) => p === '')) throw new InvalidArgumentError(`expected a comma-separated list, got "${raw}"`);
    return parts.map(one);
  };
}
