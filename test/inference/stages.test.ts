import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { planarFlow, realNvpFlow } from '../../src/flows/factories.ts';
import { fitFlow } from '../../src/inference/fitFlow.ts';
import type { ExactReference } from '../../src/inference/reference.ts';
import { doublingSchedule, refineWithMcmc } from '../../src/inference/refineWithMcmc.ts';
import { runMcmc } from '../../src/inference/runMcmc.ts';
import { StageClock } from '../../src/inference/stageClock.ts';
import { bananaFigures } from '../../src/inference/bananaFigures.ts';
import type { MetricRecord, ScalarsRecord, TableRowRecord } from '../../src/metrics/records.ts';
import { Rng } from '../../src/random/rng.ts';
import { BananaPosterior, generateBananaData } from '../../src/targets/banana.ts';
import { bananaExact } from '../../src/targets/bananaExact.ts';
import { bananaGrid } from '../../src/targets/posteriorGrid.ts';
import { parseXml } from '../views/plots/parseXml.ts';

let before = 0;
let target: BananaPosterior;
let ref: ExactReference;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
  target = new BananaPosterior({ y: generateBananaData(100, new Rng(3)) });
  const exact = bananaExact(target);
  ref = { logEvidence: exact.logEvidence, exact, grid: bananaGrid(target, { exact }) };
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

const rows = (records: MetricRecord[], table: string) => records.filter((r): r is TableRowRecord => r.kind === 'row' && r.table === table).map((r) => r.row as Record<string, number | string>);
const scalars = (records: MetricRecord[]) => records.filter((r): r is ScalarsRecord => r.kind === 'scalars');

const flowOptions = { steps: 120, batch: 128, lr: 1e-2, every: 30, evalSamples: 2048, iwaeKs: [1, 10, 100], iwaeEvery: 0, iwaeSamples: 20_000, samples: 300, seed: 5 };

describe('fitFlow: a flow method as a stage', () => {
  it('trains, scores with the exact evidence, and frees every tensor it made', async () => {
    const flow = realNvpFlow(2, 3, new Rng(1));
    const tensors = tf.memory().numTensors;
    const clock = new StageClock();
    const records = await lastValueFrom(fitFlow(flow, target, ref, clock, { name: 'realnvp', ...flowOptions }).pipe(toArray()));
    expect(tf.memory().numTensors).toBe(tensors); // the optimiser's moments are freed with the stage
    expect(clock.now).toBe(120);
    const s = scalars(records);
    expect(s.map((r) => r.values.iteration)).toEqual([1, 30, 60, 90, 120]);
    expect(s.map((r) => r.step)).toEqual([0, 29, 59, 89, 119]);
    // KL = log p(y) − ELBO is a KL: never below zero beyond its Monte Carlo error, and training lowers it.
    for (const r of s) expect(r.values.realnvp_kl).toBeGreaterThan(-4 * r.values.realnvp_elbo_se);
    expect(s.at(-1)!.values.realnvp_kl).toBeLessThan(s[0].values.realnvp_kl / 3);
    const [summary] = rows(records, 'summary');
    expect(summary.method).toBe('realnvp');
    expect(summary.kl_q_p as number).toBeGreaterThan(-4 * (summary.kl_q_p_se as number));
    // Seed 003 problem 2: L_1 ≤ L_10 ≤ L_100 ≤ log p(y), each within its error.
    const iwae = rows(records, 'iwae');
    expect(iwae.map((r) => r.k)).toEqual([1, 10, 100]);
    for (let i = 1; i < iwae.length; i++) expect((iwae[i].estimate as number) + 3 * (iwae[i].se as number) + 3 * (iwae[i - 1].se as number)).toBeGreaterThan(iwae[i - 1].estimate as number);
    for (const r of iwae) expect((r.estimate as number) - 4 * (r.se as number)).toBeLessThan(ref.logEvidence);
    expect(Math.abs((iwae[0].estimate as number) - (summary.elbo as number))).toBeLessThan(5 * (summary.elbo_se as number) + 5 * (iwae[0].se as number));
    const samples = rows(records, 'samples');
    expect(samples).toHaveLength(300);
    expect(samples.every((r) => Number.isFinite(r.log_q as number) && r.method === 'realnvp')).toBe(true);
    flow.dispose();
  });
});

