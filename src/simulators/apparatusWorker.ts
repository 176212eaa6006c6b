import { Worker } from 'node:worker_threads';
import type { SamplerSpec } from './samplerSpec.ts';

/** What the parent asks the sampling thread for: `size` records drawn from a generator at `state`. */
export interface DrawRequest {
  readonly size: number;
  /** the generator's state (4 × uint32, `Rng.state()`) the batch starts from. */
  readonly state: readonly number[];
}

/** The thread's answer: the records and the generator's state after them, or the sampler's error. */
export type DrawReply =
  | { readonly ok: true; readonly x: Float32Array; readonly end: [number, number, number, number] }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } };

export interface ApparatusWorkerHandlers {
  /** the answer to the request in flight (there is at most one). */
  reply(reply: DrawReply): void;
  /** the thread could not load, crashed or exited; it is closed, no reply will follow. */
  failure(error: Error): void;
}

/**
 * The parent's end of one sampling thread (apparatusWorkerThread.ts), for `apparatusSource`.
 *
 * The thread keeps the process alive only while a request is in flight: an idle one (a pull-mode
 * source waiting for demand) does not stop the process from exiting, and `close` terminates it.
 */
export class ApparatusWorker {
  private readonly worker: Worker;
  private closed = false;

  constructor(spec: SamplerSpec, handlers: ApparatusWorkerHandlers) {
    this.worker = new Worker(new URL('./apparatusWorker.mjs', import.meta.url), { workerData: { spec } });
    this.worker.unref();
    const fail = (error: Error): void => {
      if (this.closed) return;
      this.close();
      handlers.failure(error);
    };
    this.worker.on('message', (reply: DrawReply) => {
      if (this.closed) return;
      this.worker.unref();
      handlers.reply(reply);
    });
    this.worker.on('error', fail);
    this.worker.on('messageerror', fail);
    this.worker.on('exit', (code) => fail(new Error(`apparatusSource: the sampling thread exited with code ${code}`)));
  }

  /** Asks for one batch; the answer comes to `handlers.reply`. One request at a time. */
  request(request: DrawRequest): void {
    this.worker.ref();
    this.worker.postMessage(request);
  }

  /** Terminates the thread; no handler is called afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }
}

/** The sampler's error as the parent's own Error of the same name (RangeError stays RangeError). */
export function reviveError(error: { readonly name: string; readonly message: string; readonly stack?: string }): Error {
  const Kind = ({ RangeError, TypeError, Error } as Record<string, ErrorConstructor>)[error.name] ?? Error;
  const revived = new Kind(error.message);
  if (revived.name !== error.name) revived.name = error.name;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}
