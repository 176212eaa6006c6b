import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Int32, Table, Utf8, tableFromArrays, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError, readSeries } from '../../src/data/readSeries.ts';
import { encodeNpy } from '../../src/data/npy.ts';
import { encodeParquet } from '../../src/sinks/encodeParquet.ts';

const dir = mkdtempSync(join(tmpdir(), 'qubit-rx-readSeries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** The DataFileError a read fails with: one line, starting with the path. */
async function failure(path: string, options?: { column?: string }): Promise<string> {
  const err = await readSeries(path, options).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataFileError);
  const message = (err as Error).message;
  expect(message.startsWith(`${path}: `)).toBe(true);
  expect(message).not.toMatch(/\n/);
  return message;
}

describe('readSeries: .npy', () => {
  it('reads (n,) and (n, 1) arrays of any supported dtype', async () => {
    const y = Float64Array.of(1.5, -0.25, 3);
    expect(Array.from(await readSeries(file('y.npy', encodeNpy(y))))).toEqual([1.5, -0.25, 3]);
    expect(Array.from(await readSeries(file('col.npy', encodeNpy(y, [3, 1]))))).toEqual([1.5, -0.25, 3]);
    expect(Array.from(await readSeries(file('int.NPY', encodeNpy(Float64Array.of(4, -5), [2], '>i4'))))).toEqual([4, -5]);
  });

  it('names the file and the problem: 2-D, empty, NaN, truncated, bad magic, a column asked of an array', async () => {
    const bad = join(dir, 'banana shape data.npy');
    writeFileSync(bad, encodeNpy(new Float64Array(200), [100, 2]));
    expect(await failure(bad)).toBe(`${bad}: expected a 1-D array, got shape (100, 2)`);
    expect(await failure(file('row.npy', encodeNpy(new Float64Array(3), [1, 3])))).toMatch(/expected a 1-D array, got shape \(1, 3\)$/);
    expect(await failure(file('empty.npy', encodeNpy(new Float64Array(0))))).toMatch(/: contains no values$/);
    expect(await failure(file('nan.npy', encodeNpy(Float64Array.of(1, NaN))))).toMatch(/: non-finite value NaN at index 1; every value must be finite$/);
    const good = encodeNpy(Float64Array.of(1, 2, 3));
    expect(await failure(file('short.npy', good.subarray(0, good.length - 4)))).toMatch(/: truncated: shape \(3,\) of <f8 needs 24 bytes of data, the file has 20$/);
    expect(await failure(file('magic.npy', 'hello, world'))).toMatch(/: not a NumPy \.npy file \(bad magic/);
    expect(await failure(join(dir, 'y.npy'), { column: 'y' })).toMatch(/a \.npy array has no columns \(got column "y"\)$/);
  });
});

describe('readSeries: .csv and .txt', () => {
  it('reads one number per line, with or without a header line, and a named column of a table', async () => {
    expect(Array.from(await readSeries(file('plain.txt', '1.5\n-2e-3\n\n7\n')))).toEqual([1.5, -2e-3, 7]);
    expect(Array.from(await readSeries(file('header.csv', '\uFEFFy\r\n1\r\n2\r\n')))).toEqual([1, 2]);
    const table = file('table.csv', '# a comment\nt,"y",z\n0,1.25,9\n1,2.5,8\n');
    expect(Array.from(await readSeries(table))).toEqual([1.25, 2.5]); // the column named y by default
    expect(Array.from(await readSeries(table, { column: 'z' }))).toEqual([9, 8]);
    expect(Array.from(await readSeries(file('only.csv', 'energy\n-1\n-2\n')))).toEqual([-1, -2]); // the only column
  });

  it('names the file, the line and the problem', async () => {
    const table = join(dir, 'table.csv');
    expect(await failure(table, { column: 'w' })).toMatch(/: no column "w" \(columns: t, y, z\)$/);
    expect(await failure(file('xy.csv', 'a,b\n1,2\n'))).toMatch(/: 2 columns \(a, b\) and none named "y"; name one with the column option$/);
    expect(await failure(file('words.csv', 'y\n1.5\nbanana\n'))).toMatch(/: not a number at line 3 \(column y\): "banana"$/);
    expect(await failure(file('nan.csv', '1\nNaN\n'))).toMatch(/: non-finite value NaN at line 2; every value must be finite$/);
    expect(await failure(file('inf.txt', '1\n-inf\n'))).toMatch(/: non-finite value -inf at line 2/);
    expect(await failure(file('blank.csv', '\n\n'))).toMatch(/: contains no values$/);
    expect(await failure(file('head.csv', 'y\n'))).toMatch(/: contains no values \(only a header line\)$/);
    expect(await failure(file('ragged.csv', 'a,y\n1,2\n3\n'))).toMatch(/: line 3 has 1 fields, the header has 2$/);
    expect(await failure(file('two.csv', '1,2\n3,4\n'))).toMatch(/: line 1 has 2 fields; without a header line the file must hold one number per line$/);
    expect(await failure(file('gap.csv', 'a,y\n1,\n'))).toMatch(/: empty value at line 2 \(column y\)$/);
    expect(await failure(join(dir, 'plain.txt'), { column: 'y' })).toMatch(/: has no header line, so no column "y"$/);
  });
});

describe('readSeries: .parquet', () => {
  const parquet = (name: string, table: Table) => file(name, encodeParquet(table));

  it('reads the column y by default, a named column, or the only numeric column; Int64 included', async () => {
    const path = parquet('runs.parquet', tableFromArrays({
      step: new Int32Array([0, 1, 2]),
      y: new Float64Array([0.5, 1.5, -2]),
      big: new BigInt64Array([1n, -(2n ** 40n), 3n]),
      label: ['a', 'b', 'c'],
    }));
    expect(Array.from(await readSeries(path))).toEqual([0.5, 1.5, -2]);
    expect(Array.from(await readSeries(path, { column: 'step' }))).toEqual([0, 1, 2]);
    expect(Array.from(await readSeries(path, { column: 'big' }))).toEqual([1, -(2 ** 40), 3]);
    const single = parquet('single.parquet', tableFromArrays({ energy: new Float32Array([0.25, -4]), tag: ['x', 'y'] }));
    expect(Array.from(await readSeries(single))).toEqual([0.25, -4]);
  });

  it('names the file and the problem: unknown column (listing them), a text column, nulls, ambiguity, not Parquet', async () => {
    const path = join(dir, 'runs.parquet');
    expect(await failure(path, { column: 'energy' })).toMatch(/: no column "energy" \(columns: step, y, big, label\)$/);
    expect(await failure(path, { column: 'label' })).toMatch(/: column "label" has type .*Utf8.*, expected a numeric column \(Float or Int\) holding a 1-D series$/);
    const nulls = parquet('nulls.parquet', new Table({ y: vectorFromArray([1, null, 3], new Float64()) }));
    expect(await failure(nulls)).toMatch(/: column "y" has 1 null values$/);
    const two = parquet('two.parquet', new Table({ a: vectorFromArray([1], new Float64()), b: vectorFromArray([2], new Int32()), s: vectorFromArray(['q'], new Utf8()) }));
    expect(await failure(two)).toMatch(/: no column "y" and 2 numeric columns \(columns: a, b, s\); name one with the column option$/);
    const nan = parquet('nan.parquet', tableFromArrays({ y: new Float64Array([1, Infinity]) }));
    expect(await failure(nan)).toMatch(/: non-finite value Infinity at index 1/);
    const empty = parquet('empty.parquet', new Table({ y: vectorFromArray([], new Int32()) }));
    expect(await failure(empty)).toMatch(/: contains no values$/);
    expect(await failure(file('fake.parquet', 'PAR1 not really'))).toMatch(/: not a readable Parquet file \(/);
  });
});

describe('readSeries: the file itself', () => {
  it('reports a missing file, a directory and an unknown extension', async () => {
    expect(await failure(join(dir, 'missing.npy'))).toMatch(/: no such file$/);
    mkdirSync(join(dir, 'folder.csv'));
    expect(await failure(join(dir, 'folder.csv'))).toMatch(/: is a directory, not a file$/);
    expect(await failure(join(dir, 'data.json'))).toMatch(/: unknown extension "\.json" \(expected \.npy, \.csv, \.txt or \.parquet\)$/);
    expect(await failure(join(dir, 'README'))).toMatch(/: unknown extension "" /);
  });
});
