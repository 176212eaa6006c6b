import { map, pipe, range } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { realNvpFlow, splineFlow } from '../../src/flows/factories.ts';
import type { Flow } from '../../src/flows/flow.ts';
import { reverseKl } from '../../src/flows/reverseKl.ts';
import { variablesOf } from '../../src/nn/module.ts';
import { flowIwae } from '../../src/objectives/iwae.ts';
import { minimize, runSync } from '../../src/operators/minimize.ts';
import { Adam } from '../../src/optim/adam.ts';
import { Rng } from '../../src/random/rng.ts';
import { GaussianTarget, maxAbsDiff, take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

/** Correlated (ρ ≈ 0.87), shifted, with log evidence −3.7. */
const target = new GaussianTarget([0.5, -1], [1.2, 0, 0.9, 0.5], -3.7);

describe('reverseKl', () => {
  it('emits the true ELBO: mean(log p(y, x) − log q(x)) of the step\'s draws, both target densities alike', () => {
    const flow = realNvpFlow(2, 2, new Rng(1));
    const out = runSync(reverseKl(flow, target, { batch: 64, rng: new Rng(5) }), { step: 0 });
    expect(out.step).toBe(0);
    expect(out.logWeights.shape).toEqual([64]);
    // Replay: the same draws from an identical generator, log q from the density, log p from the TF.js target.
    const { x, logProb } = flow.rsampleAndLogProb(64, new Rng(5));
    const lw = take(tf.tidy(() => tf.sub(target.logJoint(x), flow.logProb(x))));
    expect(maxAbsDiff(take(out.logWeights), lw)).toBeLessThan(1e-4);
    const mean = lw.reduce((a, b) => a + b, 0) / 64;
    expect(out.elbo.dataSync()[0]).toBeCloseTo(mean, 4);
    expect(out.loss.dataSync()[0]).toBeCloseTo(-mean, 4);
    // Its gradient is autodiff's of the same loss written in TF.js ops on the same draws.
    const vars = variablesOf(flow);
    const ours = tf.variableGrads(() => runSync(reverseKl(flow, target, { batch: 64, rng: new Rng(5) }), {}).loss, vars);
    const plain = tf.variableGrads(() => tf.tidy(() => {
      const draw = flow.rsampleAndLogProb(64, new Rng(5));
      return tf.neg(tf.mean(tf.sub(target.logJoint(draw.x), draw.logProb))) as tf.Scalar;
    }), vars);
    for (const v of vars) expect(maxAbsDiff(take(ours.grads[v.name]), take(plain.grads[v.name]))).toBeLessThan(1e-4);
    tf.dispose([ours.value, plain.value]);
    const viaTf = runSync(reverseKl(flow, target, { batch: 64, rng: new Rng(5), targetDensity: 'logJoint' }), {});
    expect(viaTf.elbo.dataSync()[0]).toBeCloseTo(mean, 4);
    tf.dispose([x, logProb, out.loss, out.elbo, viaTf.loss, viaTf.elbo, viaTf.logWeights]);
    expect(() => reverseKl(flow, target, { batch: 0, rng: new Rng(1) })).toThrow(/reverseKl: batch must be an integer ≥ 1 \(got 0\)/);
    flow.dispose();
  });

  const fits: Array<{ name: string; make: () => Flow; steps: number; maxKl: number }> = [
    { name: 'RealNVP', make: () => realNvpFlow(2, 4, new Rng(2)), steps: 300, maxKl: 0.01 },
    { name: 'spline', make: () => splineFlow(2, 2, new Rng(3)), steps: 300, maxKl: 0.01 },
  ];
  for (const { name, make, steps, maxKl } of fits) {
    it(`fits a ${name} flow to a correlated Gaussian: KL = log Z − ELBO < ${maxKl}, the ELBO never above log Z, memory flat`, () => {
      const flow = make();
      const adam = new Adam(variablesOf(flow), { lr: 1e-2 });
      const forward = pipe(reverseKl(flow, target, { batch: 256, rng: new Rng(4) }));
      const excess: number[] = [];
      const counts: number[] = [];
      range(0, steps)
        .pipe(map((step) => ({ step })), minimize(forward, adam))
        .subscribe(({ step, elbo, logWeights }) => {
          // The step's ELBO estimate exceeds log Z by at most its Monte Carlo error.
          const w = logWeights.dataSync() as Float32Array;
          const m = elbo.dataSync()[0];
          const sd = Math.sqrt(w.reduce((s, v) => s + (v - m) ** 2, 0) / (w.length - 1));
          excess.push((m - target.logZ) / (sd / Math.sqrt(w.length) + 1e-6));
          counts[step] = tf.memory().numTensors;
        });
      expect(counts[steps - 1]).toBe(counts[10]);
      expect(Math.max(...excess)).toBeLessThan(4);
      const [l1] = flowIwae(flow, target, { ks: [1], samples: 20_000, rng: new Rng(6) });
      const kl = target.logZ - l1.estimate;
      expect(kl).toBeGreaterThan(-4 * l1.standardError);
      expect(kl).toBeLessThan(maxKl);
      adam.dispose();
      flow.dispose();
    });
  }
});
