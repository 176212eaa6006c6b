import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { pointExecArgv, tsExecArgv } from '../../src/sweep/runPointProcess.ts';

describe('pointExecArgv', () => {
  it('adds --single-threaded only for a point that shares the machine (fewer cores than it has)', () => {
    const all = availableParallelism();
    expect(pointExecArgv()).toEqual(tsExecArgv());
    expect(pointExecArgv(all)).toEqual(tsExecArgv());
    if (all >= 2) {
      expect(pointExecArgv(all - 1)).toEqual([...tsExecArgv(), '--single-threaded']);
      expect(pointExecArgv(1).filter((a) => a === '--single-threaded')).toHaveLength(1);
    }
    // Always loads TypeScript: the point runs the CLI's .ts sources.
    expect(pointExecArgv(1).join(' ')).toMatch(/tsx/);
  });
});
