import { Worker } from 'node:worker_threads';
import type { Rng } from '../random/rng.ts';
import { RBM_WASM_BASE64 } from './native/rbmWasm.ts';
import { batchSize, freeEnergy, type Rbm, type Rows } from './rbm.ts';

/** The compiled kernel (native/rbm.c); immutable, shared by every engine. */
const compiled = new WebAssembly.Module(Buffer.from(RBM_WASM_BASE64, 'base64'));

/** The kernel declares at most 1 GiB of (shared) memory. */
const MAX_PAGES = 16384;
/** The worker instance's own stack. */
const WORKER_STACK_BYTES = 1 << 16;

interface Exports {
  __heap_base: WebAssembly.Global;
  __stack_pointer: WebAssembly.Global;
  sum_rows(rows: number, bias: number, cnt: number, idx: number, stride: number, n: number, width: number, begin: number, end: number, out: number): void;
  outer_acc(acc: number, cnt: number, idx: number, stride: number, p: number, n: number, width: number, begin: number, end: number, scale: number): void;
  bias_acc(accBias: number, accRow: number, cnt: number, idx: number, stride: number, p: number, n: number, width: number, scale: number): void;
  sigmoid_sample(x: number, n: number, width: number, pitch: number, scale: number, offset: number, offScale: number, cnt: number, idx: number, stride: number, rng: number): void;
  bernoulli_lists(p: number, n: number, width: number, pitch: number, cnt: number, idx: number, stride: number, rng: number): void;
  free_energy(pre: number, vb: number, cnt: number, idx: number, stride: number, n: number, H: number, Hp: number, out: number): void;
  ais_increment(pre: number, vDiff: number, cnt: number, idx: number, stride: number, n: number, H: number, Hp: number, beta0: number, beta1: number, out: number): void;
  squared_error(p: number, cnt: number, idx: number, stride: number, n: number, V: number, Vp: number): number;
  sgd(w: number, vel: number, g: number, count: number, lr: number, momentum: number, decay: number): void;
  transpose(src: number, dst: number, rows: number, cols: number, srcPitch: number, dstPitch: number): void;
  zero(x: number, count: number): void;
}

/** A batch of binary configurations as lists of active units, inside the kernel's memory. */
interface Lists {
  /** int32 [rows]: active units per row. */
  cnt: number;
  /** int32 [rows, width]: their indices. */
  idx: number;
  rows: number;
  width: number;
}

/** SGD settings of one update (validated by the caller, cdStep's rules). */
export interface EngineCdOptions {
  k: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  persistent: boolean;
}

export interface RbmEngineOptions {
  /**
   * Threads: 1 (default), or 2 — a worker thread runs half the columns of every row sum, CD
   * statistic and update, on the same shared memory (the draws stay on the calling thread).
   * Two threads are faster on large models (2.8 against 4.5 ms per CD-1 step at 784 × 500) but not
   * bit-reproducible: under an oversubscribed CPU about 1 run in 640 of bench/rbm-threads-race.ts
   * differs from the one-thread numbers (none in 4 873 one-thread runs), a race we have not found.
   * Hence the default; below ~784 × 250 the second thread is slower anyway (its start costs
   * 120–200 ms, each split step a wake-up).
   */
  threads?: 1 | 2;
}

export interface EngineCdInfo {
  loss: number;
  reconstructionError: number;
}

const up4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * A Bernoulli RBM held in a WebAssembly SIMD kernel's memory, in float32, with CD-k / PCD-k
 * updates, free energies and AIS runs on binary data (native/rbm.c explains the sparse layout).
 * The plain-JS functions (rbm.ts, contrastiveDivergence.ts, ais.ts) are the float64 reference it
 * is tested against; they draw the same random stream, so the two agree draw for draw except
 * where float32 and float64 probabilities straddle a uniform.
 *
 * Mutable by design (one update rewrites 1.5 MB of weights in place): own one per training run.
 *
 * @example
 *   const engine = new RbmEngine(createRbm(784, 500, rng));
 *   const info = engine.cdStep(rng, images, { k: 1, learningRate: 0.1, momentum: 0, weightDecay: 0, persistent: false });
 *   const model = engine.snapshot();
 */
