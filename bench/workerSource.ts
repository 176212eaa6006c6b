/**
 * Experiment for the benchmark's two-core row: apparatus batches drawn ahead in a worker thread
 * (`depth` batches in flight), so sampling overlaps the training step on the other core. The same
 * records as `apparatusSource(app, { batch, rng, forkRng: false })` when given the same generator
 * state; the caller's generator does not advance (the worker owns a copy).
 */
import { Worker } from 'node:worker_threads';
import { Observable } from 'rxjs';
import type { Rng } from '../src/random/rng.ts';
import type { Apparatus } from '../src/simulators/apparatus.ts';
import type { ApparatusBatch } from '../src/simulators/apparatusSource.ts';

export interface WorkerSourceOptions {
  batch: number;
  rng: Rng;
  count: number;
  /** Batches requested ahead of consumption (default 2). */
  depth?: number;
  /** Called with the milliseconds the consumer waited for each batch. */
  onWait?: (ms: number) => void;
}

export function workerSource(app: Apparatus, options: WorkerSourceOptions): Observable<ApparatusBatch> {
  const { batch, rng, count } = options;
  const depth = options.depth ?? 2;
  return new Observable<ApparatusBatch>((subscriber) => {
    const worker = new Worker(new URL('./samplerWorker.mjs', import.meta.url), {
      workerData: { apparatus: app.config, batch, rngState: rng.state() },
    });
    let index = 0;
    let requested = Math.min(depth, count);
    let waitingSince = performance.now();
    worker.postMessage(requested);
    worker.on('message', (x: Float32Array) => {
      if (subscriber.closed) return;
      options.onWait?.(performance.now() - waitingSince);
      // Keep `depth` batches in flight while this one trains.
      if (requested < count) {
        worker.postMessage(1);
        requested += 1;
      }
      subscriber.next({ index, offset: index * batch, batch, qubits: app.qubits, dim: app.dim, x });
      index += 1;
      waitingSince = performance.now();
      if (index >= count) subscriber.complete();
    });
    worker.on('error', (e) => subscriber.error(e));
    return () => void worker.terminate();
  });
}
