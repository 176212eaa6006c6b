import { describe, expect, it } from 'vitest';
import { createPhasePoint, leapfrog, type PhasePoint } from '../../src/samplers/leapfrog.ts';
import { kineticEnergy } from '../../src/samplers/metric.ts';
import type { LogDensity } from '../../src/targets/target.ts';
import { banana, gaussian2 } from './targets.ts';

function pointAt(target: LogDensity, q: number[], p: number[]): PhasePoint {
  const z = createPhasePoint(target.dim);
  z.position.set(q);
  z.momentum.set(p);
  z.logDensity = target.logDensityAndGrad(z.position, z.grad);
  return z;
}

describe('leapfrog', () => {
  it('is time-reversible: forward, flip p, forward again returns to the start to 1e-12', () => {
    const invMass = new Float64Array([1, 0.5]);
    const z = pointAt(banana, [0.3, -0.2], [1.1, -0.7]);
    const q0 = Array.from(z.position), p0 = Array.from(z.momentum);
    expect(leapfrog(banana, z, 0.01, 200, invMass)).toBe(200);
    // The trajectory went somewhere: this is not a trivially reversible no-op.
    expect(Math.hypot(z.position[0] - q0[0], z.position[1] - q0[1])).toBeGreaterThan(0.5);
    for (let i = 0; i < 2; i++) z.momentum[i] = -z.momentum[i];
    leapfrog(banana, z, 0.01, 200, invMass);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(z.position[i] - q0[i])).toBeLessThan(1e-12);
      expect(Math.abs(-z.momentum[i] - p0[i])).toBeLessThan(1e-12);
    }
    // The cached gradient is the gradient at the returned position.
    const g = new Float64Array(2);
    expect(z.logDensity).toBe(banana.logDensityAndGrad(z.position, g));
    expect(Array.from(z.grad)).toEqual(Array.from(g));
  });

  it('has energy error O(ε²): halving ε quarters the largest error over a fixed time', () => {
    const { target } = gaussian2(1, 2, 0.9);
    const invMass = new Float64Array([0.8, 3]);
    const maxEnergyError = (eps: number): number => {
      const z = pointAt(target, [0.5, -1], [0.7, 0.4]);
      const h0 = -z.logDensity + kineticEnergy(z.momentum, invMass);
      let worst = 0;
      const steps = Math.round(4 / eps);
      for (let s = 0; s < steps; s++) {
        leapfrog(target, z, eps, 1, invMass);
        worst = Math.max(worst, Math.abs(-z.logDensity + kineticEnergy(z.momentum, invMass) - h0));
      }
      return worst;
    };
    const e1 = maxEnergyError(0.04), e2 = maxEnergyError(0.02), e3 = maxEnergyError(0.01);
    expect(e1 / e2).toBeGreaterThan(3.6);
    expect(e1 / e2).toBeLessThan(4.4);
    expect(e2 / e3).toBeGreaterThan(3.8);
    expect(e2 / e3).toBeLessThan(4.2);
  });

  it('counts one gradient per step and stops at the step that leaves the support', () => {
    let calls = 0;
    const halfLine: LogDensity = {
      dim: 1,
      logDensityAndGrad(x, g) {
        calls++;
        g[0] = -x[0];
        return x[0] < 1 ? -0.5 * x[0] * x[0] : -Infinity;
      },
    };
    const z = pointAt(halfLine, [0], [1]);
    calls = 0;
    const evals = leapfrog(halfLine, z, 0.3, 50, new Float64Array([1]));
    expect(evals).toBe(calls);
    expect(evals).toBeLessThan(50);
    expect(z.logDensity).toBe(-Infinity);
    expect(z.position[0]).toBeGreaterThanOrEqual(1);
  });

  it('integrates backwards in time for a negative step size', () => {
    const { target } = gaussian2(1, 1, 0);
    const invMass = new Float64Array([1, 1]);
    const a = pointAt(target, [0.2, 0.1], [0.5, -0.3]);
    const b = pointAt(target, [0.2, 0.1], [-0.5, 0.3]);
    leapfrog(target, a, -0.1, 7, invMass);
    leapfrog(target, b, 0.1, 7, invMass);
    for (let i = 0; i < 2; i++) {
      expect(a.position[i]).toBeCloseTo(b.position[i], 14);
      expect(a.momentum[i]).toBeCloseTo(-b.momentum[i], 14);
    }
  });
});
