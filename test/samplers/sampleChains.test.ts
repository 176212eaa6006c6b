import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { hmc } from '../../src/samplers/hmc.ts';
import type { Kernel, KernelInfo, KernelState } from '../../src/samplers/kernel.ts';
import type { KernelParams } from '../../src/samplers/kernelParams.ts';
import { nuts } from '../../src/samplers/nuts.ts';
import { runChains, sampleChains, type ChainsDraw, type SampleChainsOptions } from '../../src/samplers/sampleChains.ts';
import { gaussian2 } from './targets.ts';

const g = gaussian2(1, 2, 0.9);
const inits = () => [new Float64Array([0, 0]), new Float64Array([1, 1]), new Float64Array([-1, 0.5])];
const options = (seed: number, extra: Partial<SampleChainsOptions<KernelState, KernelInfo>> = {}) => ({
  makeKernel: (p: KernelParams) => nuts(g.target, p),
  initialPositions: inits(),
  warmup: 60,
  draws: 40,
  adapt: true,
  params: { stepSize: 0.5 },
  rng: new Rng(seed),
  adaptation: { target: g.target },
  ...extra,
});
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('sampleChains', () => {
  it('emits one draw per iteration, warm-up first and flagged, then completes', async () => {
    const draws = await lastValueFrom(sampleChains(options(1)).pipe(toArray()));
    expect(draws.length).toBe(100);
    expect(draws.map((d) => d.iteration)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(draws.filter((d) => d.phase === 'warmup').map((d) => d.iteration)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const d of draws) {
      expect(d.positions.length).toBe(3 * 2);
      expect(d.infos.length).toBe(3);
      expect(d.params.length).toBe(3);
    }
    // Adaptation moves the step size during warm-up; sampling then runs with fixed parameters.
    const sampling = draws.filter((d) => d.phase === 'sampling');
    expect(new Set(draws.slice(0, 60).map((d) => d.params[0].stepSize)).size).toBeGreaterThan(10);
    expect(new Set(sampling.map((d) => d.params[0].stepSize)).size).toBe(1);
    // The first sampling row of each chain comes from its kept state, not a copy shared between chains.
    expect(sampling[0].positions.subarray(0, 2)).not.toEqual(sampling[0].positions.subarray(2, 4));
  });

  it('is reproducible: same seed, same draws — per subscription, per call and in runChains', async () => {
    const collect = (d: ChainsDraw[]) => d.map((x) => Array.from(x.positions));
    const stream = sampleChains(options(7));
    const a = collect(await lastValueFrom(stream.pipe(toArray())));
    const b = collect(await lastValueFrom(stream.pipe(toArray())));
    const c = collect(await lastValueFrom(sampleChains(options(7)).pipe(toArray())));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    const run = runChains(options(7));
    const rows = [...a.slice(0, 60).map((r, i) => [r, run.warmupDraws, i] as const), ...a.slice(60).map((r, i) => [r, run.draws, i] as const)];
    for (const [row, perChain, i] of rows) for (let ch = 0; ch < 3; ch++) {
      expect(Array.from(perChain[ch].subarray(2 * i, 2 * i + 2))).toEqual(row.slice(2 * ch, 2 * ch + 2));
    }
    // A different seed gives different draws, and chains are not copies of each other.
    const d = collect(await lastValueFrom(sampleChains(options(8)).pipe(toArray())));
    expect(d).not.toEqual(a);
    expect(run.draws[0]).not.toEqual(run.draws[1]);
  });

  it('advances the caller rng once per call, not per subscription', () => {
    const rng = new Rng(3);
    const before = rng.state();
    const stream = sampleChains({ ...options(0), rng });
    const after = rng.state();
    expect(after).not.toEqual(before);
    stream.subscribe().unsubscribe();
    expect(rng.state()).toEqual(after);
  });

  it('yields to the event loop between chunks and stops within one chunk on unsubscribe', async () => {
    let steps = 0;
    const slow = (p: KernelParams): Kernel<KernelState, KernelInfo> => {
      const inner = hmc(g.target, { ...p, numSteps: 5 });
      return {
        init: (x) => inner.init(x),
        step: (rng, state) => {
          steps++;
          const until = performance.now() + 0.2;
          while (performance.now() < until);
          return inner.step(rng, state as never);
        },
      };
    };
    const seen: number[] = [];
    let ticks = 0;
    const sub = sampleChains({ ...options(2), makeKernel: slow, initialPositions: [new Float64Array([0, 0])], warmup: 0, draws: 100_000, adapt: false, chunkMs: 5 })
      .subscribe((d) => seen.push(d.iteration));
    // subscribe() returned before any work: the first chunk is scheduled.
    expect(seen.length).toBe(0);
    while (seen.length < 50) {
      await immediate();
      ticks++;
    }
    // Other callbacks ran between chunks (one chunk is ~5 ms ≈ 25 slow steps).
    expect(ticks).toBeGreaterThan(1);
    sub.unsubscribe();
    const stepsAtStop = steps;
    for (let i = 0; i < 5; i++) await immediate();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(steps).toBe(stepsAtStop);
    expect(seen.length).toBeLessThan(100_000);
  });

  it('stops as soon as a downstream take() is satisfied, mid-chunk', async () => {
    let steps = 0;
    const counting = (p: KernelParams) => {
      const inner = nuts(g.target, p);
      return { init: inner.init, step: (rng: Rng, s: KernelState) => { steps++; return inner.step(rng, s as never); } };
    };
    const first = await lastValueFrom(sampleChains({ ...options(4), makeKernel: counting, initialPositions: [new Float64Array([0, 0])], warmup: 0, draws: 1_000_000, adapt: false }).pipe(take(3), toArray()));
    expect(first.map((d) => d.iteration)).toEqual([0, 1, 2]);
    await immediate();
    expect(steps).toBe(3);
  });

  it('thins each phase from its first iteration', async () => {
    const draws = await lastValueFrom(sampleChains(options(5, { thin: 7 })).pipe(toArray()));
    expect(draws.map((d) => d.iteration)).toEqual([0, 7, 14, 21, 28, 35, 42, 49, 56, 60, 67, 74, 81, 88, 95]);
    const run = runChains(options(5, { thin: 7 }));
    expect(run.draws[0].length).toBe(Math.ceil(40 / 7) * 2);
    expect(run.warmupInfos[0].length).toBe(Math.ceil(60 / 7));
  });

  it('errors the stream when a kernel throws, and validates options at call time', async () => {
    const failing = (p: KernelParams) => {
      const inner = nuts(g.target, p);
      let n = 0;
      return { init: inner.init, step: (rng: Rng, s: KernelState) => { if (++n > 5) throw new Error('boom'); return inner.step(rng, s as never); } };
    };
    await expect(lastValueFrom(sampleChains({ ...options(1), makeKernel: failing, adapt: false }))).rejects.toThrow('boom');
    expect(() => sampleChains({ ...options(1), warmup: -1 })).toThrow(/sampleChains: warmup must be an integer ≥ 0 \(got -1\)/);
    expect(() => sampleChains({ ...options(1), initialPositions: [] })).toThrow(/initialPositions must hold one Float64Array per chain/);
    expect(() => sampleChains({ ...options(1), initialPositions: [new Float64Array([0, 0]), new Float64Array([1])] })).toThrow(/initialPositions\[1\]: position must have length dim = 2/);
    expect(() => runChains({ ...options(1), thin: 0 })).toThrow(/runChains: thin must be an integer ≥ 1/);
    expect(() => sampleChains({ ...options(1), params: { stepSize: 0.1, inverseMassDiag: [1, 0] } })).toThrow(/inverseMassDiag entries must be finite and > 0/);
    const first = await firstValueFrom(sampleChains({ ...options(1), warmup: 0, draws: 1 }));
    expect(first.phase).toBe('sampling');
  });
});
