import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DIGIT_CLASSES, FASHION_MNIST_CLASSES } from './classNames.ts';
import { DataFileError } from './dataFileError.ts';
import { imageDataset, type ImageDataset } from './imageDataset.ts';

/**
 * IDX files, the format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist, "FILE FORMATS"):
 * a 4-byte magic `0x00 0x00 <type> <ndims>`, then ndims big-endian uint32 dimensions, then the
 * values in C order. MNIST uses type 0x08 (unsigned byte) only, so its two magics are
 * 0x00000801 (labels, shape [n]) and 0x00000803 (images, shape [n, rows, cols]).
 * Files may be gzip-compressed as distributed (`*.gz`).
 */
export interface IdxArray {
  /** `labels` for magic 0x00000801, `images` for 0x00000803. */
  readonly kind: 'labels' | 'images';
  /** [n] for labels, [n, rows, cols] for images. */
  readonly shape: readonly number[];
  /** The values in C order; a view into the (decompressed) bytes. */
  readonly data: Uint8Array;
}

const MAGIC = { labels: 0x00000801, images: 0x00000803 } as const;
const GZIP = [0x1f, 0x8b];

/**
 * Parses an IDX file's bytes (gunzipped first when `name` ends in `.gz` or the bytes start with
 * the gzip magic 1f 8b). Every failure is a one-line `DataFileError` naming `name`: corrupt or
 * truncated gzip, a magic other than the two MNIST ones (or not the `expected` one), a header or
 * data shorter than the dimensions say, bytes after the data.
 *
 * @param name how to call the bytes in messages (the file's path)
 * @param expected require this kind (a labels file where images were asked is an error)
 * @example
 *   const { shape, data } = parseIdx(readFileSync('t10k-labels-idx1-ubyte.gz'), 't10k-labels-idx1-ubyte.gz');
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data', expected?: IdxArray['kind']): IdxArray {
  const fail = (problem: string): never => { throw new DataFileError(name, problem); };
  if (name.toLowerCase().endsWith('.gz') || (bytes[0] === GZIP[0] && bytes[1] === GZIP[1])) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      const text = (err as Error).message;
      fail(/unexpected end/i.test(text) ? 'truncated gzip data (unexpected end of file)' : `not valid gzip data (${text})`);
    }
  }
  if (bytes.length < 4) fail(`truncated: ${bytes.length} bytes, too short for the 4-byte IDX magic`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const kind = magic === MAGIC.labels ? 'labels' : magic === MAGIC.images ? 'images' : null;
  const wanted = expected == null ? '0x00000801 (labels) or 0x00000803 (images)' : `${hex(MAGIC[expected])} (${expected})`;
  if (kind == null) fail(`not an MNIST IDX file (bad magic ${hex(magic)}, expected ${wanted})`);
  if (expected != null && kind !== expected) fail(`expected an IDX ${expected} file (magic ${wanted}), got magic ${hex(magic)} (${kind})`);
  const ndims = bytes[3];
  const dataStart = 4 + 4 * ndims;
  if (bytes.length < dataStart) fail(`truncated: the header of ${ndims} dimensions needs ${dataStart} bytes, the file has ${bytes.length}`);
  const shape = Array.from({ length: ndims }, (_, d) => view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const found = bytes.length - dataStart;
  if (found < count) fail(`truncated: shape ${shape.join(' × ')} needs ${count} bytes of data, the file has ${found}`);
  if (found > count) fail(`${found - count} unexpected bytes after the data of shape ${shape.join(' × ')}`);
  // A plain Uint8Array view, not a Buffer (whose slice() would not copy).
  return { kind: kind!, shape, data: new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart, count) };
}

export interface ReadIdxDatasetOptions {
  /** Prefix of the data sets' names (`${name}/train`, `${name}/test`). Default: the directory's base name. */
  name?: string;
  /**
   * Class names by label. Default: FASHION_MNIST_CLASSES when the directory's path contains
   * "fashion" (any case), DIGIT_CLASSES otherwise — IDX files carry no class names, and MNIST and
   * Fashion-MNIST files are otherwise indistinguishable.
   */
  classes?: readonly string[];
}

