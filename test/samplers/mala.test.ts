import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import type { Kernel, KernelInfo } from '../../src/samplers/kernel.ts';
import { langevinLogProposal, langevinStep } from '../../src/samplers/langevinStep.ts';
import { mala } from '../../src/samplers/mala.ts';
import { runChains } from '../../src/samplers/sampleChains.ts';
import { initLangevin, type LangevinState } from '../../src/samplers/ula.ts';
import { bananaExact } from '../../src/targets/bananaExact.ts';
import { BananaPosterior, generateBananaData } from '../../src/targets/banana.ts';
import type { LogDensity } from '../../src/targets/target.ts';
import { column, estimate, gaussian2, gaussianMomentErrors, mapRows } from './targets.ts';

/**
 * MALA as the seed notebooks often write it: the same Langevin proposal, accepted with the
 * random-walk ratio p(x')/p(x) — both proposal densities forgotten, as if q were symmetric.
 */
function malaWithoutProposalDensities(target: LogDensity, stepSize: number, inverseMassDiag: Float64Array): Kernel<LangevinState, KernelInfo> {
  const proposal = new Float64Array(target.dim), grad = new Float64Array(target.dim);
  return {
    init: (x) => initLangevin('broken', target, x),
    step(rng, state) {
      langevinStep(rng, state.position, state.gradient, stepSize, inverseMassDiag, proposal);
      const logDensity = target.logDensityAndGrad(proposal, grad);
      const acceptance = Math.min(1, Math.exp(logDensity - state.logDensity));
      const accepted = rng.uniform() < acceptance;
      const info = { acceptance, accepted, divergent: false, gradientEvaluations: 1 };
      return accepted ? { state: { position: proposal.slice(), logDensity, gradient: grad.slice() }, info } : { state, info };
    },
  };
}

const starts = [[0, 0], [1, -0.5], [-1, 0.5], [0.5, 0.5]].map((x) => new Float64Array(x));

