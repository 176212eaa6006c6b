/**
 * Evaluation of the statmech objectives (issue 6). Prints two tables:
 *
 * 1. Transfer-matrix problem (N = 6 ring, Ising β = 0.5): gradient variance of the seed's Gumbel
 *    reverse KL vs the REINFORCE estimator of the same KL, at initialisation and after 150 shared
 *    training steps, and the exact KL(p_model‖p_exact) each objective reaches with the same budget.
 * 2. VAN on the 16×16 periodic Ising lattice at β = 0.3, 0.44, 0.6: relative error of the variational
 *    free energy against Kaufman's exact finite-size value, with wall time and steps on this machine.
 *
 *   npx tsx bench/ising-eval.ts [--part kl|van|all] [--van-steps 1200] [--van-batch 256] [--van-hidden none|4|4,4]
 *                               [--van-lr 0.003] [--van-anneal 0.995] [--betas 0.3,0.44,0.6] [--verbose 1]
 *
 * F_q is evaluated after training at the target β on 2048 fresh samples (annealing leaves β_t just below β).
 */
import { lastValueFrom, map, tap } from 'rxjs';
import { tf } from '../src/backend/tf.ts';
import { selectBackend } from '../src/backend/selectBackend.ts';
import { AutoregressiveModel } from '../src/autoregressive/AutoregressiveModel.ts';
import { CyclicSymmetrized } from '../src/autoregressive/CyclicSymmetrized.ts';
import type { RelaxedSiteDistribution } from '../src/autoregressive/SiteDistribution.ts';
import { ising } from '../src/lattice/bond.ts';
import { allStates, toOneHot } from '../src/lattice/configurations.ts';
import { isingTorusLogZ } from '../src/lattice/exact/isingTorusLogZ.ts';
import { onsagerLogZPerSite } from '../src/lattice/exact/onsager.ts';
import { transferStationary } from '../src/lattice/exact/transferStationary.ts';
import { gradientStatistics } from '../src/objectives/gradientVariance.ts';
import { reverseKlGumbel } from '../src/objectives/reverseKlGumbel.ts';
import { reverseKlReinforce } from '../src/objectives/reverseKlReinforce.ts';
import { learningRatePhases, trainInPhases } from '../src/objectives/trainInPhases.ts';
import { variationalFreeEnergy } from '../src/objectives/variationalFreeEnergy.ts';
import { minimize, runSync } from '../src/operators/minimize.ts';
import { Rng } from '../src/random/rng.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const part = args.get('part') ?? 'all';

await selectBackend('wasm');
console.log(`backend wasm, ${new Date().toISOString()}`);

function exactKl(d: RelaxedSiteDistribution, probs: Float64Array): number {
  const s = allStates(d.units, d.states);
  const lp = tf.tidy(() => d.logProb(tf.tensor2d(toOneHot(s, d.units, d.states), [probs.length, d.units * d.states])));
  const v = lp.dataSync();
  lp.dispose();
  let kl = 0;
  for (let i = 0; i < v.length; i++) kl += Math.exp(v[i]) * (v[i] - Math.log(probs[i]));
  return kl;
}

if (part === 'kl' || part === 'all') {
  const N = 6, beta = 0.5, bond = ising(beta), B = 256, steps = 600;
  const exact = transferStationary(N, bond);
  console.log(`\n## Transfer matrix, Ising N = ${N}, β = ${beta}: batch ${B} per side, net [2,16,2] tanh, ${steps} steps (lr 0.01 → 0.01/16)`);
  console.log('| model | objective | grad variance at init | after 150 steps | ‖E ĝ‖² after 150 | final KL(p‖p_exact) | time |');
  console.log('|---|---|---|---|---|---|---|');
  for (const symmetric of [true, false]) {
    const objectives = [
      ['(1) Gumbel τ=0.3 soft (seed)', (d: RelaxedSiteDistribution) => reverseKlGumbel(d, { bond, batch: B, tau: 0.3 })],
      ['(1) Gumbel τ=0.3 hard (ST)', (d: RelaxedSiteDistribution) => reverseKlGumbel(d, { bond, batch: B, tau: 0.3, hard: true })],
      ['(2) REINFORCE + RLOO', (d: RelaxedSiteDistribution) => reverseKlReinforce(d, { bond, batch: B })],
    ] as const;
    // Shared reference point for "after 150 steps": a model trained by (2).
    const ref = new AutoregressiveModel(N, [2, 16, 2], { rng: new Rng(1), activation: 'tanh' });
    const refD = symmetric ? new CyclicSymmetrized(ref) : ref;
    const init = objectives.map(([, make]) => gradientStatistics(make(refD), ref.variables, 0, new Rng(3), 16));
    await lastValueFrom(trainInPhases([{ steps: 150, lr: 0.01 }], 1, ref.variables, (s, adam) => s.pipe(minimize(reverseKlReinforce(refD, { bond, batch: B }), adam))));
    const mid = objectives.map(([, make]) => gradientStatistics(make(refD), ref.variables, 0, new Rng(3), 16));
    ref.dispose();
    for (const [k, [name, make]] of objectives.entries()) {
      const model = new AutoregressiveModel(N, [2, 16, 2], { rng: new Rng(1), activation: 'tanh' });
      const d = symmetric ? new CyclicSymmetrized(model) : model;
      const t0 = performance.now();
      await lastValueFrom(trainInPhases(learningRatePhases(steps, 0.01), 1, model.variables, (s, adam) => s.pipe(minimize(make(d), adam))));
      const secs = (performance.now() - t0) / 1000;
      console.log(`| ${symmetric ? 'Z2-symmetrised' : 'plain'} | ${name} | ${init[k].variance.toExponential(2)} | ${mid[k].variance.toExponential(2)} | ${mid[k].meanNormSq.toExponential(2)} | ${exactKl(d, exact.probs).toExponential(2)} | ${secs.toFixed(1)} s |`);
      model.dispose();
    }
  }
}

