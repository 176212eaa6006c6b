import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from '../../src/data/imageDataset.ts';
import { loadShippedDigits, SHIPPED_COUNTS } from '../../src/data/shippedDigits.ts';

const PIXELS = 784;
// The package's files, read here independently of the code under test.
const digitsDir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
const raw: number[][] = Array.from({ length: 10 }, (_, c) => JSON.parse(readFileSync(join(digitsDir, `${c}.json`), 'utf8')).data);

let train: ImageDataset;
let test: ImageDataset;
beforeAll(() => ({ train, test } = loadShippedDigits()));

const countPerClass = (ds: ImageDataset): number[] => {
  const counts = new Array(10).fill(0);
  for (const l of ds.labels) counts[l]++;
  return counts;
};
const hashRow = (ds: ImageDataset, i: number): string =>
  createHash('sha1').update(Buffer.from(ds.images.buffer, ds.images.byteOffset + i * PIXELS * 4, PIXELS * 4)).digest('hex');

describe('loadShippedDigits', () => {
  it('has the documented counts: 10 000 digits, per class ⌊85 %⌋ train and the rest test', () => {
    expect(raw.map((d) => d.length / PIXELS)).toEqual(SHIPPED_COUNTS.all);
    expect(countPerClass(train)).toEqual(SHIPPED_COUNTS.train);
    expect(countPerClass(test)).toEqual(SHIPPED_COUNTS.test);
    expect(SHIPPED_COUNTS.all.map((n) => Math.floor((n * 85) / 100))).toEqual(SHIPPED_COUNTS.train);
    expect([train.n, test.n]).toEqual([8495, 1505]);
    for (const ds of [train, test]) {
      expect([ds.rows, ds.cols, ds.images.length, ds.labels.length]).toEqual([28, 28, ds.n * PIXELS, ds.n]);
      expect(ds.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    }
    expect([train.name, test.name]).toEqual(['shipped-digits/train', 'shipped-digits/test']);
  });

  it('holds grey levels k/255 in [0, 1], both ends present, within 0.0005 of the package values', () => {
    for (const ds of [train, test]) {
      let min = Infinity;
      let max = -Infinity;
      let offGrid = 0;
      for (const v of ds.images) {
        if (v < min) min = v;
        if (v > max) max = v;
        if (!(Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)) offGrid++;
      }
      expect([min, max, offGrid]).toEqual([0, 1, 0]);
    }
  });

  it('takes the first 85 % of each class file to train and the last 15 % to test, classes round-robin', () => {
    // Train row 0 is the first 0, row 1 the first 1 …; test row 10 + c is class c's second test digit.
    expect(Array.from(test.labels.subarray(0, 20))).toEqual([...Array(10).keys(), ...Array(10).keys()]);
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([...Array(10).keys()]);
    for (const c of [0, 5, 9]) {
      const t = SHIPPED_COUNTS.train[c];
      const fromPackage = (k: number) => raw[c].slice(k * PIXELS, (k + 1) * PIXELS);
      const close = (row: Float32Array, values: number[]) => row.every((v, i) => Math.abs(v - values[i]) <= 0.0005 + 1e-7);
      expect(close(train.images.subarray(c * PIXELS, (c + 1) * PIXELS), fromPackage(0))).toBe(true);
      expect(close(test.images.subarray((10 + c) * PIXELS, (11 + c) * PIXELS), fromPackage(t + 1))).toBe(true);
      // The class's last test digit is the package file's last digit.
      const lastTestRow = test.labels.lastIndexOf(c);
      expect(close(test.images.subarray(lastTestRow * PIXELS, (lastTestRow + 1) * PIXELS), fromPackage(SHIPPED_COUNTS.all[c] - 1))).toBe(true);
    }
  });

  it('is deterministic; the splits are disjoint and hold no repeats (10 000 distinct digits)', () => {
    const again = loadShippedDigits();
    const same = (a: Float32Array | Uint8Array, b: Float32Array | Uint8Array) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
    expect(same(again.train.images, train.images) && same(again.test.images, test.images)).toBe(true);
    expect(same(again.train.labels, train.labels) && same(again.test.labels, test.labels)).toBe(true);
    const trainHashes = new Set(Array.from({ length: train.n }, (_, i) => hashRow(train, i)));
    const testHashes = Array.from({ length: test.n }, (_, i) => hashRow(test, i));
    expect(trainHashes.size).toBe(train.n); // the package has no duplicate digits
    expect(testHashes.filter((h) => trainHashes.has(h))).toEqual([]);
    expect(new Set(testHashes).size).toBe(test.n);
  });

  it('works from any working directory', () => {
    const cwd = process.cwd();
    try {
      process.chdir('/');
      expect(loadShippedDigits().test.n).toBe(1505);
    } catch (err) {
      // vitest workers may forbid chdir; the module resolves from import.meta.url either way.
      if (!/chdir/.test(String(err))) throw err;
    } finally {
      process.chdir(cwd);
    }
  });
});
