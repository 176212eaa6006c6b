/*
 * A fully connected layer whose input is binary (0/1 pixels after binarisation), as sums of weight
 * rows instead of a dense product: a binarised MNIST digit has ~100 of 784 pixels on, so
 * x·W = Σ_{i on} W[i, :] is ~13 % of the dense product's work, and so is the weight gradient
 * Xᵀ·G = Σ_{b : x[b,i] on} G[b, :] for each pixel i. 128-bit WebAssembly SIMD, no libc.
 *
 * Build: src/models/native/build.sh (clang --target=wasm32 -msimd128).
 *
 * Layouts, all row-major:
 *   W      [in, out]  float32    b [out]    y, g [batch, out]    dW [in, out]
 *   rowStart [batch + 1], cols [nnz]: pixel indices on in record r are cols[rowStart[r] … rowStart[r+1])
 *   colStart [in + 1], recs [nnz]: records with pixel i on are recs[colStart[i] … colStart[i+1])
 * Indices ascend within each list, so the sums are taken in the same order as a dense product's
 * k-loop would take them (bit-for-bit agreement with a dense product is not promised: blocked
 * GEMMs sum in other orders).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define CHUNK 32 /* output columns per pass: 8 accumulators of 4 lanes stay in registers */

/*
 * dst[0 … width) = init + Σ_{k0 ≤ k < k1} src[idx[k]·width + (0 … width)], init a row or zeros
 * (NULL), clamped at 0 when relu != 0 (NaN stays NaN, as max does). Both passes of the layer are
 * this sum of selected rows: of W by the pixels on in a record, of G by the records with a pixel on.
 */
static inline void sum_rows(const float *src, const int *idx, int k0, int k1, const float *init, int relu, float *dst, int width) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int c = 0;
  for (; c + CHUNK <= width; c += CHUNK) {
    v128_t a[8];
    for (int j = 0; j < 8; j++) a[j] = init ? wasm_v128_load(init + c + 4 * j) : zero;
    for (int k = k0; k < k1; k++) {
      const float *row = src + (long)idx[k] * width + c;
      for (int j = 0; j < 8; j++) a[j] = wasm_f32x4_add(a[j], wasm_v128_load(row + 4 * j));
    }
    for (int j = 0; j < 8; j++) wasm_v128_store(dst + c + 4 * j, relu ? wasm_f32x4_max(a[j], zero) : a[j]);
  }
  for (; c < width; c++) {
    float a = init ? init[c] : 0.0f;
    for (int k = k0; k < k1; k++) a += src[(long)idx[k] * width + c];
    dst[c] = relu && !(a > 0.0f) && a == a ? 0.0f : a;
  }
}

/* y[r, :] = act(b + Σ_k W[cols[k], :]) for each record r; relu != 0 clamps at 0. */
EXPORT(bd_forward)
void bd_forward(int batch, int out, const int *rowStart, const int *cols, const float *W, const float *b, float *y, int relu) {
  for (int r = 0; r < batch; r++) sum_rows(W, cols, rowStart[r], rowStart[r + 1], b, relu, y + (long)r * out, out);
}

/* dW[i, :] = Σ_k g[recs[k], :] over the records with pixel i on (a zero row when none). */
EXPORT(bd_weight_grad)
void bd_weight_grad(int in, int out, const int *colStart, const int *recs, const float *g, float *dW) {
  for (int i = 0; i < in; i++) sum_rows(g, recs, colStart[i], colStart[i + 1], 0, 0, dW + (long)i * out, out);
}
