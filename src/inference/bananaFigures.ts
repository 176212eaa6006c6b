import { join } from 'node:path';
import type { MetricRecord, ScalarsRecord } from '../metrics/records.ts';
import { Rng } from '../random/rng.ts';
import { writeFileAtomic } from '../sinks/writeFileAtomic.ts';
import { lineChartSvg, type LineSeries } from '../views/plots/lineChartSvg.ts';
import { scatterContoursSvg, type ScatterPanel } from '../views/plots/scatterContoursSvg.ts';
import { tracePlotSvg } from '../views/plots/tracePlotSvg.ts';
import type { PosteriorGrid } from '../targets/posteriorGrid.ts';
import type { DensityGrid } from '../views/plots/contourPaths.ts';
import type { ExactReference } from './reference.ts';

type Row = Readonly<Record<string, unknown>>;
const rowsOf = (records: readonly MetricRecord[], table: string): Row[] =>
  records.flatMap((r) => (r.kind === 'row' && r.table === table ? [r.row as Row] : []));
const METHOD_LABEL: Record<string, string> = { planar: 'planar', nice: 'NICE', realnvp: 'RealNVP', spline: 'RQ spline', hmc: 'HMC', nuts: 'NUTS' };
const label = (m: string) => METHOD_LABEL[m] ?? m;

/** Each method's draws as [n*2] arrays, in the order methods first appear. */
function drawsByMethod(samples: readonly Row[]): Map<string, Float64Array> {
  const lists = new Map<string, number[]>();
  for (const r of samples) {
    const m = String(r.method);
    if (!lists.has(m)) lists.set(m, []);
    lists.get(m)!.push(r.theta1 as number, r.theta2 as number);
  }
  return new Map([...lists].map(([m, v]) => [m, Float64Array.from(v)]));
}

/** An MCMC method's draws as one array per chain, per parameter. */
function chainsOf(samples: readonly Row[], method: string): { theta1: Float64Array[]; theta2: Float64Array[] } | null {
  const rows = samples.filter((r) => r.method === method && typeof r.chain === 'number');
  if (rows.length === 0) return null;
  const chains = 1 + Math.max(...rows.map((r) => r.chain as number));
  const t1: number[][] = Array.from({ length: chains }, () => []);
  const t2: number[][] = Array.from({ length: chains }, () => []);
  for (const r of rows) {
    t1[r.chain as number].push(r.theta1 as number);
    t2[r.chain as number].push(r.theta2 as number);
  }
  return { theta1: t1.map((c) => Float64Array.from(c)), theta2: t2.map((c) => Float64Array.from(c)) };
}

/**
 * The figures of a posterior comparison, as SVG text keyed by file name:
 * - `samples.svg`: each method's draws over the exact posterior's 50/90/99 % contours (the seed's scatter plots, against the truth), beside exact draws;
 * - `elbo.svg`: ELBO against iteration for every flow with the exact log p(y) (the seed's figure), and `kl.svg`: the exact KL(q‖p) on a log axis;
 * - `iwae.svg`: L_K against K with error bars, rising toward log p(y) (seed 003 problem 2);
 * - `trace-<method>.svg`: MCMC trace plots;
 * - `refine.svg`: distance to the posterior against HMC transitions started from each flow (seed 003 problem 1).
 */
