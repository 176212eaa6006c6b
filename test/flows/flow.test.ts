import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor, type Variable } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Normal } from '../../src/distributions/normal.ts';
import { niceFlow, planarFlow, realNvpFlow, splineFlow } from '../../src/flows/factories.ts';
import { Flow } from '../../src/flows/flow.ts';
import { Planar } from '../../src/flows/planar.ts';
import { Scaling } from '../../src/flows/scaling.ts';
import type { Transform } from '../../src/flows/transform.ts';
import { variablesOf } from '../../src/nn/module.ts';
import { Rng } from '../../src/random/rng.ts';
import { maxAbsDiff, randomiseParameters, take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

/** Every flow type at random parameters (scales chosen so the density stays inside the grid). */
const FLOWS: Array<{ name: string; make: (rng: Rng) => Flow; scale: number; grid: number }> = [
  { name: 'planar', make: (rng) => planarFlow(2, 5, rng), scale: 0.8, grid: 361 },
  { name: 'nice', make: (rng) => niceFlow(2, 3, rng), scale: 0.4, grid: 361 },
  { name: 'realnvp', make: (rng) => realNvpFlow(2, 5, rng), scale: 0.3, grid: 361 },
  { name: 'spline', make: (rng) => splineFlow(2, 3, rng, { activation: 'tanh', tailBound: 4 }), scale: 0.25, grid: 241 },
];

/** ∫∫ q on [−L, L]² by the trapezoid rule on a (k × k) grid. */
function integrate(flow: Flow, L: number, k: number): number {
  const h = (2 * L) / (k - 1);
  const pts = new Float32Array(2 * k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) pts.set([-L + i * h, -L + j * h], 2 * (i * k + j));
  const grid = tf.tensor2d(pts, [k * k, 2]);
  const q = take(tf.tidy(() => tf.exp(flow.logProb(grid))));
  grid.dispose();
  let s = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) s += (i === 0 || i === k - 1 ? 0.5 : 1) * (j === 0 || j === k - 1 ? 0.5 : 1) * q[i * k + j];
  return s * h * h;
}

