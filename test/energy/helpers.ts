import { Rng } from '../../src/random/rng.ts';
import { energy, rbmFrom, type Rbm } from '../../src/energy/rbm.ts';

/** All 2^n binary vectors, row-major [2^n, n]. */
export function allBinary(n: number): Float64Array {
  const out = new Float64Array(2 ** n * n);
  for (let s = 0; s < 2 ** n; s++) for (let i = 0; i < n; i++) out[s * n + i] = (s >> i) & 1;
  return out;
}

/** A random RBM with weights N(0, wStd²) and biases N(0, bStd²). */
export function randomRbm(visible: number, hidden: number, seed: number, wStd = 1, bStd = 0.5): Rbm {
  const rng = new Rng(seed);
  const g = (n: number, s: number) => Float64Array.from({ length: n }, () => s * rng.normal());
  return rbmFrom({ visible, hidden, W: g(hidden * visible, wStd), vBias: g(visible, bStd), hBias: g(hidden, bStd) });
}

/** log Z by brute force over every (v, h). */
export function bruteLogZ(model: Rbm): number {
  const vs = allBinary(model.visible);
  const hs = allBinary(model.hidden);
  const xs: number[] = [];
  for (let a = 0; a < 2 ** model.visible; a++) {
    for (let b = 0; b < 2 ** model.hidden; b++) {
      xs.push(-energy(model, vs.subarray(a * model.visible, (a + 1) * model.visible), hs.subarray(b * model.hidden, (b + 1) * model.hidden)));
    }
  }
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}
