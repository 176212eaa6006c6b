import { afterEach, describe, expect, it } from 'vitest';
import { hostKernels, NATIVE_ENV } from '../../src/backend/hostKernels.ts';
import { Rng } from '../../src/random/rng.ts';

/**
 * The host kernels' matrix product (src/backend/addon/sgemm.c) against a float64 reference, for
 * every transpose, shapes that cross each blocking edge (6-row and 16-column register blocks, the
 * 96-row and 256-deep cache blocks), bias and ReLU, and any thread count giving the same bits.
 * CI builds the addon (.ci/run checks it); elsewhere, without a C compiler, these tests skip.
 */
const kernels = hostKernels();
const it_ = kernels ? it : it.skip;
const savedCores = process.env.QUBIT_RX_CORES;
afterEach(() => {
  if (savedCores === undefined) delete process.env.QUBIT_RX_CORES;
  else process.env.QUBIT_RX_CORES = savedCores;
});

function normals(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** op(a)·op(b) in float64 and Σ|op(a)|·|op(b)| per element (the scale of float32 rounding error). */
function reference(a: Float32Array, b: Float32Array, m: number, n: number, k: number, transA: boolean, transB: boolean) {
  const c = new Float64Array(m * n), scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * m + i] : a[i * k + p];
      for (let j = 0; j < n; j++) {
        const bv = transB ? b[j * k + p] : b[p * n + j];
        c[i * n + j] += av * bv;
        scale[i * n + j] += Math.abs(av * bv);
      }
    }
  }
  return { c, scale };
}

// Float32 summation of k products: |error| ≤ ~k·u·Σ|aᵢbᵢ| in the worst case (u = 2⁻²⁴); blocked
// sums of 256 with FMA stay far inside it. A wrong index or a dropped block is off by O(Σ|aᵢbᵢ|/√k).
const bound = (k: number, scale: number) => (k + 2) * 2 ** -24 * scale + 1e-30;

describe('hostKernels().gemm', () => {
  it('is null when turned off with QUBIT_RX_NATIVE=0', () => {
    expect(hostKernels({ [NATIVE_ENV]: '0' })).toBeNull();
  });

  it_('reports the micro-kernel it runs', () => {
    expect(['avx2+fma', 'generic']).toContain(kernels!.isa);
  });

  const shapes: [number, number, number][] = [[1, 1, 1], [6, 16, 8], [7, 17, 5], [100, 37, 300], [128, 512, 784], [13, 250, 513], [97, 3, 2]];
  for (const [m, n, k] of shapes) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it_(`is op(a)·op(b) to float32 rounding: [${m}, ${k}]·[${k}, ${n}]${transA ? ', aᵀ' : ''}${transB ? ', bᵀ' : ''}`, () => {
        const a = normals(m * k, m + 3 * k), b = normals(k * n, n + 7 * k);
        const c = kernels!.gemm(a, b, m, n, k, { transA, transB });
        const { c: want, scale } = reference(a, b, m, n, k, transA, transB);
        let worst = 0;
        for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(c[i] - want[i]) / bound(k, scale[i]));
        expect(worst).toBeLessThan(1);
      });
    }
  }

  it_('adds the bias, then applies the ReLU', () => {
    const [m, n, k] = [9, 21, 40];
    const a = normals(m * k, 1), b = normals(k * n, 2), bias = normals(n, 3);
    const plain = kernels!.gemm(a, b, m, n, k);
    const withBias = kernels!.gemm(a, b, m, n, k, { bias });
    const relu = kernels!.gemm(a, b, m, n, k, { bias, relu: true });
    let negatives = 0;
    for (let i = 0; i < m * n; i++) {
      expect(withBias[i]).toBe(Math.fround(plain[i] + bias[i % n]));
      expect(relu[i]).toBe(Math.max(0, withBias[i]));
      if (withBias[i] < 0) negatives++;
    }
    expect(negatives).toBeGreaterThan(0);
  });

  it_('gives the bias (or zeros) for an empty sum, k = 0', () => {
    const bias = Float32Array.of(-1, 2);
    expect([...kernels!.gemm(new Float32Array(0), new Float32Array(0), 2, 2, 0)]).toEqual([0, 0, 0, 0]);
    expect([...kernels!.gemm(new Float32Array(0), new Float32Array(0), 2, 2, 0, { bias, relu: true })]).toEqual([0, 2, 0, 2]);
  });

  // Threads split the columns, or the rows when there are few columns (a convolution's [B·H·W, 9]).
  for (const [m, n, k] of [[128, 784, 512], [3000, 9, 40]]) {
    it_(`gives the same bits on 1, 2 and 3 threads: [${m}, ${k}]·[${k}, ${n}]`, () => {
      const a = normals(m * k, 4), b = normals(k * n, 5), bias = normals(n, 6);
      const runs = ['1', '2', '3'].map((cores) => {
        process.env.QUBIT_RX_CORES = cores;
        expect(kernels!.threads()).toBe(Number(cores));
        return kernels!.gemm(a, b, m, n, k, { bias, relu: true });
      });
      const { c: want, scale } = reference(a, b, m, n, k, false, false);
      for (let i = 0; i < m * n; i++) expect(Math.abs(runs[0][i] - Math.max(0, Math.fround(want[i]) + bias[i % n]))).toBeLessThan(bound(k, scale[i]) + 1e-6 * Math.abs(bias[i % n]));
      expect(Buffer.compare(Buffer.from(runs[0].buffer), Buffer.from(runs[1].buffer))).toBe(0);
      expect(Buffer.compare(Buffer.from(runs[0].buffer), Buffer.from(runs[2].buffer))).toBe(0);
    });
  }

  it_('rejects arrays of the wrong size with the sizes it expected', () => {
    expect(() => kernels!.gemm(new Float32Array(5), new Float32Array(6), 2, 3, 3)).toThrow(/m=2 n=3 k=3 expected a 6, b 9, c 6 floats \(got 5, 6, 6\)/);
    expect(() => kernels!.gemm(new Float32Array(6), new Float32Array(9), 2, 3, 3, { bias: new Float32Array(2) })).toThrow(/bias n/);
    expect(() => kernels!.gemm(new Float64Array(6) as unknown as Float32Array, new Float32Array(9), 2, 3, 3)).toThrow(/Float32Arrays/);
  });
});

