/**
 * Worker thread of bench/workerSource.ts: draws apparatus batches with its own copy of the data
 * generator and posts them (buffers transferred, not copied) as fast as the main thread asks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../src/random/rng.ts';
import { Apparatus, type ApparatusConfig } from '../src/simulators/apparatus.ts';

const { apparatus, batch, rngState } = workerData as { apparatus: ApparatusConfig; batch: number; rngState: number[] };
const app = new Apparatus(apparatus);
const rng = Rng.fromState(rngState);
parentPort!.on('message', (count: number) => {
  for (let i = 0; i < count; i++) {
    const x = app.sample(batch, rng);
    parentPort!.postMessage(x, [x.buffer as ArrayBuffer]);
  }
});