describe('mala', () => {
  const g = gaussian2(1, 0.5, 0.9);
  const stepSize = 0.08;
  const inverseMassDiag = [1, 0.25];

  it('validates its options at the boundary, naming the option and the range', () => {
    expect(() => mala(g.target, { stepSize: 0 })).toThrow(/mala: stepSize must be a finite number > 0 \(got 0\)/);
    expect(() => mala(g.target, { stepSize: Number.NaN })).toThrow(/stepSize/);
    expect(() => mala(g.target, { stepSize: 0.1, inverseMassDiag: [1] })).toThrow(/mala: inverseMassDiag must have length dim = 2/);
    expect(() => mala(g.target, { stepSize: 0.1 }).init(new Float64Array([1]))).toThrow(/mala.init: position must have length dim = 2/);
  });

  it('the proposal density is the normalised N(x + εM⁻¹g, 2εM⁻¹) up to its x-free constant', () => {
    const x = Float64Array.of(0.3, -0.2), gr = Float64Array.of(0.7, -1.1), to = Float64Array.of(0.1, 0.4);
    const eps = 0.13, m = Float64Array.of(1.5, 0.4);
    let exact = 0;
    for (let i = 0; i < 2; i++) {
      const v = 2 * eps * m[i];
      exact += -0.5 * Math.log(2 * Math.PI * v) - (to[i] - x[i] - eps * m[i] * gr[i]) ** 2 / (2 * v);
    }
    const constant = -Math.log(4 * Math.PI * eps) - 0.5 * (Math.log(m[0]) + Math.log(m[1]));
    expect(langevinLogProposal(to, x, gr, eps, m) + constant).toBeCloseTo(exact, 12);
  });

  it('samples a correlated Gaussian (ρ = 0.9, sds 1 and 0.5) exactly: moments within 5 MCSE (ESS-based)', () => {
    const run = runChains({
      makeKernel: (p) => mala(g.target, p), initialPositions: starts,
      warmup: 500, draws: 40_000, adapt: false, params: { stepSize, inverseMassDiag }, rng: new Rng(21),
    });
    const acceptance = run.infos.flat().reduce((s, i) => s + i.acceptance, 0) / (4 * 40_000);
    expect(acceptance).toBeGreaterThan(0.5);
    expect(acceptance).toBeLessThan(0.95);
    const errors = gaussianMomentErrors(run.draws, g);
    for (const [name, e] of Object.entries(errors)) expect(e.z, `${name}: ${e.estimate} vs ${e.truth}`).toBeLessThan(5);
  });

  it('with the proposal densities left out of the ratio, the same run fails the same check', () => {
    const run = runChains({
      makeKernel: () => malaWithoutProposalDensities(g.target, stepSize, Float64Array.from(inverseMassDiag)), initialPositions: starts,
      warmup: 500, draws: 40_000, adapt: false, params: { stepSize, inverseMassDiag }, rng: new Rng(21),
    });
    const errors = gaussianMomentErrors(run.draws, g);
    const worst = Math.max(...Object.values(errors).map((e) => e.z));
    expect(worst, JSON.stringify(errors)).toBeGreaterThan(10);
  });

  it('on rejection returns the input state; accepted states carry fresh, correct caches', () => {
    const kernel = mala(g.target, { stepSize: 0.4, inverseMassDiag });
    const rng = new Rng(3);
    let state = kernel.init(new Float64Array([0.2, 0.1]));
    const grad = new Float64Array(2);
    let rejected = 0;
    const problems: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const previous = state;
      const out = kernel.step(rng, state);
      state = out.state;
      if (!out.info.accepted) {
        rejected++;
        if (state !== previous) problems.push(`${i}: rejected but a new state`);
      } else if (state.position === previous.position) problems.push(`${i}: accepted but the old array`);
      const lp = g.target.logDensityAndGrad(state.position, grad);
      if (lp !== state.logDensity || grad[0] !== state.gradient[0] || grad[1] !== state.gradient[1]) problems.push(`${i}: stale cache`);
    }
    expect(problems).toEqual([]);
    expect(rejected).toBeGreaterThan(100);
  });

  it('never accepts a proposal off the support, and flags it divergent', () => {
    const cliff: LogDensity = { dim: 1, logDensityAndGrad: (x, gr) => { gr[0] = 1; return x[0] < 0.5 ? x[0] : Number.NaN; } };
    const kernel = mala(cliff, { stepSize: 2 });
    const rng = new Rng(4);
    let divergent = 0;
    for (let i = 0; i < 200; i++) {
      const s0 = kernel.init(new Float64Array([0.4]));
      const { state, info } = kernel.step(rng, s0);
      if (info.divergent) {
        divergent++;
        expect(info.accepted).toBe(false);
        expect(info.acceptance).toBe(0);
        expect(state).toBe(s0);
      }
    }
    expect(divergent).toBeGreaterThan(50);
  });

  it('samples the banana posterior: mean and sd of θ₁, θ₂ within 5 MCSE of bananaExact', () => {
    const target = new BananaPosterior({ y: generateBananaData(100, new Rng(2022)) });
    const exact = bananaExact(target);
    const run = runChains({
      makeKernel: (p) => mala(target, p), initialPositions: [[0, 1], [0, -1], [1, 0], [0.5, 0.5]].map((x) => new Float64Array(x)),
      warmup: 2000, draws: 60_000, adapt: false, params: { stepSize: 0.003 }, rng: new Rng(7),
    });
    const problems: string[] = [];
    for (const axis of [0, 1] as const) {
      const mu = exact.mean[axis], sd = Math.sqrt(exact.cov[axis][axis]);
      const m = estimate(column(run.draws, 2, axis));
      const v = estimate(mapRows(run.draws, 2, (r) => (r[axis] - mu) ** 2));
      if (!(Math.abs(m.mean - mu) < 5 * m.se)) problems.push(`mean θ${axis + 1}: ${m.mean} vs ${mu} (se ${m.se})`);
      // sd = √E(θ − μ)²; the delta method turns the variance's se into the sd's.
      const sdHat = Math.sqrt(v.mean);
      if (!(Math.abs(sdHat - sd) < 5 * v.se / (2 * sd))) problems.push(`sd θ${axis + 1}: ${sdHat} vs ${sd} (se ${v.se / (2 * sd)})`);
    }
    expect(problems).toEqual([]);
  });
});