describe('hostKernels() im2col and col2im', () => {
  // [B, H, W, C, kh, kw, stride, padTop, padLeft, Ho, Wo]: 'same' stride 2 on an even and an odd size, stride 1.
  const geometries = [[2, 8, 8, 3, 3, 3, 2, 0, 0, 4, 4], [1, 7, 5, 2, 3, 3, 2, 1, 1, 4, 3], [2, 5, 6, 4, 3, 3, 1, 1, 1, 5, 6]];
  const geo = (a: number[]) => ({ batch: a[0], height: a[1], width: a[2], channels: a[3], kh: a[4], kw: a[5], stride: a[6], padTop: a[7], padLeft: a[8], outHeight: a[9], outWidth: a[10] });

  for (const a of geometries) {
    const g = geo(a);
    const imageSize = g.batch * g.height * g.width * g.channels;
    const colSize = g.batch * g.outHeight * g.outWidth * g.kh * g.kw * g.channels;
    it_(`im2col reads each patch entry from where it lies (zeros outside): [${a}]`, () => {
      const x = normals(imageSize, 1), col = new Float32Array(colSize);
      kernels!.im2col(x, col, g);
      let i = 0;
      for (let b = 0; b < g.batch; b++) for (let oy = 0; oy < g.outHeight; oy++) for (let ox = 0; ox < g.outWidth; ox++) {
        for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) for (let c = 0; c < g.channels; c++, i++) {
          const iy = oy * g.stride - g.padTop + ky, ix = ox * g.stride - g.padLeft + kx;
          const inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width;
          expect(col[i]).toBe(inside ? x[((b * g.height + iy) * g.width + ix) * g.channels + c] : 0);
        }
      }
    });

    it_(`col2im is im2col's adjoint, ⟨col(x), c⟩ = ⟨x, col2im(c)⟩, then adds the bias and applies the ReLU: [${a}]`, () => {
      const x = normals(imageSize, 2), c = normals(colSize, 3), col = new Float32Array(colSize), back = new Float32Array(imageSize);
      kernels!.im2col(x, col, g);
      kernels!.col2im(c, back, g);
      let lhs = 0, rhs = 0, scale = 0;
      for (let i = 0; i < colSize; i++) { lhs += col[i] * c[i]; scale += Math.abs(col[i] * c[i]); }
      for (let i = 0; i < imageSize; i++) rhs += x[i] * back[i];
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-5 * scale);
      const bias = normals(g.channels, 4), fused = new Float32Array(imageSize);
      kernels!.col2im(c, fused, g, { bias, relu: true });
      for (let i = 0; i < imageSize; i++) expect(fused[i]).toBe(Math.max(0, Math.fround(back[i] + bias[i % g.channels])));
    });
  }

  it_('rejects a geometry that does not match the arrays', () => {
    const g = geo(geometries[0]);
    expect(() => kernels!.im2col(new Float32Array(10), new Float32Array(10), g)).toThrow(/im2col: x must have B·H·W·C and col B·Ho·Wo·kh·kw·C floats/);
    expect(() => kernels!.im2col(new Float32Array(0), new Float32Array(0), { ...g, stride: 0 })).toThrow(/geometry entries must be ≥ 1/);
  });
});

describe('hostKernels() colSum', () => {
  it_('is the column sums, rows added in order in float32 (bit for bit), and rejects wrong sizes', () => {
    const [m, n] = [129, 37];
    const a = normals(m * n, 9), out = new Float32Array(n);
    kernels!.colSum(a, m, n, out);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s = Math.fround(s + a[i * n + j]);
      expect(out[j]).toBe(s);
    }
    expect(() => kernels!.colSum(a, m, n + 1, out)).toThrow(/colSum: a must have m·n and out n floats/);
  });
});

describe('hostKernels() reluGrad', () => {
  it_('passes dy where y > 0 and gives 0 elsewhere (y = 0 included)', () => {
    const dy = Float32Array.of(1, -2, 3, 4, 5), y = Float32Array.of(0.5, 2, 0, -1, 1e-30), out = new Float32Array(5);
    kernels!.reluGrad(dy, y, out);
    expect(Array.from(out)).toEqual([1, -2, 0, 0, 5]);
    expect(() => kernels!.reluGrad(dy, y, new Float32Array(4))).toThrow(/same length/);
  });
});
