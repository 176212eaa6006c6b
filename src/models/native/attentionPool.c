/*
 * The encoder's per-qubit trunk and attention pooling (see ../attentionPool.ts for the maths),
 * forward and backward, fused into row-streaming loops over 128-bit WebAssembly SIMD.
 *
 * Build: src/models/native/build.sh (clang --target=wasm32 -msimd128, no libc).
 *
 * Layouts, all float32 row-major, R = B·N rows (record b owns rows b·N … b·N + N − 1):
 *   x      [R, d]          outcomes
 *   w1     [d + 1, 2H]     first layer, bias as the last row; columns [0, H) score, [H, 2H) value
 *   ws     [H]             second score layer (its bias cancels in the softmax)
 *   a      [R]             attention weights softmax_i(−s_i) per record
 *   pooled [B, d + H]      Σ_i a_i [x_i, elu(x̃_i·W1v)]
 *   hs, hv [R, H]          elu activations of the two heads, written by forward, read by backward
 *   dpooled[B, d + H] → dw1 [d + 1, 2H], dws [H], and optionally dx [R, d]
 * H must be a multiple of 4.
 *
 * elu(p) = p for p > 0, expm1(p) otherwise; expm1 by range reduction p = k ln2 + r, |r| ≤ ln2/2,
 * a polynomial for e^r − 1, recombined as 2^k (e^r − 1) + (2^k − 1), which is exact for k = 0 —
 * relative accuracy near 0, as expm1 has. Agrees with the backends' elu to a few float32 ulps.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline v128_t splat(float v) { return wasm_f32x4_splat(v); }

/*
 * e^r − 1 for |r| ≤ ln2/2: r + r² P(r), P a degree-4 least-maximum-relative-error fit; float32
 * evaluation error ≤ 1.5e-7 relative (the degree-7 Taylor polynomial does no better in float32).
 * P by Estrin's scheme: these loops are bound by the latency of this chain, not by throughput.
 */
static inline v128_t expm1_reduced(v128_t r) {
  v128_t r2 = wasm_f32x4_mul(r, r);
  v128_t t0 = wasm_f32x4_add(splat(0.49999978f), wasm_f32x4_mul(splat(0.16666497f), r));
  v128_t t1 = wasm_f32x4_add(splat(4.167155e-02f), wasm_f32x4_mul(splat(8.37116e-03f), r));
  t1 = wasm_f32x4_add(t1, wasm_f32x4_mul(splat(1.36633e-03f), r2));
  v128_t p = wasm_f32x4_add(t0, wasm_f32x4_mul(r2, t1));
  return wasm_f32x4_add(r, wasm_f32x4_mul(r2, p));
}

/*
 * Splits z (|z| < 2^21) into z = k ln2 + r, |r| ≤ ln2/2, returning r and 2^k. Rounding to the
 * nearest integer by adding and subtracting 1.5·2^23, whose float bits then hold k in the low
 * mantissa bits: the exponent field of 2^k is (bits − bits(1.5·2^23) + 127) << 23.
 * One-constant reduction: float32(ln2) is off by 1.9e-9, so r is off by |k|·1.9e-9 — relative
 * error |k|·1.9e-9 in e^z, which the factor 2^k makes negligible in expm1 for z ≤ 0.
 */
static inline v128_t reduce(v128_t z, v128_t *scale) {
  const v128_t magic = splat(12582912.0f);
  v128_t y = wasm_f32x4_add(wasm_f32x4_mul(z, splat(1.44269504088896341f)), magic);
  v128_t k = wasm_f32x4_sub(y, magic);
  *scale = wasm_i32x4_shl(wasm_i32x4_add(y, wasm_i32x4_splat(127 - 0x4b400000)), 23);
  return wasm_f32x4_sub(z, wasm_f32x4_mul(k, splat(0.693147180559945f)));
}

