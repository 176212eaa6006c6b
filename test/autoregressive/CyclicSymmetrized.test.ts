import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Rng } from '../../src/random/rng.ts';
import { AutoregressiveModel } from '../../src/autoregressive/AutoregressiveModel.ts';
import { CyclicSymmetrized } from '../../src/autoregressive/CyclicSymmetrized.ts';
import { allStates, stateIndex, toOneHot } from '../../src/lattice/configurations.ts';
import { chiSquare, chiSquareCritical } from './chiSquare.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

function probs(d: { logProb(x: tf.Tensor2D): tf.Tensor1D }, units: number, q: number): Float64Array {
  const s = allStates(units, q);
  const lp = tf.tidy(() => d.logProb(tf.tensor2d(toOneHot(s, units, q), [s.length / units, units * q])));
  const p = Float64Array.from(lp.dataSync(), Math.exp);
  lp.dispose();
  return p;
}

describe('CyclicSymmetrized', () => {
  for (const [units, q] of [[5, 2], [3, 3]]) {
    it(`q=${q}, N=${units}: normalised, invariant under a → a+1, and sampled with its own probabilities (χ²)`, () => {
      const rng = new Rng(q);
      const base = new AutoregressiveModel(units, [q, 6, q], { rng, activation: 'tanh' });
      tf.tidy(() => base.variables.forEach((v) => v.assign(tf.mul(v, 3))));
      const sym = new CyclicSymmetrized(base);
      const p = probs(sym, units, q);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const s = allStates(units, q);
      const shifted = s.map((a) => (a + 1) % q);
      const idx = stateIndex(shifted, units, q);
      for (let k = 0; k < p.length; k++) expect(p[idx[k]]).toBeCloseTo(p[k], 6);
      // The base itself is not symmetric (the test would be empty otherwise).
      const pb = probs(base, units, q);
      expect(Math.max(...pb.map((v, k) => Math.abs(v - pb[idx[k]])))).toBeGreaterThan(1e-3);
      const n = 20_000;
      const draws = stateIndex(sym.sampleStates(n, new Rng(9)), units, q);
      const counts = new Float64Array(p.length);
      for (const d of draws) counts[d]++;
      const { stat, dof } = chiSquare(counts, p);
      expect(stat).toBeLessThan(chiSquareCritical(dof));
      base.dispose();
    });
  }

  it('rsample relabels relaxed draws: hard draws are one-hot, gradients flow to the base', () => {
    const base = new AutoregressiveModel(4, [3, 5, 3], { rng: new Rng(2) });
    const sym = new CyclicSymmetrized(base);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const y = sym.rsample(32, new Rng(1), { tau: 0.5, hard: true });
      expect(y.dataSync().every((v) => v === 0 || v === 1)).toBe(true);
      return tf.sum(tf.mul(y, tf.linspace(0, 1, 12)));
    }, base.variables);
    const total = Object.values(grads).reduce((s, g) => s + tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]), 0);
    expect(total).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    base.dispose();
  });
});
