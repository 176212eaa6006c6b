import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Rng } from '../../src/random/rng.ts';
import { AutoregressiveModel } from '../../src/autoregressive/AutoregressiveModel.ts';
import { allStates, stateIndex, toOneHot, toStates } from '../../src/lattice/configurations.ts';
import { chiSquare, chiSquareCritical } from './chiSquare.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Exact probabilities of every configuration, in enumeration order. */
function exactProbs(model: AutoregressiveModel): Float64Array {
  const states = allStates(model.units, model.states);
  const lp = tf.tidy(() => {
    const x = tf.tensor2d(toOneHot(states, model.units, model.states), [states.length / model.units, model.units * model.states]);
    return model.logProb(x);
  });
  const p = Float64Array.from(lp.dataSync(), Math.exp);
  lp.dispose();
  return p;
}

/** Sharpen the random initial weights so the conditionals are strongly correlated (a weak test otherwise). */
function sharpen(model: AutoregressiveModel, factor: number, rng: Rng): void {
  tf.tidy(() => {
    for (const v of model.variables) {
      const noise = tf.randomNormal(v.shape, 0, 0.5, 'float32', rng.seed());
      v.assign(tf.add(tf.mul(v, factor), v.rank === 1 ? noise : tf.zerosLike(v)));
    }
  });
}

function counts(samples: tf.Tensor2D, units: number, q: number): Float64Array {
  const idx = stateIndex(toStates(samples.dataSync(), units, q), units, q);
  const c = new Float64Array(q ** units);
  for (const s of idx) c[s]++;
  return c;
}

describe('AutoregressiveModel.logProb', () => {
  const cases: [units: number, features: number[]][] = [
    [5, [2, 3, 2]],
    [6, [2, 8, 8, 2]],
    [4, [3, 5, 3]], // Potts q = 3: 81 states
    [3, [4, 6, 4, 4]], // q = 4
  ];
  for (const [units, features] of cases) {
    it(`sums to 1 over all ${features[0]}^${units} states for features [${features}]`, () => {
      const rng = new Rng(units + features.length);
      const model = new AutoregressiveModel(units, features, { rng, activation: 'tanh' });
      sharpen(model, 3, rng);
      const p = exactProbs(model);
      const total = p.reduce((a, b) => a + b, 0);
      expect(Math.abs(total - 1)).toBeLessThan(1e-5);
      // Not trivially uniform: the test would pass for a constant model too.
      expect(Math.max(...p) / Math.min(...p)).toBeGreaterThan(5);
      model.dispose();
    });
  }

  it('conditionals are autoregressive: d log p(x_i|·)/d x_j = 0 for j ≥ i, non-zero for some j < i', () => {
    const units = 5, q = 3;
    const model = new AutoregressiveModel(units, [q, 4, 4, q], { rng: new Rng(9), activation: 'tanh' });
    const x = tf.randomUniform([2, units * q], 0, 1, 'float32', 3) as tf.Tensor2D;
    for (let i = 0; i < units; i++) {
      const g = tf.tidy(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.slice(model.logConditionals(xx as tf.Tensor2D), [0, i, 0], [2, 1, 1])))(x));
      const gd = g.dataSync();
      for (let j = 0; j < units; j++) {
        let m = 0;
        for (let b = 0; b < 2; b++) for (let a = 0; a < q; a++) m = Math.max(m, Math.abs(gd[b * units * q + j * q + a]));
        if (j >= i) expect(m, `(${i}, ${j})`).toBe(0);
        else expect(m, `(${i}, ${j})`).toBeGreaterThan(1e-6);
      }
      g.dispose();
    }
    x.dispose();
    model.dispose();
  });

  it('rejects inputs of the wrong width, naming the expected shape', () => {
    const model = new AutoregressiveModel(3, [2, 4, 2], { rng: new Rng(1) });
    const x = tf.zeros([2, 5]) as tf.Tensor2D;
    expect(() => model.logProb(x)).toThrow(/x must have shape \[batch, 6\].*got \[2,5\]/);
    expect(() => new AutoregressiveModel(3, [2, 4, 3], { rng: new Rng(1) })).toThrow(/first and last features must be equal/);
    x.dispose();
    model.dispose();
  });
});

