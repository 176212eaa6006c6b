/**
 * The bias of ULA against MALA as the step size grows (issue 12), on two targets with exact
 * moments:
 *
 * - a correlated 2-D Gaussian N(0, Σ), sds 1 and 0.5, correlation 0.9 — ULA's stationary law is
 *   Gaussian with a closed-form covariance (below), printed beside the measured one;
 * - the banana posterior of seed 003 (the product's default data for seed 1, 100 points), whose
 *   mean and covariance come from `bananaExact` (1-D quadrature, cross-checked by the 801² grid
 *   `bananaGrid`, whose moments are printed in the header).
 *
 * For each of 8 step sizes from small to near ULA's stability limit, both kernels run `chains`
 * chains from exact draws, with a warm-up of several relaxation times, and the script reports
 * the bias of E θ and of Var θᵢ with its Monte-Carlo standard error (sd / √ESS, ESS = `essBasic`
 * of the per-draw quantity over the chains), MALA's acceptance rate and ESS per gradient
 * evaluation (min over θ₁, θ₂ of `essBulk`, divided by chains × draws: each kernel spends one
 * gradient per iteration).
 *
 *   npx tsx bench/langevin-bias.ts                 the full run (~3 CPU minutes)
 *   npx tsx bench/langevin-bias.ts --scale 5       5× the draws: every SE × 0.45
 *   npx tsx bench/langevin-bias.ts --figure bench/results/langevin-bias.json    re-render the figure only
 *
 * Writes bench/results/langevin-bias.json and docs/langevin-bias.svg; prints Markdown tables.
 *
 * Step-size convention: our kernels take x' = x + ε∇log p(x) + √(2ε) ξ (src/samplers/langevinStep.ts),
 * so the h in x' = x + (h/2)∇log p + √h ξ is h = 2ε.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, streams } from '../pipelines/banana.ts';
import { Rng } from '../src/random/rng.ts';
import { essBasic, essBulk } from '../src/samplers/diagnostics/ess.ts';
import type { KernelFactory } from '../src/samplers/kernelParams.ts';
import type { KernelInfo, KernelState } from '../src/samplers/kernel.ts';
import { mala } from '../src/samplers/mala.ts';
import { runChains } from '../src/samplers/sampleChains.ts';
import { ula } from '../src/samplers/ula.ts';
import { BananaPosterior, generateBananaData } from '../src/targets/banana.ts';
import { bananaExact } from '../src/targets/bananaExact.ts';
import { bananaGrid } from '../src/targets/posteriorGrid.ts';
import type { LogDensity } from '../src/targets/target.ts';
import { lineChartSvg, type LineSeries } from '../src/views/plots/lineChartSvg.ts';
import { parseArgs } from './args.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

type Mat2 = [[number, number], [number, number]];

/**
 * ULA's stationary covariance on N(μ, Σ) with identity preconditioner, for our step
 * x' = x + ε∇log p(x) + √(2ε)ξ = x − εP(x − μ) + √(2ε)ξ with P = Σ⁻¹.
 *
 * The chain is a Gaussian VAR(1), x' − μ = A(x − μ) + √(2ε)ξ with A = I − εP, so its stationary
 * covariance S solves the discrete Lyapunov equation S = A S Aᵀ + 2ε I. A is symmetric and
 * commutes with P, so S = 2ε (I − A²)⁻¹ = 2ε (2εP − ε²P²)⁻¹ = (P (I − εP/2))⁻¹ = Σ (I − εΣ⁻¹/2)⁻¹,
 * which in the issue's h = 2ε is Σ(I − hΣ⁻¹/4)⁻¹. In Σ's eigenbasis each variance λ becomes
 * λ / (1 − ε/(2λ)): finite for ε < 2λ_min, the stability limit (Roberts & Tweedie 1996, §3;
 * the 1-D case σ²/(1 − ε/(2σ²)) is in src/samplers/ula.ts and its test). The mean stays μ
 * (the drift is linear), so for a Gaussian ULA's bias is all in the covariance.
 * test/samplers/langevinBias.test.ts checks this against the Lyapunov equation solved by iteration.
 */
