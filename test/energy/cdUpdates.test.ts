import { describe, expect, it } from 'vitest';
import { firstValueFrom, from, throwError, toArray, concat, of } from 'rxjs';
import { Rng } from '../../src/random/rng.ts';
import { cdUpdates } from '../../src/energy/cdUpdates.ts';
import { cdInit, cdStep } from '../../src/energy/contrastiveDivergence.ts';
import { createRbm, sampleBernoulli } from '../../src/energy/rbm.ts';
import { randomRbm } from './helpers.ts';

describe('cdUpdates', () => {
  const batches = Array.from({ length: 5 }, (_, t) => ({ images: sampleBernoulli(new Rng(100 + t), new Float64Array(3 * 6).fill(0.4)) }));

  it('emits one update per batch, equal to a cdStep loop, the same on every subscription', async () => {
    const init = cdInit(randomRbm(6, 3, 1, 0.3, 0.2));
    const op = cdUpdates(init, new Rng(7), { k: 2, momentum: 0.5, engine: 'js' });
    const a = await firstValueFrom(from(batches).pipe(op, toArray()));
    const b = await firstValueFrom(from(batches).pipe(op, toArray()));
    expect(a.map((u) => u.step)).toEqual([0, 1, 2, 3, 4]);
    expect(a.map((u) => u.info.loss)).toEqual(b.map((u) => u.info.loss));
    // The operator forks once at call time; replay that child by hand.
    const r = new Rng(7);
    const local = Rng.fromState(r.fork().state());
    let s = init;
    for (const x of batches) s = cdStep(local, s, x.images, { k: 2, momentum: 0.5 }).state;
    expect(a[4].state.model.W).toEqual(s.model.W);
  });

  it('routes errors: a bad batch and a source error both end the stream with the error', async () => {
    const op = cdUpdates(cdInit(randomRbm(6, 3, 1)), new Rng(0));
    await expect(firstValueFrom(of({ images: new Float64Array(5) }).pipe(op))).rejects.toThrow(/cdStep: batch must have shape \[batch, 6\]/);
    await expect(firstValueFrom(concat(from(batches.slice(0, 1)), throwError(() => new Error('boom'))).pipe(op, toArray()))).rejects.toThrow('boom');
  });

  it("runs one CD-1 update at the seed's size (784 × 500, batch 64)", () => {
    const rng = new Rng(0);
    const s = cdInit(createRbm(784, 500, rng));
    const images = sampleBernoulli(rng, new Float64Array(64 * 784).fill(0.13));
    const { state, info } = cdStep(rng, s, images, { k: 1, learningRate: 0.1 });
    expect(state.model.W.length).toBe(500 * 784);
    expect(Number.isFinite(info.loss)).toBe(true);
    expect(info.negative.length).toBe(64 * 784);
    expect(info.reconstructionError).toBeGreaterThan(0);
  });
});
