import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A file of a run could not be written (disk full, directory gone or read-only…). Its message is one line naming the path. */
export class SinkWriteError extends Error {
  override name = 'SinkWriteError';
  constructor(readonly path: string, override readonly cause: unknown) {
    super(`cannot write ${path}: ${reasonOf(cause)}`);
  }
}

/**
 * Writes `bytes` to `path` so that `path` is only ever absent or complete: the bytes go to a
 * hidden temporary sibling (`.name.tmp`, which no `*.parquet` glob matches), are fsynced, and
 * the temporary is renamed over `path` (atomic on POSIX file systems).
 *
 * @throws SinkWriteError naming `path`; the temporary is removed, an earlier `path` is untouched.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new SinkWriteError(path, err);
  }
}

/** "ENOSPC: no space left on device, write" → "no space left on device (ENOSPC)". */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  const text = err.message.split('\n')[0];
  if (code && text.startsWith(`${code}: `)) return `${text.slice(code.length + 2).replace(/, \w+( '.*')?$/, '')} (${code})`;
  return text;
}

/**
 * writeFileAtomic's synchronous twin, for files a synchronous pipeline stage must have on disk
 * before it emits (an epoch's figures and weights): the same hidden temporary, fsync and rename.
 *
 * @throws SinkWriteError naming `path`
 */
export function writeFileAtomicSync(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new SinkWriteError(path, err);
  }
}