function ulaStationaryCovariance(sigma: Mat2, stepSize: number): Mat2 {
  const p = inverse2(sigma);
  // P − (ε/2) P², inverted.
  const p2 = mul2(p, p);
  const m: Mat2 = [
    [p[0][0] - (stepSize / 2) * p2[0][0], p[0][1] - (stepSize / 2) * p2[0][1]],
    [p[1][0] - (stepSize / 2) * p2[1][0], p[1][1] - (stepSize / 2) * p2[1][1]],
  ];
  return inverse2(m);
}

function inverse2(a: Mat2): Mat2 {
  const det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
  return [[a[1][1] / det, -a[0][1] / det], [-a[1][0] / det, a[0][0] / det]];
}

function mul2(a: Mat2, b: Mat2): Mat2 {
  return [
    [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
    [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]],
  ];
}

/** The smallest eigenvalue of a symmetric 2×2 matrix. */
function minEigen2(a: Mat2): number {
  const tr = a[0][0] + a[1][1];
  const det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
  return tr / 2 - Math.sqrt((tr * tr) / 4 - det);
}

/** The unit eigenvector of a symmetric 2×2 matrix for its smallest eigenvalue. */
function minorAxis(a: Mat2): [number, number] {
  const l = minEigen2(a);
  // (a − l I) v = 0: v ∝ (a₀₁, l − a₀₀), or (l − a₁₁, a₁₀); a diagonal matrix gives the axis of the smaller entry.
  const v: [number, number] = a[0][1] !== 0 ? [a[0][1], l - a[0][0]] : a[0][0] <= a[1][1] ? [1, 0] : [0, 1];
  const n = Math.hypot(v[0], v[1]);
  return [v[0] / n, v[1] / n];
}

/** vᵀ S v. */
const quadratic = (s: Mat2, v: readonly [number, number]) => v[0] * v[0] * s[0][0] + 2 * v[0] * v[1] * s[0][1] + v[1] * v[1] * s[1][1];

/** A 2-D target with its exact mean and covariance and a way to draw exact starting points. */
interface Problem {
  name: string;
  target: LogDensity;
  mean: readonly [number, number];
  cov: Mat2;
  /** Exact draws, [n, 2] row-major. */
  sampleExact(n: number, rng: Rng): Float64Array;
  stepSizes: number[];
  /** A unit direction whose variance the table also reports (the Gaussian's minor axis), with its exact variance. */
  axis?: { direction: readonly [number, number]; variance: number };
  /** ULA's exact stationary covariance, where there is a closed form. */
  ulaCov?: (stepSize: number) => Mat2;
}

function gaussianProblem(): Problem {
  const s1 = 1, s2 = 0.5, rho = 0.9;
  const cov: Mat2 = [[s1 * s1, rho * s1 * s2], [rho * s1 * s2, s2 * s2]];
  const p = inverse2(cov);
  const target: LogDensity = {
    dim: 2,
    logDensityAndGrad(x, g) {
      const ga = p[0][0] * x[0] + p[0][1] * x[1], gb = p[1][0] * x[0] + p[1][1] * x[1];
      g[0] = -ga;
      g[1] = -gb;
      return -0.5 * (x[0] * ga + x[1] * gb);
    },
  };
  // ULA is stable for ε < 2 λ_min(Σ) ≈ 0.078: log-spaced from 1/100 of it to 0.9 of it.
  const limit = 2 * minEigen2(cov);
  return {
    name: 'gaussian',
    target,
    mean: [0, 0],
    cov,
    sampleExact(n, rng) {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const z1 = rng.normal(), z2 = rng.normal();
        out[2 * i] = s1 * z1;
        out[2 * i + 1] = s2 * (rho * z1 + Math.sqrt(1 - rho * rho) * z2);
      }
      return out;
    },
    stepSizes: logSpace(limit / 100, 0.9 * limit, 8),
    // ULA's bias lives along the minor axis (λ → λ/(1 − ε/(2λ)) is largest for λ_min), and that
    // direction also mixes fastest (relaxation time λ_min/ε against λ_max/ε), so it is the sharpest test.
    axis: { direction: minorAxis(cov), variance: minEigen2(cov) },
    ulaCov: (eps) => ulaStationaryCovariance(cov, eps),
  };
}

