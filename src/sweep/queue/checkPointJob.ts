import type { PointJob } from '../pointJob.ts';

/**
 * Checks that a queue job's data is a PointJob — it arrives from the network, so a worker trusts
 * nothing about it — and returns it typed; the error names the field and what it holds.
 */
export function checkPointJob(data: unknown): PointJob {
  const bad = (field: string, expected: string, got: unknown) =>
    new Error(`checkPointJob: ${field} must be ${expected}, got ${JSON.stringify(got)?.slice(0, 80) ?? String(got)}`);
  if (data == null || typeof data !== 'object') throw bad('data', 'an object', data);
  const d = data as Record<string, unknown>;
  if (typeof d.sweepId !== 'string' || d.sweepId === '') throw bad('sweepId', 'a non-empty string', d.sweepId);
  if (typeof d.index !== 'number' || !Number.isInteger(d.index) || d.index < 0) throw bad('index', 'an integer ≥ 0', d.index);
  if (typeof d.command !== 'string' || !/^[a-z][a-z-]*$/.test(d.command)) throw bad('command', 'a CLI command name', d.command);
  if (!Array.isArray(d.args) || !d.args.every((a) => typeof a === 'string')) throw bad('args', 'an array of strings', d.args);
  if (typeof d.out !== 'string' || d.out === '') throw bad('out', 'a non-empty path', d.out);
  return { sweepId: d.sweepId, index: d.index, command: d.command, args: d.args as string[], out: d.out };
}
