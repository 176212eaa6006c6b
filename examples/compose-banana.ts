import { filter, lastValueFrom, pipe, tap, toArray } from 'rxjs';
import {
  Adam, bananaExact, BananaPosterior, essBulk, generateBananaData, minimize, nuts, realNvpFlow,
  reverseKl, Rng, sampleChains, selectBackend, trainingSteps, variablesOf,
} from 'qubit-rx';

await selectBackend();
const rng = new Rng(1);
// Seed 003's banana: y_i ~ N(θ₁ + θ₂², 2²), θ ~ N(0, I), 100 points.
const target = new BananaPosterior({ y: generateBananaData(100, rng.fork()), sigmaY: 2 });
const exact = bananaExact(target); // log p(y), moments and marginals by quadrature: the truth to score against

// A flow is a Distribution; it is fitted by the same `minimize` operator as the qubit VAE.
const flow = realNvpFlow(2, 5, rng.fork());
const adam = new Adam(variablesOf(flow), { lr: 1e-2 });
await lastValueFrom(
  trainingSteps(400, 1).pipe(
    minimize(pipe(reverseKl(flow, target, { batch: 256, rng: rng.fork() })), adam),
    tap(({ step, elbo }) => {
      // KL(q‖p) = log p(y) − ELBO, exactly (a one-batch estimate of the ELBO here).
      if ((step + 1) % 100 === 0) console.log(`realnvp ${step + 1} KL ${(exact.logEvidence - elbo.dataSync()[0]).toFixed(3)}`);
    }),
  ),
);

// A sampler is a stream of draws: NUTS on 4 chains with Stan's warm-up, one emission per iteration.
const draws = await lastValueFrom(
  sampleChains({
    makeKernel: (params) => nuts(target, params),
    initialPositions: [0, 1, 2, 3].map(() => Float64Array.from([rng.normal(), rng.normal()])),
    warmup: 500, draws: 500, adapt: true, params: { stepSize: 0.1 }, rng: rng.fork(),
  }).pipe(filter((d) => d.phase === 'sampling'), toArray()),
);
const theta2 = [0, 1, 2, 3].map((c) => Float64Array.from(draws, (d) => d.positions[2 * c + 1])); // [chain][draw]
const mean = theta2.reduce((s, chain) => s + chain.reduce((a, v) => a + v, 0), 0) / (4 * 500);
console.log(`nuts E[θ₂] ${mean.toFixed(3)} exact ${exact.mean[1].toFixed(3)} ESS ${essBulk(theta2).toFixed(0)}`);
flow.dispose();
