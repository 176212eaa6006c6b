import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdGenerator, createRbmTraining, DEFAULT_CONFIG, rbmPipeline, streams, testLogLik, type RbmConfig, type RbmData } from '../../pipelines/rbm.ts';
import { subset } from '../../src/data/imageDataset.ts';
import { loadShippedDigits } from '../../src/data/shippedDigits.ts';
import { rbmFrom } from '../../src/energy/rbm.ts';
import type { MetricRecord, ScalarsRecord } from '../../src/metrics/records.ts';

const first = (n: number) => Array.from({ length: n }, (_, i) => i);
let data: RbmData;
const dir = mkdtempSync(join(tmpdir(), 'rbm-pipeline-'));
beforeAll(() => {
  const digits = loadShippedDigits();
  data = { train: subset(digits.train, first(256)), test: subset(digits.test, first(100)) };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small run: 10 hidden units (exact log Z by enumeration), 4 updates per epoch, AIS from the RBM's own visible biases. */
const tiny: RbmConfig = { ...DEFAULT_CONFIG, hidden: 10, epochs: 2, batch: 64, testSubset: 50, aisBase: 'visible-bias', aisRuns: 20, aisBetas: 50, finalAisRuns: 20, finalAisBetas: 200, figuresEvery: 0, chains: 2, chainSweeps: 5 };

async function train(config: RbmConfig, options: { resume?: string; dir?: string; onFigure?: (name: string) => void } = {}) {
  const training = createRbmTraining(config, 784, options.resume);
  const records: MetricRecord[] = [];
  await new Promise<void>((resolve, reject) => rbmPipeline(config, data, training, { dir: options.dir, onFigure: options.onFigure }).subscribe({ next: (r) => records.push(r), error: reject, complete: resolve }));
  return { records, training };
}

const scalars = (rs: MetricRecord[]) => rs.filter((r): r is ScalarsRecord => r.kind === 'scalars');
/** Everything but wall-clock times. */
const numbers = (rs: MetricRecord[]) => rs.map((r) => {
  if (r.kind === 'scalars') {
    const { train_seconds: _t, eval_seconds: _e, ...values } = r.values;
    return { step: r.step, values };
  }
  if (r.kind === 'row') {
    const { seconds: _s, ...row } = r.row as Record<string, unknown>;
    return { table: r.table, row };
  }
  return r;
});

describe('rbm pipeline', () => {
  it('gives the same numbers for the same seed; epochs are scalars at the CD update; AIS agrees with the exact log Z', async () => {
    const a = await train(tiny);
    const b = await train(tiny);
    expect(numbers(b.records)).toEqual(numbers(a.records));
    expect(Array.from(b.training.state.model.W)).toEqual(Array.from(a.training.state.model.W));
    const s = scalars(a.records);
    expect(s.map((r) => [r.step, r.values.epoch])).toEqual([[4, 1], [8, 2]]);
    for (const r of s) {
      const v = r.values;
      for (const key of ['loss', 'reconstruction_error', 'pseudo_loglik', 'log_z', 'log_z_se', 'test_loglik', 'test_loglik_se', 'log_z_exact', 'test_loglik_exact']) expect(Number.isFinite(v[key]), key).toBe(true);
      expect(v.test_records).toBe(50);
      // AIS on a 10-hidden RBM: within a few SE of the enumeration (and an SE > 0).
      expect(v.log_z_se).toBeGreaterThan(0);
      expect(Math.abs(v.log_z - v.log_z_exact)).toBeLessThan(Math.max(4 * v.log_z_se, 0.05));
      expect(Math.abs(v.test_loglik - v.test_loglik_exact)).toBeCloseTo(Math.abs(v.log_z - v.log_z_exact), 8);
      expect(v.test_loglik).toBeLessThan(0);
      expect(v.pseudo_loglik).toBeLessThan(0);
    }
    expect(s[1].values.reconstruction_error).toBeLessThan(s[0].values.reconstruction_error);
    const final = a.records.flatMap((r) => (r.kind === 'row' && r.table === 'final' ? [r.row as Record<string, number>] : []));
    expect(final).toHaveLength(1);
    expect(final[0]).toMatchObject({ epoch: 2, ais_betas: 200, ais_runs: 20, test_records: 50 });
    expect(Math.abs(final[0].log_z - final[0].log_z_exact)).toBeLessThan(Math.max(4 * final[0].log_z_se, 0.05));
    const c = await train({ ...tiny, seed: 2, epochs: 1 });
    expect(scalars(c.records)[0].values.loss).not.toBe(s[0].values.loss);
  });

  it('the base-rate base (data) is a stochastic lower bound: log Ẑ ≤ log Z + a few SE, and far below for an early model', async () => {
    const { records } = await train({ ...tiny, epochs: 1, aisBase: 'data', aisBetas: 50, finalAisBetas: 50 });
    const v = scalars(records)[0].values;
    expect(v.log_z).toBeLessThan(v.log_z_exact + 4 * v.log_z_se);
    // The seed's zero visible biases are far from the data's base rate after 4 updates: few distributions miss by many nats.
    expect(v.log_z_exact - v.log_z).toBeGreaterThan(1);
  });

  it('resumes exactly, PCD chains and momentum buffers included: 2 epochs straight = 1 epoch, then 1 more from its checkpoint', async () => {
    const pcd: RbmConfig = { ...tiny, persistent: true, momentum: 0.5, weightDecay: 1e-4, k: 2, aisBetas: 5, finalAisBetas: 5, aisRuns: 4, finalAisRuns: 4, figuresEvery: 1 };
    const straight = await train(pcd);
    const firstDir = join(dir, 'first');
    await train({ ...pcd, epochs: 1 }, { dir: firstDir });
    const checkpoint = join(firstDir, 'checkpoints', 'latest.json');
    for (const f of ['rbm-samples.png', 'rbm-filters.png', 'rbm-chains.png', 'weights.safetensors']) expect(existsSync(join(firstDir, f)), f).toBe(true);
    const resumed = await train(pcd, { resume: checkpoint });
    expect(resumed.training.epoch).toBe(2);
    expect(Array.from(resumed.training.state.model.W)).toEqual(Array.from(straight.training.state.model.W));
    expect(Array.from(resumed.training.state.velocity.W)).toEqual(Array.from(straight.training.state.velocity.W));
    expect(Array.from(resumed.training.state.chains!)).toEqual(Array.from(straight.training.state.chains!));
    expect(numbers(resumed.records)).toEqual(numbers(straight.records).slice(1));
  });

  it('announces each figure to the dashboard hook when it is written, every --figures-every epochs', async () => {
    const announced: string[] = [];
    const figDir = join(dir, 'figures');
    await train({ ...tiny, epochs: 3, figuresEvery: 2, aisBetas: 5, finalAisBetas: 5, aisRuns: 2, finalAisRuns: 2 }, { dir: figDir, onFigure: (name) => {
      expect(existsSync(join(figDir, name)), name).toBe(true);
      announced.push(name);
    } });
    // Epoch 2 (every 2) and epoch 3 (the last).
    const three = ['rbm-samples.png', 'rbm-filters.png', 'rbm-chains.png'];
    expect(announced.sort()).toEqual([...three, ...three].sort());
  });

  it('refuses a checkpoint written with other settings, naming the setting', async () => {
    const other = join(dir, 'other');
    await train({ ...tiny, epochs: 1, aisBetas: 5, finalAisBetas: 5, aisRuns: 2, finalAisRuns: 2 }, { dir: other });
    expect(() => createRbmTraining({ ...tiny, hidden: 17 }, 784, join(other, 'checkpoints', 'latest.json'))).toThrow(/was written with hidden 10, this run has 17; resume with the same settings/);
    expect(() => createRbmTraining(tiny, 784, join(dir, 'nope.json'))).toThrow(/^cannot read checkpoint .*nope\.json/);
  });

  it('gives epoch e its own CD generator, the same whatever came before', () => {
    const s = streams(1);
    expect(cdGenerator(s.cd, 3).state()).toEqual(cdGenerator(s.cd, 3).state());
    expect(cdGenerator(s.cd, 3).state()).not.toEqual(cdGenerator(s.cd, 2).state());
  });

  it('testLogLik adds log Z\'s SE in full to the spread of the images', () => {
    // W = 0, biases 0: F(v) = −hidden · log 2 for every v; log Z = (visible + hidden) log 2.
    const model = rbmFrom({ visible: 4, hidden: 2, W: new Float64Array(8), vBias: new Float64Array(4), hBias: new Float64Array(2) });
    const v = Float32Array.of(0, 1, 0, 1, 1, 1, 1, 1);
    const r = testLogLik(model, v, 6 * Math.LN2, 0.3);
    expect(r.mean).toBeCloseTo(-4 * Math.LN2, 12);
    expect(r.se).toBeCloseTo(0.3, 12);
  });
});
