/**
 * A data set of greyscale images with class labels, held in two flat typed arrays (the layout
 * minibatches and TF.js tensors want: `tf.tensor2d(images, [n, rows * cols])` needs no copy).
 *
 * - `images`: shape [n, rows * cols], row-major pixels of each image (row r, column c of image i at
 *   `i * rows * cols + r * cols + c`, row 0 at the top), grey levels in [0, 1] with 0 = background;
 * - `labels`: shape [n], class indices into `classes`.
 *
 * Data sets are indexable ({@link imageAt}) and sliceable ({@link subset}); batching, shuffling and
 * binarising are separate (see minibatches.ts, binarize.ts), as in torchvision / tfjs-data.
 */
export interface ImageDataset {
  /** e.g. `shipped-digits/train`, `fashion-mnist/test`; for messages and run metadata. */
  readonly name: string;
  /** Number of images. */
  readonly n: number;
  /** Image height in pixels (28 for MNIST). */
  readonly rows: number;
  /** Image width in pixels (28 for MNIST). */
  readonly cols: number;
  /** Shape [n, rows * cols], grey levels in [0, 1]. */
  readonly images: Float32Array;
  /** Shape [n], each < classes.length. */
  readonly labels: Uint8Array;
  /** Class names by label, e.g. DIGIT_CLASSES. */
  readonly classes: readonly string[];
}

/**
 * An ImageDataset from its fields, checked: `n`, `rows`, `cols` positive integers (n may be 0),
 * `images.length === n * rows * cols`, `labels.length === n`, every label < classes.length and
 * every grey level finite and in [0, 1]. Loaders call this once, so consumers need not re-check.
 *
 * @throws RangeError naming the field, the expected value and the actual one
 * @example imageDataset({ name: 'toy', n: 1, rows: 2, cols: 2, images: Float32Array.of(0, 1, 1, 0), labels: Uint8Array.of(0), classes: ['x'] })
 */
export function imageDataset(fields: ImageDataset): ImageDataset {
  const { name, n, rows, cols, images, labels, classes } = fields;
  const fail = (problem: string): never => { throw new RangeError(`imageDataset ${name}: ${problem}`); };
  if (!Number.isInteger(n) || n < 0) fail(`n must be an integer ≥ 0 (got ${n})`);
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) fail(`rows and cols must be integers ≥ 1 (got ${rows} × ${cols})`);
  if (images.length !== n * rows * cols) fail(`images must have n × rows × cols = ${n} × ${rows} × ${cols} = ${n * rows * cols} values (got ${images.length})`);
  if (labels.length !== n) fail(`labels must have n = ${n} values (got ${labels.length})`);
  if (classes.length < 1 || classes.length > 256) fail(`classes must name 1 to 256 classes (got ${classes.length})`);
  for (let i = 0; i < n; i++) {
    if (labels[i] >= classes.length) fail(`labels[${i}] = ${labels[i]} is not a class index (${classes.length} classes)`);
  }
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    // Written as !(in range) so that NaN fails too.
    if (!(v >= 0 && v <= 1)) fail(`images[${i}] = ${v} is not a grey level in [0, 1]`);
  }
  return Object.freeze({ name, n, rows, cols, images, labels, classes });
}

/**
 * Image `i` of `ds` and its label, like torchvision's `dataset[i]`.
 * @returns `image`: a view (no copy) of shape [rows * cols] into `ds.images`
 */
export function imageAt(ds: ImageDataset, i: number): { image: Float32Array; label: number } {
  if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new RangeError(`imageAt: index must be an integer in [0, ${ds.n}) for ${ds.name} (got ${i})`);
  const size = ds.rows * ds.cols;
  return { image: ds.images.subarray(i * size, (i + 1) * size), label: ds.labels[i] };
}

/**
 * The images at `indices`, in that order (repeats allowed), copied into a new data set.
 *
 * @param indices rows of `ds`, each an integer in [0, ds.n)
 * @param name default `${ds.name}[subset]`
 * @example const firstHundred = subset(test, Array.from({ length: 100 }, (_, i) => i));
 */
export function subset(ds: ImageDataset, indices: ArrayLike<number>, name = `${ds.name}[subset]`): ImageDataset {
  const size = ds.rows * ds.cols;
  const images = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new RangeError(`subset: indices[${k}] must be an integer in [0, ${ds.n}) for ${ds.name} (got ${i})`);
    images.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = ds.labels[i];
  }
  // The source was checked when it was built; a copy of its rows needs no second pass.
  return Object.freeze({ name, n: indices.length, rows: ds.rows, cols: ds.cols, images, labels, classes: ds.classes });
}
