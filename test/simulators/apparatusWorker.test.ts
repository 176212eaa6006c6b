import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BehaviorSubject, concatMap, lastValueFrom, Subject, take, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createModel, DEFAULT_CONFIG, emergentClassicality, type EmergentClassicalityConfig } from '../../pipelines/emergent-classicality.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import type { MetricRecord, ScalarsRecord } from '../../src/metrics/records.ts';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, type ApparatusConfig } from '../../src/simulators/apparatus.ts';
import { apparatusSource, type ApparatusBatch, type ApparatusSourceOptions, type RecordSampler, type SamplingThread } from '../../src/simulators/apparatusSource.ts';
import { ApparatusWorker } from '../../src/simulators/apparatusWorker.ts';
import { MultiSystemApparatus } from '../../src/simulators/multiSystemApparatus.ts';
import { normaliseAxes, RotatedApparatus } from '../../src/simulators/rotatedApparatus.ts';
import { samplerFromSpec, samplerSpec } from '../../src/simulators/samplerSpec.ts';

/** N random, non-unit axes: several of them move by an ulp when normalised twice. */
function randomAxes(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => [rng.normal(), rng.normal(), rng.normal()]);
}

const heterogeneous = (n: number) => Array.from({ length: n }, (_, i) => 0.05 + 0.4 * ((i * 7) % n) / n);

const SAMPLERS: Array<[string, () => RecordSampler]> = [
  ['Apparatus, fixed', () => new Apparatus({ scheme: 'fixed', epsilon: 0.3, qubits: 9, alpha0: 0.4 })],
  ['Apparatus, random', () => new Apparatus({ scheme: 'random', epsilon: 0.2, qubits: 11 })],
  ['Apparatus, fixed, heterogeneous ε', () => new Apparatus({ scheme: 'fixed', epsilon: heterogeneous(10), qubits: 10, alpha0: -0.3 })],
  ['Apparatus, random, heterogeneous ε', () => new Apparatus({ scheme: 'random', epsilon: heterogeneous(8), qubits: 8, alpha0: 0.7 })],
  ['RotatedApparatus, one axis per qubit', () => new RotatedApparatus({ epsilon: heterogeneous(12), qubits: 12, alpha0: 0.2, axes: randomAxes(12, 4) })],
  ['RotatedApparatus, shared tilted axis', () => new RotatedApparatus({ epsilon: 0.25, qubits: 6, axes: [0.3, 0.1, 0.9] })],
  ['MultiSystemApparatus, fixed', () => new MultiSystemApparatus({ scheme: 'fixed', epsilon: heterogeneous(10), qubits: 10, systems: 3, alpha0: [0.1, -0.5, 0.9] })],
  ['MultiSystemApparatus, random', () => new MultiSystemApparatus({ scheme: 'random', epsilon: 0.3, qubits: 9, systems: 2, assignment: [1, 0, 0, 1, 1, 0, 1, 0, 0] })],
];

interface Run {
  batches: ApparatusBatch[];
  /** the caller's generator state seen inside each `next` (what a checkpoint there stores). */
  statesInNext: number[][];
  after: number[];
}

async function run(sampler: RecordSampler, thread: SamplingThread, options: Omit<ApparatusSourceOptions, 'rng' | 'thread'>, seed = 21): Promise<Run> {
  const rng = new Rng(seed);
  const statesInNext: number[][] = [];
  const batches = await new Promise<ApparatusBatch[]>((resolve, reject) => {
    const got: ApparatusBatch[] = [];
    apparatusSource(sampler, { ...options, rng, forkRng: false, thread }).subscribe({
      next: (b) => { got.push(b); statesInNext.push(rng.state()); },
      error: reject,
      complete: () => resolve(got),
    });
  });
  return { batches, statesInNext, after: rng.state() };
}

const strip = (b: ApparatusBatch) => ({ index: b.index, offset: b.offset, batch: b.batch, qubits: b.qubits, dim: b.dim, x: Array.from(b.x) });

