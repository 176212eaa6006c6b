import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/data/dataFileError.ts';
import { parseIdx, readIdxDataset } from '../../src/data/idx.ts';

const root = mkdtempSync(join(tmpdir(), 'qubit-rx-idx-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// IDX bytes built by hand: magic 00 00 08 <ndims>, then each dimension as 4 big-endian bytes.
const labelsBytes = (labels: number[]) => Uint8Array.from([0, 0, 8, 1, 0, 0, labels.length >> 8, labels.length & 255, ...labels]);
/** n images of 2 rows × 3 cols; image k has pixel values k, k+1, …, k+5 (mod 256). */
const imagesBytes = (n: number, rows = 2, cols = 3) => Uint8Array.from([
  0, 0, 8, 3, 0, 0, n >> 8, n & 255, 0, 0, 0, rows, 0, 0, 0, cols,
  ...Array.from({ length: n * rows * cols }, (_, i) => (Math.floor(i / (rows * cols)) + (i % (rows * cols))) % 256),
]);

function failure(run: () => unknown): string {
  let err: unknown = null;
  try { run(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(DataFileError);
  expect((err as Error).message).not.toMatch(/\n/);
  return (err as Error).message;
}
async function failureAsync(run: () => Promise<unknown>): Promise<string> {
  const err = await run().then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataFileError);
  expect((err as Error).message).not.toMatch(/\n/);
  return (err as Error).message;
}

describe('parseIdx', () => {
  it('reads labels (0x00000801) and images (0x00000803) with big-endian dimensions', () => {
    const labels = Array.from({ length: 300 }, (_, i) => i % 10); // 300 = 0x012c: needs both bytes
    const l = parseIdx(labelsBytes(labels), 'l');
    expect(l.kind).toBe('labels');
    expect(l.shape).toEqual([300]);
    expect(Array.from(l.data)).toEqual(labels);
    const im = parseIdx(imagesBytes(2), 'im');
    expect(im.kind).toBe('images');
    expect(im.shape).toEqual([2, 2, 3]);
    expect(Array.from(im.data)).toEqual([0, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6]);
    expect(im.data.constructor).toBe(Uint8Array);
  });

  it('gunzips by name (.gz) or by the gzip magic', () => {
    const gz = gzipSync(imagesBytes(3));
    expect(parseIdx(gz, 'x-idx3-ubyte.gz').shape).toEqual([3, 2, 3]);
    expect(Array.from(parseIdx(gz, 'no-extension').data.subarray(12))).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('fails in one line naming the file: wrong magic, wrong kind, truncated, trailing bytes, bad gzip', () => {
    expect(failure(() => parseIdx(Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 0]), 'f'))).toBe('f: not an MNIST IDX file (bad magic 0x00000802, expected 0x00000801 (labels) or 0x00000803 (images))');
    expect(failure(() => parseIdx(new TextEncoder().encode('hello world'), 'txt'))).toMatch(/^txt: not an MNIST IDX file \(bad magic 0x68656c6c/);
    expect(failure(() => parseIdx(labelsBytes([1, 2]), 'lab', 'images'))).toBe('lab: expected an IDX images file (magic 0x00000803 (images)), got magic 0x00000801 (labels)');
    const full = imagesBytes(2);
    expect(failure(() => parseIdx(full.subarray(0, full.length - 1), 'short'))).toBe('short: truncated: shape 2 × 2 × 3 needs 12 bytes of data, the file has 11');
    expect(failure(() => parseIdx(full.subarray(0, 10), 'hdr'))).toBe('hdr: truncated: the header of 3 dimensions needs 16 bytes, the file has 10');
    expect(failure(() => parseIdx(Uint8Array.from([0, 0]), 'tiny'))).toMatch(/^tiny: truncated: 2 bytes/);
    expect(failure(() => parseIdx(Uint8Array.from([...labelsBytes([1, 2]), 7, 7]), 'long'))).toBe('long: 2 unexpected bytes after the data of shape 2');
    const gz = gzipSync(full);
    expect(failure(() => parseIdx(gz.subarray(0, gz.length - 12), 'cut.gz'))).toBe('cut.gz: truncated gzip data (unexpected end of file)');
    expect(failure(() => parseIdx(labelsBytes([1]), 'plain.gz'))).toMatch(/^plain\.gz: not valid gzip data \(/);
  });
});

/** A directory of the four files; `gz` lists which of them are gzipped. */
function idxDir(name: string, files: Partial<Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', Uint8Array>>, gz: string[] = []): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const names = { trainImages: 'train-images-idx3-ubyte', trainLabels: 'train-labels-idx1-ubyte', testImages: 't10k-images-idx3-ubyte', testLabels: 't10k-labels-idx1-ubyte' };
  for (const [key, bytes] of Object.entries(files)) {
    if (bytes == null) continue;
    const file = names[key as keyof typeof names];
    if (gz.includes(key)) writeFileSync(join(dir, `${file}.gz`), gzipSync(bytes));
    else writeFileSync(join(dir, file), bytes);
  }
  return dir;
}
const good = () => ({ trainImages: imagesBytes(4), trainLabels: labelsBytes([3, 1, 4, 1]), testImages: imagesBytes(2), testLabels: labelsBytes([5, 9]) });

describe('readIdxDataset', () => {
  it('reads the four files, plain or gzipped, pixels / 255, with digit classes by default', async () => {
    const dir = idxDir('mnist', good(), ['trainImages', 'testLabels']);
    const { train, test } = await readIdxDataset(dir);
    expect([train.name, train.n, train.rows, train.cols]).toEqual(['mnist/train', 4, 2, 3]);
    expect([test.name, test.n]).toEqual(['mnist/test', 2]);
    expect(Array.from(train.labels)).toEqual([3, 1, 4, 1]);
    expect(Array.from(test.labels)).toEqual([5, 9]);
    expect(train.images[6 + 5]).toBeCloseTo(6 / 255, 7); // image 1, last pixel
    expect(Array.from(test.images.subarray(0, 6)).map((v) => Math.round(v * 255))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(train.classes[9]).toBe('9');
  });

  it('names Fashion-MNIST classes for a directory called fashion…, or the classes and name given', async () => {
    const dir = idxDir('Fashion-MNIST', good());
    const { train } = await readIdxDataset(dir);
    expect(train.classes[0]).toBe('T-shirt/top');
    expect(train.classes[9]).toBe('Ankle boot');
    const custom = await readIdxDataset(dir, { name: 'mine', classes: 'abcdefghij'.split('') });
    expect([custom.test.name, custom.test.classes[5]]).toEqual(['mine/test', 'f']);
  });

  it('fails in one line naming the file: missing dir or file, count mismatch, bad label, other size, wrong kind', async () => {
    expect(await failureAsync(() => readIdxDataset(join(root, 'nope')))).toBe(`${join(root, 'nope')}: no such directory`);
    const { testImages: _, ...threeFiles } = good();
    const missing = idxDir('missing', threeFiles);
    expect(await failureAsync(() => readIdxDataset(missing))).toMatch(new RegExp(`^${join(missing, 't10k-images-idx3-ubyte')}: no such file \\(nor t10k-images-idx3-ubyte\\.gz\\)`));
    const mismatch = idxDir('mismatch', { ...good(), trainLabels: labelsBytes([1, 2, 3]) });
    expect(await failureAsync(() => readIdxDataset(mismatch))).toBe(`${join(mismatch, 'train-labels-idx1-ubyte')}: has 3 labels but ${join(mismatch, 'train-images-idx3-ubyte')} has 4 images`);
    const badLabel = idxDir('badlabel', { ...good(), testLabels: labelsBytes([5, 10]) });
    expect(await failureAsync(() => readIdxDataset(badLabel))).toMatch(/t10k-labels-idx1-ubyte: label 10 at index 1 is not a class index \(10 classes/);
    const otherSize = idxDir('othersize', { ...good(), testImages: imagesBytes(2, 3, 3) });
    expect(await failureAsync(() => readIdxDataset(otherSize))).toMatch(/t10k-images-idx3-ubyte: images are 3 × 3 but the training images are 2 × 3$/);
    const swapped = idxDir('swapped', { ...good(), trainImages: labelsBytes([1, 2, 3, 4]) }, ['trainImages']);
    expect(await failureAsync(() => readIdxDataset(swapped))).toMatch(/train-images-idx3-ubyte\.gz: expected an IDX images file/);
    const truncated = idxDir('truncated', { ...good(), trainImages: imagesBytes(4).subarray(0, 30) });
    expect(await failureAsync(() => readIdxDataset(truncated))).toMatch(/train-images-idx3-ubyte: truncated: shape 4 × 2 × 3 needs 24 bytes of data, the file has 14$/);
  });
});