function bananaProblem(): { problem: Problem; gridMoments: { mean: readonly number[]; cov: readonly (readonly number[])[] } } {
  const y = generateBananaData(DEFAULT_CONFIG.points, streams(1).data);
  const posterior = new BananaPosterior({ y, sigmaY: DEFAULT_CONFIG.sigmaY, priorScale: DEFAULT_CONFIG.priorScale });
  const exact = bananaExact(posterior);
  const grid = bananaGrid(posterior, { exact });
  const cov: Mat2 = [[exact.cov[0][0], exact.cov[0][1]], [exact.cov[1][0], exact.cov[1][1]]];
  return {
    problem: {
      name: 'banana',
      target: posterior,
      mean: exact.mean,
      cov,
      sampleExact: (n, rng) => exact.sampleExact(n, rng),
      // The ridge's curvature, n/σ² (1 + 4θ₂²) ≈ 25–250, puts ULA's stability limit near ε ≈ 0.01:
      // measured, ULA's chains blow up at ε = 0.015 and not at 0.012 (MALA accepts 76 % there).
      stepSizes: logSpace(3e-4, 0.011, 8),
    },
    gridMoments: { mean: grid.mean, cov: grid.cov },
  };
}

function logSpace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Number((lo * (hi / lo) ** (i / (n - 1))).toPrecision(3)));
}

/** An estimate of a moment with its Monte-Carlo standard error, and its bias against the exact value. */
interface Moment {
  estimate: number;
  se: number;
  exact: number;
  bias: number;
}

interface KernelRun {
  /** E θ₁, E θ₂, Var θ₁, Var θ₂, Cov(θ₁, θ₂). */
  moments: Record<'mean0' | 'mean1' | 'var0' | 'var1' | 'cov01', Moment>;
  /** Var vᵀθ along `problem.axis`, when it has one. */
  axisVariance?: Moment;
  acceptance: number;
  divergent: number;
  essPerGradient: number;
  seconds: number;
}

/** Per chain, f(θ₁, θ₂) for every draw of a [kept, 2] row-major chain. */
function perDraw(draws: readonly Float64Array[], f: (a: number, b: number) => number): Float64Array[] {
  return draws.map((d) => Float64Array.from({ length: d.length / 2 }, (_, i) => f(d[2 * i], d[2 * i + 1])));
}

/** Pooled mean of the per-draw values and its MCSE sd/√ESS (ESS = essBasic over the chains). */
function moment(values: Float64Array[], exact: number): Moment {
  let n = 0, sum = 0;
  for (const v of values) for (let i = 0; i < v.length; i++) { sum += v[i]; n++; }
  const mean = sum / n;
  let ss = 0;
  for (const v of values) for (let i = 0; i < v.length; i++) ss += (v[i] - mean) ** 2;
  const se = Math.sqrt(ss / (n - 1) / essBasic(values));
  return { estimate: mean, se, exact, bias: mean - exact };
}