describe('Flow', () => {
  for (const { name, make, scale, grid } of FLOWS) {
    it(`${name}: its density integrates to 1, and rsampleAndLogProb's log q is logProb of its draws`, () => {
      const rng = new Rng(81);
      const flow = make(rng);
      randomiseParameters(flow.transform, rng, scale);
      expect(integrate(flow, 9, grid)).toBeCloseTo(1, 3);
      const { x, logProb } = flow.rsampleAndLogProb(500, rng);
      const lp = take(logProb);
      const again = take(flow.logProb(x));
      expect(maxAbsDiff(lp, again) / Math.max(1, ...Array.from(lp, Math.abs))).toBeLessThan(2e-4);
      // Non-trivial: the flow is not its base.
      const base = take(tf.tidy(() => tf.sum(new Normal(0, 1).logProb(x), 1)));
      expect(maxAbsDiff(lp, base)).toBeGreaterThan(0.1);
      x.dispose();
      flow.dispose();
    });
  }

  it('with an explicit base runs the generic path and agrees with the fused one on the same transforms', () => {
    const rng = new Rng(82);
    const fused = realNvpFlow(2, 3, rng);
    randomiseParameters(fused.transform, rng, 0.3);
    const base = new Normal([0, 0], [1, 1]);
    const generic = new Flow(fused.transform, { base });
    const x = tf.tensor2d([[0.3, -1.2], [2, 0.5], [-0.7, -0.1]]);
    expect(maxAbsDiff(take(generic.logProb(x)), take(fused.logProb(x)))).toBeLessThan(1e-5);
    const draw = generic.rsampleAndLogProb(200, rng);
    expect(maxAbsDiff(take(draw.logProb), take(fused.logProb(draw.x)))).toBeLessThan(1e-4);
    draw.x.dispose();
    // A non-standard base: q = Normal(μ, σ) pushed through exp(s) scaling is Normal(μe^s, σe^s).
    const shifted = new Normal([1, -2], [0.5, 2]);
    const scaled = new Flow([new Scaling(2, { logScale: [0.4, -0.3] })], { base: shifted });
    const closed = new Normal([Math.exp(0.4), -2 * Math.exp(-0.3)], [0.5 * Math.exp(0.4), 2 * Math.exp(-0.3)]);
    const expected = take(tf.tidy(() => tf.sum(closed.logProb(x), 1)));
    expect(maxAbsDiff(take(scaled.logProb(x)), expected)).toBeLessThan(1e-5);
    const sampled = scaled.rsampleAndLogProb(300, rng);
    expect(maxAbsDiff(take(sampled.logProb), take(tf.tidy(() => tf.sum(closed.logProb(sampled.x), 1))))).toBeLessThan(1e-4);
    sampled.x.dispose();
    tf.dispose(x);
    scaled.dispose();
    shifted.dispose();
    closed.dispose();
    base.dispose();
    fused.dispose();
  });

  it('differentiates its sample-and-density pass and its density, fused paths agreeing with autodiff', () => {
    const rng = new Rng(85);
    for (const flow of [planarFlow(2, 3, rng), realNvpFlow(2, 3, rng, { activation: 'tanh' })]) {
      randomiseParameters(flow.transform, rng, 0.4);
      const vars = variablesOf(flow);
      // rsampleAndLogProb: the gradient of J = Σ c·x + Σ log q along a random direction v equals the
      // directional difference quotient of the same draws (the same rng seed each time).
      const c = tf.tensor2d(Float32Array.from({ length: 400 }, () => rng.normal()), [200, 2]);
      const J = () => tf.tidy(() => {
        const { x, logProb } = flow.rsampleAndLogProb(200, new Rng(3));
        return tf.add(tf.sum(tf.mul(x, c)), tf.sum(logProb)) as tf.Scalar;
      });
      const { value, grads } = tf.variableGrads(J, vars);
      const v = vars.map((x) => Float32Array.from({ length: x.size }, () => rng.normal()));
      let along = 0;
      vars.forEach((x, i) => grads[x.name].dataSync().forEach((g, k) => (along += g * v[i][k])));
      const at = (e: number) => {
        const saved = vars.map((x) => (x.dataSync() as Float32Array).slice());
        const set = (values: (i: number) => Float32Array) => vars.forEach((x, i) => {
          const t = tf.tensor(values(i), x.shape);
          x.assign(t);
          t.dispose();
        });
        set((i) => saved[i].map((p, k) => p + e * v[i][k]));
        const out = take(J())[0];
        set((i) => saved[i]);
        return out;
      };
      // (Small steps: the planar reparameterisation divides by ‖w‖², which random w can make small.)
      const h = 2e-3;
      const quotient = (4 * (at(h) - at(-h)) / (2 * h) - (at(2 * h) - at(-2 * h)) / (4 * h)) / 3;
      expect(Math.abs(quotient - along)).toBeLessThan(2e-3 * (1 + Math.abs(along)));
      // logProb: the fused op (base density inside) against the generic path (base.logProb in TF.js).
      const base = new Normal([0, 0], [1, 1]);
      const generic = new Flow(flow.transform, { base });
      const x = tf.tensor2d(Float32Array.from({ length: 60 }, () => 1.5 * rng.normal()), [30, 2]);
      // (Planar's inverse is not differentiable: planar.test.ts checks that it says so.)
      if (!flow.transform.namedVariables()[0][0].includes('planar')) {
        const fused = tf.variableGrads(() => tf.sum(flow.logProb(x)) as tf.Scalar, vars);
        const plain = tf.variableGrads(() => tf.sum(generic.logProb(x)) as tf.Scalar, vars);
        for (const w of vars) expect(maxAbsDiff(take(fused.grads[w.name]), take(plain.grads[w.name]))).toBeLessThan(1e-4);
        tf.dispose([fused.value, plain.value]);
      }
      tf.dispose([value, c, x]);
      tf.dispose(grads);
      base.dispose();
      flow.dispose();
    }
  });

  it('draws its base N(0, I) in JavaScript with the right moments, reproducibly from the seed', () => {
    const flow = new Flow([new Scaling(2)]);
    const n = 100_000;
    const z = take(flow.sample([n], new Rng(11)));
    for (let j = 0; j < 2; j++) {
      const col = z.filter((_, k) => k % 2 === j);
      const mean = col.reduce((a, v) => a + v, 0) / n;
      const variance = col.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
      const within = col.filter((v) => Math.abs(v) < 1).length / n;
      expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
      expect(Math.abs(within - 0.682689)).toBeLessThan(5 * Math.sqrt(0.2166 / n));
    }
    let cross = 0;
    for (let i = 0; i < n; i++) cross += z[2 * i] * z[2 * i + 1];
    expect(Math.abs(cross / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Array.from(take(flow.sample([5], new Rng(11))))).toEqual(Array.from(z.slice(0, 10)).map((v) => Math.fround(v)));
    flow.dispose();
  });

  it('is a Distribution: shapes, sample without gradients, stable variable names, clear errors', () => {
    const rng = new Rng(83);
    const flow = planarFlow(2, 2, rng);
    expect(flow.batchShape).toEqual([]);
    expect(flow.eventShape).toEqual([2]);
    expect(flow.namedVariables().map(([n, v]) => [n, v.shape])).toEqual([['layer0/planar/params', [5]], ['layer1/planar/params', [5]]]);
    const s = flow.sample([3, 4], rng);
    expect(s.shape).toEqual([3, 4, 2]);
    const lp = flow.logProb(s);
    expect(lp.shape).toEqual([3, 4]);
    const vars = variablesOf(flow);
    const stopped = tf.variableGrads(() => tf.sum(flow.sample([10], rng)) as tf.Scalar, vars);
    expect(Object.values(stopped.grads).every((g) => g.dataSync().every((v) => v === 0))).toBe(true);
    const live = tf.variableGrads(() => tf.sum(flow.rsample([10], rng)) as tf.Scalar, vars);
    expect(Object.values(live.grads).some((g) => g.dataSync().some((v) => v !== 0))).toBe(true);
    tf.dispose([s, lp, stopped.value, live.value]);
    tf.dispose(stopped.grads);
    tf.dispose(live.grads);
    expect(() => flow.mean()).toThrow(/Flow.mean: not available in closed form/);
    expect(() => flow.entropy()).toThrow(/Flow.entropy: not available in closed form/);
    expect(() => flow.rsampleAndLogProb(0, rng)).toThrow(/Flow.rsampleAndLogProb: n must be an integer ≥ 1 \(got 0\)/);
    const wrong = tf.zeros([4, 3]);
    expect(() => flow.logProb(wrong)).toThrow(/Flow.logProb: x must have shape \[\.\.\., 2\] \(got \[4, 3\]\)/);
    wrong.dispose();
    flow.dispose();
  });

  it('names the layer without an inverse, and still samples with its density in one pass', () => {
    class Forward implements Transform {
      readonly dim = 2;
      forward(x: Tensor) {
        return tf.tidy(() => ({ y: tf.mul(x, 2), logAbsDet: tf.fill([x.shape[0]], 2 * Math.log(2)) }));
      }
      namedVariables(): Array<[string, Variable]> {
        return [];
      }
      dispose() {}
    }
    const rng = new Rng(84);
    const flow = new Flow([new Planar(2, rng), new Forward()]);
    const x = tf.ones([2, 2]);
    expect(() => flow.logProb(x)).toThrow(/Flow.logProb: layer 1 \(Forward\) has no inverse/);
    const { x: draws, logProb } = flow.rsampleAndLogProb(50, rng);
    expect(take(logProb).every(Number.isFinite)).toBe(true);
    tf.dispose([x, draws]);
    flow.dispose();
  });
});