afterEach(() => vi.restoreAllMocks());

describe('apparatusSource in a worker thread', () => {
  it.each(SAMPLERS)('%s: the same records, batches and generator states as the main thread, whatever the batch size', async (_, make) => {
    const sampler = make();
    expect(samplerSpec(sampler)).not.toBeNull();
    const main = await run(sampler, 'main', { batch: 7, records: 40 });
    const worker = await run(sampler, 'worker', { batch: 7, records: 40 });
    expect(worker.batches.map((b) => b.batch)).toEqual([7, 7, 7, 7, 7, 5]);
    expect(worker.batches.map(strip)).toEqual(main.batches.map(strip));
    expect(worker.statesInNext).toEqual(main.statesInNext);
    expect(worker.after).toEqual(main.after);
    // One batch of 40 from the same seed: the same records (the stream does not depend on the cut).
    const whole = await run(sampler, 'worker', { batch: 40, count: 1 });
    const joined = new Float32Array(whole.batches[0].x.length);
    for (const b of worker.batches) joined.set(b.x, b.offset * sampler.qubits * sampler.dim);
    expect(joined).toEqual(whole.batches[0].x);
    expect(whole.after).toEqual(worker.after);
  });

  it('the generator after N batches is where the main thread leaves it, and a copy of it resumes the stream', async () => {
    const app = new Apparatus({ scheme: 'random', epsilon: 0.2, qubits: 20 });
    const worker = await run(app, 'worker', { batch: 5, count: 6 });
    const main = await run(app, 'main', { batch: 5, count: 6 });
    expect(worker.after).toEqual(main.after);
    // Resume from the state stored while batch 2 was consumed: batches 3 … 5 again.
    const resumed = await lastValueFrom(apparatusSource(app, { batch: 5, count: 3, rng: Rng.fromState(worker.statesInNext[2]), forkRng: false, thread: 'worker' }).pipe(toArray()));
    expect(resumed.map((b) => Array.from(b.x))).toEqual(worker.batches.slice(3).map((b) => Array.from(b.x)));
  });

  it('forkRng (the default): each subscription forks at subscribe time, as on the main thread', async () => {
    const app = new Apparatus({ scheme: 'fixed', epsilon: 0.4, qubits: 7 });
    const rngW = new Rng(8), rngM = new Rng(8);
    const w = await lastValueFrom(apparatusSource(app, { batch: 3, count: 4, rng: rngW, thread: 'worker' }).pipe(toArray()));
    const m = await lastValueFrom(apparatusSource(app, { batch: 3, count: 4, rng: rngM, thread: 'main' }).pipe(toArray()));
    expect(w.map(strip)).toEqual(m.map(strip));
    expect(rngW.state()).toEqual(rngM.state());
  });

  it('a consumer that draws from the generator meanwhile gets the main thread\'s records (the batch drawn ahead is redrawn)', async () => {
    const app = new Apparatus({ scheme: 'random', epsilon: 0.3, qubits: 10 });
    const consume = async (thread: SamplingThread) => {
      const rng = new Rng(30);
      return lastValueFrom(apparatusSource(app, { batch: 4, count: 5, rng, forkRng: false, thread }).pipe(
        concatMap(async (b) => { if (b.index % 2 === 0) rng.uniform(); return Array.from(b.x); }),
        toArray(),
      ));
    };
    expect(await consume('worker')).toEqual(await consume('main'));
  });

  it('a synchronous consumer has at most one batch drawn ahead; pull mode serves exactly its requests', async () => {
    const app = new Apparatus({ scheme: 'random', epsilon: 0.2, qubits: 50 });
    const request = vi.spyOn(ApparatusWorker.prototype, 'request');
    let emitted = 0, maxAhead = 0;
    await new Promise<void>((resolve, reject) => {
      apparatusSource(app, { batch: 20, count: 12, rng: new Rng(2), thread: 'worker' }).subscribe({
        next: (b) => {
          emitted++;
          maxAhead = Math.max(maxAhead, request.mock.calls.length - emitted);
          for (let r = 0; r < 3; r++) app.logProb(b.x, b.batch); // slow, synchronous work
        },
        error: reject,
        complete: resolve,
      });
    });
    expect(emitted).toBe(12);
    expect(request).toHaveBeenCalledTimes(12);
    expect(maxAhead).toBe(1);

    // Pull mode with an asynchronous consumer: the main thread's records, one batch per request.
    const pull = async (thread: SamplingThread) => {
      const ready = new BehaviorSubject<void>(undefined);
      return lastValueFrom(apparatusSource(app, { batch: 6, count: 5, rng: new Rng(9), demand: ready, thread }).pipe(
        concatMap(async (b) => { await new Promise((r) => setTimeout(r, 2)); ready.next(); return Array.from(b.x); }),
        toArray(),
      ));
    };
    expect(await pull('worker')).toEqual(await pull('main'));

    // Nothing is emitted before demand; completing demand completes after the requests served.
    const demand = new Subject<void>();
    const seen: number[] = [];
    let completed = false;
    apparatusSource(app, { batch: 2, rng: new Rng(9), demand, thread: 'worker' }).subscribe({ next: (b) => seen.push(b.index), complete: () => (completed = true) });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    demand.next(); demand.next();
    demand.complete();
    await vi.waitFor(() => expect(completed).toBe(true), { timeout: 10_000 });
    expect(seen).toEqual([0, 1]);
  });

  it('stops at unsubscribe (take) with the generator at the last batch emitted', async () => {
    const app = new Apparatus({ scheme: 'fixed', epsilon: 0.3, qubits: 5 });
    const rng = new Rng(3);
    const got = await lastValueFrom(apparatusSource(app, { batch: 4, rng, forkRng: false, thread: 'worker' }).pipe(take(3), toArray()));
    const reference = new Rng(3);
    const x = app.sample(12, reference);
    expect(got.flatMap((b) => Array.from(b.x))).toEqual(Array.from(x));
    expect(rng.state()).toEqual(reference.state());
  });

  it('forwards the sampler\'s error, as the main thread does', async () => {
    // 4·10⁸ records of 10⁴ qubits: the sampler cannot allocate its output.
    const app = new Apparatus({ scheme: 'random', epsilon: 0.2, qubits: 10_000 });
    const failing = (thread: SamplingThread) => new Promise<{ seen: number; error: unknown }>((resolve) => {
      let seen = 0;
      apparatusSource(app, { batch: 4e8, count: 2, rng: new Rng(1), thread }).subscribe({ next: () => seen++, error: (error) => resolve({ seen, error }) });
    });
    const w = await failing('worker'), m = await failing('main');
    expect(w.error).toBeInstanceOf(RangeError);
    expect((w.error as Error).message).toBe((m.error as Error).message);
    expect([w.seen, m.seen]).toEqual([0, 0]);
  });

  it('ships only the three simulators; thread \'worker\' refuses others, \'auto\' keeps them here', async () => {
    class Custom extends Apparatus {
      constructor(config: ApparatusConfig) { super(config); }
    }
    const custom = new Custom({ scheme: 'fixed', epsilon: 0.1, qubits: 3 });
    expect(samplerSpec(custom)).toBeNull();
    const replaced = new Apparatus({ scheme: 'fixed', epsilon: 0.1, qubits: 3 });
    replaced.sample = (batch, rng) => new Float32Array(batch * 3).fill(rng.uniform() < 2 ? 1 : -1);
    expect(samplerSpec(replaced)).toBeNull();
    expect(() => apparatusSource(custom, { batch: 1, rng: new Rng(0), thread: 'worker' })).toThrow(/thread 'worker' needs an Apparatus, RotatedApparatus or MultiSystemApparatus .*got Custom/);
    expect(() => apparatusSource(custom, { batch: 1, rng: new Rng(0), thread: 'gpu' as SamplingThread })).toThrow(/thread must be one of 'auto', 'worker', 'main' \(got gpu\)/);
    const request = vi.spyOn(ApparatusWorker.prototype, 'request');
    const auto = await lastValueFrom(apparatusSource(replaced, { batch: 2, count: 3, rng: new Rng(0) }).pipe(toArray()));
    expect(auto.map((b) => Array.from(b.x))).toEqual([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]]);
    expect(request).not.toHaveBeenCalled();
  });

  it('a rotated sampler is rebuilt with its axes bit for bit (normalising them again would move some)', () => {
    const app = new RotatedApparatus({ epsilon: 0.2, qubits: 40, axes: randomAxes(40, 11) });
    expect(normaliseAxes('test', app.axes, 40)).not.toEqual(app.axes);
    const rebuilt = samplerFromSpec(structuredClone(samplerSpec(app)!)) as RotatedApparatus;
    expect(rebuilt.axes).toEqual(app.axes);
    expect(rebuilt.shared).toBe(app.shared);
    expect(rebuilt.sample(30, new Rng(5))).toEqual(app.sample(30, new Rng(5)));
  });

  it('leaves no thread behind: the process exits after a finished, an unsubscribed and an idle pull-mode source', async () => {
    const script = fileURLToPath(new URL('./fixtures/workerExit.ts', import.meta.url));
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(null); }, 30_000);
      child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    expect({ code, out: out.trim(), err }).toEqual({ code: 0, out: 'done', err: '' });
    // Loading tsx and starting the threads takes a few seconds on a busy machine; a leaked thread never exits.
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});