function runKernel<S extends KernelState, I extends KernelInfo>(
  problem: Problem, makeKernel: KernelFactory<S, I>, stepSize: number, chains: number, draws: number, warmup: number, rng: Rng,
): KernelRun {
  const start = problem.sampleExact(chains, rng.fork());
  const initialPositions = Array.from({ length: chains }, (_, c) => start.slice(2 * c, 2 * c + 2));
  const t0 = performance.now();
  const run = runChains({ makeKernel, initialPositions, warmup, draws, adapt: false, params: { stepSize }, rng });
  const seconds = (performance.now() - t0) / 1000;
  let accepted = 0, divergent = 0;
  for (const chain of run.infos) for (const info of chain) { accepted += info.acceptance; if (info.divergent) divergent++; }
  const total = chains * draws;
  // Moments centred at the pooled sample mean (Var) and at the sample means (Cov): the O(1/n) centring error is far below the SE.
  const m0 = moment(perDraw(run.draws, (a) => a), problem.mean[0]);
  const m1 = moment(perDraw(run.draws, (_, b) => b), problem.mean[1]);
  const c0 = m0.estimate, c1 = m1.estimate;
  const ess = Math.min(essBulk(perDraw(run.draws, (a) => a)), essBulk(perDraw(run.draws, (_, b) => b)));
  return {
    moments: {
      mean0: m0,
      mean1: m1,
      var0: moment(perDraw(run.draws, (a) => (a - c0) ** 2), problem.cov[0][0]),
      var1: moment(perDraw(run.draws, (_, b) => (b - c1) ** 2), problem.cov[1][1]),
      cov01: moment(perDraw(run.draws, (a, b) => (a - c0) * (b - c1)), problem.cov[0][1]),
    },
    axisVariance: problem.axis && moment(perDraw(run.draws, (a, b) => {
      const [v0, v1] = problem.axis!.direction;
      return (v0 * (a - c0) + v1 * (b - c1)) ** 2;
    }), problem.axis.variance),
    acceptance: accepted / total,
    divergent,
    essPerGradient: ess / total,
    seconds,
  };
}

interface StepRow {
  stepSize: number;
  draws: number;
  warmup: number;
  ula: KernelRun;
  mala: KernelRun;
  /** ULA's closed-form stationary covariance (Gaussian only). */
  ulaExactCov?: Mat2;
}

const args = parseArgs(process.argv.slice(2), { scale: '1', chains: '8', seed: '12', figure: '' });
const svgPath = join(root, 'docs', 'langevin-bias.svg');
if (args.figure !== '' && args.figure !== 'true') {
  // Re-render the figure from a saved run only.
  const saved = JSON.parse(readFileSync(args.figure, 'utf8')) as { results: Record<string, StepRow[]> };
  writeFileSync(svgPath, figure(saved.results, gaussianProblem().axis!));
  process.stdout.write(`${svgPath}\n`);
  process.exit(0);
}
const scale = Number(args.scale);
if (!(scale > 0)) throw new RangeError(`langevin-bias: --scale must be > 0 (got ${args.scale})`);
const chains = Number(args.chains);
if (!Number.isInteger(chains) || chains < 2) throw new RangeError(`langevin-bias: --chains must be an integer ≥ 2 (got ${args.chains})`);
const seed = Number(args.seed);

/**
 * Draws per chain: a fixed amount of diffusion time T = draws·ε = 320 (so small steps, which mix
 * slowly, get more iterations), between 4 000 and 80 000 iterations, times --scale; the warm-up is
 * 10 % of it. At --scale 1 the run takes ~3 CPU minutes, most of it in the ESS computations.
 */
function budget(stepSize: number): { draws: number; warmup: number } {
  const draws = Math.round(scale * Math.min(80_000, Math.max(4_000, 320 / stepSize)));
  return { draws, warmup: Math.max(1000, Math.round(draws / 10)) };
}

