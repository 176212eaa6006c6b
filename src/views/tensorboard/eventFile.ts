import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { MetricRecord } from '../../metrics/records.ts';
import { fileVersionEvent, histogramEvent, scalarsEvent } from './encodeEvent.ts';
import { SEED_TAGS } from './tensorboardTags.ts';
import { tfrecord } from './tfrecord.ts';

export interface EventFileOptions {
  /** Metric name → TensorBoard tag (default: the seed's names, {@link SEED_TAGS}). */
  tags?: Readonly<Record<string, string>>;
  /** Host name in the file name (default: this machine's). */
  hostname?: string;
  /** Clock for the file name and the version event, ms since the epoch. */
  now?: () => number;
}

/**
 * An open TensorBoard event file `events.out.tfevents.<seconds>.<host>` in `dir`.
 * Every event is written with a synchronous append as it comes, so TensorBoard, which tails the
 * file, sees a run while it goes on, and a killed run keeps every whole record written so far.
 */
export class EventFile {
  readonly path: string;
  #fd: number | null;
  readonly #tags: Readonly<Record<string, string>>;

  constructor(dir: string, options: EventFileOptions = {}) {
    const now = options.now ?? Date.now;
    const host = (options.hostname ?? osHostname()).replace(/[^A-Za-z0-9._-]/g, '_');
    this.#tags = options.tags ?? SEED_TAGS;
    const t = now();
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new Error(`tensorboard: cannot create directory ${dir}: ${(err as Error).message}`);
    }
    // Two writers in one directory within the same second get distinct names instead of clobbering.
    let path = '';
    let fd: number | null = null;
    for (let n = 0; fd == null; n++) {
      path = join(dir, `events.out.tfevents.${Math.floor(t / 1000)}.${host}${n === 0 ? '' : `.${n}`}`);
      try {
        fd = openSync(path, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) {
          throw new Error(`tensorboard: cannot create ${path}: ${(err as Error).message}`);
        }
      }
    }
    this.path = path;
    this.#fd = fd;
    this.#append(fileVersionEvent(t));
  }

  /** Appends `record` (scalars or histogram; table rows are not TensorBoard's business). */
  write(record: MetricRecord): void {
    if (record.kind === 'scalars') this.#append(scalarsEvent(record, this.#tags));
    else if (record.kind === 'histogram') this.#append(histogramEvent(record, this.#tags));
  }

  close(): void {
    if (this.#fd != null) closeSync(this.#fd);
    this.#fd = null;
  }

  #append(event: Uint8Array): void {
    if (this.#fd == null) throw new Error(`tensorboard: ${this.path} is closed`);
    const frame = tfrecord(event);
    try {
      let off = 0;
      while (off < frame.length) off += writeSync(this.#fd, frame, off, frame.length - off);
    } catch (err) {
      throw new Error(`tensorboard: cannot write ${this.path}: ${(err as Error).message}`);
    }
  }
}
