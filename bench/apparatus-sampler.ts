/**
 * Throughput of the exact apparatus sampler (the data source of every training step).
 * Run: npx tsx bench/apparatus-sampler.ts [seconds per measurement, default 1]
 *
 * Prints records/s and record·qubits/s (median of 3 runs) for N = 200, both schemes, batch 50 and 1000:
 * `sample`, `sampleWithLogProb`, the closed-form `logProb`, and `apparatusSource` end to end
 * (one macrotask per batch, consumer does nothing).
 */
import { lastValueFrom, count as countOf } from 'rxjs';
import { Rng } from '../src/random/rng.ts';
import { Apparatus, apparatusSource, type Scheme } from '../src/simulators/index.ts';

const seconds = Number(process.argv[2] ?? 1);
const N = 200;
const REPEATS = 3;

/** Runs `work` (which handles `records` records) repeatedly for `seconds`; returns records/s. */
function rate(records: number, work: () => void): number {
  work(); // warm-up / JIT
  const t0 = performance.now();
  let done = 0;
  while (performance.now() - t0 < seconds * 1000) { work(); done += records; }
  return done / ((performance.now() - t0) / 1000);
}

async function sourceRate(app: Apparatus, batch: number): Promise<number> {
  const batches = Math.max(1, Math.round((seconds * 2e6) / (batch * N * app.dim)));
  const t0 = performance.now();
  const n = await lastValueFrom(apparatusSource(app, { batch, rng: new Rng(3), count: batches }).pipe(countOf()));
  return (n * batch) / ((performance.now() - t0) / 1000);
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const rows: string[][] = [];
const add = (what: string, scheme: Scheme, batch: number, recordsPerSecond: number) =>
  rows.push([what, scheme, String(batch), recordsPerSecond.toFixed(0), (recordsPerSecond * N).toExponential(2)]);

for (const scheme of ['fixed', 'random'] as Scheme[]) {
  const app = new Apparatus({ scheme, epsilon: 0.2, qubits: N, alpha0: 0 });
  for (const batch of [50, 1000]) {
    const rng = new Rng(1);
    const out = new Float32Array(batch * N * app.dim);
    add('sample', scheme, batch, median(Array.from({ length: REPEATS }, () => rate(batch, () => app.sample(batch, rng, out)))));
    add('sampleWithLogProb', scheme, batch, median(Array.from({ length: REPEATS }, () => rate(batch, () => app.sampleWithLogProb(batch, rng)))));
    const x = app.sample(batch, rng);
    add('logProb (closed form)', scheme, batch, median(Array.from({ length: REPEATS }, () => rate(batch, () => app.logProb(x, batch)))));
    const s: number[] = [];
    for (let r = 0; r < REPEATS; r++) s.push(await sourceRate(app, batch));
    add('apparatusSource', scheme, batch, median(s));
  }
}

const header = ['operation', 'scheme', 'batch', 'records/s', 'record·qubits/s'];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
const line = (r: string[]) => r.map((v, c) => (c >= 2 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ');
process.stdout.write(`apparatus sampler, N = ${N}, ε = 0.2, node ${process.version}, median of ${REPEATS} × ${seconds} s\n`);
process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
