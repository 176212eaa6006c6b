/**
 * Where a training step's time goes: per-kernel totals from tf.profile over a few steps of one
 * configuration (the numbers in bench/RESULTS.md's profiles). A customGrad op shows as
 * "unnamed scope" and its time includes its inner kernels; the native kernel's backward pass runs
 * outside TF.js kernels and shows only in the step time.
 *
 *   npx tsx bench/profile.ts [--qubits 200] [--batch 50] [--scheme random] [--plan A] [--steps 20] [--top 25] [--backend wasm]
 */
import { of, pipe } from 'rxjs';
import { selectBackend } from '../src/backend/selectBackend.ts';
import { tf } from '../src/backend/tf.ts';
import { createModel, DEFAULT_CONFIG, type EmergentClassicalityConfig } from '../pipelines/emergent-classicality.ts';
import { decode } from '../src/operators/decode.ts';
import { elbo } from '../src/operators/elbo.ts';
import { encode } from '../src/operators/encode.ts';
import { minimize } from '../src/operators/minimize.ts';
import { sampleLatent } from '../src/operators/sampleLatent.ts';
import type { Sample } from '../src/operators/toTensor.ts';
import { parseArgs } from './args.ts';

const opts = parseArgs(process.argv.slice(2), { qubits: String(DEFAULT_CONFIG.qubits), batch: String(DEFAULT_CONFIG.batch), scheme: DEFAULT_CONFIG.scheme, plan: DEFAULT_CONFIG.plan, steps: '20', top: '25', backend: 'wasm' });
const args = new Map(Object.entries(opts));
const config: EmergentClassicalityConfig = {
  ...DEFAULT_CONFIG,
  qubits: Number(args.get('qubits') ?? DEFAULT_CONFIG.qubits),
  batch: Number(args.get('batch') ?? DEFAULT_CONFIG.batch),
  scheme: (args.get('scheme') ?? DEFAULT_CONFIG.scheme) as EmergentClassicalityConfig['scheme'],
  plan: (args.get('plan') ?? DEFAULT_CONFIG.plan) as EmergentClassicalityConfig['plan'],
};
const steps = Number(args.get('steps') ?? 20);

await selectBackend((args.get('backend') ?? 'wasm') as 'wasm');
const model = createModel(config);
const forward = pipe(encode<Sample & { reg: number }>(model.encoder), sampleLatent({ plan: config.plan, rng: model.rngs.latent }), decode(model.decoder), elbo());
const step = minimize(forward, model.optimizer);
const run = (k: number) => {
  const records = { index: 0, offset: 0, batch: config.batch, qubits: config.qubits, dim: model.apparatus.dim, x: model.apparatus.sample(config.batch, model.rngs.data) };
  const x = tf.tensor3d(records.x, [config.batch, config.qubits, model.apparatus.dim]);
  of({ step: k, x, records, reg: 0.5 }).pipe(step).subscribe();
  x.dispose();
};
for (let k = 1; k <= 10; k++) run(k);
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let k = 1; k <= steps; k++) run(k);
const plain = (performance.now() - t0) / steps;
const c1 = process.cpuUsage(c0);
const cpu = (c1.user + c1.system) / 1000 / steps;
const t1 = performance.now();
for (let k = 1; k <= steps; k++) model.apparatus.sample(config.batch, model.rngs.data);
const sampling = (performance.now() - t1) / steps;

const totals = new Map<string, { ms: number; calls: number; shapes: string }>();
const info = await tf.profile(() => { for (let k = 1; k <= steps; k++) run(k); });
for (const kern of info.kernels) {
  const key = `${kern.name} ${JSON.stringify(kern.inputShapes)}`;
  const e = totals.get(key) ?? { ms: 0, calls: 0, shapes: JSON.stringify(kern.inputShapes) };
  e.ms += kern.kernelTimeMs as number;
  e.calls += 1;
  totals.set(key, e);
}
const sorted = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
const kernelTotal = sorted.reduce((a, [, e]) => a + e.ms, 0) / steps;
process.stdout.write(`config ${JSON.stringify({ scheme: config.scheme, N: config.qubits, batch: config.batch, plan: config.plan })}\n`);
process.stdout.write(`step (incl. sampling) ${plain.toFixed(2)} ms wall, ${cpu.toFixed(2)} ms cpu, sampling alone ${sampling.toFixed(2)} ms, kernels sum ${kernelTotal.toFixed(2)} ms/step, ${info.kernels.length / steps} kernel calls/step\n`);
for (const [key, e] of sorted.slice(0, Number(args.get('top') ?? 25))) {
  process.stdout.write(`${(e.ms / steps).toFixed(3).padStart(8)} ms  ${String(e.calls / steps).padStart(4)}×  ${key}\n`);
}
model.dispose();
