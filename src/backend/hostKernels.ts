import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { coresAvailable } from '../simulators/cores.ts';
import { onHostMemory } from './hostMemory.ts';

/** The environment variable that turns the host kernels off (`0`): every product then runs in WebAssembly. */
export const NATIVE_ENV = 'QUBIT_RX_NATIVE';

const ADDON = fileURLToPath(new URL('./addon/build/Release/qubit_rx_host.node', import.meta.url));

/** The addon as loaded: the functions below plus the product and patches with their raw arguments. */
interface Addon extends DirectKernels {
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, transA: number, transB: number, bias: Float32Array | null, relu: number, threads: number): void;
  im2col(x: Float32Array, col: Float32Array, geometry: Int32Array): void;
  col2im(col: Float32Array, x: Float32Array, geometry: Int32Array, bias: Float32Array | null, relu: number): void;
  isa: string;
}

/**
 * A 2-D convolution's geometry (NHWC): input [batch, height, width, channels], a kh × kw kernel at
 * `stride`, padding before of padTop rows and padLeft columns, outHeight × outWidth positions.
 */
export interface ConvGeometry {
  batch: number;
  height: number;
  width: number;
  channels: number;
  kh: number;
  kw: number;
  stride: number;
  padTop: number;
  padLeft: number;
  outHeight: number;
  outWidth: number;
}

export interface GemmOptions {
  /** Read a as its transpose: a is stored [k, m]. */
  transA?: boolean;
  /** Read b as its transpose: b is stored [n, k]. */
  transB?: boolean;
  /** Added to every row of the product, [n]. */
  bias?: Float32Array;
  /** max(0, ·) after the bias. */
  relu?: boolean;
}

/** The addon's functions that are called as they are: typed arrays in, typed arrays filled. */
interface DirectKernels {
  /**
   * Adam's update of one variable (optim/adam.ts): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g² in
   * place, out = x − stepSize·m/(√v/sqrtBc2 + eps); float32 storage, float64 arithmetic.
   */
  adam(x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, out: Float32Array, beta1: number, beta2: number, eps: number, stepSize: number, sqrtBc2: number): void;
  /**
   * out = log p(x | l) = −softplus((1 − 2x)·l) for logits l and outcomes x in {0, 1}, x broadcast
   * over l's leading entries (l.length a multiple of x.length).
   */
  bernoulliLogProb(l: Float32Array, x: Float32Array, out: Float32Array): void;
  /** dl = dy·∂out/∂l and, unless dx is null, dx = Σ dy·∂out/∂x over the broadcast. */
  bernoulliLogProbGrad(l: Float32Array, x: Float32Array, dy: Float32Array, dl: Float32Array, dx: Float32Array | null): void;
  /** out [n] = the column sums of a [m, n], rows added in order (a layer's bias gradient). */
  colSum(a: Float32Array, m: number, n: number, out: Float32Array): void;
  /** out = dy where y > 0, else 0: a ReLU layer's ∂L/∂(pre-activation) from ∂L/∂y and its output y. */
  reluGrad(dy: Float32Array, y: Float32Array, out: Float32Array): void;
  /**
   * out[i] = 1 when the next word of the xoshiro128** generator in `state` (random/rng.ts's, 4 ×
   * uint32, advanced in place) is below p[i]·2³², else 0: data/binarize.ts's loop, bit for bit.
   */
  binarize(p: Float32Array, out: Float32Array, state: Uint32Array): void;
}

