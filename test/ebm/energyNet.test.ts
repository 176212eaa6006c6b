import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { EnergyNet } from '../../src/ebm/energyNet.ts';
import { Rng } from '../../src/random/rng.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('EnergyNet', () => {
  it('maps [n, 2] to [n] energies and names its six variables', () => {
    const net = new EnergyNet(8, new Rng(1));
    const e = tf.tidy(() => net.energy(tf.randomNormal([5, 2], 0, 1, 'float32', 1)));
    expect(e.shape).toEqual([5]);
    e.dispose();
    expect(net.namedVariables().map(([n, v]) => `${n}:${v.shape}`)).toEqual(['layer1/weight:2,8', 'layer1/bias:8', 'layer2/weight:8,8', 'layer2/bias:8', 'out/weight:8,1', 'out/bias:1']);
    net.dispose();
  });

  it('its written-out input gradient equals tf.grad of the energy', () => {
    const net = new EnergyNet(16, new Rng(2));
    const rng = new Rng(3);
    const x = tf.tensor2d(Float32Array.from({ length: 64 }, () => 2 * rng.normal()), [32, 2]);
    const auto = tf.grad((z: tf.Tensor) => tf.sum(net.energy(z)))(x);
    const manual = net.gradient(x);
    const a = auto.dataSync(), m = manual.dataSync();
    for (let i = 0; i < a.length; i++) expect(m[i]).toBeCloseTo(a[i], 5);
    tf.dispose([x, auto, manual]);
    net.dispose();
  });

  it('energies() in chunks equals one pass of energy()', () => {
    const net = new EnergyNet(8, new Rng(4));
    const rng = new Rng(5);
    const p = Float32Array.from({ length: 2 * 1000 }, () => rng.normal());
    const chunked = net.energies(p, 128);
    const whole = tf.tidy(() => net.energy(tf.tensor2d(p, [1000, 2])).dataSync());
    for (let i = 0; i < 1000; i++) expect(chunked[i]).toBeCloseTo(whole[i], 6);
    net.dispose();
  });

  it('the same seed gives the same weights; a bad width is refused by name', () => {
    const [a, b] = [new EnergyNet(4, new Rng(9)), new EnergyNet(4, new Rng(9))];
    expect(a.layers[1].weight.dataSync()).toEqual(b.layers[1].weight.dataSync());
    a.dispose();
    b.dispose();
    expect(() => new EnergyNet(0, new Rng(1))).toThrow(/EnergyNet: hidden must be an integer ≥ 1 \(got 0\)/);
  });
});
