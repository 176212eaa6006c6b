import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listOf, numberIn, numberListIn, oneOf, seedOption, UserFacingError } from '../../src/options/index.ts';

describe('option parsers (src/options: below cli/ and views/)', () => {
  it('numberIn names the allowed range and the bad value in one line', () => {
    const p = numberIn({ min: 0, exclusiveMin: true });
    expect(p(' 0.5 ')).toBe(0.5);
    expect(() => p('0')).toThrow('expected a number > 0, got 0');
    expect(() => p('abc')).toThrow('expected a number > 0, got "abc"');
    expect(() => numberIn({ min: 1, max: 8, integer: true })('2.5')).toThrow('expected an integer ≥ 1 and ≤ 8, got 2.5');
    expect(() => numberIn({})('')).toThrow('expected a number, got ""');
  });

  it('seeds: 0 is a real seed; negatives and fractions are not', () => {
    expect(seedOption('0')).toBe(0);
    expect(() => seedOption('-1')).toThrow(/expected an integer ≥ 0/);
    expect(() => seedOption('1.5')).toThrow(/expected an integer ≥ 0/);
  });

  it('lists and choices', () => {
    expect(numberListIn({ min: 0 })('0.1, 0.2,0.4')).toEqual([0.1, 0.2, 0.4]);
    expect(() => numberListIn({ min: 0 })('0.1,,0.2')).toThrow('expected a comma-separated list, got "0.1,,0.2"');
    expect(() => numberListIn({ min: 0 })('0.1,-1')).toThrow('expected a number ≥ 0, got -1');
    expect(oneOf(['fixed', 'random'] as const)('random')).toBe('random');
    expect(() => oneOf(['fixed', 'random'] as const)('rnd')).toThrow('expected one of fixed, random, got "rnd"');
    expect(listOf(['a', 'b'] as const)('b,a,b')).toEqual(['b', 'a']);
  });

  it('UserFacingError carries its exit code', () => {
    const e = new UserFacingError('--x: bad', 2);
    expect(e.exitCode).toBe(2);
    expect(new UserFacingError('m').exitCode).toBe(1);
  });

  it('no layer below the CLI imports from src/cli/ (views, options, models, simulators, …)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && /from ['"][^'"]*\/cli\//.test(readFileSync(path, 'utf8'))) offenders.push(path);
      }
    };
    for (const layer of readdirSync('src')) {
      // cli itself, and sweep: it orchestrates the CLI's commands as child processes, above them.
      if (['cli', 'sweep', 'index.ts'].includes(layer)) continue;
      const path = join('src', layer);
      if (statSync(path).isDirectory()) walk(path);
    }
    expect(offenders).toEqual([]);
  });
});