describe('the emergent-classicality pipeline with sampling in a worker thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ec-worker-'));
  beforeAll(async () => { await selectBackend('wasm'); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function train(config: EmergentClassicalityConfig, options: { resumeFrom?: string; checkpointDir?: string } = {}) {
    const model = createModel(config, options.resumeFrom);
    const records: MetricRecord[] = await lastValueFrom(emergentClassicality(config, model, { checkpointDir: options.checkpointDir }).pipe(toArray()));
    const weights = model.encoder.namedVariables().concat(model.decoder.namedVariables()).map(([n, v]) => [n, Array.from(v.dataSync())] as const);
    model.dispose();
    return { records, weights };
  }
  const scalars = (rs: MetricRecord[]) => rs.filter((r): r is ScalarsRecord => r.kind === 'scalars').map((r) => { const { elapsed_s: _e, ...v } = r.values; return [r.step, v]; });

  it('resumes from a checkpoint at step 20 with the scalars and weights of an uninterrupted 40-step run, and of the main thread', async () => {
    const config: EmergentClassicalityConfig = { ...DEFAULT_CONFIG, scheme: 'random', qubits: 12, batch: 8, steps: 40, every: 10, evalRecords: 30, checkpointEvery: 20, seed: 5, samplingThread: 'worker' };
    const request = vi.spyOn(ApparatusWorker.prototype, 'request');
    const full = await train(config);
    expect(request).toHaveBeenCalledTimes(40);
    const ckdir = join(dir, 'ck');
    await train({ ...config, steps: 20 }, { checkpointDir: ckdir });
    const resumed = await train(config, { resumeFrom: join(ckdir, 'step-000020.json') });
    expect(resumed.weights).toEqual(full.weights);
    expect(scalars(resumed.records)).toEqual(scalars(full.records).filter(([step]) => (step as number) > 20));
    // A checkpoint written mid-run (step 20 of 40, the worker one batch ahead) resumes the same way.
    const midDir = join(dir, 'mid');
    await train(config, { checkpointDir: midDir });
    const fromMid = await train(config, { resumeFrom: join(midDir, 'step-000020.json') });
    expect(fromMid.weights).toEqual(full.weights);
    const main = await train({ ...config, samplingThread: 'main' });
    expect(main.weights).toEqual(full.weights);
    expect(scalars(main.records)).toEqual(scalars(full.records));
  });
});
