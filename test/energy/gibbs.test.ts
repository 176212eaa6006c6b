import { describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import { Rng } from '../../src/random/rng.ts';
import { gibbs, gibbsChain, gibbsSweep } from '../../src/energy/gibbs.ts';
import { freeEnergy, hiddenProb } from '../../src/energy/rbm.ts';
import { allBinary, randomRbm } from './helpers.ts';

describe('gibbs', () => {
  const m = randomRbm(4, 3, 21, 1, 0.5);
  // Exact p(v) by enumeration, and the marginals E[v_i], E[h_j], E[v_0 v_1].
  const vs = allBinary(4);
  const f = freeEnergy(m, vs);
  const w = Array.from(f, (x) => Math.exp(-x));
  const z = w.reduce((a, b) => a + b);
  const ph = hiddenProb(m, vs);
  const exactV = [0, 1, 2, 3].map((i) => w.reduce((s, x, a) => s + x * vs[a * 4 + i], 0) / z);
  const exactH = [0, 1, 2].map((j) => w.reduce((s, x, a) => s + x * ph[a * 3 + j], 0) / z);
  const exactV01 = w.reduce((s, x, a) => s + x * vs[a * 4] * vs[a * 4 + 1], 0) / z;

  it('stationary moments of the kernel match exact marginals within 4 MC errors', () => {
    const k = gibbs(m);
    const rng = new Rng(4);
    const chains = 4000;
    const sumV = [0, 0, 0, 0], sumH = [0, 0, 0];
    let sumV01 = 0;
    for (let c = 0; c < chains; c++) {
      let s = k.init(new Float64Array(4));
      for (let t = 0; t < 30; t++) s = k.step(rng, s).state;
      for (let i = 0; i < 4; i++) sumV[i] += s.position[i];
      for (let j = 0; j < 3; j++) sumH[j] += s.hidden[j];
      sumV01 += s.position[0] * s.position[1];
      expect(s.logDensity).toBeCloseTo(-freeEnergy(m, s.position)[0], 12);
    }
    const check = (est: number, p: number) => expect(Math.abs(est / chains - p)).toBeLessThan(4 * Math.sqrt(p * (1 - p) / chains));
    for (let i = 0; i < 4; i++) check(sumV[i], exactV[i]);
    for (let j = 0; j < 3; j++) check(sumH[j], exactH[j]);
    check(sumV01, exactV01);
  });

  it('a batched sweep at β = 0 samples the base model exactly', () => {
    const base = Float64Array.of(1, -1, 0, 2);
    const n = 20000;
    const { v } = gibbsSweep(m, new Rng(5), new Float64Array(n * 4).fill(1), { beta: 0, baseVBias: base });
    for (let i = 0; i < 4; i++) {
      const p = 1 / (1 + Math.exp(-base[i]));
      let s = 0;
      for (let r = 0; r < n; r++) s += v[r * 4 + i];
      expect(Math.abs(s / n - p)).toBeLessThan(4 * Math.sqrt(p * (1 - p) / n));
    }
  });

  it('streams the chain: steps states, the same on every subscription, and validates', async () => {
    const chain = gibbsChain(m, new Float64Array(4), new Rng(6), { steps: 100, chunk: 7 });
    const a = await firstValueFrom(chain.pipe(toArray()));
    const b = await firstValueFrom(chain.pipe(toArray()));
    expect(a.length).toBe(100);
    expect(a.map((s) => Array.from(s.position))).toEqual(b.map((s) => Array.from(s.position)));
    const first3 = await firstValueFrom(gibbsChain(m, new Float64Array(4), new Rng(6), { steps: Infinity }).pipe(take(3), toArray()));
    expect(first3.map((s) => Array.from(s.position))).toEqual(a.slice(0, 3).map((s) => Array.from(s.position)));
    expect(() => gibbsChain(m, new Float64Array(4), new Rng(0), { steps: 0 })).toThrow(/steps must be an integer ≥ 1/);
    expect(() => gibbs(m).init(new Float64Array(3))).toThrow(/gibbs.init: position must have length visible = 4 \(got 3\)/);
    expect(() => gibbsSweep(m, new Rng(0), new Float64Array(4), { beta: 2 })).toThrow(/beta must lie in \[0, 1\]/);
  });
});