export class RbmEngine {
  readonly visible: number;
  readonly hidden: number;
  /** Counts updates (cdStep, load, setVelocity, setChains): lets a lazy copy tell it is stale. */
  version = 0;
  private readonly Vp: number;
  private readonly Hp: number;
  private readonly x: Exports;
  private readonly f32: () => Float32Array;
  // Model region (float32): weights twice, biases, momentum buffers, gradient.
  private readonly Wt: number;
  private readonly W: number;
  private readonly vb: number;
  private readonly hb: number;
  private readonly velWt: number;
  private readonly velVb: number;
  private readonly velHb: number;
  private readonly gWt: number;
  private readonly gVb: number;
  private readonly gHb: number;
  private readonly rng: number;
  private readonly modelEnd: number;
  private scratchRows = 0;
  private s!: { v0: Lists; vk: Lists; h: Lists; chains: Lists; pre: number; preK: number; vPre: number; fe: number; base: number; vDiff: number; end: number };
  /** PCD's chains, as active lists in `s.chains`; 0 rows until the first persistent update. */
  private chainRows = 0;

  private readonly memory: WebAssembly.Memory;
  private worker: Worker | null = null;
  /** The worker's command block: see rbmWorker.mjs. */
  private readonly ctl: Int32Array | null = null;
  private posted = 0;

