import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageVae, DEFAULT_CONFIG, imageVaePipeline, type ImageVaeConfig, type ImageVaeData } from '../../pipelines/image-vae.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { subset } from '../../src/data/imageDataset.ts';
import { loadShippedDigits } from '../../src/data/shippedDigits.ts';
import type { MetricRecord, ScalarsRecord } from '../../src/metrics/records.ts';

const first = (n: number) => Array.from({ length: n }, (_, i) => i);
let data: ImageVaeData;
let before = 0;
const dir = mkdtempSync(join(tmpdir(), 'image-vae-pipeline-'));
beforeAll(async () => {
  await selectBackend('wasm');
  const digits = loadShippedDigits();
  data = { train: subset(digits.train, first(300)), test: subset(digits.test, first(60)) };
  before = tf.memory().numTensors;
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(before);
  rmSync(dir, { recursive: true, force: true });
});

/** A small MLP VAE run: 5 steps per epoch, L_1 and L_10 every epoch, L_20 at the end. */
const tiny: ImageVaeConfig = { ...DEFAULT_CONFIG, trainSubset: 300, batch: 64, epochs: 3, evalK: [1, 10], testSubset: 8, finalK: 20, finalSubset: 4, figuresEvery: 0 };

async function train(config: ImageVaeConfig, options: { resume?: string; dir?: string; onScalars?: () => void } = {}) {
  const model = createImageVae(config, data.test, options.resume);
  const records: MetricRecord[] = [];
  await new Promise<void>((resolve, reject) =>
    imageVaePipeline(config, data, model, { dir: options.dir }).subscribe({
      next: (r) => {
        records.push(r);
        if (r.kind === 'scalars') options.onScalars?.();
      },
      error: reject,
      complete: resolve,
    }),
  );
  const weights = [model.encoder, model.decoder].flatMap((m) => m.namedVariables()).map(([n, v]) => [n, Array.from(v.dataSync())] as const);
  model.dispose();
  return { records, weights };
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
    return { table: r.table, row: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v])) };
  }
  return r;
});

describe('image-vae pipeline', () => {
  it('gives the same numbers for the same seed and others for another seed; epochs are scalars at the optimiser step', async () => {
    const a = await train(tiny);
    const b = await train(tiny);
    expect(numbers(b.records)).toEqual(numbers(a.records));
    expect(b.weights).toEqual(a.weights);
    const s = scalars(a.records);
    expect(s.map((r) => [r.step, r.values.epoch])).toEqual([[5, 1], [10, 2], [15, 3]]);
    for (const r of s) {
      expect(r.values.test_nll_10).toBeLessThanOrEqual(r.values.test_nll_1); // nested groups: exact
      expect(r.values.test_nll).toBe(r.values.test_nll_10);
      expect(r.values.iwae_k).toBe(10);
      expect(r.values.test_records).toBe(8);
      expect(r.values.loss).toBeCloseTo(r.values.reconstruction + r.values.kl, 2); // float32 sums
    }
    expect(s[2].values.loss).toBeLessThan(s[0].values.loss);
    const nll = a.records.flatMap((r) => (r.kind === 'row' && r.table === 'test_nll' ? [r.row] : []));
    expect(nll.map((r) => r.k)).toEqual([1, 10, 20]);
    expect(nll.map((r) => r.records)).toEqual([4, 4, 4]);
    expect(nll[2].nll as number).toBeLessThanOrEqual(nll[1].nll as number);
    expect(nll[1].nll as number).toBeLessThanOrEqual(nll[0].nll as number);
    const latents = a.records.flatMap((r) => (r.kind === 'row' && r.table === 'latents' ? [r.row] : []));
    expect(latents).toHaveLength(60);
    expect((latents[3].mu as Float32Array).length).toBe(2);
    expect(latents.map((r) => r.label).slice(0, 10)).toEqual(first(10)); // the shipped test set interleaves the classes
    const c = await train({ ...tiny, seed: 2 });
    expect(scalars(c.records)[0].values.loss).not.toBe(s[0].values.loss);
  });

  it('keeps tf.memory().numTensors flat across epochs, with the IWAE objective too, and frees everything on dispose', async () => {
    for (const config of [tiny, { ...tiny, objective: 'iwae' as const, k: 3 }, { ...tiny, model: 'mlp8' as const, latent: 8, likelihood: 'normal' as const }]) {
      const counts: number[] = [];
      const { records } = await train({ ...config, epochs: 4 }, { onScalars: () => counts.push(tf.memory().numTensors) });
      expect(counts).toHaveLength(4);
      expect(new Set(counts).size).toBe(1);
      expect(scalars(records).every((r) => Number.isFinite(r.values.loss) && Number.isFinite(r.values.kl))).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('resumes exactly: 3 epochs straight = 1 epoch, then 2 more from its checkpoint', async () => {
    const straight = await train(tiny);
    const firstDir = join(dir, 'first');
    await train({ ...tiny, epochs: 1 }, { dir: firstDir });
    const checkpoint = join(firstDir, 'checkpoints', 'latest.json');
    expect(existsSync(checkpoint)).toBe(true);
    for (const f of ['samples.png', 'reconstructions.png', 'latents.png', 'traversal.png', 'weights.safetensors']) expect(existsSync(join(firstDir, f)), f).toBe(true);
    const resumed = await train(tiny, { resume: checkpoint });
    expect(resumed.weights).toEqual(straight.weights);
    expect(numbers(resumed.records)).toEqual(numbers(straight.records).slice(1));
  });

  it('refuses a checkpoint written with other settings, naming the setting', async () => {
    const other = join(dir, 'other');
    await train({ ...tiny, epochs: 1 }, { dir: other });
    expect(() => createImageVae({ ...tiny, latent: 3 }, data.test, join(other, 'checkpoints', 'latest.json'))).toThrow(/was written with latent 2, this run has 3; resume with the same settings/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
