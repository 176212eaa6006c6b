import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_CONFIG } from '../../../pipelines/emergent-classicality.ts';
import { sweepGrid, sweepPoint, type SweepPoint } from '../../../pipelines/sweep.ts';
import { selectBackend } from '../../backend/selectBackend.ts';
import { openRun, SinkWriteError } from '../../sinks/index.ts';
import { fitPowerLaw } from '../../stats/powerLaw.ts';
import { sweepSvg } from '../../views/plots/sweepSvg.ts';
import { progress } from '../../views/progress/progress.ts';
import { addCommonOptions } from '../commonOptions.ts';
import { numberListIn } from '../options.ts';
import { UserFacingError } from '../userFacingError.ts';
import { addVaeOptions, vaeConfig, type VaeOptions } from './trainOptions.ts';
import { trainRun, VAE_PIPELINE } from './trainRun.ts';

type SweepOptions = Omit<VaeOptions, 'epsilon' | 'qubits'> & { epsilon: number[]; qubits: number[] };

const SWEEP_PIPELINE = 'emergent-classicality-sweep';

/**
 * `sweep`: trains the VAE over a grid of ε and N (each point a full run in
 * `<out>/emergent-classicality/`, tagged with the sweep's id), then writes the sweep's `points`
 * table and `summary.svg` (metrics against Nε²) into `<out>/emergent-classicality-sweep/<id>/`
 * and prints the table with the fitted σ_z ∝ (Nε²)^b exponent.
 */
export function sweepCommand(): Command {
  const cmd = new Command('sweep')
    .description('train the VAE over a grid of ε and N and summarise against Nε² (universality, σ_z scaling, bifurcation)')
    .requiredOption('--epsilon <list>', 'measurement strengths, comma-separated numbers ≥ 0 (e.g. 0.1,0.2,0.3)', numberListIn({ min: 0 }))
    .requiredOption('--qubits <list>', 'qubit counts, comma-separated integers ≥ 1 (e.g. 50,100,200)', numberListIn({ min: 1, integer: true }));
  return addCommonOptions(addVaeOptions(cmd, ['epsilon', 'qubits']), { seed: DEFAULT_CONFIG.seed }).action(async (opts: SweepOptions) => {
    const base = vaeConfig({ ...opts, epsilon: DEFAULT_CONFIG.epsilon, qubits: DEFAULT_CONFIG.qubits });
    const grid = sweepGrid(base, { epsilon: opts.epsilon, qubits: opts.qubits });
    const backend = await selectBackend(opts.backend);
    const say = (s: string) => {
      if (!opts.quiet) process.stderr.write(`${s}\n`);
    };
    say(`backend: ${backend.name}; sweep of ${grid.length} runs (ε ∈ {${opts.epsilon.join(', ')}} × N ∈ {${opts.qubits.join(', ')}}), ${base.steps} steps each`);

    let sweep;
    try {
      const { seed, ...rest } = base;
      sweep = await openRun({
        root: opts.out,
        pipeline: SWEEP_PIPELINE,
        config: { ...rest, epsilon: opts.epsilon.join(','), qubits: opts.qubits.join(',') },
        seed,
        backend: backend.name,
        flushMs: opts.flushInterval * 1000,
      });
    } catch (err) {
      if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
      throw err;
    }
    say(`sweep: ${relative(process.cwd(), sweep.dir)}`);

    const points: SweepPoint[] = [];
    let stopped: { status: 'failed' | 'interrupted'; reason: string; exitCode: number } | undefined;
    for (const [i, config] of grid.entries()) {
      const label = `sweep ${i + 1}/${grid.length} ε=${config.epsilon} N=${config.qubits}`;
      const result = await trainRun(config, {
        out: opts.out,
        backend: backend.name,
        flushMs: opts.flushInterval * 1000,
        onNonFinite: opts.onNonFinite,
        extraConfig: { sweep_id: sweep.id },
        say: () => undefined,
        views: async () => progress({ total: config.steps, label, keys: ['m_mag_corr', 'latent_fluctuation'], quiet: opts.quiet }),
      });
      const point = sweepPoint(config, result.outcome.dir.split(/[\\/]/).pop() ?? '', result.outcome.status, result.last);
      points.push(point);
      sweep.append({ kind: 'row', table: 'points', row: point });
      if (result.outcome.status === 'interrupted') {
        stopped = { status: 'interrupted', reason: `interrupted by ${result.outcome.reason} during run ${i + 1}`, exitCode: result.outcome.exitCode };
        break;
      }
      // A failed point (say a NaN loss) is recorded and the sweep goes on.
    }

    const done = points.filter((p) => p.status === 'completed');
    const sigma = fitPowerLaw(done.map((p) => p.n_eps2), done.map((p) => p.latent_fluctuation));
    const svg = sweepSvg(
      points,
      [
        { key: 'm_mag_slope', label: 'slope of m(μ_z) on magnetisation' },
        { key: 'm_mag_corr', label: 'corr(m(μ_z), magnetisation)' },
        { key: 'latent_fluctuation', label: 'σ_z', logY: true, powerLaw: sigma },
        { key: 'z_separation', label: "Ashman's D of p(z)", guide: { y: 2, label: 'D = 2: separated modes' } },
        { key: 'z_bimodality', label: 'bimodality coefficient of p(z)', guide: { y: 5 / 9, label: '5/9' } },
        { key: 'elbo_gap', label: 'ELBO gap (nats/record)' },
      ],
      `${SWEEP_PIPELINE}/${sweep.id}: ${base.scheme} axis, ${base.steps} steps, reg ${base.reg}`,
    );
    writeFileSync(join(sweep.dir, 'summary.svg'), svg);
    await sweep.close(stopped?.status ?? 'completed', stopped?.reason);

    const header = ['ε', 'N', 'Nε²', 'status', 'corr', 'slope', 'σ_z', 'D(z)', 'gap'];
    const rows = points.map((p) => [p.epsilon, p.qubits, p.n_eps2.toFixed(2), p.status, p.m_mag_corr.toFixed(3), p.m_mag_slope.toFixed(3), p.latent_fluctuation.toFixed(3), p.z_separation.toFixed(2), p.elbo_gap.toFixed(3)].map(String));
    const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
    const line = (cells: string[]) => cells.map((c, j) => c.padStart(widths[j])).join('  ');
    process.stdout.write(
      [
        line(header),
        ...rows.map(line),
        `σ_z ∝ (Nε²)^${sigma.exponent.toFixed(3)} over ${sigma.points} completed runs (r² = ${sigma.r2.toFixed(3)}; the seed saw ≈ −0.34, −0.5 is the no-KL expectation)`,
        `wrote ${relative(process.cwd(), sweep.dir)}/ (points-*.parquet, run.parquet, summary.svg); the runs are in ${join(opts.out, VAE_PIPELINE)}/ with sweep_id = ${sweep.id}`,
        '',
      ].join('\n'),
    );
    if (stopped) throw new UserFacingError(stopped.reason, stopped.exitCode);
  });
}