static inline v128_t elu4(v128_t p) {
  /*
   * Below −17.5, e^p < 2.6e-8 rounds away against 1: expm1 = −1 in float32. Lanes with p > 0 are
   * not clamped from above: their result is discarded. p first, so NaN stays NaN.
   */
  v128_t z = wasm_f32x4_pmax(p, splat(-17.5f));
  v128_t scale;
  v128_t q = expm1_reduced(reduce(z, &scale));
  v128_t em1 = wasm_f32x4_add(wasm_f32x4_mul(scale, q), wasm_f32x4_sub(scale, splat(1.0f)));
  return wasm_v128_bitselect(p, em1, wasm_f32x4_gt(p, splat(0.0f)));
}

/* e^z for z ≤ 0 (the softmax's shifted logits), flushed to 0 below −87; NaN stays NaN. */
static inline v128_t exp4(v128_t z) {
  v128_t zc = wasm_f32x4_pmax(z, splat(-87.0f));
  v128_t scale;
  v128_t q = expm1_reduced(reduce(zc, &scale));
  v128_t e = wasm_f32x4_mul(scale, wasm_f32x4_add(q, splat(1.0f)));
  return wasm_v128_andnot(e, wasm_f32x4_lt(z, splat(-87.0f)));
}

static inline float hsum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

#define MAX_D 16
#define INLINE static inline __attribute__((always_inline))

/* The row's outcomes, each splatted to a vector (loaded once per row, not once per column). */
INLINE void splat_row(const float *xr, int d, v128_t *xv) {
  for (int k = 0; k < d; k++) xv[k] = splat(xr[k]);
}

/* Pre-activation x̃_r·W1[:, col … col + 3] of one head. */
INLINE v128_t pre4(const v128_t *xv, int d, const float *w1, int stride, int col) {
  v128_t p = wasm_v128_load(w1 + d * stride + col);
  for (int k = 0; k < d; k++) p = wasm_f32x4_add(p, wasm_f32x4_mul(xv[k], wasm_v128_load(w1 + k * stride + col)));
  return p;
}

/* softmax over each record's N logits −s, in place: s → a. */
static void softmax_neg(int B, int N, float *s) {
  for (int b = 0; b < B; b++) {
    float *u = s + (long)b * N;
    float mx = -u[0];
    for (int i = 1; i < N; i++) mx = -u[i] > mx ? -u[i] : mx;
    float total = 0;
    int i = 0;
    v128_t acc = splat(0);
    for (; i + 4 <= N; i += 4) {
      v128_t e = exp4(wasm_f32x4_sub(wasm_f32x4_neg(wasm_v128_load(u + i)), splat(mx)));
      wasm_v128_store(u + i, e);
      acc = wasm_f32x4_add(acc, e);
    }
    total = hsum(acc);
    for (; i < N; i++) {
      float e = wasm_f32x4_extract_lane(exp4(splat(-u[i] - mx)), 0);
      u[i] = e;
      total += e;
    }
    float inv = 1.0f / total;
    for (i = 0; i < N; i++) u[i] *= inv;
  }
}

/*
 * Forward. `a` receives the attention weights; `hs`, `hv` the activations (may be 0: not kept).
 */
INLINE void forward(int B, int N, const int d, int H, const float *x, const float *w1, const float *ws,
                    float *a, float *pooled, float *hs, float *hv) {
  const int stride = 2 * H, R = B * N;
  v128_t xv[MAX_D];
  for (int r = 0; r < R; r++) {
    const float *xr = x + (long)r * d;
    splat_row(xr, d, xv);
    v128_t acc = splat(0);
    for (int f = 0; f < H; f += 4) {
      v128_t h = elu4(pre4(xv, d, w1, stride, f));
      if (hs) wasm_v128_store(hs + (long)r * H + f, h);
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(h, wasm_v128_load(ws + f)));
    }
    a[r] = hsum(acc);
  }
  softmax_neg(B, N, a);
  const int out = d + H;
  for (int b = 0; b < B; b++) {
    float *pb = pooled + (long)b * out;
    for (int j = 0; j < out; j++) pb[j] = 0;
    for (int i = 0; i < N; i++) {
      const int r = b * N + i;
      const float *xr = x + (long)r * d;
      const float ar = a[r];
      for (int k = 0; k < d; k++) pb[k] += ar * xr[k];
      splat_row(xr, d, xv);
      const v128_t av = splat(ar);
      for (int f = 0; f < H; f += 4) {
        v128_t h = elu4(pre4(xv, d, w1, stride, H + f));
        if (hv) wasm_v128_store(hv + (long)r * H + f, h);
        wasm_v128_store(pb + d + f, wasm_f32x4_add(wasm_v128_load(pb + d + f), wasm_f32x4_mul(av, h)));
      }
    }
  }
}

