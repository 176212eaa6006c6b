import { randomBytes } from 'node:crypto';

/**
 * A run id that sorts by start time and does not collide: `20250101T120000Z-s1-3fa9`
 * (UTC start second, seed, 4 random hex digits). The random part does not come from the run's
 * seeded generator, so naming a run never changes its numbers.
 *
 * @param startMs start time, ms since the epoch
 * @param seed the run's seed (shown so sweeps over seeds read well in `ls`)
 */
export function makeRunId(startMs: number, seed: number, suffix: string = randomBytes(2).toString('hex')): string {
  const iso = new Date(startMs).toISOString(); // 2025-01-01T12:00:00.000Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return `${stamp}-s${seed}-${suffix}`;
}