describe('runMcmc: a sampler as a stage', () => {
  const options = { chains: 3, warmup: 300, draws: 400, leapfrogSteps: 30, stepSize: 0.05, adapt: true, maxTreeDepth: 10, every: 50, seed: 9, priorScale: 1 };

  it('streams diagnostics, keeps every draw, and reproduces itself from its seed', async () => {
    const clock = new StageClock();
    const records = await lastValueFrom(runMcmc('hmc', target, ref, clock, options).pipe(toArray()));
    expect(clock.now).toBe(700);
    const [summary] = rows(records, 'summary');
    expect(summary).toMatchObject({ method: 'hmc', kind: 'mcmc', chains: 3, draws: 400 });
    expect(summary.r_hat_max as number).toBeLessThan(1.05);
    expect(summary.ess_bulk_min as number).toBeGreaterThan(100);
    // The moments of 1200 draws agree with the exact ones within a few Monte Carlo errors (ESS-based).
    const sd = Math.sqrt(ref.exact.cov[0][0]);
    expect(Math.abs(summary.mean_theta1_error as number)).toBeLessThan(5 * sd / Math.sqrt(summary.ess_bulk_min as number));
    const samples = rows(records, 'samples');
    expect(samples).toHaveLength(1200);
    expect(new Set(samples.map((r) => r.chain))).toEqual(new Set([0, 1, 2]));
    const again = await lastValueFrom(runMcmc('hmc', target, ref, new StageClock(), options).pipe(toArray()));
    expect(rows(again, 'samples')).toEqual(samples);
  });
});

describe('refineWithMcmc: HMC transitions from a flow move its draws toward the posterior', () => {
  it('schedules distances at 0, 1, 2, 4, … and the last', () => {
    expect(doublingSchedule(32)).toEqual([0, 1, 2, 4, 8, 16, 32]);
    expect(doublingSchedule(5)).toEqual([0, 1, 2, 4, 5]);
    expect(doublingSchedule(1)).toEqual([0, 1]);
  });

  it('lowers the binned KL of an untrained flow to near the floor of exact draws', async () => {
    const flow = planarFlow(2, 2, new Rng(2)); // untrained: far from the banana
    const records = await lastValueFrom(refineWithMcmc([{ name: 'planar', flow }], target, ref, { particles: 2000, transitions: 256, stepSize: 0.05, leapfrogSteps: 30, seed: 4 }).pipe(toArray()));
    const r = rows(records, 'refine');
    expect(r.map((x) => x.transitions)).toEqual([0, 1, 2, 4, 8, 16, 32, 64, 128, 256]);
    const kl = r.map((x) => x.binned_kl as number);
    expect(kl[0]).toBeGreaterThan(1);
    expect(kl.at(-1)!).toBeLessThan(kl[0] / 20);
    // Not monotone sample by sample (each point is a finite cloud), but never far above the running minimum.
    kl.forEach((v, i) => expect(v).toBeLessThan(1.5 * Math.min(...kl.slice(0, i + 1)) + 2 * (r[0].binned_kl_floor as number)));
    expect(kl.at(-1)!).toBeLessThan(3 * (r[0].binned_kl_floor as number));
    // At T = 0 the binned KL is a coarsening of the exact KL of the flow (data processing), up to its small-sample bias.
    expect(kl[0]).toBeLessThan((r[0].kl_exact as number) + 3 * (r[0].binned_kl_floor as number));
    flow.dispose();
  });
});

describe('bananaFigures', () => {
  it('draws every figure of a run from its records, as well-formed SVG', async () => {
    const flow = planarFlow(2, 2, new Rng(2));
    const records = [
      ...(await lastValueFrom(fitFlow(flow, target, ref, new StageClock(), { name: 'planar', ...flowOptions, steps: 20, every: 10 }).pipe(toArray()))),
      ...(await lastValueFrom(runMcmc('nuts', target, ref, new StageClock(), { chains: 2, warmup: 50, draws: 50, leapfrogSteps: 30, stepSize: 0.05, adapt: true, maxTreeDepth: 8, every: 25, seed: 1, priorScale: 1 }).pipe(toArray()))),
      ...(await lastValueFrom(refineWithMcmc([{ name: 'planar', flow }], target, ref, { particles: 200, transitions: 2, stepSize: 0.05, leapfrogSteps: 10, seed: 1 }).pipe(toArray()))),
    ];
    const figures = bananaFigures(records, ref);
    expect([...figures.keys()].sort()).toEqual(['elbo.svg', 'iwae.svg', 'kl.svg', 'refine-w1.svg', 'refine.svg', 'samples.svg', 'trace-nuts.svg']);
    for (const [name, svg] of figures) expect(() => parseXml(svg), name).not.toThrow();
    expect(figures.get('samples.svg')).toContain('NUTS');
    flow.dispose();
  });
});
