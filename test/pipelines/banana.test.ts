import { lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bananaPipeline, createBanana, DEFAULT_CONFIG, totalSteps, type BananaConfig } from '../../pipelines/banana.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import type { MetricRecord } from '../../src/metrics/records.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

const small: BananaConfig = {
  ...DEFAULT_CONFIG,
  steps: 30, every: 15, layers: 2, evalSamples: 256, iwaeSamples: 2000, samples: 50,
  chains: 2, warmup: 40, draws: 40, refineParticles: 100, refineTransitions: 2,
};
const summaries = (records: MetricRecord[]) => records.flatMap((r) => (r.kind === 'row' && r.table === 'summary' ? [r.row] : []));
const strip = (rows: ReturnType<typeof summaries>) => rows.map(({ seconds, steps_per_s, seconds_sampling, ess_per_s, ess_per_s_sampling, ...rest }) => rest);

describe('banana pipeline', () => {
  it('gives the same numbers for the same seed, and frees every tensor', async () => {
    const a = await lastValueFrom(bananaPipeline(createBanana(small)).pipe(toArray()));
    const b = await lastValueFrom(bananaPipeline(createBanana(small)).pipe(toArray()));
    expect(strip(summaries(a)).map((r) => r.method)).toEqual(['planar', 'nice', 'realnvp', 'spline', 'hmc', 'nuts']);
    expect(strip(summaries(b))).toEqual(strip(summaries(a)));
    const c = await lastValueFrom(bananaPipeline(createBanana({ ...small, seed: 2 })).pipe(toArray()));
    expect(strip(summaries(c))).not.toEqual(strip(summaries(a)));
    // The run's clock counts every flow step and MCMC iteration once.
    const steps = a.flatMap((r) => (r.kind === 'scalars' ? [r.step] : []));
    expect(Math.max(...steps)).toBe(totalSteps(small) - 1);
    expect([...steps].sort((x, y) => x - y)).toEqual(steps);
  });

  it('runs any subset of methods, each with the stream it has in the full run', async () => {
    const full = summaries(await lastValueFrom(bananaPipeline(createBanana(small)).pipe(toArray())));
    const alone = summaries(await lastValueFrom(bananaPipeline(createBanana({ ...small, methods: ['hmc'], refineParticles: 0 })).pipe(toArray())));
    expect(strip(alone)).toEqual(strip(full.filter((r) => r.method === 'hmc')));
  });

  it('stops on unsubscribe and frees the flows it made', async () => {
    const firstFew = await lastValueFrom(bananaPipeline(createBanana(small)).pipe(take(120), toArray()));
    expect(firstFew).toHaveLength(120);
  });
});
