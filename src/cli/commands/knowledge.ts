import { Command } from 'commander';
import { join, relative } from 'node:path';
import { Rng } from '../../random/rng.ts';
import { SCHEMES, type Scheme } from '../../simulators/apparatus.ts';
import { branchInformation, branchOverlap } from '../../simulators/knowledge.ts';
import { openRun, SinkWriteError, type Run } from '../../sinks/index.ts';
import { writeFileAtomic } from '../../sinks/writeFileAtomic.ts';
import { lineChartSvg, type LineSeries } from '../../views/plots/lineChartSvg.ts';
import { numberIn, numberListIn, oneOf, seedOption } from '../../options/optionParsers.ts';
import { UserFacingError } from '../../options/userFacingError.ts';

const PIPELINE = 'knowledge';
const SCHEME_CHOICES = [...SCHEMES, 'both'] as const;
/** N·M above this many single-qubit draws (about a minute) is refused rather than left to run for hours. */
const MAX_DRAWS = 2e9;
const MAX_QUBITS = 1e7;

interface KnowledgeOptions {
  scheme: (typeof SCHEME_CHOICES)[number];
  alpha0: number;
  epsilon: number;
  nEps2: number[];
  samples: number;
  seed: number;
  out: string;
  quiet: boolean;
}

/**
 * One row of the `knowledge` table: a scheme at one Nε². Columns:
 * scheme; epsilon ε; qubits N = max(1, round(target/ε²)); n_eps2_target (asked); n_eps2 = N ε² (used);
 * alpha0; overlap BC = BC₁^N (exact) and log_overlap; overlap_approx e^{−Nε²/2} (fixed) or e^{−Nε²/6}
 * (random); information I(s; x) in nats and information_se (0 when exact); prior_entropy H(s);
 * information_fraction I/H(s); bayes_error P_e and bayes_error_se; bhattacharyya_bound √(π₊π₋)·BC ≥ P_e;
 * method (exact or monte-carlo); samples M (0 when exact).
 */
export type KnowledgeRow = Record<string, number | string>;

/**
 * `knowledge`: knowledge acquisition by the apparatus as a function of Nε² (issue 15) — the branch
 * overlap (decoherence factor) and the mutual information between branch and record, for either
 * or both schemes. Prints a table and writes `<out>/knowledge/<run-id>/` with the `knowledge` table
 * (`knowledge-*.parquet`), `run.parquet` and `knowledge.svg`.
 */