export function bananaFigures(records: readonly MetricRecord[], reference: ExactReference, seed = 1): Map<string, string> {
  const out = new Map<string, string>();
  const logZ = reference.logEvidence;
  const samples = rowsOf(records, 'samples');
  const grid = reference.grid;
  const masses = [0.5, 0.9, 0.99];
  // Contours from a coarser copy of the grid: the fine grid's 801² nodes would make megabyte paths.
  const plotGrid = downsample(grid, 4);
  const draws = drawsByMethod(samples);
  if (draws.size > 0) {
    const panels: ScatterPanel[] = [{ title: 'exact (independent draws)', points: reference.exact.sampleExact(2000, new Rng(seed)), color: '#444444' }];
    for (const [m, points] of draws) panels.push({ title: label(m), points });
    out.set(
      'samples.svg',
      scatterContoursSvg({
        grid: plotGrid,
        levels: grid.levels(masses),
        levelLabels: masses.map((p) => `${Math.round(p * 100)} %`),
        panels,
        xLabel: 'θ₁',
        yLabel: 'θ₂',
        title: 'Draws of every method over the exact posterior (contours hold 50, 90, 99 % of its mass)',
      }),
    );
  }

  const scalars = records.filter((r): r is ScalarsRecord => r.kind === 'scalars');
  const flows = [...new Set(rowsOf(records, 'summary').filter((r) => r.kind === 'flow').map((r) => String(r.method)))];
  const liveFlows = flows.length ? flows : [...new Set(scalars.flatMap((r) => Object.keys(r.values).filter((k) => k.endsWith('_elbo')).map((k) => k.slice(0, -5))))];
  const curve = (m: string, key: string): LineSeries | null => {
    const rows = scalars.filter((r) => Number.isFinite(r.values[`${m}_${key}`]));
    if (rows.length === 0) return null;
    return { label: label(m), x: rows.map((r) => r.values.iteration), y: rows.map((r) => r.values[`${m}_${key}`]), markers: false };
  };
  const elbo = liveFlows.map((m) => curve(m, 'elbo')).filter((s): s is LineSeries => s != null);
  if (elbo.length > 0) {
    // Zoom on the part worth reading: the first evaluations sit hundreds of nats below.
    const tail = elbo.flatMap((s) => Array.from(s.y).slice(Math.floor(s.y.length * 0.1)));
    const lo = Math.min(...tail);
    out.set('elbo.svg', lineChartSvg(elbo, { title: 'ELBO against iteration (the exact log p(y) is the ceiling)', xLabel: 'iteration', yLabel: 'ELBO (nats)', yRange: [lo - 0.05 * (logZ - lo), logZ + 0.15 * (logZ - lo) + 0.01], references: [{ y: logZ, label: 'log p(y) exact' }], legend: 'bottom-right' }));
    const kl = liveFlows.map((m) => curve(m, 'kl')).filter((s): s is LineSeries => s != null);
    out.set('kl.svg', lineChartSvg(kl, { title: 'KL(q‖p) = log p(y) − ELBO against iteration', xLabel: 'iteration', yLabel: 'KL (nats)', logY: true }));
  }

  const iwae = rowsOf(records, 'iwae');
  if (iwae.length > 0) {
    const series: LineSeries[] = [...new Set(iwae.map((r) => String(r.method)))].map((m) => {
      const rows = iwae.filter((r) => r.method === m).sort((a, b) => (a.k as number) - (b.k as number));
      return { label: label(m), x: rows.map((r) => r.k as number), y: rows.map((r) => r.estimate as number), err: rows.map((r) => 2 * (r.se as number)), markers: true };
    });
    out.set('iwae.svg', lineChartSvg(series, { title: 'IWAE bound L_K against K (± 2 SE): L_1 = ELBO ≤ L_K ≤ log p(y)', xLabel: 'K', yLabel: 'L_K (nats)', logX: true, references: [{ y: logZ, label: 'log p(y) exact' }], legend: 'bottom-right' }));
  }

  for (const m of ['hmc', 'nuts']) {
    const chains = chainsOf(samples, m);
    if (chains) out.set(`trace-${m}.svg`, tracePlotSvg({ series: [{ label: 'θ₁', chains: chains.theta1 }, { label: 'θ₂', chains: chains.theta2 }], title: `${label(m)}: kept draws per chain` }));
  }

  const refine = rowsOf(records, 'refine');
  if (refine.length > 0) {
    const methods = [...new Set(refine.map((r) => String(r.method)))];
    const series = methods.map((m) => {
      const rows = refine.filter((r) => r.method === m).sort((a, b) => (a.transitions as number) - (b.transitions as number));
      return { label: `${label(m)} + HMC`, x: rows.map((r) => 1 + (r.transitions as number)), y: rows.map((r) => r.binned_kl as number), markers: true };
    });
    const w1 = methods.map((m) => {
      const rows = refine.filter((r) => r.method === m).sort((a, b) => (a.transitions as number) - (b.transitions as number));
      return { label: `${label(m)} + HMC`, x: rows.map((r) => 1 + (r.transitions as number)), y: rows.map((r) => (r.w1_theta1 as number) + (r.w1_theta2 as number)), markers: true };
    });
    const floor = refine.find((r) => typeof r.binned_kl_floor === 'number')?.binned_kl_floor as number | undefined;
    out.set('refine.svg', lineChartSvg(series, {
      title: 'Binned KL(q_T‖p) of flow draws after T HMC transitions',
      xLabel: '1 + T (T = HMC transitions; T = 0 is the flow itself)',
      yLabel: 'binned KL (nats)',
      logX: true,
      logY: true,
      references: floor != null ? [{ y: floor, label: 'exact draws (estimator floor)' }] : [],
    }));
    out.set('refine-w1.svg', lineChartSvg(w1, { title: 'W1(θ₁) + W1(θ₂) to the exact marginals after T HMC transitions', xLabel: '1 + T (T = HMC transitions)', yLabel: 'W1 sum', logX: true, logY: true }));
  }
  return out;
}

/** Every `stride`-th node of a grid as a plotting density grid (the last node always kept). */
function downsample(grid: PosteriorGrid, stride: number): DensityGrid {
  const pick = (n: number) => {
    const idx: number[] = [];
    for (let i = 0; i < n - 1; i += stride) idx.push(i);
    idx.push(n - 1);
    return idx;
  };
  const ix = pick(grid.nx), iy = pick(grid.ny);
  const density = new Float64Array(ix.length * iy.length);
  iy.forEach((j, b) => ix.forEach((i, a) => (density[b * ix.length + a] = Math.exp(grid.logDensity[j * grid.nx + i]))));
  // Uniform nodes only if the stride divides evenly; otherwise the last step is shorter — close enough for a drawing, exact at the ends.
  return { x: [grid.x[0], grid.x[grid.nx - 1]], y: [grid.y[0], grid.y[grid.ny - 1]], nx: ix.length, ny: iy.length, density };
}

/** Writes {@link bananaFigures} into `dir` (atomically, file by file); returns the names written. */
export async function writeBananaFigures(dir: string, records: readonly MetricRecord[], setup: { reference: ExactReference; config: { seed: number } }): Promise<string[]> {
  const figures = bananaFigures(records, setup.reference, setup.config.seed);
  for (const [name, svg] of figures) await writeFileAtomic(join(dir, name), new TextEncoder().encode(svg));
  return [...figures.keys()];
}
