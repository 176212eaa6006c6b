import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import type { HistogramRecord, MetricRecord, ScalarsRecord } from '../../src/metrics/records.ts';
import { createModel, DEFAULT_CONFIG, emergentClassicality, type EmergentClassicalityConfig } from '../../pipelines/emergent-classicality.ts';

const scalars = (rs: MetricRecord[]) => rs.filter((r): r is ScalarsRecord => r.kind === 'scalars');

async function train(config: EmergentClassicalityConfig, options: { resumeFrom?: string; checkpointDir?: string; onRecord?: (r: MetricRecord) => void } = {}) {
  const model = createModel(config, options.resumeFrom);
  const records: MetricRecord[] = [];
  await lastValueFrom(emergentClassicality(config, model, { checkpointDir: options.checkpointDir }).pipe(toArray())).then((rs) => {
    rs.forEach((r) => { records.push(r); options.onRecord?.(r); });
  });
  const weights = model.encoder.namedVariables().concat(model.decoder.namedVariables()).map(([n, v]) => [n, Array.from(v.dataSync())] as const);
  model.dispose();
  return { records, weights };
}

const dir = mkdtempSync(join(tmpdir(), 'ec-test-'));
beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('emergent-classicality pipeline', () => {
  it('keeps tf.memory().numTensors flat over 300 steps and frees everything on dispose', async () => {
    const config: EmergentClassicalityConfig = { ...DEFAULT_CONFIG, scheme: 'fixed', qubits: 16, batch: 8, steps: 300, every: 25, evalRecords: 40, checkpointEvery: 0 };
    const start = tf.memory().numTensors;
    const model = createModel(config);
    const counts: number[] = [];
    await new Promise<void>((resolve, reject) =>
      emergentClassicality(config, model).subscribe({
        next: (r) => { if (r.kind === 'scalars') counts.push(tf.memory().numTensors); },
        error: reject,
        complete: resolve,
      }),
    );
    expect(counts.length).toBe(12);
    expect(new Set(counts).size).toBe(1);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('spans the magnetisation histogram by the exact spread: ±(|E M| + 5 sd), so its mass is not squeezed', async () => {
    const config: EmergentClassicalityConfig = { ...DEFAULT_CONFIG, steps: 2, every: 2, evalRecords: 500, checkpointEvery: 0 };
    const { records } = await train(config);
    const h = records.find((r): r is HistogramRecord => r.kind === 'histogram' && r.tag === 'magnetisation')!;
    // Random axis, ε 0.2, N 200: Var M = 3/200 + (199/200)·tanh²0.2 → 5 sd = 1.125 → ±1.2.
    expect(h.edges[0]).toBeCloseTo(-1.2, 12);
    expect(h.edges.at(-1)).toBeCloseTo(1.2, 12);
    const total = h.counts.reduce((a, b) => a + b, 0);
    expect(total).toBe(500);
    expect((h.counts[0] + h.counts.at(-1)!) / total).toBeLessThan(0.01);
  });

  it('learns the seed\'s polarisation–magnetisation relation (random axis, ε = 0.3, N = 100)', async () => {
    const config: EmergentClassicalityConfig = { ...DEFAULT_CONFIG, scheme: 'random', epsilon: 0.3, qubits: 100, batch: 50, steps: 300, every: 25, evalRecords: 400, reg: 'tanh:100', checkpointEvery: 0, seed: 3 };
    const s = scalars((await train(config)).records);
    const first = s[0].values, last = s.slice(-3).map((r) => r.values);
    // The ELBO gap (loss − exact NLL of the same batch) removes the batch-to-batch noise of the loss itself.
    const lastGap = last.reduce((a, v) => a + v.elbo_gap, 0) / last.length;
    expect(lastGap).toBeLessThan(first.elbo_gap);
    expect(lastGap).toBeGreaterThan(-0.5); // a variational bound: the gap cannot go far below 0 at reg ≈ 1
    // m(μ_z) follows 3⟨x₃⟩ on fresh records.
    expect(s.at(-1)!.values.m_mag_corr).toBeGreaterThan(0.8);
    expect(s.at(-1)!.values.m_mag_slope).toBeGreaterThan(0);
  });

  it('with reg = 0 the latent width σ_z collapses toward 0, as the seed warns', async () => {
    const base: EmergentClassicalityConfig = { ...DEFAULT_CONFIG, scheme: 'random', epsilon: 0.3, qubits: 100, batch: 50, steps: 300, every: 100, evalRecords: 200, checkpointEvery: 0, seed: 3 };
    const free = scalars((await train({ ...base, reg: '0' })).records).at(-1)!.values;
    const regularised = scalars((await train({ ...base, reg: '1' })).records).at(-1)!.values;
    expect(free.latent_fluctuation).toBeLessThan(0.5 * regularised.latent_fluctuation);
    expect(free.kl).toBeGreaterThan(regularised.kl);
  });

  it('resumes from a checkpoint with results identical to an uninterrupted run', async () => {
    const config: EmergentClassicalityConfig = { ...DEFAULT_CONFIG, scheme: 'fixed', qubits: 12, batch: 8, steps: 40, every: 10, evalRecords: 30, checkpointEvery: 20, seed: 5 };
    const full = await train(config);
    const ckdir = join(dir, 'ck');
    await train({ ...config, steps: 20 }, { checkpointDir: ckdir });
    const resumed = await train(config, { resumeFrom: join(ckdir, 'step-000020.json') });
    expect(resumed.weights).toEqual(full.weights);
    const strip = (r: ScalarsRecord) => { const { elapsed_s: _e, ...v } = r.values; return [r.step, v]; };
    expect(scalars(resumed.records).map(strip)).toEqual(scalars(full.records).filter((r) => r.step > 20).map(strip));
  });
});
