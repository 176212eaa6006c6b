import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  data: any;
}

/** A minimal server-sent-events reader over node:http (what EventSource does, without reconnects). */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly req: ClientRequest;
  res: IncomingMessage | undefined;
  #buffer = '';
  #waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(url: string, headers: Record<string, string> = {}) {
    this.req = request(url + 'api/events', { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      this.res = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.#feed(chunk));
      res.on('error', () => undefined);
    });
    this.req.on('error', () => undefined);
    this.req.end();
  }

  /** Resolves once `test()` holds (checked on every event). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }

  count(event: string): number {
    return this.events.filter((e) => e.event === event).length;
  }

  close(): void {
    this.req.destroy();
  }

  #feed(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data !== '') this.events.push({ event, data: JSON.parse(data) });
    }
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.test()) return true;
      w.resolve();
      return false;
    });
  }
}
