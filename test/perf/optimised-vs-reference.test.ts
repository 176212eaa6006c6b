import { pipe } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf, type Tensor, type Variable } from '../../src/backend/tf.ts';
import { attentionPool, type PoolKernel } from '../../src/models/attentionPool.ts';
import { AttentionPoolKernel } from '../../src/models/attentionPoolKernel.ts';
import { Decoder } from '../../src/models/decoder.ts';
import { Encoder } from '../../src/models/encoder.ts';
import { variablesOf } from '../../src/nn/module.ts';
import { decode } from '../../src/operators/decode.ts';
import { elbo } from '../../src/operators/elbo.ts';
import { encode } from '../../src/operators/encode.ts';
import { runSync } from '../../src/operators/minimize.ts';
import { sampleLatent, type Plan } from '../../src/operators/sampleLatent.ts';
import { Adam } from '../../src/optim/adam.ts';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, type Scheme } from '../../src/simulators/apparatus.ts';
import { parameters, referenceLoss } from './referenceVae.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** max |a − b| over elements, and max |b|. */
function deviation(a: Tensor, b: Tensor): { diff: number; scale: number } {
  const av = a.dataSync(), bv = b.dataSync();
  let diff = 0, scale = 0;
  for (let i = 0; i < bv.length; i++) {
    diff = Math.max(diff, Math.abs(av[i] - bv[i]));
    scale = Math.max(scale, Math.abs(bv[i]));
  }
  return { diff, scale };
}

interface Case { scheme: Scheme; plan: Plan; zDim: number }
const CASES: Case[] = [
  { scheme: 'random', plan: 'A', zDim: 1 },
  { scheme: 'random', plan: 'B', zDim: 2 },
  { scheme: 'fixed', plan: 'A', zDim: 1 },
  { scheme: 'fixed', plan: 'B', zDim: 1 },
];
const BATCH = 6;
const QUBITS = 37; // not a multiple of 4: the kernel's vector loops have a scalar tail over N
const REG = 0.7;

describe('optimised VAE step vs the straightforward reference (same weights, data and noise)', () => {
  for (const kernel of ['native', 'tfjs'] as PoolKernel[]) {
    for (const c of CASES) {
      it(`${kernel} kernel, ${c.scheme} axis, plan ${c.plan}, zDim ${c.zDim}: same loss and gradients`, () => {
        const app = new Apparatus({ scheme: c.scheme, epsilon: 0.5, qubits: QUBITS });
        const x = tf.tensor3d(app.sample(BATCH, new Rng(1)), [BATCH, QUBITS, app.dim]);
        const encoder = new Encoder({ xDim: app.dim, zDim: c.zDim, kernel }, new Rng(11));
        const decoder = new Decoder({ xDim: app.dim, zDim: c.zDim }, new Rng(12));
        const variables = variablesOf(encoder, decoder) as Variable[];
        const before = tf.memory().numTensors;

        const forward = pipe(encode<{ x: Tensor; reg: number }>(encoder), sampleLatent({ plan: c.plan, rng: new Rng(5) }), decode(decoder), elbo());
        const ours = tf.variableGrads(() => tf.tidy(() => runSync(forward, { x, reg: REG }).loss as tf.Scalar), variables);
        // sampleLatent draws its noise as tf.randomNormal(shape, 0, 1, 'float32', rng.seed()).
        const eps = tf.randomNormal(c.plan === 'A' ? [BATCH, c.zDim] : [QUBITS, BATCH, c.zDim], 0, 1, 'float32', new Rng(5).seed());
        const ref = tf.variableGrads(() => referenceLoss(parameters(encoder, decoder), { x, eps, reg: REG }) as tf.Scalar, variables);

        const lossOurs = ours.value.dataSync()[0], lossRef = ref.value.dataSync()[0];
        expect(Math.abs(lossOurs - lossRef)).toBeLessThanOrEqual(2e-6 * Math.abs(lossRef));
        const named = [...encoder.namedVariables(), ...decoder.namedVariables()];
        const globalScale = Math.max(...named.map(([, v]) => deviation(ref.grads[v.name], ref.grads[v.name]).scale));
        expect(globalScale).toBeGreaterThan(0);
        for (const [name, v] of named) {
          // The score's bias cancels in the softmax: exactly zero for us, round-off for autodiff.
          const g = ours.grads[v.name] ?? tf.zerosLike(v);
          const { diff, scale } = deviation(g, ref.grads[v.name]);
          expect(diff, name).toBeLessThanOrEqual(1e-4 * scale + 1e-6 * globalScale);
          if (ours.grads[v.name] == null) g.dispose();
        }
        tf.dispose([ours.value, ref.value, eps, ...Object.values(ours.grads), ...Object.values(ref.grads)]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose(x);
        encoder.dispose();
        decoder.dispose();
      });
    }
  }

  it('the native kernel gives the same pooled features whether it keeps activations or recomputes them', () => {
    const k = new AttentionPoolKernel();
    const rng = new Rng(3);
    const rand = (n: number, s: number) => Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * s);
    const shape = { batch: 3, n: 21, d: 3, hidden: 16 };
    const x = rand(3 * 21 * 3, 1), w1 = rand(4 * 32, 2), ws = rand(16, 1), dp = rand(3 * 19, 1);
    const kept = k.forward(shape, x, w1, ws, true);
    const fresh = k.forward(shape, x, w1, ws, false); // forgets the kept activations
    expect(Array.from(fresh.pooled)).toEqual(Array.from(kept.pooled));
    const recomputed = k.backward(shape, kept.tag, x, w1, ws, kept.a, dp);
    const again = k.forward(shape, x, w1, ws, true);
    const fromKept = k.backward(shape, again.tag, x, w1, ws, again.a, dp);
    expect(Array.from(recomputed.dw1)).toEqual(Array.from(fromKept.dw1));
    expect(Array.from(recomputed.dws)).toEqual(Array.from(fromKept.dws));
    expect(() => k.forward({ ...shape, hidden: 6 }, x, rand(4 * 12, 1), rand(6, 1), false)).toThrow(/hidden must be a multiple of 4 \(got 6\)/);
  });

  it('elu inside the native kernel matches tf.elu over its whole range, NaN included', () => {
    // One qubit per record and one hidden unit with weight 1: pooled value = elu(x₃) exactly.
    const values = [-100, -30, -17.6, -17.4, -5, -1, -0.3466, -0.01, -1e-5, -1e-30, 0, 1e-7, 0.5, 3, 90, 1e30, NaN];
    const batch = values.length, hidden = 4;
    const x = new Float32Array(batch * 3);
    values.forEach((v, i) => { x[i * 3 + 2] = v; });
    const w1 = new Float32Array(4 * 2 * hidden);
    w1[2 * (2 * hidden) + hidden] = 1; // value unit 0 reads x₃
    const k = new AttentionPoolKernel();
    const { pooled } = k.forward({ batch, n: 1, d: 3, hidden }, x, w1, new Float32Array(hidden), false);
    const expected = tf.tidy(() => tf.elu(tf.tensor1d(values)).dataSync());
    values.forEach((v, i) => {
      const got = pooled[i * (3 + hidden) + 3];
      if (Number.isNaN(v)) expect(got).toBeNaN();
      else expect(Math.abs(got - expected[i])).toBeLessThanOrEqual(3e-7 * Math.max(Math.abs(expected[i]), 1e-30));
    });
  });

  it('attentionPool rejects an unknown kernel by name', () => {
    expect(() => attentionPool({ kernel: 'gpu' as PoolKernel })).toThrow(/kernel must be auto, native or tfjs \(got gpu\)/);
  });
});

