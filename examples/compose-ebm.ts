import { filter, lastValueFrom, map, tap } from 'rxjs';
import { Adam, Rng, selectBackend, trainingSteps, variablesOf } from 'qubit-rx';
// The EBM stages (the lead exports them from 'qubit-rx' too once src/index.ts re-exports src/ebm).
import { DEFAULT_BOX, densityScores, ebmUpdates, EnergyNet, gridCentres, gridDensity, ReplayBuffer, toyDistribution } from '../src/ebm/index.ts';

await selectBackend();
const rng = new Rng(1);
// Two moons with their exact density (a quadrature over the curve): the truth to score against.
const moons = toyDistribution('moons');
const train = moons.sample(2000, rng.fork());
const test = moons.sample(2000, rng.fork());
const grid = 120;
const truthOnGrid = moons.logDensity(gridCentres(DEFAULT_BOX, grid));

// E_θ: 2 → 32 → 32 → 1 Swish; 500 persistent chains, 5 % restarted from noise at each draw.
const net = new EnergyNet(32, rng.fork());
const adam = new Adam(variablesOf(net), { lr: 5e-3 });
const buffer = new ReplayBuffer(500, DEFAULT_BOX, 0.05, rng.fork());

// The training stage is an operator over the step stream: minibatch ▸ buffer ▸ 10 Langevin steps ▸ ebmStep.
await lastValueFrom(
  trainingSteps(600, 2).pipe(
    ebmUpdates(net, adam, buffer, { data: train, batch: 64, langevinSteps: 10, stepSize: 0.02, temperature: 1, alpha: 0.1, box: DEFAULT_BOX }),
    filter((u) => (u.step + 1) % 200 === 0),
    map((u) => {
      // In 2-D, Z is a quadrature: the held-out NLL of exp(−E)/Z is exact, no AIS needed.
      const g = gridDensity((p) => net.energies(p), DEFAULT_BOX, grid);
      return { step: u.step + 1, loss: u.loss, scores: densityScores(g, truthOnGrid, net.energies(test), moons.logDensity(test)) };
    }),
    tap(({ step, loss, scores: s }) =>
      console.log(`step ${step} loss ${loss.toFixed(3)} heldout_nll ${s.heldoutNll.toFixed(3)} exact_nll ${s.exactNll.toFixed(3)} uniform_nll ${s.uniformNll.toFixed(3)} kl ${s.klGrid.toFixed(3)}`),
    ),
  ),
);
adam.dispose();
net.dispose();
