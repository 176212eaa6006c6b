import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { DEFAULT_BOX } from '../../src/ebm/box.ts';
import { ebmStep } from '../../src/ebm/ebmStep.ts';
import { ebmUpdates } from '../../src/ebm/ebmUpdates.ts';
import { EnergyNet } from '../../src/ebm/energyNet.ts';
import { ReplayBuffer } from '../../src/ebm/replayBuffer.ts';
import { moons } from '../../src/ebm/moons.ts';
import { variablesOf } from '../../src/nn/module.ts';
import { trainingSteps } from '../../src/objectives/trainingSteps.ts';
import { Adam } from '../../src/optim/adam.ts';
import { Rng } from '../../src/random/rng.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('ebmStep', () => {
  it('reports the loss e_data − e_sample + α(mean E⁺² + mean E⁻²) of the weights before its update', () => {
    const net = new EnergyNet(8, new Rng(1));
    const adam = new Adam(variablesOf(net), { lr: 1e-2 });
    const pos = tf.tensor2d([0, 0, 1, 1, -1, 0.5], [3, 2]);
    const neg = tf.tensor2d([3, 3, -2, 1], [2, 2]);
    const energies = (x: tf.Tensor) => tf.tidy(() => net.energy(x).dataSync());
    const [ep, en] = [energies(pos), energies(neg)];
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    const alpha = 0.3;
    const expected = mean(ep) - mean(en) + alpha * (mean(Array.from(ep, (v) => v * v)) + mean(Array.from(en, (v) => v * v)));
    const info = ebmStep(net, adam, pos, neg, alpha);
    expect(info.loss).toBeCloseTo(expected, 5);
    expect(info.eData).toBeCloseTo(mean(ep), 5);
    expect(info.eSample).toBeCloseTo(mean(en), 5);
    // One step lowers the data's energy relative to the samples' (the direction of the likelihood gradient).
    const after = mean(energies(pos)) - mean(energies(neg));
    expect(after).toBeLessThan(mean(ep) - mean(en));
    tf.dispose([pos, neg]);
    adam.dispose();
    net.dispose();
  });

  it('refuses a negative α by name', () => {
    const net = new EnergyNet(2, new Rng(1));
    const adam = new Adam(variablesOf(net));
    const x = tf.zeros([1, 2]);
    expect(() => ebmStep(net, adam, x, x, -1)).toThrow(/ebmStep: alpha must be a finite number ≥ 0 \(got -1\)/);
    tf.dispose(x);
    adam.dispose();
    net.dispose();
  });
});

describe('ebmUpdates', () => {
  it('keeps tf.memory().numTensors flat over 60 updates, and repeats itself from the same seeds', async () => {
    const data = moons().sample(500, new Rng(1));
    const run = async (steps: number) => {
      const net = new EnergyNet(16, new Rng(2));
      const adam = new Adam(variablesOf(net), { lr: 1e-2 });
      const buffer = new ReplayBuffer(200, DEFAULT_BOX, 0.05, new Rng(3));
      const counts: number[] = [];
      const updates = await lastValueFrom(
        trainingSteps(steps, 4).pipe(
          ebmUpdates(net, adam, buffer, { data, batch: 32, langevinSteps: 5, stepSize: 0.02, temperature: 1, alpha: 0.1, box: DEFAULT_BOX }),
          toArray(),
        ),
      );
      counts.push(tf.memory().numTensors);
      const weights = Array.from(net.layers[0].weight.dataSync());
      adam.dispose();
      net.dispose();
      return { updates, weights, counts, buffer: Array.from(buffer.points) };
    };
    const start = tf.memory().numTensors;
    const a = await run(60);
    // The net and Adam hold 6 variables and 2 moments while alive: nothing else stays behind.
    expect(a.counts[0]).toBe(start + 6 + 2);
    expect(tf.memory().numTensors).toBe(start);
    expect(a.updates.map((u) => u.step)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const b = await run(60);
    expect(b.updates).toEqual(a.updates);
    expect(b.weights).toEqual(a.weights);
    expect(b.buffer).toEqual(a.buffer);
  });
});
