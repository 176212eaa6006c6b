import { BehaviorSubject, concatMap, lastValueFrom, Subject, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, apparatusSource, type ApparatusBatch, type ApparatusConfig } from '../../src/simulators/index.ts';

/** Counts batches made, and flags a batch made while a consumer is still inside `next`. */
class CountingApparatus extends Apparatus {
  produced = 0;
  insideNext = false;
  madeDuringNext = 0;
  failAt = -1;
  constructor(config: ApparatusConfig) { super(config); }
  override sample(batch: number, rng: Rng, out?: Float32Array): Float32Array {
    if (this.produced === this.failAt) throw new Error('sampler failed');
    if (this.insideNext) this.madeDuringNext++;
    this.produced++;
    return super.sample(batch, rng, out);
  }
}

const config: ApparatusConfig = { scheme: 'random', epsilon: 0.3, qubits: 4, alpha0: 0.2 };
const macrotasks = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('apparatusSource', () => {
  it('emits `count` batches of shape [batch, N, d] and completes', async () => {
    const app = new Apparatus(config);
    const batches = await lastValueFrom(apparatusSource(app, { batch: 7, rng: new Rng(1), count: 5 }).pipe(toArray()));
    expect(batches.map((b) => b.index)).toEqual([0, 1, 2, 3, 4]);
    expect(batches.map((b) => b.offset)).toEqual([0, 7, 14, 21, 28]);
    for (const b of batches) {
      expect([b.batch, b.qubits, b.dim, b.x.length]).toEqual([7, 4, 3, 7 * 4 * 3]);
      expect(b.x).toBeInstanceOf(Float32Array);
    }
    expect(await lastValueFrom(apparatusSource(app, { batch: 7, rng: new Rng(1), count: 0 }).pipe(toArray()))).toEqual([]);
  });

  it('`records` cuts the last batch; records follow the seed whatever the batch size', async () => {
    const app = new Apparatus(config);
    const batches = await lastValueFrom(apparatusSource(app, { batch: 5, rng: new Rng(3), records: 17 }).pipe(toArray()));
    expect(batches.map((b) => b.batch)).toEqual([5, 5, 5, 2]);
    const joined = new Float32Array(17 * 4 * 3);
    for (const b of batches) joined.set(b.x, b.offset * 4 * 3);
    // The subscription draws from new Rng(3).fork(): one sample of 17 records from that child is the same data.
    expect(joined).toEqual(app.sample(17, new Rng(3).fork()));
    const other = await lastValueFrom(apparatusSource(app, { batch: 17, rng: new Rng(3), count: 1 }));
    expect(other.x).toEqual(joined);
  });

  it('each subscription forks the rng: two subscriptions do not share a stream', async () => {
    const source = apparatusSource(new Apparatus(config), { batch: 3, rng: new Rng(4), count: 1 });
    const a = await lastValueFrom(source), b = await lastValueFrom(source);
    expect(b.x).not.toEqual(a.x);
  });

  it('forkRng: false draws straight from the caller\'s rng, which advances with the stream', async () => {
    const app = new Apparatus(config);
    const rng = new Rng(12);
    const batches = await lastValueFrom(apparatusSource(app, { batch: 3, rng, count: 2, forkRng: false }).pipe(toArray()));
    const reference = new Rng(12);
    const x = app.sample(6, reference);
    expect(batches[0].x).toEqual(x.subarray(0, 3 * 4 * 3));
    expect(batches[1].x).toEqual(x.subarray(3 * 4 * 3));
    expect(rng.uniform()).toBe(reference.uniform());
  });

  it('stops producing as soon as the consumer unsubscribes', async () => {
    const app = new CountingApparatus(config);
    const got = await lastValueFrom(apparatusSource(app, { batch: 2, rng: new Rng(5) }).pipe(take(3), toArray()));
    expect(got).toHaveLength(3);
    await macrotasks(30);
    expect(app.produced).toBe(3);

    const app2 = new CountingApparatus(config);
    let seen = 0;
    const sub = apparatusSource(app2, { batch: 2, rng: new Rng(5) }).subscribe(() => seen++);
    await macrotasks(5);
    sub.unsubscribe();
    const producedAtUnsubscribe = app2.produced;
    await macrotasks(30);
    expect(app2.produced).toBe(producedAtUnsubscribe);
    expect(seen).toBe(producedAtUnsubscribe);
  });

  it('a slow synchronous consumer never has more than one batch alive', async () => {
    const app = new CountingApparatus({ ...config, qubits: 200 });
    let consumed = 0, maxAlive = 0;
    await new Promise<void>((resolve, reject) => {
      apparatusSource(app, { batch: 50, rng: new Rng(6), count: 20 }).subscribe({
        next: (b: ApparatusBatch) => {
          app.insideNext = true;
          maxAlive = Math.max(maxAlive, app.produced - consumed);
          for (let r = 0; r < 5; r++) app.logProb(b.x, b.batch); // slow, synchronous work
          consumed++;
          app.insideNext = false;
        },
        error: reject,
        complete: resolve,
      });
    });
    expect(consumed).toBe(20);
    expect(maxAlive).toBe(1);
    expect(app.madeDuringNext).toBe(0);
  });

  it('yields to the event loop between batches: a timer set at the start fires while the source runs', async () => {
    const app = new CountingApparatus({ ...config, qubits: 1 });
    let completed = false;
    const sub = apparatusSource(app, { batch: 1, rng: new Rng(7), count: 1_000_000 }).subscribe({ complete: () => (completed = true) });
    // 20 ms, not 0: a 0 ms timer can fall due before the first check phase runs a batch (seen under load).
    const atTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(app.produced), 20));
    sub.unsubscribe();
    expect(completed).toBe(false);
    expect(atTimer).toBeGreaterThan(0);
    expect(atTimer).toBeLessThan(1_000_000);
  });

  it('pull mode: an asynchronous consumer with `demand` bounds the backlog to one batch', async () => {
    const app = new CountingApparatus(config);
    const ready = new BehaviorSubject<void>(undefined);
    let consumed = 0, maxAlive = 0;
    const result = await lastValueFrom(
      apparatusSource(app, { batch: 4, rng: new Rng(8), count: 10, demand: ready }).pipe(
        concatMap(async (b) => {
          maxAlive = Math.max(maxAlive, app.produced - consumed);
          await macrotasks(2); // asynchronous training step
          consumed++;
          ready.next();
          return b.index;
        }),
        toArray(),
      ),
    );
    expect(result).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(maxAlive).toBe(1);
    expect(app.produced).toBe(10);
  });

  it('pull mode: nothing is made before demand; completing demand completes the source after served requests', async () => {
    const app = new CountingApparatus(config);
    const demand = new Subject<void>();
    const seen: number[] = [];
    let completed = false;
    apparatusSource(app, { batch: 2, rng: new Rng(9), demand }).subscribe({ next: (b) => seen.push(b.index), complete: () => (completed = true) });
    await macrotasks(10);
    expect(app.produced).toBe(0);
    demand.next(); demand.next();
    demand.complete();
    await macrotasks(10);
    expect(seen).toEqual([0, 1]);
    expect(completed).toBe(true);
  });

  it('forwards sampler errors and validates its options', async () => {
    const app = new CountingApparatus(config);
    app.failAt = 2;
    const seen: number[] = [];
    await expect(
      new Promise((resolve, reject) => apparatusSource(app, { batch: 1, rng: new Rng(10) }).subscribe({ next: (b) => seen.push(b.index), error: reject, complete: () => resolve(null) })),
    ).rejects.toThrow('sampler failed');
    expect(seen).toEqual([0, 1]);

    const rng = new Rng(0);
    expect(() => apparatusSource(app, { batch: 0, rng })).toThrow(/batch must be an integer ≥ 1 \(got 0\)/);
    expect(() => apparatusSource(app, { batch: 2.5, rng })).toThrow(/batch must be an integer ≥ 1 \(got 2\.5\)/);
    expect(() => apparatusSource(app, { batch: 1, rng, count: -1 })).toThrow(/count must be an integer ≥ 0 or Infinity \(got -1\)/);
    expect(() => apparatusSource(app, { batch: 1, rng, records: NaN })).toThrow(/records must be .*\(got NaN\)/);
    expect(() => apparatusSource(app, { batch: 1, rng, count: 1, records: 1 })).toThrow(/count or records, not both/);
  });
});
