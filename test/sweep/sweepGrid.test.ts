import { describe, expect, it } from 'vitest';
import { bananaCommand } from '../../src/cli/commands/banana.ts';
import { isingCommand } from '../../src/cli/commands/ising.ts';
import { trainCommand } from '../../src/cli/commands/train.ts';
import { gridPoints, gridSpec, parsePoint } from '../../src/sweep/sweepGrid.ts';

const axesOf = (spec: ReturnType<typeof gridSpec>) => spec.options.filter((o) => o.axis).map((o) => [o.flag, o.values]);

describe('gridSpec: an option is an axis when its parser rejects the whole list but accepts each item', () => {
  it('finds ε, N, seed and scheme lists as axes', () => {
    const spec = gridSpec(trainCommand(), ['--epsilon', '0.1,0.2', '--qubits=50,200', '--seed', '1,2,3', '--scheme', 'fixed,random', '--steps', '20', '--branch-info']);
    expect(axesOf(spec)).toEqual([
      ['--epsilon', ['0.1', '0.2']],
      ['--qubits', ['50', '200']],
      ['--seed', ['1', '2', '3']],
      ['--scheme', ['fixed', 'random']],
    ]);
    expect(spec.options.find((o) => o.flag === '--steps')).toEqual({ flag: '--steps', name: 'steps', values: ['20'], axis: false });
    expect(spec.options.find((o) => o.flag === '--branch-info')!.values).toEqual([null]);
  });

  it('keeps lists the option accepts whole as one value', () => {
    expect(axesOf(gridSpec(trainCommand(), ['--epsilons', '0.1,0.2,0.3', '--qubits', '3']))).toEqual([]);
    expect(axesOf(gridSpec(trainCommand(), ['--scheme', 'random', '--axes', 'x,y,z']))).toEqual([]);
    expect(axesOf(gridSpec(isingCommand(), ['--hidden', '8,8', '--beta', '0.3,0.44']))).toEqual([['--beta', ['0.3', '0.44']]]);
    expect(axesOf(gridSpec(bananaCommand(), ['--method', 'planar,hmc']))).toEqual([]);
  });

  it('rejects unknown options, repeats and empty list items in one line (exit 2)', () => {
    expect(() => gridSpec(trainCommand(), ['--nope', '1'])).toThrow("sweep: unknown option '--nope' for train");
    expect(() => gridSpec(trainCommand(), ['--seed', '1', '--seed', '2'])).toThrow("option '--seed' given twice");
    expect(() => gridSpec(trainCommand(), ['--epsilon', '0.1,,0.2'])).toThrow(/--epsilon <ε>': expected a comma-separated list, got "0\.1,,0\.2"/);
    expect(() => gridSpec(trainCommand(), ['--steps'])).toThrow(/argument missing/);
    try {
      gridSpec(trainCommand(), ['--nope']);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });
});

describe('gridPoints', () => {
  it('is the Cartesian product, first axis outermost and the seed innermost wherever it is given', () => {
    const points = gridPoints(gridSpec(trainCommand(), ['--seed', '1,2', '--epsilon', '0.1,0.2', '--steps', '20', '--qubits', '50,200', '--alpha0=-0.5']));
    expect(points.map((p) => [p.values.epsilon, p.values.qubits, p.values.seed])).toEqual([
      ['0.1', '50', '1'], ['0.1', '50', '2'], ['0.1', '200', '1'], ['0.1', '200', '2'],
      ['0.2', '50', '1'], ['0.2', '50', '2'], ['0.2', '200', '1'], ['0.2', '200', '2'],
    ]);
    expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // The point's own options in command-line order; a negative value is glued to its flag.
    expect(points[5].args).toEqual(['--seed', '2', '--epsilon', '0.2', '--steps', '20', '--qubits', '50', '--alpha0=-0.5']);
    const opts = parsePoint(trainCommand, points[5]);
    expect([opts.seed, opts.epsilon, opts.qubits, opts.alpha0, opts.steps]).toEqual([2, 0.2, 50, -0.5, 20]);
  });

  it('validates a point with the pipeline\'s own parser, naming the point and the bad item', () => {
    const [good, bad] = gridPoints(gridSpec(trainCommand(), ['--epsilon', '0.1', '--qubits', '10,2.5']));
    expect(parsePoint(trainCommand, good).qubits).toBe(10);
    expect(() => parsePoint(trainCommand, bad)).toThrow("sweep: point 1 (qubits=2.5): option '--qubits <N>' argument '2.5' is invalid. expected an integer ≥ 1, got 2.5");
  });
});
