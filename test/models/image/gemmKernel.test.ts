import { describe, expect, it } from 'vitest';
import { GemmKernel } from '../../../src/models/image/gemmKernel.ts';
import { Rng } from '../../../src/random/rng.ts';

/** a·bᵀ in float64, the reference. */
function abt(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += a[i * k + t] * b[j * k + t];
    c[i * n + j] = s;
  }
  return c;
}

describe('GemmKernel.abt', () => {
  // whole 4 × 8 blocks; then every tail: rows (m mod 4), columns (n mod 8), and k = 1
  for (const [m, k, n] of [[8, 16, 16], [7, 13, 21], [1, 5, 3], [6, 1, 9], [128, 784, 512]] as const) {
    it(`is a·bᵀ to float32 rounding for [${m}, ${k}] · [${n}, ${k}]ᵀ`, () => {
      const rng = new Rng(m * 1000 + n);
      const a = Float32Array.from({ length: m * k }, () => rng.normal());
      const b = Float32Array.from({ length: n * k }, () => rng.normal());
      const c = new GemmKernel().abt(a, m, k, b, n);
      const ref = abt(a, m, k, b, n);
      expect(c.length).toBe(m * n);
      // float32 sums of k products of N(0, 1) numbers: error ≲ k·2⁻²⁴·√k·(a few); a misplaced
      // index would be off by O(√k).
      const tol = 8 * k * Math.sqrt(k) * 2 ** -24 + 1e-6;
      for (let i = 0; i < c.length; i++) if (Math.abs(c[i] - ref[i]) > tol) expect.fail(`c[${i}] = ${c[i]}, expected ${ref[i]} ± ${tol}`);
    });
  }

  it('rejects arrays of the wrong length with the sizes it expected', () => {
    expect(() => new GemmKernel().abt(new Float32Array(5), 2, 3, new Float32Array(6), 2)).toThrow(/a must have 2·3 and b 2·3 elements \(got 5 and 6\)/);
  });
});
