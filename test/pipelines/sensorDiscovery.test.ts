import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { main } from '../../src/cli/main.ts';
import type { MetricRecord, ScalarsRecord, TableRowRecord } from '../../src/metrics/records.ts';
import { createModel, DEFAULT_CONFIG, emergentClassicality, type EmergentClassicalityConfig } from '../../pipelines/emergent-classicality.ts';
import { Rng } from '../../src/random/rng.ts';
import { sensorEpsilons } from '../../src/simulators/sensorEpsilons.ts';
import { duck, query } from '../sinks/readBack.ts';

let root: string;
beforeAll(async () => {
  await selectBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'qubit-rx-sensors-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const scalars = (rs: MetricRecord[]) => rs.filter((r): r is ScalarsRecord => r.kind === 'scalars');

// Half of N = 50 fixed-axis sensors dead, the rest at ε = 0.4 (N·mean ε² = 4: the branch is well resolved).
const epsilons = Array.from(sensorEpsilons('dead:0.5@0.4', 50, new Rng(1).fork()));
const base: EmergentClassicalityConfig = { ...DEFAULT_CONFIG, scheme: 'fixed', epsilon: 0.4, epsilons, qubits: 50, steps: 600, every: 200, evalRecords: 300, checkpointEvery: 0 };

async function train(config: EmergentClassicalityConfig): Promise<MetricRecord[]> {
  const model = createModel(config);
  try {
    return await lastValueFrom(emergentClassicality(config, model).pipe(toArray()));
  } finally {
    model.dispose();
  }
}

describe('sensor discovery (issue 15, heterogeneous sensors)', () => {
  it('with a position embedding the encoder learns to listen to the live sensors; the exchangeable encoder cannot', async () => {
    const before = tf.memory().numTensors;
    const learned = await train({ ...base, positions: 2 });
    const exchangeable = await train(base);
    expect(tf.memory().numTensors).toBe(before);
    const last = (rs: MetricRecord[]) => scalars(rs).at(-1)!.values;
    // Measured at step 600: 0.976 (and 0.999 for the decoder's gains) against −0.006 without positions
    // (−0.54 … 0 over the run). Two-valued ε: any increasing profile has correlation 1.
    expect(last(learned).sensor_corr).toBeGreaterThan(0.8);
    expect(last(learned).sensor_gain_corr).toBeGreaterThan(0.8);
    expect(last(learned).sensor_corr_exact).toBeCloseTo(1, 9);
    expect(Math.abs(last(exchangeable).sensor_corr)).toBeLessThan(0.6);
    expect(last(exchangeable).sensor_gain_corr).toBeUndefined();
    // The last step's table: one row per qubit, the dead ones with exact saliency 0.
    const rows = learned.filter((r): r is TableRowRecord => r.kind === 'row' && r.table === 'sensors');
    expect(rows.map((r) => r.row.qubit)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const { row } of rows) {
      expect(row.epsilon).toBe(epsilons[row.qubit as number]);
      if (row.epsilon === 0) expect(row.exact_saliency).toBe(0);
      else expect(row.exact_saliency as number).toBeGreaterThan(2 * Math.tanh(0.4));
    }
  }, 60_000);

  it('a uniform apparatus logs no sensor metrics (they would be undefined)', async () => {
    const rs = await train({ ...base, epsilons: undefined, steps: 40, every: 20 });
    expect(scalars(rs).at(-1)!.values.sensor_corr).toBeUndefined();
    expect(rs.some((r) => r.kind === 'row')).toBe(false);
  });
});

describe('train --epsilons / --positions', () => {
  async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
    return { code: await main(args), stderr };
  }

  it('records the per-qubit ε in run.parquet and writes the sensors table and figure', async () => {
    const out = join(root, 'ok');
    const r = await cli(['train', '--scheme', 'fixed', '--qubits', '12', '--epsilons', 'dead:0.25@0.5', '--positions', '2', '--steps', '20', '--every', '10', '--eval-records', '50', '--out', out, '--backend', 'wasm', '--seed', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('εᵢ from 0 to 0.5 (3 dead), N = 12, position embedding 2');
    const [id] = readdirSync(join(out, 'emergent-classicality'));
    const dir = join(out, 'emergent-classicality', id);
    const expected = Array.from(sensorEpsilons('dead:0.25@0.5', 12, new Rng(3).fork()));
    const db = await duck();
    const [run] = await query(db, `select epsilons, positions from '${join(dir, 'run.parquet')}'`);
    expect(run.epsilons).toBe(expected.join(','));
    expect(run.positions).toBe(2);
    const sensors = await query(db, `select qubit, epsilon from '${join(dir, 'sensors-*.parquet')}' order by qubit`);
    expect(sensors.map((s) => s.epsilon)).toEqual(expected);
    expect(readFileSync(join(dir, 'sensors.svg'), 'utf8')).toContain('encoder saliency');
  }, 30_000);

  it.each([
    [['--epsilons', '0.1,0.2'], /^error: --epsilons: expected N = 12 values/],
    [['--epsilons', '0.1', '--epsilon', '0.2'], /^error: option '--epsilons <spec>' cannot be used with option '--epsilon <ε>'/],
    [['--positions', '0'], /^error: option '--positions <E>' argument '0' is invalid/],
  ])('rejects %j in one line with exit 2', async (extra, message) => {
    const r = await cli(['train', '--qubits', '12', '--steps', '5', '--out', join(root, 'bad'), ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