describe('AutoregressiveModel sampling', () => {
  const units = 3, q = 3, n = 30_000;

  function model(seed: number): AutoregressiveModel {
    const rng = new Rng(seed);
    const m = new AutoregressiveModel(units, [q, 6, q], { rng, activation: 'tanh' });
    sharpen(m, 3, rng);
    return m;
  }

  it('sample(n) draws one-hot configurations with the model probabilities (χ², p = 1e-4), leaking no tensors', () => {
    const m = model(21);
    const p = exactProbs(m);
    const before = tf.memory().numTensors;
    const x = m.sample(n, new Rng(5));
    const values = x.dataSync();
    expect(values.every((v) => v === 0 || v === 1)).toBe(true);
    const { stat, dof } = chiSquare(counts(x, units, q), p);
    expect(stat).toBeLessThan(chiSquareCritical(dof));
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('sampleTf (TF.js Gumbel-max, one op chain per site) draws the same distribution (χ², p = 1e-4), leaking no tensors', () => {
    const m = model(23);
    const p = exactProbs(m);
    const before = tf.memory().numTensors;
    const x = m.sampleTf(n, new Rng(6));
    const { stat, dof } = chiSquare(counts(x, units, q), p);
    expect(stat).toBeLessThan(chiSquareCritical(dof));
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('the χ² check fails for samples from a different model (the test has power)', () => {
    const a = model(21), b = model(22);
    const x = b.sample(n, new Rng(5));
    const { stat, dof } = chiSquare(counts(x, units, q), exactProbs(a));
    expect(stat).toBeGreaterThan(chiSquareCritical(dof));
    x.dispose();
    a.dispose();
    b.dispose();
  });

  it('same seed → same samples; different seed → different samples', () => {
    const m = model(3);
    const [a, b, c] = [m.sample(50, new Rng(1)), m.sample(50, new Rng(1)), m.sample(50, new Rng(2))];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
    m.dispose();
  });

  it('rsample with τ → 0 gives one-hot samples with the model probabilities (χ², p = 1e-4)', () => {
    const m = model(31);
    const p = exactProbs(m);
    const x = m.rsample(n, new Rng(8), { tau: 1e-3, hard: false });
    const v = x.dataSync();
    // Nearly every site is one-hot to float precision; the mean largest component is ≈ 1.
    let maxSum = 0;
    for (let k = 0; k < n * units; k++) maxSum += Math.max(v[3 * k], v[3 * k + 1], v[3 * k + 2]);
    expect(maxSum / (n * units)).toBeGreaterThan(0.999);
    const { stat, dof } = chiSquare(counts(x, units, q), p);
    expect(stat).toBeLessThan(chiSquareCritical(dof));
    x.dispose();
    m.dispose();
  });

  it('rsample at τ = 1 is soft (not one-hot), and its argmax no longer follows the model (soft conditioning)', () => {
    const m = model(31);
    const x = m.rsample(2000, new Rng(8), { tau: 1, hard: false });
    const v = x.dataSync();
    let maxSum = 0;
    for (let k = 0; k < 2000 * units; k++) maxSum += Math.max(v[3 * k], v[3 * k + 1], v[3 * k + 2]);
    expect(maxSum / (2000 * units)).toBeLessThan(0.95);
    x.dispose();
    m.dispose();
  });

  it('hard rsample: exact one-hot draws with the model probabilities, and finite non-zero straight-through gradients', () => {
    const m = model(41);
    const p = exactProbs(m);
    const x = m.rsample(n, new Rng(9), { tau: 0.5, hard: true });
    expect(x.dataSync().every((v) => v === 0 || v === 1)).toBe(true);
    const { stat, dof } = chiSquare(counts(x, units, q), p);
    expect(stat).toBeLessThan(chiSquareCritical(dof));
    x.dispose();
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const y = m.rsample(64, new Rng(2), { tau: 0.5, hard: true });
      // A loss that depends on the sampled values only: gradients must flow through the relaxation.
      return tf.sum(tf.mul(y, tf.linspace(-1, 1, units * q)));
    }, m.variables);
    const norms = Object.values(grads).map((g) => tf.tidy(() => tf.norm(g).dataSync()[0]));
    expect(norms.every(Number.isFinite)).toBe(true);
    expect(Math.max(...norms)).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
