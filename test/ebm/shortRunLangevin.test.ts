import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../../src/backend/tf.ts';
import { EnergyNet } from '../../src/ebm/energyNet.ts';
import { shortRunLangevin } from '../../src/ebm/shortRunLangevin.ts';
import { Rng } from '../../src/random/rng.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

/** E = |x|² / (2σ²): ∇E = x / σ². */
const gaussian = (sigma: number) => ({ gradient: (x: Tensor) => tf.tidy(() => tf.div(x, sigma * sigma)) });
const wide = { lo: -50, hi: 50 };

function variance(x: Float32Array): number {
  let s = 0, ss = 0;
  for (const v of x) {
    s += v;
    ss += v * v;
  }
  const m = s / x.length;
  return ss / x.length - m * m;
}

describe('shortRunLangevin', () => {
  it.each([1, 0.25])('on a Gaussian energy at T = %s reaches ULA\'s closed-form stationary variance Tσ²/(1 − λ/(4σ²))', (T) => {
    const sigma = 0.5, lambda = 0.1, chains = 4000;
    // x' = (1 − ε/σ²) x + √(2εT) ξ with ε = λ/2: v = 2εT / (1 − (1 − ε/σ²)²) = Tσ² / (1 − ε/(2σ²)).
    const exact = (T * sigma * sigma) / (1 - lambda / (4 * sigma * sigma));
    const x = shortRunLangevin(gaussian(sigma), new Float32Array(2 * chains), { steps: 100, stepSize: lambda, temperature: T, box: wide, rng: new Rng(1) });
    // 100 steps contract the start's variance gap by (1 − ε/σ²)^200 = 0.8^200 ≈ 4e-20; the estimate's sd is v √(2 / 8000).
    expect(Math.abs(variance(x) - exact)).toBeLessThan(5 * exact * Math.sqrt(2 / (2 * chains)));
  });

  it('keeps chains in the box and reports every step', () => {
    const steps: number[] = [];
    const x = shortRunLangevin(gaussian(10), new Float32Array(200).fill(0.9), {
      steps: 5, stepSize: 1, box: { lo: -1, hi: 1 }, rng: new Rng(2), onStep: (k, xs) => {
        steps.push(k);
        expect(xs.length).toBe(200);
      },
    });
    expect(steps).toEqual([0, 1, 2, 3, 4]);
    for (const v of x) expect(Math.abs(v)).toBeLessThanOrEqual(1);
  });

  it('repeats itself from the same seed, on an energy net, leaking no tensors', () => {
    const net = new EnergyNet(8, new Rng(3));
    const x0 = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const opts = () => ({ steps: 10, stepSize: 0.05, box: { lo: -4, hi: 4 }, rng: new Rng(4) });
    const count = tf.memory().numTensors;
    const a = shortRunLangevin(net, x0, opts());
    const b = shortRunLangevin(net, x0, opts());
    expect(tf.memory().numTensors).toBe(count);
    expect(a).toEqual(b);
    expect(a).not.toEqual(x0);
    net.dispose();
  });

  it('refuses bad settings by name', () => {
    const g = gaussian(1);
    const rng = new Rng(1);
    expect(() => shortRunLangevin(g, new Float32Array(2), { steps: 0, stepSize: 0.1, box: wide, rng })).toThrow(/steps must be an integer ≥ 1 \(got 0\)/);
    expect(() => shortRunLangevin(g, new Float32Array(2), { steps: 1, stepSize: 0, box: wide, rng })).toThrow(/stepSize must be a finite number > 0 \(got 0\)/);
    expect(() => shortRunLangevin(g, new Float32Array(3), { steps: 1, stepSize: 0.1, box: wide, rng })).toThrow(/x0 must be row-major \[n, 2\]/);
  });
});
