import { InvalidArgumentError } from 'commander';

/**
 * A comma-separated list of choices, each checked, duplicates dropped in order:
 * `--method planar,hmc` → ['planar', 'hmc'].
 */
export function listOf<T extends string>(choices: readonly T[]): (raw: string) => T[] {
  return (raw: string) => {
    const parts = raw.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((p) => p === '')) throw new InvalidArgumentError(`expected a comma-separated list of ${choices.join(', ')}, got "${raw}"`);
    const bad = parts.find((p) => !(choices as readonly string[]).includes(p));
    if (bad != null) throw new InvalidArgumentError(`expected a comma-separated list of ${choices.join(', ')}, got "${bad}"`);
    return [...new Set(parts)] as T[];
  };
}