EXPORT(pool_forward)
void pool_forward(int B, int N, int d, int H, const float *x, const float *w1, const float *ws,
                  float *a, float *pooled, float *hs, float *hv) {
  /* Constant d for the two schemes, so the per-row loops over d unroll. */
  if (d == 3) forward(B, N, 3, H, x, w1, ws, a, pooled, hs, hv);
  else if (d == 1) forward(B, N, 1, H, x, w1, ws, a, pooled, hs, hv);
  else forward(B, N, d, H, x, w1, ws, a, pooled, hs, hv);
}

/* elu activations of one head for row r: stored, or recomputed from x when `h` is 0. */
INLINE v128_t act(const float *h, int r, int H, int f, const v128_t *xv, int d, const float *w1, int stride, int col) {
  return h ? wasm_v128_load(h + (long)r * H + f) : elu4(pre4(xv, d, w1, stride, col + f));
}

/* dw[k, col + f] += x̃_k g for the d + 1 rows of x̃ = [x_r, 1]. */
INLINE void accumulate(float *dw, const v128_t *xv, int d, int stride, int col, v128_t g) {
  for (int k = 0; k < d; k++) {
    float *p = dw + k * stride + col;
    wasm_v128_store(p, wasm_f32x4_add(wasm_v128_load(p), wasm_f32x4_mul(xv[k], g)));
  }
  float *p = dw + d * stride + col;
  wasm_v128_store(p, wasm_f32x4_add(wasm_v128_load(p), g));
}

/* dx_k += Σ_f g_f w1[k, col + f] for the row's first d rows of w1: lane-wise partial sums. */
INLINE void accumulate_dx(v128_t *acc, int d, const float *w1, int stride, int col, v128_t g) {
  for (int k = 0; k < d; k++) acc[k] = wasm_f32x4_add(acc[k], wasm_f32x4_mul(g, wasm_v128_load(w1 + k * stride + col)));
}

/*
 * Backward. `da` is scratch [R]. `hs`, `hv` are the forward's activations, or 0 to recompute them.
 * With want_dx (a compile-time constant at each call site, so the loops without it are the same
 * code as before), dx[r, k] = a_r dpx_b[k] + Σ_f gV_f w1[k, H + f] + Σ_f gS_f w1[k, f], gV and gS
 * the value and score pre-activation gradients `g` of the two loops.
 */
