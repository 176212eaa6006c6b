/*
 * C = A · Bᵀ for row-major A [M, K] and B [N, K] (the product a dense layer's input gradient needs:
 * ∂L/∂x = G · Wᵀ with W [in, out] stored row-major, so that no transposed copy of W is made first).
 * B is packed into panels of 8 of its rows, each panel k-major ([K][8]); a 4 × 8 block of C is then
 * 8 accumulators of 4 lanes fed by two panel loads and four broadcasts of A per k — few enough
 * registers for V8's x64 code (a 6 × 8 block spills and ran slower). 128-bit SIMD, no libc.
 *
 * Build: src/models/native/build.sh (clang --target=wasm32 -msimd128).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* Bp [⌈N/8⌉][K][8] from B [N, K]; rows past N are zeros. */
EXPORT(gemm_pack_rows)
void gemm_pack_rows(int N, int K, const float *B, float *Bp) {
  for (int p = 0; p * 8 < N; p++) {
    float *dst = Bp + (long)p * K * 8;
    for (int j = 0; j < 8; j++) {
      int n = p * 8 + j;
      const float *src = B + (long)n * K;
      if (n < N) {
        for (int k = 0; k < K; k++) dst[k * 8 + j] = src[k];
      } else {
        for (int k = 0; k < K; k++) dst[k * 8 + j] = 0.0f;
      }
    }
  }
}

/* Stores the first `w` of 8 values of one row of C. */
static inline void store_row(float *c, v128_t lo, v128_t hi, int w) {
  if (w == 8) {
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
    return;
  }
  float t[8] __attribute__((aligned(16)));
  wasm_v128_store(t, lo);
  wasm_v128_store(t + 4, hi);
  for (int j = 0; j < w; j++) c[j] = t[j];
}

/* C [M, N] = A [M, K] · Bᵀ, B packed by gemm_pack_rows. */
EXPORT(gemm_abt)
void gemm_abt(int M, int N, int K, const float *A, const float *Bp, float *C) {
  for (int p = 0; p * 8 < N; p++) {
    const float *bp = Bp + (long)p * K * 8;
    const int n0 = p * 8, w = N - n0 < 8 ? N - n0 : 8;
    int r = 0;
    for (; r + 4 <= M; r += 4) {
      const float *a0 = A + (long)r * K, *a1 = a0 + K, *a2 = a1 + K, *a3 = a2 + K;
      v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      for (int k = 0; k < K; k++) {
        const v128_t b0 = wasm_v128_load(bp + k * 8), b1 = wasm_v128_load(bp + k * 8 + 4);
        v128_t a = wasm_v128_load32_splat(a0 + k);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0)); c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
        a = wasm_v128_load32_splat(a1 + k);
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0)); c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
        a = wasm_v128_load32_splat(a2 + k);
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0)); c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
        a = wasm_v128_load32_splat(a3 + k);
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0)); c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
      }
      store_row(C + (long)r * N + n0, c00, c01, w);
      store_row(C + (long)(r + 1) * N + n0, c10, c11, w);
      store_row(C + (long)(r + 2) * N + n0, c20, c21, w);
      store_row(C + (long)(r + 3) * N + n0, c30, c31, w);
    }
    for (; r < M; r++) {
      const float *a0 = A + (long)r * K;
      v128_t c0 = wasm_f32x4_splat(0.0f), c1 = c0;
      for (int k = 0; k < K; k++) {
        const v128_t a = wasm_v128_load32_splat(a0 + k);
        c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(a, wasm_v128_load(bp + k * 8)));
        c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(a, wasm_v128_load(bp + k * 8 + 4)));
      }
      store_row(C + (long)r * N + n0, c0, c1, w);
    }
  }
}