const log = (s: string) => process.stderr.write(`  ${s}\n`);
const { problem: banana, gridMoments } = bananaProblem();
const problems = [gaussianProblem(), banana];
const rng = new Rng(seed);
const results: Record<string, StepRow[]> = {};
const startedLoad = loadavg();
for (const problem of problems) {
  results[problem.name] = [];
  for (const stepSize of problem.stepSizes) {
    const { draws, warmup } = budget(stepSize);
    const u = runKernel(problem, (p) => ula(problem.target, p), stepSize, chains, draws, warmup, rng.fork());
    const m = runKernel(problem, (p) => mala(problem.target, p), stepSize, chains, draws, warmup, rng.fork());
    results[problem.name].push({ stepSize, draws, warmup, ula: u, mala: m, ulaExactCov: problem.ulaCov?.(stepSize) });
    log(`${problem.name} ε=${stepSize}: ULA ${u.seconds.toFixed(1)} s, MALA ${m.seconds.toFixed(1)} s (${chains}×${draws})`);
  }
}

// ---------------------------------------------------------------------------------------------

const sig = (v: number, d = 3) => (Number.isFinite(v) ? Number(v.toPrecision(d)).toString() : '–');
const pm = (m: Moment) => `${sig(m.bias, 2)} ± ${sig(m.se, 2)}`;
const z = (m: Moment) => (m.se > 0 ? Math.abs(m.bias) / m.se : NaN);

function gaussianTable(rows: StepRow[]): string {
  const head = '| ε | ULA Var θ₁ measured | closed form | ULA Var θ₂ measured | closed form | ULA Var minor axis measured | closed form | ULA minor-axis bias ± SE (z) | MALA minor-axis bias ± SE (z) | MALA Var θ₁, Var θ₂ bias ± SE | MALA accept | ESS/grad ULA | ESS/grad MALA |\n'
    + '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const axis = problems[0].axis!.direction;
  const lines = rows.map((r) => {
    const e = r.ulaExactCov!;
    const u = r.ula.moments, a = r.mala.moments;
    const ua = r.ula.axisVariance!, ma = r.mala.axisVariance!;
    const est = (m: Moment) => `${sig(m.estimate, 4)} ± ${sig(m.se, 2)}`;
    return `| ${r.stepSize} | ${est(u.var0)} | ${sig(e[0][0], 4)} | ${est(u.var1)} | ${sig(e[1][1], 4)} | ${est(ua)} | ${sig(quadratic(e, axis), 4)} `
      + `| ${pm(ua)} (${sig(z(ua), 2)}) | ${pm(ma)} (${sig(z(ma), 2)}) | ${pm(a.var0)}, ${pm(a.var1)} | ${sig(r.mala.acceptance, 3)} | ${sig(r.ula.essPerGradient, 2)} | ${sig(r.mala.essPerGradient, 2)} |`;
  });
  return [head, ...lines].join('\n');
}

function bananaTable(rows: StepRow[]): string {
  const head = '| ε | ULA E θ₁ bias ± SE | ULA Var θ₁ bias ± SE (z) | ULA Var θ₂ bias ± SE (z) | MALA E θ₁ bias ± SE | MALA Var θ₁ bias ± SE (z) | MALA Var θ₂ bias ± SE (z) | MALA accept | ESS/grad ULA | ESS/grad MALA |\n'
    + '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const u = r.ula.moments, a = r.mala.moments;
    return `| ${r.stepSize} | ${pm(u.mean0)} | ${pm(u.var0)} (${sig(z(u.var0), 2)}) | ${pm(u.var1)} (${sig(z(u.var1), 2)}) `
      + `| ${pm(a.mean0)} | ${pm(a.var0)} (${sig(z(a.var0), 2)}) | ${pm(a.var1)} (${sig(z(a.var1), 2)}) | ${sig(r.mala.acceptance, 3)} | ${sig(r.ula.essPerGradient, 2)} | ${sig(r.mala.essPerGradient, 2)} |`;
  });
  return [head, ...lines].join('\n');
}