export function knowledgeCommand(): Command {
  return new Command('knowledge')
    .description('branch overlap (decoherence) and mutual information I(s; x) against Nε², exact (fixed) or Monte Carlo (random)')
    .option('--scheme <name>', `measurement scheme (${SCHEME_CHOICES.join(', ')})`, oneOf(SCHEME_CHOICES), 'both' as KnowledgeOptions['scheme'])
    .option('--alpha0 <α₀>', 'initial α₀ of the cat state (a number in [-20, 20])', numberIn({ min: -20, max: 20 }), 0)
    .option('--epsilon <ε>', 'measurement strength ε; N = round(Nε²/ε²) (a number > 0 and ≤ 10)', numberIn({ min: 0, exclusiveMin: true, max: 10 }), 0.1)
    .option('--n-eps2 <list>', 'comma-separated Nε² values, each a number > 0', numberListIn({ min: 0, exclusiveMin: true }), [0.1, 0.3, 1, 3, 10, 30])
    .option('--samples <M>', 'Monte Carlo records per point (an integer ≥ 2)', numberIn({ min: 2, integer: true }), 4000)
    .option('--seed <n>', 'random seed (integer ≥ 0)', seedOption, 1)
    .option('--out <dir>', 'root directory for run outputs', 'output')
    .option('--quiet', 'no progress output', false)
    .action(async (opts: KnowledgeOptions) => {
      const schemes: Scheme[] = opts.scheme === 'both' ? [...SCHEMES] : [opts.scheme];
      const targets = opts.nEps2;
      const qubitsFor = (x: number) => Math.max(1, Math.round(x / (opts.epsilon * opts.epsilon)));
      for (const x of targets) {
        const n = qubitsFor(x);
        if (n > MAX_QUBITS) throw new UserFacingError(`--n-eps2 ${x} with --epsilon ${opts.epsilon} needs N = ${n} qubits; at most ${MAX_QUBITS} (raise --epsilon)`, 2);
        if (schemes.includes('random') && n * opts.samples > MAX_DRAWS) {
          throw new UserFacingError(`--samples ${opts.samples} × N = ${n} qubits (--n-eps2 ${x}) is over ${MAX_DRAWS} draws; lower --samples or raise --epsilon`, 2);
        }
      }
      const say = (s: string) => { if (!opts.quiet) process.stderr.write(`${s}\n`); };

      let run: Run;
      try {
        run = await openRun({
          root: opts.out,
          pipeline: PIPELINE,
          config: { scheme: opts.scheme, alpha0: opts.alpha0, epsilon: opts.epsilon, n_eps2: targets.join(','), samples: opts.samples },
          seed: opts.seed,
          backend: 'none',
          live: false,
        });
      } catch (err) {
        if (err instanceof SinkWriteError) throw new UserFacingError(err.message, 1);
        throw err;
      }
      const rel = relative(process.cwd(), run.dir) || run.dir;
      say(`run: ${rel}`);

      const rows: KnowledgeRow[] = [];
      try {
        const rng = new Rng(opts.seed);
        for (const scheme of schemes) {
          for (const target of targets) {
            // One child stream per point, forked in table order: a point's draws do not depend on the others' N.
            const pointRng = rng.fork();
            const qubits = qubitsFor(target);
            const nEps2 = qubits * opts.epsilon * opts.epsilon;
            const o = branchOverlap(scheme, opts.epsilon, qubits);
            const info = branchInformation({ scheme, epsilon: opts.epsilon, qubits, alpha0: opts.alpha0 }, { samples: opts.samples, rng: pointRng });
            const piPlus = 1 / (1 + Math.exp(-2 * opts.alpha0));
            const row: KnowledgeRow = {
              scheme,
              epsilon: opts.epsilon,
              qubits,
              n_eps2_target: target,
              n_eps2: nEps2,
              alpha0: opts.alpha0,
              overlap: o.overlap,
              log_overlap: o.logOverlap,
              overlap_approx: Math.exp(-nEps2 / (scheme === 'fixed' ? 2 : 6)),
              information: info.information,
              information_se: info.standardError,
              prior_entropy: info.priorEntropy,
              information_fraction: info.priorEntropy > 0 ? info.information / info.priorEntropy : Number.NaN,
              bayes_error: info.bayesError,
              bayes_error_se: info.bayesErrorStandardError,
              bhattacharyya_bound: Math.sqrt(piPlus * (1 - piPlus)) * o.overlap,
              method: info.method,
              samples: info.samples,
            };
            rows.push(row);
            run.append({ kind: 'row', table: PIPELINE, row });
            say(`knowledge: ${scheme} Nε² = ${nEps2.toPrecision(4)} (N = ${qubits}) done`);
          }
        }
        await writeFileAtomic(join(run.dir, 'knowledge.svg'), new TextEncoder().encode(knowledgeSvg(rows, opts)));
      } catch (err) {
        await run.close('failed', err instanceof Error ? err.message : String(err));
        throw err;
      }
      await run.close('completed');
      process.stdout.write(`${formatTable(rows)}\nwrote ${rel}/ (knowledge-*.parquet, knowledge.svg, run.parquet)\n`);
    });
}

/** The printed table: one line per row, Nε² against BC (exact and its small-ε form), I ± SE and H(s). */
export function formatTable(rows: readonly KnowledgeRow[]): string {
  const head = ['scheme', 'N', 'Nε²', 'BC exact', 'BC approx', 'I(s;x) nats', '± SE', 'H(s)', 'I/H', 'P_e', '√(π₊π₋)BC'];
  const cell = (v: number, d = 5) => (Number.isFinite(v) ? (Math.abs(v) < 1e-4 && v !== 0 ? v.toExponential(2) : v.toFixed(d)) : 'n/a');
  const body = rows.map((r) => [
    String(r.scheme), String(r.qubits), (r.n_eps2 as number).toPrecision(4), cell(r.overlap as number), cell(r.overlap_approx as number),
    cell(r.information as number), cell(r.information_se as number), cell(r.prior_entropy as number), cell(r.information_fraction as number, 4),
    cell(r.bayes_error as number), cell(r.bhattacharyya_bound as number),
  ]);
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

/** I/H(s) (with SE bars) and BC against Nε² on a log axis, one colour per scheme. */
function knowledgeSvg(rows: readonly KnowledgeRow[], opts: KnowledgeOptions): string {
  const series: LineSeries[] = [];
  const colors: Record<Scheme, string> = { fixed: '#1f77b4', random: '#d62728' };
  for (const scheme of SCHEMES) {
    const mine = rows.filter((r) => r.scheme === scheme);
    if (mine.length === 0) continue;
    const x = mine.map((r) => r.n_eps2 as number);
    series.push({
      label: `I/H(s) ${scheme}`,
      x,
      y: mine.map((r) => r.information_fraction as number),
      err: mine.map((r) => (r.information_se as number) / (r.prior_entropy as number)),
      color: colors[scheme],
      markers: true,
    });
    series.push({ label: `BC ${scheme}`, x, y: mine.map((r) => r.overlap as number), color: colors[scheme], dashed: true, markers: true });
  }
  return lineChartSvg(series, {
    title: `Knowledge acquisition vs decoherence (ε = ${opts.epsilon}, α₀ = ${opts.alpha0})`,
    xLabel: 'Nε²',
    yLabel: 'I(s;x)/H(s) (solid), branch overlap BC (dashed)',
    logX: true,
    yRange: [0, 1.05],
    legend: 'top-left',
  });
}
