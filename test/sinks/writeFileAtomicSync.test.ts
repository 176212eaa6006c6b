import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SinkWriteError, writeFileAtomicSync } from '../../src/sinks/writeFileAtomic.ts';

const dir = mkdtempSync(join(tmpdir(), 'atomic-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomicSync', () => {
  it('replaces the file whole and leaves no temporary behind', () => {
    const path = join(dir, 'a.png');
    writeFileAtomicSync(path, Uint8Array.of(1, 2, 3));
    writeFileAtomicSync(path, new Uint8Array(300_000).fill(7));
    expect(readFileSync(path).length).toBe(300_000);
    expect(readdirSync(dir)).toEqual(['a.png']);
  });

  it('fails with a SinkWriteError naming the path', () => {
    const path = join(dir, 'missing', 'b.png');
    expect(() => writeFileAtomicSync(path, Uint8Array.of(1))).toThrow(SinkWriteError);
    expect(() => writeFileAtomicSync(path, Uint8Array.of(1))).toThrow(`cannot write ${path}: no such file or directory (ENOENT)`);
  });
});
