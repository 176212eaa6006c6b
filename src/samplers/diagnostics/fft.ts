/**
 * In-place iterative radix-2 Cooley–Tukey FFT of a complex vector (re, im), length n a power
 * of two: X_k = Σ_j x_j e^{∓2πi jk/n} (− forward, + inverse; the inverse is *not* scaled by 1/n).
 * O(n log n); allocates only its twiddle table (n/2 cosines and sines).
 *
 * @example
 *   const re = new Float64Array([1, 2, 3, 4]), im = new Float64Array(4);
 *   fft(re, im, false);   // re = [10, -2, -2, -2], im = [0, 2, 0, -2]
 */
export function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  if (im.length !== n || (n & (n - 1)) !== 0) {
    throw new RangeError(`fft: re and im must have the same power-of-two length (got ${re.length} and ${im.length})`);
  }
  // Bit-reversal permutation.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  // One twiddle table for all stages: w_k = e^{∓2πi k/n}, k < n/2; stage `len` uses every (n/len)-th.
  // Direct cos/sin (not a recurrence) keeps the rounding error at O(ε log n).
  const sign = inverse ? 1 : -1;
  const halfN = n >> 1;
  const cos = new Float64Array(halfN), sin = new Float64Array(halfN);
  for (let k = 0; k < halfN; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = sign * Math.sin((2 * Math.PI * k) / n);
  }
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const stride = n / len;
    for (let k = 0; k < half; k++) {
      const wr = cos[k * stride], wi = sin[k * stride];
      for (let start = k; start < n; start += len) {
        const a = start, b = start + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr; im[b] = im[a] - xi;
        re[a] += xr; im[a] += xi;
      }
    }
  }
}
