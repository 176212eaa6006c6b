import { CommanderError } from 'commander';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, take, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Rng } from '../../src/random/rng.ts';
import { createIsing, DEFAULT_CONFIG, isingPipeline, isingPlots, type IsingConfig } from '../../pipelines/ising.ts';
import type { HistogramRecord, MetricRecord, ScalarsRecord } from '../../src/metrics/records.ts';
import { magnetisationStats } from '../../src/lattice/statmechMetrics.ts';
import { configurationsSvg, lineChartSvg } from '../../src/lattice/plots.ts';
import { isingCommand } from '../../src/cli/commands/ising.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

async function run(config: Partial<IsingConfig>): Promise<{ records: MetricRecord[]; svg: { samples: string; freeEnergy: string | null } }> {
  const setup = createIsing({ ...DEFAULT_CONFIG, ...config });
  const records = await lastValueFrom(isingPipeline(setup).pipe(toArray()));
  const svg = isingPlots(setup, records.filter((r): r is ScalarsRecord => r.kind === 'scalars'), new Rng(1));
  setup.dispose();
  return { records, svg };
}

describe('ising pipeline', () => {
  it('free-energy, L = 3: scalars every k steps with exact references, magnetisation histograms, plots; no tensors left', async () => {
    const before = tf.memory().numTensors;
    const { records, svg } = await run({ objective: 'free-energy', size: 3, beta: 0.3, steps: 40, every: 10, batch: 64, gradVarianceEvery: 20, gradVarianceRepeats: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const scalars = records.filter((r): r is ScalarsRecord => r.kind === 'scalars');
    expect(scalars.map((r) => r.step)).toEqual([10, 20, 30, 40]);
    const v = scalars[3].values;
    for (const key of ['loss', 'free_energy', 'free_energy_exact', 'rel_error', 'energy', 'entropy', 'm', 'abs_m', 'kl_exact', 'kl_estimate', 'mode_balance', 'mode_collapse', 'grad_variance']) {
      expect(Number.isFinite(v[key]), key).toBe(true);
    }
    expect(scalars[0].values.grad_variance).toBeUndefined();
    // F_q ≥ F exactly (enumerated), and the estimate agrees with it within a few standard errors.
    expect(v.free_energy_q_exact).toBeGreaterThanOrEqual(v.free_energy_exact - 1e-6);
    expect(Math.abs(v.free_energy - v.free_energy_q_exact)).toBeLessThan(5 * v.free_energy_stderr + 1e-6);
    const hist = records.filter((r): r is HistogramRecord => r.kind === 'histogram');
    expect(hist).toHaveLength(4);
    expect(hist[0].tag).toBe('magnetisation');
    expect(hist[0].counts.reduce((a, b) => a + b, 0)).toBe(64);
    expect(svg.samples).toContain('<svg');
    expect(svg.freeEnergy).toContain('F exact');
  });

  it('kl-reinforce, N = 4 (Potts q = 3): exact KL, ln λ and correlations stream beside the estimates', async () => {
    const { records } = await run({ objective: 'kl-reinforce', model: 'potts', q: 3, size: 4, beta: 0.8, steps: 20, every: 10, batch: 64 });
    const v = (records.filter((r) => r.kind === 'scalars').at(-1) as ScalarsRecord).values;
    for (const key of ['kl_exact', 'kl_estimate', 'log_lambda', 'log_lambda_exact', 'free_energy', 'free_energy_exact', 'corr_r1', 'corr_exact_r1', 'corr_r2']) {
      expect(Number.isFinite(v[key]), key).toBe(true);
    }
    expect(v.kl_exact).toBeGreaterThanOrEqual(0);
  });

  it('kl-gumbel streams too, and unsubscribing mid-run stops training without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const setup = createIsing({ ...DEFAULT_CONFIG, objective: 'kl-gumbel', size: 4, beta: 0.5, steps: 1000, every: 1, batch: 32 });
    const got = await lastValueFrom(isingPipeline(setup).pipe(take(4), toArray()));
    expect(got.map((r) => r.kind)).toEqual(['scalars', 'histogram', 'scalars', 'histogram']);
    expect(Number.isFinite((got[0] as ScalarsRecord).values.kl_estimate)).toBe(true);
    setup.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('mode-collapse detection', () => {
  const m = new Float64Array(200);
  it('flags a one-sided majority in the ordered phase only', () => {
    expect(magnetisationStats(m, new Int8Array(200).fill(0), 2, true).mode_collapse).toBe(1);
    expect(magnetisationStats(m, new Int8Array(200).fill(0), 2, false).mode_collapse).toBe(0);
    const balanced = Int8Array.from({ length: 200 }, (_, k) => k % 2);
    expect(magnetisationStats(m, balanced, 2, true)).toMatchObject({ mode_balance: 0.5, mode_collapse: 0 });
    // 85 % on one side is lopsided but below the 90 % threshold.
    const lopsided = Int8Array.from({ length: 200 }, (_, k) => (k < 170 ? 0 : 1));
    expect(magnetisationStats(m, lopsided, 2, true).mode_collapse).toBe(0);
  });
});

describe('plots', () => {
  it('draws one rect per site plus a frame per configuration', () => {
    const svg = configurationsSvg(new Uint8Array(2 * 9), { units: 9, q: 2, columns: 3 });
    expect(svg.match(/<rect /g)?.length).toBe(1 + 2 * (9 + 1)); // background + sites + frames
    expect(() => configurationsSvg(new Uint8Array(8), { units: 8, q: 2, columns: 3 })).toThrow(/multiple of columns/);
  });

  it('line chart: one path per series; no finite points is an error', () => {
    const svg = lineChartSvg([{ label: 'a', x: [0, 1, 2], y: [1, 2, 3] }, { label: 'b', x: [0, 2], y: [2, 2], dashed: true }]);
    expect(svg.match(/<path /g)?.length).toBe(2);
    expect(svg).toContain('stroke-dasharray');
    expect(() => lineChartSvg([{ label: 'a', x: [0], y: [NaN] }])).toThrow(/no finite points/);
  });
});

describe('ising command', () => {
  async function parse(args: string[]): Promise<unknown> {
    const cmd = isingCommand().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    try {
      await cmd.parseAsync(args, { from: 'user' });
      return null;
    } catch (err) {
      return err;
    }
  }

  it('rejects out-of-range options with commander errors naming the range', async () => {
    for (const [args, pattern] of [
      [['--beta', '-1'], /expected a number > 0 and ≤ 10, got -1/],
      [['--objective', 'kl'], /expected one of kl-gumbel, kl-reinforce, free-energy/],
      [['--size', '1'], /an integer ≥ 2 and ≤ 64/],
      [['--hidden', '4,x'], /expected none or comma-separated integers/],
      [['--anneal', '1'], /≤ 0.999999/],
    ] as [string[], RegExp][]) {
      const err = await parse(args);
      expect(err).toBeInstanceOf(CommanderError);
      expect((err as Error).message).toMatch(pattern);
    }
  });

  it('runs end to end: Parquet tables and both SVG figures in the run directory', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ising-cli-'));
    const write = process.stdout.write;
    let printed = '';
    process.stdout.write = ((chunk: string) => { printed += chunk; return true; }) as typeof process.stdout.write;
    try {
      expect(await parse(['--size', '3', '--beta', '0.3', '--steps', '20', '--every', '10', '--batch', '32', '--out', out, '--quiet', '--backend', 'wasm'])).toBeNull();
    } finally {
      process.stdout.write = write;
    }
    const [runDir] = readdirSync(join(out, 'ising'));
    const files = readdirSync(join(out, 'ising', runDir));
    for (const f of ['run.parquet', 'samples.svg', 'free_energy.svg']) expect(files).toContain(f);
    expect(files.some((f) => /^scalars-\d+\.parquet$/.test(f))).toBe(true);
    expect(readFileSync(join(out, 'ising', runDir, 'free_energy.svg'), 'utf8')).toContain('F exact');
    expect(printed).toMatch(/completed at step 20\/20 on wasm: free-energy, ising, β = 0.3, L = 3/);
    rmSync(out, { recursive: true, force: true });
  });
});
