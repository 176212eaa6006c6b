/**
 * The body of apparatusSource's sampling thread: rebuilds the sampler from its spec, then answers
 * each request `{ size, state }` with the records drawn from a generator at `state` and the state
 * after them, so the parent can hand its own generator the same position. Stateless between
 * requests: the parent decides where every batch starts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../random/rng.ts';
import type { DrawReply, DrawRequest } from './apparatusWorker.ts';
import { samplerFromSpec, type SamplerSpec } from './samplerSpec.ts';

const port = parentPort!;
const sampler = samplerFromSpec((workerData as { spec: SamplerSpec }).spec);

port.on('message', ({ size, state }: DrawRequest) => {
  let reply: DrawReply;
  try {
    const rng = Rng.fromState(state);
    const x = sampler.sample(size, rng);
    reply = { ok: true, x, end: rng.state() };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
  }
  if (reply.ok) port.postMessage(reply, [reply.x.buffer as ArrayBuffer]);
  else port.postMessage(reply);
});
