/*
 * Two passes of a layer's backward step. col_sum: out[j] = Σ_i a[i·n + j] over the m rows of a row-major [m, n] matrix, rows in order: a dense or
 * convolution layer's bias gradient (the column sums of ∂L/∂y), which TF.js's wasm Sum computes
 * by transposing first (0.3 ms for [128, 784], against a few µs here). relu_grad: ∂L/∂(pre-activation)
 * of a ReLU layer from ∂L/∂y and y, which took two TF.js kernels (step, multiply; 3.5 ms of the conv
 * VAE's step on [128, 28, 28, 32]).
 */
#include <string.h>
#include "colsum.h"

void col_sum(long m, long n, const float *a, float *out) {
  memset(out, 0, (size_t)n * sizeof(float));
  for (long i = 0; i < m; i++) {
    const float *row = a + i * n;
    for (long j = 0; j < n; j++) out[j] += row[j];
  }
}

void relu_grad(long n, const float *dy, const float *y, float *out) {
  for (long i = 0; i < n; i++) out[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
