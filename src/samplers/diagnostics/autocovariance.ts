import { fft } from './fft.ts';

/**
 * The biased sample autocovariance of one chain, as ArviZ's `autocov`:
 *
 *   γ̂_t = (1/n) Σ_{i=0}^{n−1−t} (x_i − x̄)(x_{i+t} − x̄),   t = 0 … n − 1,
 *
 * computed by FFT of the centred chain zero-padded to a power of two ≥ 2n (so the circular
 * correlation equals the linear one), |X|², inverse FFT. O(n log n).
 *
 * @param x one chain, length n
 * @returns γ̂, length n
 * @example
 *   autocovariance(new Float64Array([1, 2, 3, 4]));   // [1.25, 0.3125, -0.375, -0.5625]
 */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let m = 1;
  while (m < 2 * n) m <<= 1;
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  for (let i = 0; i < n; i++) re[i] = x[i] - mean;
  fft(re, im, false);
  for (let k = 0; k < m; k++) {
    re[k] = re[k] * re[k] + im[k] * im[k];
    im[k] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  // 1/m undoes the unscaled inverse FFT, 1/n is the biased estimator's normaliser.
  for (let t = 0; t < n; t++) out[t] = re[t] / m / n;
  return out;
}
