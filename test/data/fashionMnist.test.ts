import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIdxDataset } from '../../src/data/idx.ts';

// Debian's package `dataset-fashion-mnist` installs the four gzipped IDX files here.
const DIR = '/usr/share/datasets/fashion-mnist';
const present = existsSync(join(DIR, 'train-images-idx3-ubyte.gz'));
const title = present
  ? `Fashion-MNIST from ${DIR}`
  : `Fashion-MNIST (skipped: ${DIR} is missing; apt-get install dataset-fashion-mnist to run it)`;
if (!present) console.warn(`test/data/fashionMnist: skipped, install the Debian package dataset-fashion-mnist to read ${DIR}`);

describe.skipIf(!present)(title, () => {
  it('reads 60 000 / 10 000 images of 28 × 28, 6 000 / 1 000 per class, with the documented first labels', async () => {
    const { train, test } = await readIdxDataset(DIR);
    expect([train.name, train.n, train.rows, train.cols]).toEqual(['fashion-mnist/train', 60000, 28, 28]);
    expect([test.name, test.n]).toEqual(['fashion-mnist/test', 10000]);
    // The first labels of the files (github.com/zalandoresearch/fashion-mnist; also `zcat … | od`).
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    expect(train.classes[train.labels[0]]).toBe('Ankle boot');
    const counts = (labels: Uint8Array) => labels.reduce((c, l) => (c[l]++, c), new Array(10).fill(0));
    expect(counts(train.labels)).toEqual(new Array(10).fill(6000));
    expect(counts(test.labels)).toEqual(new Array(10).fill(1000));
    let max = 0;
    for (let i = 0; i < 784; i++) max = Math.max(max, train.images[i]);
    expect(max).toBe(1); // bytes / 255: the first ankle boot reaches 255
  });
});
