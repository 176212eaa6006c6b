import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Rng } from '../../src/random/rng.ts';
import { ising, potts, type Bond } from '../../src/lattice/bond.ts';
import { allStates, toOneHot } from '../../src/lattice/configurations.ts';
import { logMarginalTransferWeight, logTransferWeight, logTransferWeightOf } from '../../src/lattice/transferWeight.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

function randomRows(n: number, units: number, q: number, rng: Rng): Uint8Array {
  return Uint8Array.from({ length: n * units }, () => Math.floor(rng.uniform() * q));
}

describe('transfer weight', () => {
  it('hand-computed Ising(1) values on 4 sites: T(↑↑↑↑, ↑↑↓↓) = 1, T(↑↑↑↑) = e⁴ (e + 1/e)⁴ ≈ 4952.8', () => {
    const b = ising(1);
    expect(logTransferWeightOf([0, 0, 0, 0], [0, 0, 1, 1], b)).toBeCloseTo(0, 12);
    tf.tidy(() => {
      const xp = tf.tensor2d(toOneHot([0, 0, 0, 0, 0, 0, 1, 1], 4, 2), [2, 8]);
      const m = logMarginalTransferWeight(xp, b).dataSync();
      expect(Math.exp(m[0])).toBeCloseTo(Math.exp(4) * (Math.E + 1 / Math.E) ** 4, 1);
      expect(Math.exp(m[0])).toBeCloseTo(4952.8, 0);
      // ↑↑↓↓: horizontal bonds cancel, vertical marginal (e + 1/e)⁴ ≈ 90.714 (the seed's printed value).
      expect(Math.exp(m[1])).toBeCloseTo(90.714, 2);
    });
  });

  const cases: [string, Bond, number][] = [
    ['Ising β=0.7, N=5', ising(0.7), 5],
    ['Potts q=3 β=0.9, N=4', potts(3, 0.9), 4],
    ['Ising β=0.3, N=2 (double horizontal bond)', ising(0.3), 2],
  ];
  for (const [name, bond, units] of cases) {
    it(`${name}: pairwise TF values equal the plain product; the marginal equals ln Σ_x T(x, x')`, () => {
      const q = bond.states, rng = new Rng(units);
      const xs = randomRows(6, units, q, rng), xps = randomRows(5, units, q, rng);
      const all = allStates(units, q);
      const count = all.length / units;
      tf.tidy(() => {
        const x = tf.tensor2d(toOneHot(xs, units, q), [6, units * q]);
        const xp = tf.tensor2d(toOneHot(xps, units, q), [5, units * q]);
        const t = logTransferWeight(x, xp, bond).arraySync();
        for (let a = 0; a < 6; a++) {
          for (let b = 0; b < 5; b++) {
            const ref = logTransferWeightOf(xs.subarray(a * units, (a + 1) * units), xps.subarray(b * units, (b + 1) * units), bond);
            expect(t[a][b]).toBeCloseTo(ref, 4);
          }
        }
        const m = logMarginalTransferWeight(xp, bond).dataSync();
        for (let b = 0; b < 5; b++) {
          let z = 0;
          for (let s = 0; s < count; s++) z += Math.exp(logTransferWeightOf(all.subarray(s * units, (s + 1) * units), xps.subarray(b * units, (b + 1) * units), bond));
          expect(m[b]).toBeCloseTo(Math.log(z), 4);
        }
      });
    });
  }

  it('rejects rows of mismatched length', () => {
    tf.tidy(() => {
      expect(() => logTransferWeight(tf.zeros([2, 8]) as tf.Tensor2D, tf.zeros([2, 6]) as tf.Tensor2D, ising(1))).toThrow(/same row length/);
      expect(() => logMarginalTransferWeight(tf.zeros([2, 3]) as tf.Tensor2D, ising(1))).toThrow(/shape \[batch, N·2\] with N ≥ 2/);
    });
  });
});
