import { expect } from 'vitest';
import { tf, type Tensor } from '../../src/backend/tf.ts';
import type { LayerKernel } from '../../src/flows/layerKernel.ts';
import type { Transform } from '../../src/flows/transform.ts';
import type { Rng } from '../../src/random/rng.ts';
import type { Target } from '../../src/targets/target.ts';

/**
 * A target whose evidence is known: p(y, θ) = Z · N(θ; μ, L Lᵀ), so log p(y) = log Z.
 * Both densities (TF.js and float64 JS) written out.
 */
export class GaussianTarget implements Target {
  readonly dim: number;
  /** Precision Σ⁻¹, row-major. */
  private readonly precision: Float64Array;
  private readonly constant: number;

  /** @param chol lower-triangular L (row-major, dim × dim) */
  constructor(readonly mean: readonly number[], readonly chol: readonly number[], readonly logZ: number) {
    const d = mean.length;
    this.dim = d;
    // Σ = L Lᵀ, then its inverse by Gauss–Jordan (d is tiny).
    const cov = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) cov[i * d + j] += chol[i * d + k] * chol[j * d + k];
    this.precision = invert(cov, d);
    let logDetL = 0;
    for (let i = 0; i < d; i++) logDetL += Math.log(Math.abs(chol[i * d + i]));
    this.constant = logZ - 0.5 * d * Math.log(2 * Math.PI) - logDetL;
  }

  /** Covariance Σ = L Lᵀ, row-major. */
  covariance(): Float64Array {
    return invert(this.precision, this.dim);
  }

  logDensityAndGrad(x: Float64Array, grad: Float64Array): number {
    const d = this.dim;
    let q = 0;
    for (let i = 0; i < d; i++) {
      let g = 0;
      for (let j = 0; j < d; j++) g += this.precision[i * d + j] * (x[j] - this.mean[j]);
      grad[i] = -g;
      q += (x[i] - this.mean[i]) * g;
    }
    return this.constant - 0.5 * q;
  }

  logJoint(theta: Tensor): Tensor {
    return tf.tidy(() => {
      const c = tf.sub(theta, tf.tensor1d(this.mean as number[]));
      const quad = tf.sum(tf.mul(tf.matMul(c, tf.tensor2d(Float32Array.from(this.precision), [this.dim, this.dim])), c), 1);
      return tf.add(tf.mul(quad, -0.5), this.constant);
    });
  }
}

export function invert(a: Float64Array, d: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r * d + c]) > Math.abs(m[piv * d + c])) piv = r;
    for (let k = 0; k < d; k++) {
      [m[c * d + k], m[piv * d + k]] = [m[piv * d + k], m[c * d + k]];
      [inv[c * d + k], inv[piv * d + k]] = [inv[piv * d + k], inv[c * d + k]];
    }
    const p = m[c * d + c];
    for (let k = 0; k < d; k++) {
      m[c * d + k] /= p;
      inv[c * d + k] /= p;
    }
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r * d + c];
      for (let k = 0; k < d; k++) {
        m[r * d + k] -= f * m[c * d + k];
        inv[r * d + k] -= f * inv[c * d + k];
      }
    }
  }
  return inv;
}

/** log|det A| by Gaussian elimination with partial pivoting. */
export function logAbsDeterminant(a: Float64Array, d: number): number {
  const m = Float64Array.from(a);
  let s = 0;
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r * d + c]) > Math.abs(m[piv * d + c])) piv = r;
    for (let k = 0; k < d; k++) [m[c * d + k], m[piv * d + k]] = [m[piv * d + k], m[c * d + k]];
    const p = m[c * d + c];
    s += Math.log(Math.abs(p));
    for (let r = c + 1; r < d; r++) {
      const f = m[r * d + c] / p;
      for (let k = c; k < d; k++) m[r * d + k] -= f * m[c * d + k];
    }
  }
  return s;
}

/** Sets every variable of `t` to N(0, scale²) draws from `rng`: non-trivial parameters, not the near-identity init. */
export function randomiseParameters(t: Transform, rng: Rng, scale: number): void {
  for (const [, v] of t.namedVariables()) {
    const value = tf.tensor(Float32Array.from({ length: v.size }, () => scale * rng.normal()), v.shape);
    v.assign(value);
    value.dispose();
  }
}