/** |relative bias| of a variance, with its relative SE as error bar: log-log, ULA against MALA. */
function figure(results: Record<string, StepRow[]>, axis: NonNullable<Problem['axis']>): string {
  const series: LineSeries[] = [];
  const add = (label: string, rows: StepRow[], pick: (r: StepRow) => Moment, color: string, dashed = false) => series.push({
    label, color, dashed,
    x: rows.map((r) => r.stepSize),
    y: rows.map((r) => Math.abs(pick(r).bias) / pick(r).exact),
    err: rows.map((r) => pick(r).se / pick(r).exact),
  });
  const g = results.gaussian, b = results.banana;
  add('ULA, Gaussian, Var along the minor axis', g, (r) => r.ula.axisVariance!, '#d62728');
  series.push({
    label: 'ULA closed form, same', color: '#d62728', dashed: true, markers: false,
    x: g.map((r) => r.stepSize), y: g.map((r) => quadratic(r.ulaExactCov!, axis.direction) / axis.variance - 1),
  });
  add('MALA, Gaussian, Var along the minor axis', g, (r) => r.mala.axisVariance!, '#1f77b4');
  add('ULA, banana Var θ₁', b, (r) => r.ula.moments.var0, '#ff7f0e');
  add('MALA, banana Var θ₁', b, (r) => r.mala.moments.var0, '#2ca02c');
  return lineChartSvg(series, {
    title: 'Langevin bias against step size: |relative bias of Var θ| ± 1 SE',
    xLabel: 'step size ε  (x′ = x + ε∇log p + √(2ε) ξ)', yLabel: '|Var measured / Var exact − 1|',
    logX: true, logY: true, legend: 'top-left', width: 760, height: 460,
  });
}

const machine = { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadavgStart: startedLoad.map((v) => Number(v.toFixed(2))), loadavgEnd: loadavg().map((v) => Number(v.toFixed(2))) };
mkdirSync(join(here, 'results'), { recursive: true });
const jsonPath = join(here, 'results', 'langevin-bias.json');
writeFileSync(jsonPath, `${JSON.stringify({ machine, chains, seed, scale, exact: { gaussian: { mean: problems[0].mean, cov: problems[0].cov }, banana: { mean: banana.mean, cov: banana.cov, grid801: gridMoments } }, results }, null, 1)}\n`);
writeFileSync(svgPath, figure(results, problems[0].axis!));

const g = problems[0];
process.stdout.write(`# ULA against MALA: bias against step size (${machine.date})\n\n`
  + `${chains} chains per run from exact draws; draws per chain = clamp(320/ε, 4 000, 80 000) × ${scale}, warm-up 10 % of that; seed ${seed}. `
  + `SE = sd/√ESS (essBasic); z = |bias|/SE. ESS/grad = min over θ₁, θ₂ of essBulk / (chains × draws). `
  + `Load average ${machine.loadavgStart.join(' ')} at the start, ${machine.loadavgEnd.join(' ')} at the end.\n\n`
  + `## Correlated Gaussian: sds 1, 0.5, correlation 0.9 (Var θ₁ = ${g.cov[0][0]}, Var θ₂ = ${g.cov[1][1]}, minor axis (${g.axis!.direction.map((v) => sig(v, 4)).join(', ')}) with variance λ_min = ${sig(g.axis!.variance, 4)}); ULA stable for ε < 2λ_min(Σ) = ${sig(2 * minEigen2(g.cov), 4)}\n\n`
  + `${gaussianTable(results.gaussian)}\n\n`
  + `## Banana posterior (seed 003, 100 points): exact E θ = (${sig(banana.mean[0], 5)}, ${sig(banana.mean[1], 5)}), Var θ₁ = ${sig(banana.cov[0][0], 5)}, Var θ₂ = ${sig(banana.cov[1][1], 5)} `
  + `(801² grid: ${sig(gridMoments.mean[0], 5)}, ${sig(gridMoments.mean[1], 5)}, ${sig(gridMoments.cov[0][0], 5)}, ${sig(gridMoments.cov[1][1], 5)})\n\n`
  + `${bananaTable(results.banana)}\n\n(raw: ${jsonPath}; figure: ${svgPath})\n`);