  constructor(model: Rbm, options: RbmEngineOptions = {}) {
    const { visible: V, hidden: H } = model;
    const threads = options.threads ?? 1;
    if (threads !== 1 && threads !== 2) throw new RangeError(`RbmEngine: threads must be 1 or 2 (got ${threads})`);
    this.visible = V;
    this.hidden = H;
    this.Vp = up4(V);
    this.Hp = up4(H);
    this.memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });
    const mem = this.memory;
    this.x = new WebAssembly.Instance(compiled, { env: { memory: mem } }).exports as unknown as Exports;
    this.f32 = () => new Float32Array(mem.buffer);
    let at = align(this.x.__heap_base.value as number);
    const take = (bytes: number) => {
      const o = at;
      at = align(at + bytes);
      return o;
    };
    const wBytes = V * this.Hp * 4;
    this.Wt = take(wBytes);
    this.W = take(H * this.Vp * 4);
    this.vb = take(this.Vp * 4);
    this.hb = take(this.Hp * 4);
    this.velWt = take(wBytes);
    this.velVb = take(this.Vp * 4);
    this.velHb = take(this.Hp * 4);
    this.gWt = take(wBytes);
    this.gVb = take(this.Vp * 4);
    this.gHb = take(this.Hp * 4);
    this.rng = take(16);
    const workerStack = take(WORKER_STACK_BYTES);
    this.modelEnd = at;
    this.ensure(at);
    this.load(model);
    if (threads === 2) {
      const control = new SharedArrayBuffer(64 * 4);
      this.ctl = new Int32Array(control);
      this.worker = new Worker(new URL('./rbmWorker.mjs', import.meta.url), { workerData: { module: compiled, memory: mem, control, stackTop: workerStack + WORKER_STACK_BYTES } });
      // A worker blocked in Atomics.wait must not keep the process alive.
      this.worker.unref();
    }
  }

  /** Threads this engine runs on. */
  get threads(): 1 | 2 {
    return this.worker ? 2 : 1;
  }

  /** Stops the worker thread (a no-op for one thread); the engine must not be used afterwards. */
  dispose(): void {
    if (this.worker) {
      this.post(0, []);
      void this.worker.terminate();
      this.worker = null;
    }
  }

  /** Copies `model`'s parameters in (rounded to float32) and clears momentum and PCD chains. */
  load(model: Rbm): void {
    if (model.visible !== this.visible || model.hidden !== this.hidden) throw new RangeError(`RbmEngine.load: model is ${model.hidden}×${model.visible}, the engine ${this.hidden}×${this.visible}`);
    const f = this.f32();
    const { Vp, Hp, visible: V, hidden: H } = this;
    f.fill(0, this.Wt / 4, this.modelEnd / 4);
    for (let j = 0; j < H; j++) for (let i = 0; i < V; i++) f[this.Wt / 4 + i * Hp + j] = model.W[j * V + i];
    for (let i = 0; i < V; i++) f[this.vb / 4 + i] = model.vBias[i];
    for (let j = 0; j < H; j++) f[this.hb / 4 + j] = model.hBias[j];
    this.x.transpose(this.Wt, this.W, V, H, Hp, Vp);
    this.chainRows = 0;
    this.version++;
  }

  /** The current parameters as a float64 Rbm (a copy). */
  snapshot(): Rbm {
    const f = this.f32();
    const { Vp, visible: V, hidden: H } = this;
    const W = new Float64Array(H * V);
    for (let j = 0; j < H; j++) for (let i = 0; i < V; i++) W[j * V + i] = f[this.W / 4 + j * Vp + i];
    return { visible: V, hidden: H, W, vBias: Float64Array.from(f.subarray(this.vb / 4, this.vb / 4 + V)), hBias: Float64Array.from(f.subarray(this.hb / 4, this.hb / 4 + H)) };
  }

  /** The momentum buffers in the parameters' shapes (W's [hidden, visible]), float64 copies. */
  velocity(): { W: Float64Array; vBias: Float64Array; hBias: Float64Array } {
    const f = this.f32();
    const { Hp, visible: V, hidden: H } = this;
    const W = new Float64Array(H * V);
    for (let i = 0; i < V; i++) for (let j = 0; j < H; j++) W[j * V + i] = f[this.velWt / 4 + i * Hp + j];
    return { W, vBias: Float64Array.from(f.subarray(this.velVb / 4, this.velVb / 4 + V)), hBias: Float64Array.from(f.subarray(this.velHb / 4, this.velHb / 4 + H)) };
  }

  /** Restores momentum buffers (shapes as `velocity()` returns). */
  setVelocity(vel: { W: ArrayLike<number>; vBias: ArrayLike<number>; hBias: ArrayLike<number> }): void {
    const f = this.f32();
    const { Hp, visible: V, hidden: H } = this;
    for (let i = 0; i < V; i++) for (let j = 0; j < H; j++) f[this.velWt / 4 + i * Hp + j] = vel.W[j * V + i];
    for (let i = 0; i < V; i++) f[this.velVb / 4 + i] = vel.vBias[i];
    for (let j = 0; j < H; j++) f[this.velHb / 4 + j] = vel.hBias[j];
    this.version++;
  }

  /** PCD's chains [chains, visible] as 0/1 float64, or null before the first persistent update. */
  chains(): Float64Array | null {
    if (this.chainRows === 0) return null;
    return this.readLists(this.s.chains, this.chainRows);
  }

  /** Restores PCD's chains (binary rows [chains, visible]), or clears them with null. */
  setChains(chains: Rows | null): void {
    this.version++;
    if (chains == null) {
      this.chainRows = 0;
      return;
    }
    const n = batchSize('RbmEngine.setChains', 'chains', chains, this.visible);
    this.scratch(n);
    this.writeLists(this.s.chains, chains, n, 'chains');
    this.chainRows = n;
  }

  /**
   * One CD-k / PCD-k update on a binary batch [batch, visible], drawing from `rng` exactly what
   * cdStep draws, in the same order; `rng` is advanced as cdStep would advance it.
   *
   * @throws RangeError when the batch is not binary (the kernel's lists hold 0/1 rows only)
   */
  cdStep(rng: Rng, batch: Rows, o: EngineCdOptions): EngineCdInfo {
    const x = this.x;
    const { visible: V, hidden: H, Vp, Hp } = this;
    const n = batchSize('RbmEngine.cdStep', 'batch', batch, V);
    this.version++;
    this.scratch(o.persistent ? Math.max(n, this.chainRows) : n);
    const s = this.s;
    this.writeLists(s.v0, batch, n, 'batch');
    this.seed(rng);
    const feData = this.f64(s.fe, n);

    // Positive phase: c + W v0, F(v0), p(h|v0), h0 ~ p(h|v0), p(v|h0).
    this.rowSums(this.Wt, this.hb, s.v0.cnt, s.v0.idx, V, n, Hp, s.pre);
    x.free_energy(s.pre, this.vb, s.v0.cnt, s.v0.idx, V, n, H, Hp, s.fe);
    let fe0 = 0;
    for (let r = 0; r < n; r++) fe0 += feData()[r];
    fe0 /= n;
    x.sigmoid_sample(s.pre, n, H, Hp, 1, 0, 0, s.h.cnt, s.h.idx, H, this.rng);
    this.rowSums(this.W, this.vb, s.h.cnt, s.h.idx, H, n, Vp, s.vPre);
    x.sigmoid_sample(s.vPre, n, V, Vp, 1, 0, 0, 0, 0, 0, this.rng);
    const reconstructionError = x.squared_error(s.vPre, s.v0.cnt, s.v0.idx, V, n, V, Vp) / n;

    // Negative phase.
    let neg: Lists;
    let nk: number;
    if (o.persistent) {
      if (this.chainRows === 0) {
        this.copyLists(s.v0, s.chains, n);
        this.chainRows = n;
      }
      neg = s.chains;
      nk = this.chainRows;
      for (let t = 0; t < o.k; t++) this.sweep(neg, nk, 1, 0);
    } else {
      neg = s.vk;
      nk = n;
      // v1 ~ p(v|h0), drawn from the reconstruction probabilities already in vPre.
      x.bernoulli_lists(s.vPre, n, V, Vp, neg.cnt, neg.idx, V, this.rng);
      this.lastRows = n;
      for (let t = 1; t < o.k; t++) this.sweep(neg, nk, 1, 0);
    }
    this.rowSums(this.Wt, this.hb, neg.cnt, neg.idx, V, nk, Hp, s.preK);
    x.free_energy(s.preK, this.vb, neg.cnt, neg.idx, V, nk, H, Hp, s.fe);
    let feK = 0;
    const feNeg = this.f64(s.fe, nk)();
    for (let r = 0; r < nk; r++) feK += feNeg[r];
    feK /= nk;
    x.sigmoid_sample(s.preK, nk, H, Hp, 1, 0, 0, 0, 0, 0, this.rng);

    // ∇(mean F(v0) − mean F(vk)) = ⟨p(h|vk) vkᵀ⟩ − ⟨p(h|v0) v0ᵀ⟩ (negated data statistics), then SGD.
    this.split(5, (a, b) => [this.gWt + a * Hp * 4, (b - a) * Hp], V, 4, (a, b) => x.zero(this.gWt + a * Hp * 4, (b - a) * Hp));
    x.zero(this.gVb, Vp);
    x.zero(this.gHb, Hp);
    for (const [lists, p, rows, scale] of [[neg, s.preK, nk, 1 / nk], [s.v0, s.pre, n, -1 / n]] as const) {
      this.split(2, (a, b) => [this.gWt, lists.cnt, lists.idx, V, p, rows, Hp, a, b, scale], Hp, 32, (a, b) => {
        x.outer_acc(this.gWt, lists.cnt, lists.idx, V, p, rows, Hp, a, b, scale);
        x.bias_acc(this.gVb, this.gHb, lists.cnt, lists.idx, V, p, rows, Hp, scale);
      }, [9]);
    }
    this.split(3, (a, b) => [this.Wt + a * Hp * 4, this.velWt + a * Hp * 4, this.gWt + a * Hp * 4, (b - a) * Hp, o.learningRate, o.momentum, o.weightDecay], V, 4,
      (a, b) => x.sgd(this.Wt + a * Hp * 4, this.velWt + a * Hp * 4, this.gWt + a * Hp * 4, (b - a) * Hp, o.learningRate, o.momentum, o.weightDecay), [4, 5, 6]);
    x.sgd(this.vb, this.velVb, this.gVb, Vp, o.learningRate, o.momentum, 0);
    x.sgd(this.hb, this.velHb, this.gHb, Hp, o.learningRate, o.momentum, 0);
    this.split(4, (a, b) => [this.Wt + a * Hp * 4, this.W + a * 4, b - a, H, Hp, Vp], V, 4, (a, b) => x.transpose(this.Wt + a * Hp * 4, this.W + a * 4, b - a, H, Hp, Vp));
    this.unseed(rng);
    return { loss: fe0 - feK, reconstructionError };
  }

  /** The negative samples of the last cdStep, [chains, visible] 0/1 (PCD's chains or CD's v_k). */
  lastNegative(persistent: boolean): Float64Array {
    return persistent ? this.readLists(this.s.chains, this.chainRows) : this.readLists(this.s.vk, this.lastRows);
  }

  /**
   * `sweeps` block-Gibbs sweeps v → h → v of binary chains [chains, visible] at β = 1, drawing
   * from `rng` what that many gibbsSweep calls draw; returns the final chains (0/1).
   */
  gibbs(rng: Rng, v: Rows, sweeps: number): Float64Array {
    const n = batchSize('RbmEngine.gibbs', 'v', v, this.visible);
    this.scratch(n);
    this.writeLists(this.s.vk, v, n, 'v');
    this.seed(rng);
    for (let t = 0; t < sweeps; t++) this.sweep(this.s.vk, n, 1, 0);
    this.unseed(rng);
    this.lastRows = n;
    return this.readLists(this.s.vk, n);
  }

  /** F(v) per row of a binary batch [batch, visible] (float32 weights, float64 sums). */
  freeEnergy(v: Rows): Float64Array {
    const { visible: V, hidden: H, Hp } = this;
    const n = batchSize('RbmEngine.freeEnergy', 'v', v, V);
    const out = new Float64Array(n);
    // In chunks of the scratch size, so a whole test set needs no large buffers.
    const chunk = Math.min(n, 256);
    this.scratch(chunk);
    const s = this.s;
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const m = Math.min(chunk, n - r0);
      this.writeLists(s.v0, rowsOf(v, r0, m, V), m, 'v');
      this.rowSums(this.Wt, this.hb, s.v0.cnt, s.v0.idx, V, m, Hp, s.pre);
      this.x.free_energy(s.pre, this.vb, s.v0.cnt, s.v0.idx, V, m, H, Hp, s.fe);
      out.set(this.f64(s.fe, m)(), r0);
    }
    return out;
  }

  /**
   * AIS from the base model (W = 0, visible biases `base`) to the loaded RBM over `betas`, with
   * `runs` chains, drawing from `rng` exactly what ais() draws. Returns the per-run log weights
   * and final states; ais.ts turns them into log Ẑ and its standard error.
   */
  aisWeights(rng: Rng, runs: number, betas: Float64Array, base: Float64Array): { logWeights: Float64Array; samples: Float64Array } {
    const x = this.x;
    const { visible: V, hidden: H, Vp, Hp } = this;
    this.scratch(runs);
    const s = this.s;
    const f = this.f32();
    const vb = f.subarray(this.vb / 4, this.vb / 4 + V);
    f.fill(0, s.base / 4, s.base / 4 + Vp);
    f.fill(0, s.vDiff / 4, s.vDiff / 4 + Vp);
    for (let i = 0; i < V; i++) {
      f[s.base / 4 + i] = base[i];
      // From the float32 base the sampler uses, so a target equal to the base gives zero weights.
      f[s.vDiff / 4 + i] = vb[i] - Math.fround(base[i]);
    }
    this.seed(rng);
    // v_0 ~ p_A: σ(0 · x + 1 · b_A) per entry, drawn in row-major order.
    x.zero(s.vPre, runs * Vp);
    x.sigmoid_sample(s.vPre, runs, V, Vp, 0, s.base, 1, s.v0.cnt, s.v0.idx, V, this.rng);
    x.zero(s.fe, Math.ceil((runs * 2) / 4) * 4);
    const logW = this.f64(s.fe, runs);
    const K = betas.length - 1;
    for (let t = 1; t <= K; t++) {
      this.rowSums(this.Wt, this.hb, s.v0.cnt, s.v0.idx, V, runs, Hp, s.pre);
      x.ais_increment(s.pre, s.vDiff, s.v0.cnt, s.v0.idx, V, runs, H, Hp, betas[t - 1], betas[t], s.fe);
      if (t < K) {
        const beta = betas[t];
        x.sigmoid_sample(s.pre, runs, H, Hp, beta, 0, 0, s.h.cnt, s.h.idx, H, this.rng);
        this.rowSums(this.W, this.vb, s.h.cnt, s.h.idx, H, runs, Vp, s.vPre);
        x.sigmoid_sample(s.vPre, runs, V, Vp, beta, s.base, 1 - beta, s.v0.cnt, s.v0.idx, V, this.rng);
      }
    }
    this.unseed(rng);
    return { logWeights: Float64Array.from(logW()), samples: this.readLists(s.v0, runs) };
  }

  // ---------- internals ----------

  /** out[b, :] = bias + Σ over the listed rows (sum_rows), the columns split between the threads. */
  private rowSums(rows: number, bias: number, cnt: number, idx: number, stride: number, n: number, width: number, out: number): void {
    this.split(1, (a, b) => [rows, bias, cnt, idx, stride, n, width, a, b, out], width, 16, (a, b) => this.x.sum_rows(rows, bias, cnt, idx, stride, n, width, a, b, out));
  }

  /**
   * Runs `main` on [0, mid) here and command `op` with `args(mid, extent)` on the worker, mid the
   * half of `extent` rounded to a multiple of `grain`; with one thread, `main(0, extent)`.
   * `floats` lists the argument positions passed as float32.
   */
  private split(op: number, args: (a: number, b: number) => readonly number[], extent: number, grain: number, main: (a: number, b: number) => void, floats: readonly number[] = []): void {
    const mid = Math.round(extent / 2 / grain) * grain;
    if (this.worker == null || mid <= 0 || mid >= extent) {
      main(0, extent);
      return;
    }
    const seq = this.post(op, args(mid, extent), floats);
    main(0, mid);
    const ctl = this.ctl!;
    // The worker's half takes about as long as this one: spin before sleeping.
    for (let spins = 0; spins < 1 << 20 && Atomics.load(ctl, 1) !== seq; spins++);
    for (let done = Atomics.load(ctl, 1); done !== seq; done = Atomics.load(ctl, 1)) Atomics.wait(ctl, 1, done);
  }

  /**
   * Posts command `op` to the worker; returns its sequence number. Every word of the command block
   * is written here and read by the worker with Atomics (float arguments as their bits), so the
   * block itself is race-free by the memory model. (Two threads still differ from one in about 1
   * run in 640 of bench/rbm-threads-race.ts; a spin of ~5 000 loads after the wait hid it in 2 953
   * runs, so the worker's results seem to be read early somewhere. Not found: see RbmEngineOptions.)
   */
  private post(op: number, args: readonly number[], floats: readonly number[] = []): number {
    const ctl = this.ctl!;
    Atomics.store(ctl, 2, op);
    for (let k = 0; k < args.length; k++) Atomics.store(ctl, 3 + k, floats.includes(k) ? floatBits(args[k]) : args[k]);
    this.posted++;
    Atomics.store(ctl, 0, this.posted);
    Atomics.notify(ctl, 0);
    return this.posted;
  }

  private lastRows = 0;

  /** One tempered sweep v → h → v of the chains in `lists` (in place), as gibbsSweepFromInput. */
  private sweep(lists: Lists, n: number, beta: number, base: number): void {
    const x = this.x;
    const { visible: V, hidden: H, Vp, Hp } = this;
    const s = this.s;
    this.rowSums(this.Wt, this.hb, lists.cnt, lists.idx, V, n, Hp, s.preK);
    x.sigmoid_sample(s.preK, n, H, Hp, beta, 0, 0, s.h.cnt, s.h.idx, H, this.rng);
    this.rowSums(this.W, this.vb, s.h.cnt, s.h.idx, H, n, Vp, s.vPre);
    x.sigmoid_sample(s.vPre, n, V, Vp, beta, base, 1 - beta, lists.cnt, lists.idx, V, this.rng);
  }

  private seed(rng: Rng): void {
    new Uint32Array(this.memory.buffer, this.rng, 4).set(rng.state());
  }

  /** Hands the kernel's generator state back to `rng` (it continues where the kernel stopped). */
  private unseed(rng: Rng): void {
    rng.setState(Array.from(new Uint32Array(this.memory.buffer, this.rng, 4)));
  }

  private f64(offset: number, n: number): () => Float64Array {
    return () => new Float64Array(this.memory.buffer, offset, n);
  }

  /** Lays out scratch for `rows` rows (after the model region), growing memory when needed. */
  private scratch(rows: number): void {
    if (rows <= this.scratchRows) return;
    const old = this.scratchRows > 0 ? { chains: this.s.chains, rows: this.chainRows } : null;
    const saved = old && old.rows > 0 ? this.readLists(old.chains, old.rows) : null;
    const { visible: V, hidden: H, Vp, Hp } = this;
    let at = this.modelEnd;
    const take = (bytes: number) => {
      const o = at;
      at = align(at + bytes);
      return o;
    };
    const lists = (width: number): Lists => ({ cnt: take(rows * 4), idx: take(rows * width * 4), rows, width });
    this.s = {
      v0: lists(V), vk: lists(V), h: lists(H), chains: lists(V),
      pre: take(rows * Hp * 4), preK: take(rows * Hp * 4), vPre: take(rows * Vp * 4),
      fe: take(Math.max(rows, 4) * 8 * 2), base: take(Vp * 4), vDiff: take(Vp * 4), end: 0,
    };
    this.s.end = at;
    this.ensure(at);
    this.scratchRows = rows;
    if (saved) this.writeLists(this.s.chains, saved, old!.rows, 'chains');
  }

  private ensure(bytes: number): void {
    const mem = this.memory;
    const missing = bytes - mem.buffer.byteLength;
    if (missing > 0) mem.grow(Math.ceil(missing / 65536));
  }

  private writeLists(into: Lists, rows: Rows, n: number, name: string): void {
    const V = into.width;
    const cnt = new Int32Array(this.memory.buffer, into.cnt, n);
    const idx = new Int32Array(this.memory.buffer, into.idx, n * V);
    for (let b = 0; b < n; b++) {
      let c = 0;
      const o = b * V;
      for (let i = 0; i < V; i++) {
        const v = rows[o + i];
        if (v === 1) idx[o + c++] = i;
        else if (v !== 0) throw new RangeError(`RbmEngine: ${name} must be binary, 0 or 1 (entry [${b}, ${i}] is ${v})`);
      }
      cnt[b] = c;
    }
  }

  private readLists(from: Lists, n: number): Float64Array {
    const V = from.width;
    const cnt = new Int32Array(this.memory.buffer, from.cnt, n);
    const idx = new Int32Array(this.memory.buffer, from.idx, n * V);
    const out = new Float64Array(n * V);
    for (let b = 0; b < n; b++) for (let q = 0; q < cnt[b]; q++) out[b * V + idx[b * V + q]] = 1;
    return out;
  }

  private copyLists(from: Lists, to: Lists, n: number): void {
    const buf = this.memory.buffer;
    new Int32Array(buf, to.cnt, n).set(new Int32Array(buf, from.cnt, n));
    new Int32Array(buf, to.idx, n * from.width).set(new Int32Array(buf, from.idx, n * from.width));
  }
}