describe('Adam over one flat moment vector vs the per-variable formula', () => {
  it('takes the same steps as Adam written per variable in float64, and resumes exactly from its state', () => {
    const rng = new Rng(9);
    const shapes = [[3, 5], [5], [1]];
    const init = shapes.map((s) => Float64Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
    const vars = shapes.map((s, i) => tf.variable(tf.tensor(Float32Array.from(init[i]), s)));
    const opt = new Adam(vars, { lr: 0.01 });
    // Straightforward reference: θ ← θ − lr·m̂/(√v̂ + ε), per variable, float64.
    const theta = init.map((a) => Float64Array.from(a, Math.fround));
    const m = init.map((a) => new Float64Array(a.length)), v = init.map((a) => new Float64Array(a.length));
    const gradsAt = (t: number) => shapes.map((s, i) => Float32Array.from({ length: init[i].length }, (_, j) => Math.sin(7 * t + 3 * i + j)));
    let resumed: Adam | undefined;
    let resumedVars: Variable[] | undefined;
    for (let t = 1; t <= 5; t++) {
      const g = gradsAt(t);
      const gt = g.map((a, i) => tf.tensor(a, shapes[i]));
      opt.apply(gt);
      resumed?.apply(gt);
      tf.dispose(gt);
      for (let i = 0; i < theta.length; i++) {
        for (let j = 0; j < theta[i].length; j++) {
          m[i][j] = 0.9 * m[i][j] + 0.1 * g[i][j];
          v[i][j] = 0.999 * v[i][j] + 0.001 * g[i][j] ** 2;
          theta[i][j] -= (0.01 / (1 - 0.9 ** t)) * m[i][j] / (Math.sqrt(v[i][j]) / Math.sqrt(1 - 0.999 ** t) + 1e-8);
        }
      }
      if (t === 2) {
        resumedVars = vars.map((x) => tf.variable(x.clone()));
        resumed = new Adam(resumedVars, { lr: 0.01 });
        resumed.load(opt.state());
      }
    }
    vars.forEach((x, i) => {
      const got = x.dataSync();
      for (let j = 0; j < got.length; j++) expect(Math.abs(got[j] - theta[i][j])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(theta[i][j])));
      expect(Array.from(resumedVars![i].dataSync())).toEqual(Array.from(got));
    });
    expect(opt.state().m.map((a) => a.length)).toEqual([15, 5, 1]);
    expect(() => opt.apply([tf.zeros([3, 5])])).toThrow(/expected 3 gradients, got 1/);
    tf.dispose([...vars, ...resumedVars!]);
    opt.dispose();
    resumed!.dispose();
  });
});