export function normals(rng: Rng, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => scale * rng.normal());
}

/** Values of a tensor as float64, then dispose it. */
export function take(t: Tensor): Float64Array {
  const v = Float64Array.from(t.dataSync());
  t.dispose();
  return v;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Relative error max |a − b| / (1 + |b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return m;
}

/** f′(0) by central differences with Richardson extrapolation, (4·D(h) − D(2h))/3: error O(h⁴). */
export function richardson(f: (e: number) => number, h = 1e-5): number {
  const central = (e: number) => (f(e) - f(-e)) / (2 * e);
  return (4 * central(h) - central(2 * h)) / 3;
}

export interface InvariantOptions {
  rng: Rng;
  /** Rows to test. */
  n?: number;
  /** Spread of the test points. */
  spread?: number;
  /** Whether the inverse is differentiable (planar's is not). */
  differentiableInverse?: boolean;
}

/**
 * The invariants every kernel layer must keep, at its current parameters:
 * 1. the tensor API agrees with the float64 kernel; inverse∘forward = forward∘inverse = identity;
 * 2. logAbsDet = log|det J| with J by float64 central differences (Richardson-extrapolated) of the
 *    kernel's forward; the inverse's logAbsDet = −forward's at the same point;
 * 3. the hand-written reverse modes (both directions) equal float64 finite differences, in x and in
 *    the parameters, and the tensor gradients (tf.grads through the op) equal them to float32 rounding;
 * 4. no tensor leaks.
 */
export function checkKernelLayer(layer: LayerKernel & Transform, options: InvariantOptions): void {
  const { rng } = options;
  const n = options.n ?? 24;
  const d = layer.dim;
  const before = tf.memory().numTensors;
  const x = normals(rng, n * d, options.spread ?? 1.5);
  const p = Float64Array.from(layer.params.dataSync());

  // 1. tensors vs kernel; round trips
  const xT = tf.tensor2d(Float32Array.from(x), [n, d]);
  const x32 = Float64Array.from(xT.dataSync());
  const fwd = layer.forward(xT);
  const y = take(fwd.y);
  const ld = take(fwd.logAbsDet);
  const pass = layer.forwardPass(x32, n, p);
  // The parameters are non-trivial: the map moves points.
  expect(maxAbsDiff(pass.y, x32)).toBeGreaterThan(0.05);
  expect(maxRelDiff(y, pass.y)).toBeLessThan(1e-5);
  expect(maxRelDiff(ld, pass.logAbsDet)).toBeLessThan(1e-5);
  // Round trips: exact maths in float64 on the kernel (tolerance scaled where the map is flat, since
  // δx = δy/g′ there), and the tensor API equal to the kernel on the same float32 input. (A float32
  // round trip through tensors would mix the two: its error is rounding amplified by 1/g′.)
  const yT = tf.tensor2d(Float32Array.from(y), [n, d]);
  const y32 = Float64Array.from(yT.dataSync());
  const inv = layer.inverse!(yT);
  const invPass = layer.inversePass!(y32, n, p);
  expect(maxRelDiff(take(inv.x), invPass.y)).toBeLessThan(1e-5);
  expect(maxRelDiff(take(inv.logAbsDet), invPass.logAbsDet)).toBeLessThan(1e-5);
  const roundTrip = layer.inversePass!(pass.y, n, p);
  for (let k = 0; k < n * d; k++) expect(Math.abs(roundTrip.y[k] - x32[k])).toBeLessThan(1e-9 * Math.max(1, Math.exp(Math.abs(pass.logAbsDet[Math.floor(k / d)]))));
  for (let r = 0; r < n; r++) expect(Math.abs(roundTrip.logAbsDet[r] + pass.logAbsDet[r])).toBeLessThan(1e-8 * Math.max(1, Math.exp(Math.abs(pass.logAbsDet[r]))));
  const backPass = layer.inversePass!(x32, n, p);
  const againPass = layer.forwardPass(backPass.y, n, p);
  for (let k = 0; k < n * d; k++) expect(Math.abs(againPass.y[k] - x32[k])).toBeLessThan(1e-9 * (1 + Math.abs(x32[k])));

  // 2. logAbsDet against the numerical Jacobian (float64 central differences with Richardson
  // extrapolation). Compared as determinants: where the map is nearly flat (det ~1e-6) the
  // differences' absolute noise (~1e-10 per entry) is a large relative error in log|det|.
  for (let r = 0; r < n; r++) {
    const row = x.slice(r * d, (r + 1) * d);
    const jac = new Float64Array(d * d);
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < d; i++) {
        jac[i * d + j] = richardson((e) => {
          const a = Float64Array.from(row);
          a[j] += e;
          return layer.forwardPass(a, 1, p).y[i];
        });
      }
    }
    const exact = layer.forwardPass(row, 1, p).logAbsDet[0];
    const scale = Math.max(1, ...Array.from(jac, Math.abs)) ** d;
    expect(Math.abs(Math.exp(logAbsDeterminant(jac, d)) - Math.exp(exact))).toBeLessThan(1e-6 * Math.exp(exact) + 1e-8 * scale);
    const inverse = layer.inversePass!(layer.forwardPass(row, 1, p).y, 1, p);
    expect(Math.abs(inverse.logAbsDet[0] + exact)).toBeLessThan(1e-9 * Math.max(1, Math.exp(Math.abs(exact))));
  }

  // 3. reverse modes against finite differences of J = Σ cy·out + Σ cl·logAbsDet
  const cy = normals(rng, n * d);
  const cl = normals(rng, n);
  for (const direction of ['forward', 'inverse'] as const) {
    const run = (xs: Float64Array, ps: Float64Array) => (direction === 'forward' ? layer.forwardPass(xs, n, ps) : layer.inversePass!(xs, n, ps));
    const input = direction === 'forward' ? x : pass.y;
    const objective = (xs: Float64Array, ps: Float64Array) => {
      const o = run(xs, ps);
      let s = 0;
      for (let k = 0; k < n * d; k++) s += cy[k] * o.y[k];
      for (let k = 0; k < n; k++) s += cl[k] * o.logAbsDet[k];
      return s;
    };
    if (direction === 'inverse' && options.differentiableInverse === false) {
      expect(() => run(input, p).backward(cy, cl, new Float64Array(p.length))).toThrow(/not differentiable/);
      continue;
    }
    const gp = new Float64Array(p.length);
    const gx = run(input, p).backward(cy, cl, gp);
    const fdX = Float64Array.from(input, (_, k) => richardson((e) => {
      const a = Float64Array.from(input);
      a[k] += e;
      return objective(a, p);
    }));
    const fdP = Float64Array.from(p, (_, k) => richardson((e) => {
      const a = Float64Array.from(p);
      a[k] += e;
      return objective(input, a);
    }));
    // Tolerance: FD truncation and rounding ~1e-10; the conditioner's float32-accurate tanh ~1e-6.
    expect(maxRelDiff(gx, fdX)).toBeLessThan(2e-5);
    expect(maxRelDiff(gp, fdP)).toBeLessThan(2e-5);

    // Through the tensors: the same gradients, to float32 rounding.
    const inT = tf.tensor2d(Float32Array.from(input), [n, d]);
    const cyT = tf.tensor2d(Float32Array.from(cy), [n, d]);
    const clT = tf.tensor1d(Float32Array.from(cl));
    const tensorObjective = (t: Tensor): tf.Scalar => {
      const o = direction === 'forward' ? layer.forward(t) : ((r) => ({ y: r.x, logAbsDet: r.logAbsDet }))(layer.inverse!(t));
      return tf.add(tf.sum(tf.mul(o.y, cyT)), tf.sum(tf.mul(o.logAbsDet, clT)));
    };
    const { grads, value } = tf.variableGrads(() => tensorObjective(inT), [layer.params]);
    const gpT = take(grads[layer.params.name]);
    value.dispose();
    const scale = Math.max(1, ...Array.from(gp, Math.abs));
    expect(maxAbsDiff(gpT, gp) / scale).toBeLessThan(1e-4);
    const gxT = tf.grad(tensorObjective)(inT);
    expect(maxAbsDiff(take(gxT), gx) / Math.max(1, ...Array.from(gx, Math.abs))).toBeLessThan(1e-4);
    tf.dispose([inT, cyT, clT]);
  }
  tf.dispose([xT, yT]);
  expect(tf.memory().numTensors).toBe(before);
}