export interface HostKernels extends DirectKernels {
  /** The micro-kernel this CPU runs: 'avx2+fma', or 'generic' (plain C) on others. */
  readonly isa: string;
  /** Threads a product uses: the process's cores (QUBIT_RX_CORES when a sweep shares the machine). */
  threads(): number;
  /**
   * op(a)·op(b) (+ bias) (ReLU), float32, row-major: op(a) [m, k], op(b) [k, n] → [m, n]. The same
   * bits for any number of threads (each element is summed by one thread, in one order).
   */
  gemm(a: Float32Array, b: Float32Array, m: number, n: number, k: number, options?: GemmOptions): Float32Array;
  /** `gemm` into c [m, n] (every element overwritten), e.g. a view of a tensor's memory (backend/hostViews.ts). */
  gemmInto(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number, options?: GemmOptions): void;
  /**
   * The patches of x [batch, height, width, channels] as rows: col [batch·outHeight·outWidth,
   * kh·kw·channels] (zeros outside x), so that a convolution is col · W with the filter
   * [kh, kw, channels, out] read as [kh·kw·channels, out].
   */
  im2col(x: Float32Array, col: Float32Array, g: ConvGeometry): void;
  /** im2col's adjoint: x = the sum of col's patches where they came from, then + bias [channels], then ReLU. */
  col2im(col: Float32Array, x: Float32Array, g: ConvGeometry, options?: { bias?: Float32Array; relu?: boolean }): void;
}

let loaded: HostKernels | null | undefined;

/**
 * The host kernels (src/backend/addon, built by node-gyp at install; docs/host-kernels.md), or null
 * when they were not built or are turned off with QUBIT_RX_NATIVE=0. Their tensor users run them
 * where tensors live in host memory (see onHostMemory); without them the WebAssembly kernels are
 * used, at a quarter to a third of the products' speed (bench/image-vae-products.ts).
 */
export function hostKernels(env: NodeJS.ProcessEnv = process.env): HostKernels | null {
  if (env[NATIVE_ENV] === '0') return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/**
 * The host kernels where the current backend keeps tensors in host memory (wasm, cpu), else null:
 * what a tensor op asks before taking the host path (on a GPU backend every read would stall it).
 */
export function tensorHostKernels(env: NodeJS.ProcessEnv = process.env): HostKernels | null {
  return onHostMemory() ? hostKernels(env) : null;
}

function load(): HostKernels | null {
  if (!existsSync(ADDON)) return null;
  const addon = createRequire(import.meta.url)(ADDON) as Addon;
  const { adam, bernoulliLogProb, bernoulliLogProbGrad, colSum, reluGrad, binarize } = addon;
  const machine = availableParallelism();
  const threads = () => coresAvailable(process.env, machine);
  return {
    isa: addon.isa,
    threads,
    gemm(a, b, m, n, k, options = {}) {
      const c = new Float32Array(m * n);
      this.gemmInto(c, a, b, m, n, k, options);
      return c;
    },
    gemmInto(c, a, b, m, n, k, options = {}) {
      // Below ~2 MFLOP a second thread costs more to start than it saves.
      const t = 2 * m * n * k < 2e6 ? 1 : threads();
      addon.gemm(a, b, c, m, n, k, options.transA ? 1 : 0, options.transB ? 1 : 0, options.bias ?? null, options.relu ? 1 : 0, t);
    },
    im2col(x, col, g) {
      addon.im2col(x, col, geometryArray(g));
    },
    col2im(col, x, g, options = {}) {
      addon.col2im(col, x, geometryArray(g), options.bias ?? null, options.relu ? 1 : 0);
    },
    adam, bernoulliLogProb, bernoulliLogProbGrad, colSum, reluGrad, binarize,
  };
}

function geometryArray(g: ConvGeometry): Int32Array {
  return Int32Array.of(g.batch, g.height, g.width, g.channels, g.kh, g.kw, g.stride, g.padTop, g.padLeft, g.outHeight, g.outWidth);
}

/**
 * What a run records and prints about the host kernels on the current backend: e.g. 'avx2+fma, 2
 * threads', or 'off' (not built, turned off, or a backend whose tensors are not in host memory).
 */
export function hostKernelsLabel(env: NodeJS.ProcessEnv = process.env): string {
  const kernels = tensorHostKernels(env);
  return kernels ? `${kernels.isa}, ${kernels.threads()} thread${kernels.threads() === 1 ? '' : 's'}` : 'off';
}
