import { Observable } from 'rxjs';
import { Rng } from '../random/rng.ts';
import { binarizeStatic } from './binarize.ts';
import type { ImageDataset } from './imageDataset.ts';

/** One minibatch of a data set, as minibatches emits it. */
export interface Minibatch {
  /** Epoch number, 0-based (startEpoch for the first epoch emitted). */
  readonly epoch: number;
  /** Batch index within the epoch, 0 … batchesPerEpoch − 1. */
  readonly index: number;
  /** Global batch number, epoch · batchesPerEpoch + index (continues across a resumed run). */
  readonly step: number;
  /** Images in this batch, b: `batch`, or fewer for an epoch's last batch unless dropLast. */
  readonly size: number;
  /** Shape [size, rows · cols]: grey levels, or {0, 1} with binarize 'dynamic'. A fresh array the consumer may keep. */
  readonly images: Float32Array;
  /** Shape [size]. */
  readonly labels: Uint8Array;
  /** Shape [size]: the rows of the data set these images are. */
  readonly indices: Uint32Array;
  /** Batches per epoch (the same every epoch). */
  readonly batchesPerEpoch: number;
  /** True on the epoch's last batch: `filter((b) => b.isLastInEpoch)` after a training step is the hook for per-epoch evaluation and figures. */
  readonly isLastInEpoch: boolean;
}

export interface MinibatchesOptions {
  /** Images per batch, an integer ≥ 1. */
  batch: number;
  /** Epochs to emit, an integer ≥ 1 or Infinity (then stop by unsubscribing, e.g. take(n)). */
  epochs: number;
  /** Reshuffle the order every epoch (Fisher–Yates from the epoch's generator); false keeps the data set's order. */
  shuffle: boolean;
  /**
   * Required when `shuffle` or `binarize: 'dynamic'`. minibatches() forks it once when called (so
   * the caller's generator advances past an independent child); every subscription replays the
   * child from that same state, so the same seed gives the same batches.
   */
  rng?: Rng;
  /**
   * 'dynamic': each image is binarised by a fresh Bernoulli draw (p = grey level) every time it is
   * served, i.e. once per epoch (as seed 004's `data.bernoulli()`), so a Bernoulli model never sees
   * the same binary image twice. Default 'none' (grey levels as stored).
   */
  binarize?: 'dynamic' | 'none';
  /** Drop each epoch's last batch when it is smaller than `batch`. Default false. */
  dropLast?: boolean;
  /** Number of the first epoch emitted, for resuming: epoch e's order and draws are the same whatever startEpoch is. Default 0. */
  startEpoch?: number;
}

/**
 * The loader: a cold stream of minibatches of `dataset`, epoch after epoch, separate from the data
 * set itself (as torch's DataLoader). Each epoch e draws from its own generator, the (e+1)-th
 * fork of the stream's generator: first the shuffle, then the binarisation draws, batch after batch.
 *
 * Between batches the stream yields to the event loop (setImmediate, as trainingSteps), so I/O,
 * progress and Ctrl-C handlers run during an epoch; it stops at once on unsubscribe. Every
 * subscription starts afresh from the same state. Gathering a batch copies its rows, so batches
 * are independent of each other and of the data set.
 *
 * @example
 *   minibatches(train, { batch: 128, epochs: 30, shuffle: true, rng: rng.fork(), binarize: 'dynamic' })
 *     .pipe(trainStep(model), filter((b) => b.isLastInEpoch), evaluate(testB))
 */
export function minibatches(dataset: ImageDataset, options: MinibatchesOptions): Observable<Minibatch> {
  const { batch, epochs, shuffle, rng, binarize = 'none', dropLast = false, startEpoch = 0 } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`minibatches: batch must be an integer ≥ 1 (got ${batch})`);
  if (!(epochs === Infinity || (Number.isInteger(epochs) && epochs >= 1))) throw new RangeError(`minibatches: epochs must be an integer ≥ 1 or Infinity (got ${epochs})`);
  if (!Number.isInteger(startEpoch) || startEpoch < 0) throw new RangeError(`minibatches: startEpoch must be an integer ≥ 0 (got ${startEpoch})`);
  if (binarize !== 'dynamic' && binarize !== 'none') throw new RangeError(`minibatches: binarize must be 'dynamic' or 'none' (got ${JSON.stringify(binarize)})`);
  if (rng == null && (shuffle || binarize === 'dynamic')) throw new TypeError(`minibatches: options.rng is required when shuffle is true or binarize is 'dynamic'`);
  const { n } = dataset;
  const batchesPerEpoch = dropLast ? Math.floor(n / batch) : Math.ceil(n / batch);
  if (batchesPerEpoch === 0) {
    throw new RangeError(`minibatches: ${dataset.name} has ${n} images, ${n === 0 ? 'nothing to batch' : `fewer than one batch of ${batch} with dropLast`}`);
  }
  const state = rng?.fork().state();
  const pixels = dataset.rows * dataset.cols;

  return new Observable<Minibatch>((subscriber) => {
    const source = state == null ? null : Rng.fromState(state);
    for (let e = 0; e < startEpoch; e++) source?.fork();
    const order = new Uint32Array(n);
    let epoch = startEpoch;
    let index = 0;
    let epochRng: Rng | null = null;
    let handle: NodeJS.Immediate | undefined;

    const startEpochOrder = () => {
      epochRng = source?.fork() ?? null;
      for (let i = 0; i < n; i++) order[i] = i;
      if (shuffle) {
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(epochRng!.uniform() * (i + 1));
          const t = order[i]; order[i] = order[j]; order[j] = t;
        }
      }
    };

    const tick = () => {
      if (subscriber.closed) return;
      if (epoch - startEpoch >= epochs) {
        subscriber.complete();
        return;
      }
      if (index === 0) startEpochOrder();
      const from = index * batch;
      const size = Math.min(batch, n - from);
      const indices = order.slice(from, from + size);
      const grey = new Float32Array(size * pixels);
      const labels = new Uint8Array(size);
      for (let k = 0; k < size; k++) {
        const i = indices[k];
        grey.set(dataset.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
        labels[k] = dataset.labels[i];
      }
      const images = binarize === 'dynamic' ? binarizeStatic(grey, epochRng!) : grey;
      const isLastInEpoch = index === batchesPerEpoch - 1;
      const out: Minibatch = { epoch, index, step: epoch * batchesPerEpoch + index, size, images, labels, indices, batchesPerEpoch, isLastInEpoch };
      if (isLastInEpoch) {
        epoch++;
        index = 0;
      } else {
        index++;
      }
      subscriber.next(out);
      handle = setImmediate(tick);
    };
    handle = setImmediate(tick);
    return () => {
      if (handle) clearImmediate(handle);
    };
  });
}
