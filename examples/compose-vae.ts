import { pipe } from 'rxjs';
import {
  Adam, Apparatus, apparatusSource, decode, Decoder, elbo, encode, Encoder, minimize, Rng,
  sampleLatent, selectBackend, tanhWarmup, toTensor, vaeMetrics, variablesOf, withSchedule,
} from 'qubit-rx';

await selectBackend(); // tfjs-node-gpu → webgpu → tfjs-node → wasm → cpu, whichever is present
const rng = new Rng(1);
const apparatus = new Apparatus({ scheme: 'random', epsilon: 0.2, qubits: 200 });
const encoder = new Encoder({ xDim: 3, zDim: 1 }, rng.fork());
const decoder = new Decoder({ xDim: 3, zDim: 1 }, rng.fork());
const adam = new Adam(variablesOf(encoder, decoder), { lr: 1e-3 });

// The seed's forward pass: q(z|x) → z ~ q (reparameterised) → p(x|z) → −ELBO.
const forward = pipe(encode(encoder), sampleLatent({ plan: 'A', rng: rng.fork() }), decode(decoder), elbo());

apparatusSource(apparatus, { batch: 50, rng: rng.fork(), count: 400 })
  .pipe(
    toTensor(),
    withSchedule('reg', tanhWarmup(200)),
    minimize(forward, adam), // runs `forward` inside the gradient tape, one Adam step per batch
    vaeMetrics({ every: 100, apparatus, encoder, decoder, rng: rng.fork() }),
  )
  .subscribe((r) => {
    if (r.kind === 'scalars') console.log(r.step, r.values.loss.toFixed(2), r.values.m_mag_corr.toFixed(3));
  });
