import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import type { MetricRecord, ScalarsRecord, TableRowRecord } from '../../src/metrics/records.ts';
import { createMultiSystemModel, DEFAULT_MULTI_SYSTEM_CONFIG, multiSystem, type MultiSystemConfig } from '../../pipelines/multi-system.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const scalars = (rs: MetricRecord[]) => rs.filter((r): r is ScalarsRecord => r.kind === 'scalars');
const withoutClock = (r: ScalarsRecord) => { const { elapsed_s: _, ...v } = r.values; return v; };

/** Trains and returns the records and tf.memory().numTensors before the model and after its dispose. */
async function train(config: MultiSystemConfig) {
  const start = tf.memory().numTensors;
  const model = createMultiSystemModel(config);
  const records = await lastValueFrom(multiSystem(config, model).pipe(toArray()));
  model.dispose();
  return { records, start, end: tf.memory().numTensors };
}

// Two system qubits, N = 20 ancillas at ε = 1 (10 per bit).
const config: MultiSystemConfig = { ...DEFAULT_MULTI_SYSTEM_CONFIG, epsilon: 1.0, qubits: 20, steps: 300, every: 100, evalRecords: 500, checkpointEvery: 0, seed: 6 };

describe('multi-system pipeline (issue 15, several system qubits)', () => {
  it('discovers the two bits and which ancilla belongs to which; an untrained model does not', async () => {
    const untrained = scalars((await train({ ...config, steps: 1, every: 1 })).records)[0].values;
    const run = await train(config);
    const s = scalars(run.records);
    expect(s.map((r) => r.step)).toEqual([100, 200, 300]);
    const last = s.at(-1)!.values;
    // Measured (seed 6): after one step accuracy 0.6 and share 0.45 (μ_z follows the total magnetisation,
    // which carries some of both bits); after 300 steps accuracy 1, share 0.92, per bit 0.65 and 0.61 of
    // I(s_k; x) = 0.689 nats. Discovery is a saddle escape and depends on the seed (2 of seeds 1–6 by step
    // 400 at this ε), so the seed is pinned.
    expect(untrained.assignment_accuracy).toBeLessThanOrEqual(0.75);
    expect(untrained.bit_info_share).toBeLessThan(0.6);
    expect(last.assignment_accuracy).toBeGreaterThanOrEqual(0.9);
    expect(last.bit_info_share).toBeGreaterThan(0.85);
    for (const k of [0, 1]) expect(last[`bit_info_latent_${k}`]).toBeGreaterThan(0.8 * last.bit_info_exact);
    for (const r of s) {
      expect(r.values.bit_info_exact).toBeCloseTo(s[0].values.bit_info_exact, 12);
      expect(r.values.elbo_gap).toBeCloseTo(r.values.loss - r.values.nll_exact, 9);
    }
    const rows = run.records.filter((r): r is TableRowRecord => r.kind === 'row' && r.table === 'assignment');
    expect(rows.map((r) => r.row.qubit)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(rows.map((r) => r.row.system)).toEqual(Array.from({ length: 20 }, (_, i) => i % 2));
    const correct = rows.filter((r) => r.row.predicted_system === r.row.system).length / rows.length;
    expect(correct).toBeCloseTo(last.assignment_accuracy, 12);
    // No tensor leaks: the count after the run is back to where it started, once the model is disposed.
    expect(run.end).toBe(run.start);

    const again = scalars((await train(config)).records);
    expect(again.map(withoutClock)).toEqual(s.map(withoutClock));
  }, 60_000);

  it('keeps tf.memory().numTensors flat across the run', async () => {
    const c: MultiSystemConfig = { ...config, steps: 60, every: 10, evalRecords: 40 };
    const model = createMultiSystemModel(c);
    const counts: number[] = [];
    await new Promise<void>((resolve, reject) =>
      multiSystem(c, model).subscribe({
        next: (r) => { if (r.kind === 'scalars') counts.push(tf.memory().numTensors); },
        error: reject,
        complete: resolve,
      }),
    );
    expect(counts.length).toBe(6);
    expect(new Set(counts).size).toBe(1);
    model.dispose();
  });

  it('rejects a latent dimension below the number of system qubits', () => {
    expect(() => createMultiSystemModel({ ...config, latent: 1 })).toThrow(/latent must be an integer ≥ systems = 2 \(got 1\)/);
  });
});