INLINE void backward(int B, int N, const int d, int H, const float *x, const float *w1, const float *ws,
                     const float *a, const float *dpooled, const float *hs, const float *hv,
                     float *da, float *dw1, float *dws, const int want_dx, float *dx) {
  const int stride = 2 * H, out = d + H;
  v128_t xv[MAX_D], accx[MAX_D];
  for (int j = 0; j < (d + 1) * stride; j++) dw1[j] = 0;
  for (int f = 0; f < H; f++) dws[f] = 0;
  const v128_t one = splat(1.0f), zero = splat(0.0f);
  /* Value head: ∂/∂a_i and the first value layer's gradient. */
  for (int b = 0; b < B; b++) {
    const float *dpx = dpooled + (long)b * out, *dpv = dpx + d;
    for (int i = 0; i < N; i++) {
      const int r = b * N + i;
      const float *xr = x + (long)r * d;
      splat_row(xr, d, xv);
      if (want_dx) for (int k = 0; k < d; k++) accx[k] = zero;
      const v128_t ar = splat(a[r]);
      v128_t acc = zero;
      for (int f = 0; f < H; f += 4) {
        v128_t h = act(hv, r, H, f, xv, d, w1, stride, H);
        v128_t dp = wasm_v128_load(dpv + f);
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(h, dp));
        /* elu'(p) = 1 for p > 0, e^p = h + 1 otherwise (what the backends' EluGrad uses). */
        v128_t g = wasm_f32x4_mul(wasm_f32x4_mul(ar, dp), wasm_f32x4_add(wasm_f32x4_pmin(h, zero), one));
        accumulate(dw1, xv, d, stride, H + f, g);
        if (want_dx) accumulate_dx(accx, d, w1, stride, H + f, g);
      }
      float s = hsum(acc);
      for (int k = 0; k < d; k++) s += xr[k] * dpx[k];
      da[r] = s;
      if (want_dx) for (int k = 0; k < d; k++) dx[(long)r * d + k] = a[r] * dpx[k] + hsum(accx[k]);
    }
  }
  /* Softmax of −s: ∂L/∂s_i = −a_i (da_i − Σ_j a_j da_j). */
  for (int b = 0; b < B; b++) {
    const float *ab = a + (long)b * N;
    float *db = da + (long)b * N;
    float c = 0;
    for (int i = 0; i < N; i++) c += ab[i] * db[i];
    for (int i = 0; i < N; i++) db[i] = -ab[i] * (db[i] - c);
  }
  /* Score head: the second layer's and the first layer's gradients. */
  for (int r = 0; r < B * N; r++) {
    splat_row(x + (long)r * d, d, xv);
    if (want_dx) for (int k = 0; k < d; k++) accx[k] = zero;
    const v128_t dsr = splat(da[r]);
    for (int f = 0; f < H; f += 4) {
      v128_t h = act(hs, r, H, f, xv, d, w1, stride, 0);
      v128_t wv = wasm_v128_load(ws + f);
      wasm_v128_store(dws + f, wasm_f32x4_add(wasm_v128_load(dws + f), wasm_f32x4_mul(dsr, h)));
      v128_t g = wasm_f32x4_mul(wasm_f32x4_mul(dsr, wv), wasm_f32x4_add(wasm_f32x4_pmin(h, zero), one));
      accumulate(dw1, xv, d, stride, f, g);
      if (want_dx) accumulate_dx(accx, d, w1, stride, f, g);
    }
    if (want_dx) for (int k = 0; k < d; k++) dx[(long)r * d + k] += hsum(accx[k]);
  }
}

/* `dx` may be 0: no gradient for x, and none of its cost. */
EXPORT(pool_backward)
void pool_backward(int B, int N, int d, int H, const float *x, const float *w1, const float *ws,
                   const float *a, const float *dpooled, const float *hs, const float *hv,
                   float *da, float *dw1, float *dws, float *dx) {
  if (dx) {
    if (d == 3) backward(B, N, 3, H, x, w1, ws, a, dpooled, hs, hv, da, dw1, dws, 1, dx);
    else if (d == 1) backward(B, N, 1, H, x, w1, ws, a, dpooled, hs, hv, da, dw1, dws, 1, dx);
    else backward(B, N, d, H, x, w1, ws, a, dpooled, hs, hv, da, dw1, dws, 1, dx);
  } else {
    if (d == 3) backward(B, N, 3, H, x, w1, ws, a, dpooled, hs, hv, da, dw1, dws, 0, 0);
    else if (d == 1) backward(B, N, 1, H, x, w1, ws, a, dpooled, hs, hv, da, dw1, dws, 0, 0);
    else backward(B, N, d, H, x, w1, ws, a, dpooled, hs, hv, da, dw1, dws, 0, 0);
  }
}