/** Below this many multiply-adds (rows · visible · hidden) freeEnergies stays in float64 JS. */
const ENGINE_MIN_WORK = 1 << 22;

/**
 * F(v) per row, shape [batch], for evaluations over many rows (test sets, pseudo-likelihood): on
 * the engine when `v` is binary and the work is large (float32 weights, ≈1e-5 relative), else
 * freeEnergy's float64 loops (small models keep float64 exactness).
 */
export function freeEnergies(model: Rbm, v: Rows): Float64Array {
  if (v.length * model.hidden < ENGINE_MIN_WORK) return freeEnergy(model, v);
  for (let k = 0; k < v.length; k++) if (v[k] !== 0 && v[k] !== 1) return freeEnergy(model, v);
  return new RbmEngine(model, { threads: 1 }).freeEnergy(v);
}

/** Rows r0 … r0 + m − 1 of a [n, width] batch, as a view when the batch is a typed array. */
function rowsOf(v: Rows, r0: number, m: number, width: number): Rows {
  if (ArrayBuffer.isView(v)) return (v as unknown as Float64Array).subarray(r0 * width, (r0 + m) * width);
  return Array.prototype.slice.call(v, r0 * width, (r0 + m) * width) as number[];
}

const bits = new Int32Array(1);
const bitsF = new Float32Array(bits.buffer);

/** The float32 nearest `v`, as the int32 with its bits (the worker reads it back as a float). */
function floatBits(v: number): number {
  bitsF[0] = v;
  return bits[0];
}

function align(n: number): number {
  return Math.ceil(n / 16) * 16;
}