/** The four files of MNIST-style data: train images, train labels, test images, test labels. */
export const IDX_FILES = Object.freeze({
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
});

/**
 * Reads the full MNIST or Fashion-MNIST from the standard IDX files in `dir`, for `--data DIR`:
 * `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte`, each plain or gzipped (`….gz`; the plain file wins when both exist).
 * The split is the files' own (60 000 / 10 000 for both data sets); pixels are bytes / 255.
 *
 * Debian's `dataset-fashion-mnist` package installs Fashion-MNIST in /usr/share/datasets/fashion-mnist.
 *
 * Every failure is a one-line `DataFileError` naming the file: missing directory or file, see
 * parseIdx for the format errors, a labels file whose count differs from its images file, a label
 * beyond the classes, test images of another size than the training images.
 *
 * @returns `train` and `test`, images shape [n, rows · cols] in [0, 1], labels [n]
 * @example
 *   const { train, test } = await readIdxDataset('/usr/share/datasets/fashion-mnist');
 *   train.n;           // 60000
 *   train.classes[9];  // 'Ankle boot'
 */
export async function readIdxDataset(dir: string, options: ReadIdxDatasetOptions = {}): Promise<{ train: ImageDataset; test: ImageDataset }> {
  await checkDir(dir);
  const name = options.name ?? basename(resolve(dir));
  const classes = options.classes ?? (/fashion/i.test(resolve(dir)) ? FASHION_MNIST_CLASSES : DIGIT_CLASSES);
  const train = await readSplit(dir, IDX_FILES.trainImages, IDX_FILES.trainLabels, `${name}/train`, classes);
  const test = await readSplit(dir, IDX_FILES.testImages, IDX_FILES.testLabels, `${name}/test`, classes);
  if (test.dataset.rows !== train.dataset.rows || test.dataset.cols !== train.dataset.cols) {
    throw new DataFileError(test.imagesPath, `images are ${test.dataset.rows} × ${test.dataset.cols} but the training images are ${train.dataset.rows} × ${train.dataset.cols}`);
  }
  return { train: train.dataset, test: test.dataset };
}

async function readSplit(dir: string, imagesFile: string, labelsFile: string, name: string, classes: readonly string[]): Promise<{ dataset: ImageDataset; imagesPath: string }> {
  const images = await readIdxFile(dir, imagesFile, 'images');
  const labels = await readIdxFile(dir, labelsFile, 'labels');
  const [n, rows, cols] = images.array.shape;
  if (n === 0) throw new DataFileError(images.path, 'contains no images');
  if (labels.array.shape[0] !== n) throw new DataFileError(labels.path, `has ${labels.array.shape[0]} labels but ${images.path} has ${n} images`);
  const bad = labels.array.data.findIndex((l) => l >= classes.length);
  if (bad >= 0) throw new DataFileError(labels.path, `label ${labels.array.data[bad]} at index ${bad} is not a class index (${classes.length} classes: ${classes.join(', ')})`);
  const pixels = new Float32Array(images.array.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.array.data[i] / 255;
  return {
    dataset: imageDataset({ name, n, rows, cols, images: pixels, labels: new Uint8Array(labels.array.data), classes }),
    imagesPath: images.path,
  };
}

/** `dir/file` or, failing that, `dir/file.gz`, parsed. */
async function readIdxFile(dir: string, file: string, kind: IdxArray['kind']): Promise<{ array: IdxArray; path: string }> {
  for (const path of [join(dir, file), join(dir, `${file}.gz`)]) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      throw new DataFileError(path, code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? (err as Error).message})`);
    }
    return { array: parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, kind), path };
  }
  throw new DataFileError(join(dir, file), `no such file (nor ${file}.gz); --data DIR needs the four MNIST IDX files ${Object.values(IDX_FILES).join(', ')}`);
}

async function checkDir(dir: string): Promise<void> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new DataFileError(dir, 'is not a directory (--data expects the directory of the IDX files)');
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(dir, code === 'ENOENT' ? 'no such directory' : `cannot be read (${code ?? (err as Error).message})`);
  }
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}