if (part === 'van' || part === 'all') {
  const L = 16, N = L * L;
  const steps = Number(args.get('van-steps') ?? 1200);
  const batch = Number(args.get('van-batch') ?? 256);
  const hiddenArg = args.get('van-hidden') ?? 'none';
  const hidden = hiddenArg === 'none' ? [] : hiddenArg.split(',').map(Number);
  const lr = Number(args.get('van-lr') ?? 0.003);
  const anneal = Number(args.get('van-anneal') ?? 0.995);
  const betas = (args.get('betas') ?? '0.3,0.44,0.6').split(',').map(Number);
  console.log(`\n## VAN, 16×16 periodic Ising: net [2,${hidden.join(',')},2] tanh, Z2-symmetrised, batch ${batch}, ${steps} steps, lr ${lr} (step schedule), β annealing rate ${anneal}`);
  console.log('| β | F/N exact (Kaufman, L=16) | Onsager L=∞ | F_q/N (model, 2048 samples at β) | ± stderr | relative error | training wall time |');
  console.log('|---|---|---|---|---|---|---|');
  for (const beta of betas) {
    const bond = ising(beta);
    const exactF = -isingTorusLogZ(L, beta) / beta / N;
    const model = new AutoregressiveModel(N, [2, ...hidden, 2], { rng: new Rng(1), activation: 'tanh' });
    const sym = new CyclicSymmetrized(model);
    const objective = variationalFreeEnergy(sym, { bond, L, batch });
    const t0 = performance.now();
    await lastValueFrom(
      trainInPhases(learningRatePhases(steps, lr), 1, model.variables, (s, adam) =>
        s.pipe(map((e) => ({ ...e, beta: anneal > 0 ? beta * (1 - anneal ** (e.step + 1)) : beta })), minimize(objective, adam)),
      ).pipe(
        tap((e) => {
          if (args.has('verbose') && e.step % 100 === 99) console.error(`β=${beta} step ${e.step + 1}: F/N ${e.scalars.free_energy.toFixed(5)} at β_t ${e.scalars.beta.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        }),
      ),
    );
    const secs = (performance.now() - t0) / 1000;
    // Evaluation at the target β: F_q is an upper bound for any q, so this is the honest number.
    const evalRng = new Rng(99);
    const fs: number[] = [];
    for (let k = 0; k < 8; k++) {
      const e = runSync(variationalFreeEnergy(sym, { bond, L, batch: 256 }), { step: steps, rng: evalRng.fork(), beta });
      e.loss.dispose();
      fs.push(e.scalars.free_energy);
    }
    const f = fs.reduce((a, b) => a + b, 0) / fs.length;
    const se = Math.sqrt(fs.reduce((a, b) => a + (b - f) ** 2, 0) / (fs.length - 1) / fs.length);
    const onsager = -onsagerLogZPerSite(beta) / beta;
    console.log(`| ${beta} | ${exactF.toFixed(6)} | ${onsager.toFixed(6)} | ${f.toFixed(6)} | ${se.toExponential(1)} | ${((f - exactF) / Math.abs(exactF)).toExponential(2)} | ${secs.toFixed(0)} s (${steps} steps) |`);
    model.dispose();
  }
}
