import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Rng } from '../../src/random/rng.ts';
import { AutoregressiveLinear } from '../../src/autoregressive/AutoregressiveLinear.ts';
import { autoregressiveMask } from '../../src/autoregressive/autoregressiveMask.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('autoregressiveMask', () => {
  it("equals the seed's printed mask for (units, in, out, diagonal) = (4, 2, 3, -1), transposed to [in, out]", () => {
    // The seed's torch mask, rows = outputs (12), cols = inputs (8).
    const seedRows = [0, 0, 0, 2, 2, 2, 4, 4, 4, 6, 6, 6]; // number of leading ones per output row
    const m = autoregressiveMask(4, 2, 3, -1);
    for (let out = 0; out < 12; out++) {
      for (let inp = 0; inp < 8; inp++) expect(m[inp * 12 + out]).toBe(inp < seedRows[out] ? 1 : 0);
    }
  });

  it('rejects a diagonal that would break autoregression, naming it', () => {
    expect(() => autoregressiveMask(4, 2, 2, 1)).toThrow(/diagonal must be an integer in \[-units, 0\].*got 1/);
    expect(() => autoregressiveMask(0, 2, 2, 0)).toThrow(/units must be an integer ≥ 1/);
  });
});

describe('AutoregressiveLinear', () => {
  const cases: [units: number, inF: number, outF: number, diagonal: number][] = [
    [4, 2, 3, -1],
    [5, 3, 2, 0],
    [3, 1, 4, -1],
    [6, 2, 2, 0],
    [4, 3, 5, -2],
  ];

  for (const [units, inF, outF, diagonal] of cases) {
    it(`Jacobian block (i, j) is zero exactly where j > i + diagonal: units=${units} in=${inF} out=${outF} diagonal=${diagonal}`, () => {
      const rng = new Rng(units * 100 + inF * 10 + outF);
      const layer = new AutoregressiveLinear(units, inF, outF, diagonal, { rng });
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([3, units * inF], 0, 1, 'float32', 7) as tf.Tensor2D;
      for (let i = 0; i < units; i++) {
        // d(Σ_c r_c y_ic)/dx for a random r: a random combination of block i's Jacobian rows.
        const g = tf.tidy(() => {
          const r = tf.randomNormal([1, outF], 0, 1, 'float32', 11 + i);
          const f = (xx: tf.Tensor) => tf.sum(tf.mul(tf.slice(layer.apply(xx as tf.Tensor2D), [0, i * outF], [3, outF]), r));
          return tf.grad(f)(x);
        });
        const gd = g.arraySync() as number[][];
        g.dispose();
        for (let j = 0; j < units; j++) {
          let maxAbs = 0;
          for (const row of gd) for (let a = 0; a < inF; a++) maxAbs = Math.max(maxAbs, Math.abs(row[j * inF + a]));
          if (j > i + diagonal) expect(maxAbs, `block (${i},${j})`).toBe(0);
          else expect(maxAbs, `block (${i},${j})`).toBeGreaterThan(1e-6);
        }
      }
      x.dispose();
      expect(tf.memory().numTensors).toBe(before);
      layer.dispose();
    });
  }

  it('applyAt(x, i) equals block i of apply(x), with and without visible inputs', () => {
    const layer = new AutoregressiveLinear(5, 3, 4, -1, { rng: new Rng(3) });
    tf.tidy(() => {
      // Make the bias non-zero so the empty-input block (i = 0) is tested too.
      layer.bias!.assign(tf.randomNormal([20], 0, 1, 'float32', 5));
      const x = tf.randomNormal([7, 15], 0, 1, 'float32', 9) as tf.Tensor2D;
      const full = layer.apply(x);
      for (let i = 0; i < 5; i++) {
        const expected = tf.slice(full, [0, i * 4], [7, 4]);
        const got = layer.applyAt(x, i);
        expect(tf.max(tf.abs(tf.sub(expected, got))).dataSync()[0]).toBeLessThan(1e-5);
        // A prefix of exactly the visible width gives the same.
        const prefix = tf.slice(x, [0, 0], [7, i * 3]);
        expect(tf.max(tf.abs(tf.sub(expected, layer.applyAt(prefix, i)))).dataSync()[0]).toBeLessThan(1e-5);
      }
    });
    expect(() => layer.applyAt(tf.zeros([2, 3]) as tf.Tensor2D, 4)).toThrow(/≥ 12 columns for unit 4/);
    layer.dispose();
  });

  it('gradients of applyAt reach only the active weight block', () => {
    const layer = new AutoregressiveLinear(4, 2, 3, -1, { rng: new Rng(4) });
    const x = tf.randomNormal([5, 8], 0, 1, 'float32', 1) as tf.Tensor2D;
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(layer.applyAt(x, 2))), layer.variables);
    const gw = grads[layer.weight.name].arraySync() as number[][]; // [8, 12]
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 12; c++) {
        const active = r < 4 && c >= 6 && c < 9;
        if (active) expect(Math.abs(gw[r][c])).toBeGreaterThan(0);
        else expect(gw[r][c]).toBe(0);
      }
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    layer.dispose();
  });
});
