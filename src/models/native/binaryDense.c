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

/* y[r, :] = act(b + Σ_k W[cols[k], :]) for each record r; relu != 0 clamps at 0. */
EXPORT(bd_forward)
void bd_forward(int batch, int out, const int *rowStart, const int *cols, const float *W, const float *b, float *y, int relu) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int r = 0; r < batch; r++) {
    const int k0 = rowStart[r], k1 = rowStart[r + 1];
    float *yr = y + (long)r * out;
    int c = 0;
    for (; c + CHUNK <= out; c += CHUNK) {
      v128_t a0 = wasm_v128_load(b + c), a1 = wasm_v128_load(b + c + 4), a2 = wasm_v128_load(b + c + 8), a3 = wasm_v128_load(b + c + 12);
      v128_t a4 = wasm_v128_load(b + c + 16), a5 = wasm_v128_load(b + c + 20), a6 = wasm_v128_load(b + c + 24), a7 = wasm_v128_load(b + c + 28);
      for (int k = k0; k < k1; k++) {
        const float *w = W + (long)cols[k] * out + c;
        a0 = wasm_f32x4_add(a0, wasm_v128_load(w));
        a1 = wasm_f32x4_add(a1, wasm_v128_load(w + 4));
        a2 = wasm_f32x4_add(a2, wasm_v128_load(w + 8));
        a3 = wasm_f32x4_add(a3, wasm_v128_load(w + 12));
        a4 = wasm_f32x4_add(a4, wasm_v128_load(w + 16));
        a5 = wasm_f32x4_add(a5, wasm_v128_load(w + 20));
        a6 = wasm_f32x4_add(a6, wasm_v128_load(w + 24));
        a7 = wasm_f32x4_add(a7, wasm_v128_load(w + 28));
      }
      if (relu) {
        a0 = wasm_f32x4_max(a0, zero); a1 = wasm_f32x4_max(a1, zero); a2 = wasm_f32x4_max(a2, zero); a3 = wasm_f32x4_max(a3, zero);
        a4 = wasm_f32x4_max(a4, zero); a5 = wasm_f32x4_max(a5, zero); a6 = wasm_f32x4_max(a6, zero); a7 = wasm_f32x4_max(a7, zero);
      }
      wasm_v128_store(yr + c, a0); wasm_v128_store(yr + c + 4, a1); wasm_v128_store(yr + c + 8, a2); wasm_v128_store(yr + c + 12, a3);
      wasm_v128_store(yr + c + 16, a4); wasm_v128_store(yr + c + 20, a5); wasm_v128_store(yr + c + 24, a6); wasm_v128_store(yr + c + 28, a7);
    }
    for (; c < out; c++) {
      float a = b[c];
      for (int k = k0; k < k1; k++) a += W[(long)cols[k] * out + c];
      yr[c] = relu && !(a > 0.0f) && a == a ? 0.0f : a;
    }
  }
}

/* dW[i, :] = Σ_k g[recs[k], :] over the records with pixel i on (a zero row when none). */
EXPORT(bd_weight_grad)
void bd_weight_grad(int in, int out, const int *colStart, const int *recs, const float *g, float *dW) {
  for (int i = 0; i < in; i++) {
    const int k0 = colStart[i], k1 = colStart[i + 1];
    float *dw = dW + (long)i * out;
    int c = 0;
    for (; c + CHUNK <= out; c += CHUNK) {
      v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (int k = k0; k < k1; k++) {
        const float *gr = g + (long)recs[k] * out + c;
        a0 = wasm_f32x4_add(a0, wasm_v128_load(gr));
        a1 = wasm_f32x4_add(a1, wasm_v128_load(gr + 4));
        a2 = wasm_f32x4_add(a2, wasm_v128_load(gr + 8));
        a3 = wasm_f32x4_add(a3, wasm_v128_load(gr + 12));
        a4 = wasm_f32x4_add(a4, wasm_v128_load(gr + 16));
        a5 = wasm_f32x4_add(a5, wasm_v128_load(gr + 20));
        a6 = wasm_f32x4_add(a6, wasm_v128_load(gr + 24));
        a7 = wasm_f32x4_add(a7, wasm_v128_load(gr + 28));
      }
      wasm_v128_store(dw + c, a0); wasm_v128_store(dw + c + 4, a1); wasm_v128_store(dw + c + 8, a2); wasm_v128_store(dw + c + 12, a3);
      wasm_v128_store(dw + c + 16, a4); wasm_v128_store(dw + c + 20, a5); wasm_v128_store(dw + c + 24, a6); wasm_v128_store(dw + c + 28, a7);
    }
    for (; c < out; c++) {
      float a = 0.0f;
      for (int k = k0; k < k1; k++) a += g[(long)recs[k] * out + c];
      dw[c] = a;
    }
  }
}
