import { describe, expect, it } from 'vitest';
import { firstValueFrom, from, map, toArray } from 'rxjs';
import { Rng } from '../../src/random/rng.ts';
import { ais } from '../../src/energy/ais.ts';
import { cdUpdates } from '../../src/energy/cdUpdates.ts';
import { cdInit, cdStep, type CdOptions } from '../../src/energy/contrastiveDivergence.ts';
import { exactLogZ } from '../../src/energy/exactLogZ.ts';
import { freeEnergy, sampleBernoulli } from '../../src/energy/rbm.ts';
import { RbmEngine } from '../../src/energy/rbmEngine.ts';
import { randomRbm } from './helpers.ts';

/**
 * The wasm engine against the float64 reference. Sizes 13 × 7 are not multiples of 4, so the
 * padded layout is exercised; both paths draw the same stream, so samples agree exactly unless a
 * float32 probability straddles a uniform — with these seeds none does (one would show as a
 * mismatch count, and a wrong formula as thousands).
 */
describe('RbmEngine', () => {
  const V = 13;
  const H = 7;
  const batch = (seed: number, n = 9) => sampleBernoulli(new Rng(seed), new Float64Array(n * V).fill(0.35));
  const full = { k: 1, learningRate: 0.1, momentum: 0, weightDecay: 0, persistent: false };

  it.each<[string, CdOptions]>([
    ['CD-1', {}],
    ['CD-3 with momentum and weight decay', { k: 3, momentum: 0.9, weightDecay: 0.01, learningRate: 0.05 }],
    ['PCD-2', { k: 2, persistent: true, momentum: 0.5 }],
  ])('%s: five updates match cdStep draw for draw, parameters to float32 precision', (_, opts) => {
    const model = randomRbm(V, H, 4, 0.8, 0.4);
    const o = { ...full, ...opts };
    const rJs = new Rng(9);
    const rW = new Rng(9);
    let s = cdInit(model);
    const engine = new RbmEngine(model);
    for (let t = 0; t < 5; t++) {
      // The last batch is smaller than the others (and than PCD's chains), as an epoch's last one is.
      const b = batch(20 + t, t === 4 ? 4 : 9);
      const js = cdStep(rJs, s, b, o);
      s = js.state;
      const info = engine.cdStep(rW, b, o);
      expect(rW.state()).toEqual(rJs.state());
      expect(Array.from(engine.lastNegative(o.persistent))).toEqual(Array.from(js.info.negative));
      expect(info.loss).toBeCloseTo(js.info.loss, 4);
      expect(info.reconstructionError).toBeCloseTo(js.info.reconstructionError, 4);
    }
    const m = engine.snapshot();
    for (let q = 0; q < m.W.length; q++) expect(Math.abs(m.W[q] - s.model.W[q])).toBeLessThan(2e-6);
    for (let i = 0; i < V; i++) expect(Math.abs(m.vBias[i] - s.model.vBias[i])).toBeLessThan(2e-6);
    for (let j = 0; j < H; j++) expect(Math.abs(m.hBias[j] - s.model.hBias[j])).toBeLessThan(2e-6);
    const vel = engine.velocity();
    for (let q = 0; q < vel.W.length; q++) expect(Math.abs(vel.W[q] - s.velocity.W[q])).toBeLessThan(2e-5);
    if (o.persistent) expect(Array.from(engine.chains()!)).toEqual(Array.from(s.chains!));
  });

  it('free energies match the float64 ones; a restored state continues identically', () => {
    const model = randomRbm(V, H, 5, 1, 0.5);
    const engine = new RbmEngine(model);
    const v = batch(1, 300);
    const a = engine.freeEnergy(v);
    const b = freeEnergy(model, v);
    for (let r = 0; r < 300; r++) expect(Math.abs(a[r] - b[r])).toBeLessThan(1e-5 * (1 + Math.abs(b[r])));

    const o = { ...full, k: 2, persistent: true, momentum: 0.7 };
    engine.cdStep(new Rng(1), batch(2), o);
    const copy = new RbmEngine(engine.snapshot());
    copy.setVelocity(engine.velocity());
    copy.setChains(engine.chains());
    engine.cdStep(new Rng(3), batch(4), o);
    copy.cdStep(new Rng(3), batch(4), o);
    expect(Array.from(copy.snapshot().W)).toEqual(Array.from(engine.snapshot().W));
  });

  it('rejects a batch that is not binary, naming the entry', () => {
    const engine = new RbmEngine(randomRbm(V, H, 1));
    const b = batch(1);
    b[V + 2] = 0.5;
    expect(() => engine.cdStep(new Rng(0), b, full)).toThrow('RbmEngine: batch must be binary, 0 or 1 (entry [1, 2] is 0.5)');
  });

  it("AIS log weights match ais's float64 reference, and the estimate the exact log Z", () => {
    const model = randomRbm(20, 10, 11, 1, 0.5);
    const base = Float64Array.from({ length: 20 }, (_, i) => (i % 3) - 1);
    const js = ais(model, new Rng(2), { runs: 50, betas: 200, baseVBias: base, engine: 'js' });
    const wasm = ais(model, new Rng(2), { runs: 50, betas: 200, baseVBias: base });
    for (let r = 0; r < 50; r++) expect(Math.abs(wasm.logWeights[r] - js.logWeights[r])).toBeLessThan(1e-4);
    expect(Array.from(wasm.samples)).toEqual(Array.from(js.samples));
    const truth = exactLogZ(model);
    const r = ais(model, new Rng(1), { runs: 100, betas: 3000 });
    expect(Math.abs(r.logZ - truth)).toBeLessThan(3 * r.standardError);
  });

  it('cdUpdates on the engine: states read in the callback equal the js engine to float32 precision; a stale read throws', async () => {
    const model = randomRbm(V, H, 7, 0.5, 0.3);
    const batches = Array.from({ length: 4 }, (_, t) => ({ images: batch(50 + t) }));
    const opts = { k: 2, momentum: 0.5 };
    const wasm = await firstValueFrom(from(batches).pipe(cdUpdates(cdInit(model), new Rng(7), opts), map((u) => u.state.model.W), toArray()));
    const js = await firstValueFrom(from(batches).pipe(cdUpdates(cdInit(model), new Rng(7), { ...opts, engine: 'js' }), map((u) => u.state.model.W), toArray()));
    for (let t = 0; t < 4; t++) for (let q = 0; q < js[t].length; q++) expect(Math.abs(wasm[t][q] - js[t][q])).toBeLessThan(2e-6);
    const kept = await firstValueFrom(from(batches).pipe(cdUpdates(cdInit(model), new Rng(7), opts), toArray()));
    expect(kept[3].state.model.W.length).toBe(V * H);
    expect(() => kept[0].state).toThrow(/update 0's state was read after a later update ran/);
  });
});

describe('freeEnergies', () => {
  it('runs large binary evaluations on the engine (float32) and everything else in float64', async () => {
    const { freeEnergies } = await import('../../src/energy/rbmEngine.ts');
    const model = randomRbm(100, 300, 3, 0.1, 0.3);
    const v = sampleBernoulli(new Rng(1), new Float64Array(200 * 100).fill(0.2));
    const a = freeEnergies(model, v);
    const b = freeEnergy(model, v);
    let maxRel = 0;
    for (let r = 0; r < 200; r++) maxRel = Math.max(maxRel, Math.abs(a[r] - b[r]) / Math.abs(b[r]));
    expect(maxRel).toBeGreaterThan(0); // float32: not bit-identical, so the engine ran
    expect(maxRel).toBeLessThan(1e-5);
    const grey = v.map((x) => x * 0.5);
    expect(Array.from(freeEnergies(model, grey))).toEqual(Array.from(freeEnergy(model, grey)));
  });
});

describe('RbmEngine on two threads', () => {
  it('gives the same numbers as one thread: CD, PCD with momentum, free energies and AIS', () => {
    // 100 × 72: wide enough that every split (16- and 32-column grains) gives the worker a share.
    const model = randomRbm(100, 72, 8, 0.3, 0.3);
    const one = new RbmEngine(model, { threads: 1 });
    const two = new RbmEngine(model, { threads: 2 });
    expect([one.threads, two.threads]).toEqual([1, 2]);
    try {
      for (const o of [{ k: 2, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, persistent: false }, { k: 1, learningRate: 0.1, momentum: 0.5, weightDecay: 0, persistent: true }]) {
        const r1 = new Rng(3);
        const r2 = new Rng(3);
        for (let t = 0; t < 4; t++) {
          const b = sampleBernoulli(new Rng(60 + t), new Float64Array((t === 3 ? 7 : 20) * 100).fill(0.3));
          expect(two.cdStep(r2, b, o)).toEqual(one.cdStep(r1, b, o));
        }
      }
      expect(Array.from(two.snapshot().W)).toEqual(Array.from(one.snapshot().W));
      expect(Array.from(two.velocity().W)).toEqual(Array.from(one.velocity().W));
      const v = sampleBernoulli(new Rng(1), new Float64Array(50 * 100).fill(0.4));
      expect(Array.from(two.freeEnergy(v))).toEqual(Array.from(one.freeEnergy(v)));
      const betas = Float64Array.from({ length: 101 }, (_, i) => i / 100);
      const base = new Float64Array(100).fill(-1);
      expect(Array.from(two.aisWeights(new Rng(5), 30, betas, base).logWeights)).toEqual(Array.from(one.aisWeights(new Rng(5), 30, betas, base).logWeights));
    } finally {
      two.dispose();
    }
  });
});
