// Seed 000's open questions, composed in code: heterogeneous sensors that a position-aware encoder
// must discover, and rotated pointer axes that a learned frame in front of encoder and decoder must find.
// (Several system qubits: pipelines/multi-system.ts composes the same stages with a ReadoutDecoder.)
import { pipe } from 'rxjs';
import {
  Adam, Apparatus, apparatusSource, AxisFrame, decode, Decoder, elbo, encode, Encoder, minimize, Rng,
  RotatedApparatus, sampleLatent, selectBackend, sensorEpsilons, tanhWarmup, toFrame, toTensor, vaeMetrics,
  variablesOf, withSchedule,
} from 'qubit-rx';

await selectBackend();
const rng = new Rng(1);

// 1. Half of 50 fixed-axis sensors are dead (ε = 0); the model gets a qubit-index embedding
//    (encoder) and a gain per qubit (decoder). sensor_corr: how well its saliencies follow εᵢ.
{
  const qubits = 50;
  const sensors = new Apparatus({ scheme: 'fixed', epsilon: Array.from(sensorEpsilons('dead:0.5@0.4', qubits, rng.fork())), qubits });
  const encoder = new Encoder({ xDim: 1, zDim: 1, positions: { qubits, dim: 2 } }, rng.fork());
  const decoder = new Decoder({ xDim: 1, zDim: 1, gains: qubits }, rng.fork());
  const forward = pipe(encode(encoder), sampleLatent({ plan: 'A', rng: rng.fork() }), decode(decoder), elbo());
  await new Promise<void>((done) =>
    apparatusSource(sensors, { batch: 50, rng: rng.fork(), count: 600 })
      .pipe(
        toTensor(),
        withSchedule('reg', tanhWarmup(200)),
        minimize(forward, new Adam(variablesOf(encoder, decoder), { lr: 1e-3 })),
        vaeMetrics({ every: 300, apparatus: sensors, encoder, decoder, rng: rng.fork(), evalRecords: 300 }),
      )
      .subscribe({
        next: (r) => {
          if (r.kind === 'scalars') console.log(`sensors step ${r.step} sensor_corr ${r.values.sensor_corr.toFixed(3)} gain_corr ${r.values.sensor_gain_corr.toFixed(3)}`);
        },
        complete: done,
      }),
  );
}

// 2. Every pointer axis tilted 50° from ẑ: the records pass through a learned frame (one rotation
//    shared by encoder and decoder) before both; axis_angle_deg: how far its axis is from the truth.
{
  const rotated = new RotatedApparatus({ epsilon: 0.3, qubits: 100, axes: [Math.sin(0.87), 0, Math.cos(0.87)] });
  const encoder = new Encoder({ xDim: 3, zDim: 1, inputGradient: true }, rng.fork());
  const decoder = new Decoder({ xDim: 3, zDim: 1 }, rng.fork());
  const frame = new AxisFrame({ shared: true }, rng.fork());
  const forward = pipe(toFrame(frame), encode(encoder), sampleLatent({ plan: 'A', rng: rng.fork() }), decode(decoder), elbo());
  await new Promise<void>((done) =>
    apparatusSource(rotated, { batch: 50, rng: rng.fork(), count: 500 })
      .pipe(
        toTensor(),
        withSchedule('reg', tanhWarmup(200)),
        minimize(forward, new Adam(variablesOf(encoder, decoder, frame), { lr: 1e-3 })),
        vaeMetrics({ every: 250, apparatus: rotated, encoder, decoder, frame, rng: rng.fork(), evalRecords: 200 }),
      )
      .subscribe({
        next: (r) => {
          if (r.kind === 'scalars') console.log(`axes step ${r.step} axis_angle_deg ${r.values.axis_angle_deg.toFixed(2)} elbo_gap ${r.values.elbo_gap.toFixed(3)}`);
        },
        complete: done,
      }),
  );
}

