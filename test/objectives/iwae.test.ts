import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Normal } from '../../src/distributions/normal.ts';
import { Flow } from '../../src/flows/flow.ts';
import { Scaling } from '../../src/flows/scaling.ts';
import { flowIwae, importanceEss, iwaeBound, logMeanExp } from '../../src/objectives/iwae.ts';
import { Rng } from '../../src/random/rng.ts';
import { GaussianTarget, invert, logAbsDeterminant } from '../flows/helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

/** KL(N(m, diag s²) ‖ N(μ, Σ)) in closed form. */
function klDiagToFull(m: number[], s: number[], mu: readonly number[], sigma: Float64Array): number {
  const d = m.length;
  const prec = invert(sigma, d);
  let tr = 0;
  let quad = 0;
  for (let i = 0; i < d; i++) {
    tr += prec[i * d + i] * s[i] * s[i];
    for (let j = 0; j < d; j++) quad += (mu[i] - m[i]) * prec[i * d + j] * (mu[j] - m[j]);
  }
  const logDetS = s.reduce((a, v) => a + 2 * Math.log(v), 0);
  return 0.5 * (tr + quad - d + logAbsDeterminant(sigma, d) - logDetS);
}

describe('iwaeBound, logMeanExp, importanceEss', () => {
  it('compute the bounds of hand-made log weights', () => {
    const w = Float64Array.of(0, Math.log(3), Math.log(5), Math.log(7), 123);
    const b = iwaeBound(w, 2); // groups {1, 3}, {5, 7}; the fifth weight is dropped
    expect(b.replicates).toBe(2);
    expect(b.estimate).toBeCloseTo((Math.log(2) + Math.log(6)) / 2, 12);
    expect(b.standardError).toBeCloseTo(Math.abs(Math.log(6) - Math.log(2)) / 2, 12);
    expect(Number.isNaN(iwaeBound(w, 5).standardError)).toBe(true);
    expect(iwaeBound(w, 1).estimate).toBeCloseTo(w.reduce((a, v) => a + v, 0) / 5, 12);
    expect(() => iwaeBound(w, 6)).toThrow(/iwaeBound: need at least K = 6 log weights \(got 5\)/);
    expect(() => iwaeBound(w, 0)).toThrow(/iwaeBound: K must be an integer ≥ 1 \(got 0\)/);
    expect(logMeanExp([1000, 1000 + Math.log(3)])).toBeCloseTo(1000 + Math.log(2), 10);
    expect(logMeanExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(importanceEss([2, 2, 2, 2])).toBeCloseTo(1, 14);
    expect(importanceEss([0, -800, -800, -800])).toBeCloseTo(0.25, 14);
    expect(importanceEss(Float32Array.of(0, Math.log(3)))).toBeCloseTo(16 / 20, 6);
  });
});

describe('flowIwae', () => {
  const target = new GaussianTarget([0.5, -1], [1.2, 0, 0.9, 0.5], -3.7);

  it('L_1 ≤ L_10 ≤ L_100 ≤ log Z within errors on Gaussians, and L_1 is the closed-form ELBO', () => {
    const m = [0.2, -0.6];
    const s = [0.9, 0.6];
    const base = new Normal(m, s);
    const q = new Flow([new Scaling(2)], { base });
    const elbo = target.logZ - klDiagToFull(m, s, target.mean, target.covariance());
    const [l1, l10, l100] = flowIwae(q, target, { ks: [1, 10, 100], samples: 100_000, rng: new Rng(7), chunk: 30_000 });
    expect(l1.replicates).toBe(100_000);
    expect(l100.replicates).toBe(1000);
    expect(Math.abs(l1.estimate - elbo)).toBeLessThan(4 * l1.standardError);
    expect(l10.estimate - l1.estimate).toBeGreaterThan(4 * Math.hypot(l1.standardError, l10.standardError));
    expect(l100.estimate - l10.estimate).toBeGreaterThan(4 * Math.hypot(l10.standardError, l100.standardError));
    expect(l100.estimate).toBeLessThan(target.logZ + 4 * l100.standardError);
    expect(target.logZ - l100.estimate).toBeLessThan(target.logZ - l1.estimate);
    q.dispose();
    base.dispose();
  });

  it('gives log Z for every K and an ESS fraction of 1 when q = p', () => {
    const logScale = [Math.log(0.7), Math.log(1.6)];
    const diag = new GaussianTarget([0, 0], [0.7, 0, 0, 1.6], 2.5);
    const q = new Flow([new Scaling(2, { logScale })]);
    const bounds = flowIwae(q, diag, { ks: [1, 10, 100], samples: 20_000, rng: new Rng(8) });
    for (const b of bounds) expect(Math.abs(b.estimate - 2.5)).toBeLessThan(1e-5);
    // The same log weights through importanceEss.
    const { x, logProb } = q.rsampleAndLogProb(5000, new Rng(9));
    const lp = diag.logJoint(x);
    const lw = Float64Array.from(lp.dataSync(), (v, i) => v - logProb.dataSync()[i]);
    expect(importanceEss(lw)).toBeGreaterThan(1 - 1e-9);
    tf.dispose([x, logProb, lp]);
    expect(() => flowIwae(q, diag, { ks: [1000], samples: 1000, rng: new Rng(1) })).toThrow(/flowIwae: samples must be an integer ≥ 2·max K = 2000 \(got 1000\)/);
    q.dispose();
  });
});
