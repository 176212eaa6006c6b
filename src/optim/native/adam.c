/*
 * Adam's host update over float32 storage with float64 arithmetic, the same expression order as
 * hostAdamUpdate in ../adam.ts, so the two agree bit for bit (IEEE float64 add, mul, div and sqrt;
 * WebAssembly has no fused multiply-add for clang to contract into):
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  θ ← θ − stepSize·m/(√v/√(1 − β₂ᵗ) + ε)
 * with m and v kept unrounded for the θ step and rounded to float32 when stored.
 * Two float64 lanes per 128-bit vector, four floats per iteration, then a scalar tail.
 *
 * Build: src/optim/native/build.sh (clang --target=wasm32 -msimd128, no libc).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline void step1(float *x, float g, float *m, float *v, double b1, double c1, double b2, double c2, double eps, double stepSize, double sqrtBc2) {
  double gd = g;
  double mj = b1 * (double)*m + c1 * gd;
  double vj = b2 * (double)*v + c2 * gd * gd;
  *m = (float)mj;
  *v = (float)vj;
  *x = (float)((double)*x - stepSize * (mj / (__builtin_sqrt(vj) / sqrtBc2 + eps)));
}

/* Two float64 lanes of the update, from and to two float32s held in the low half of a vector. */
static inline v128_t lanes(v128_t x, v128_t g, v128_t *m, v128_t *v, v128_t b1, v128_t c1, v128_t b2, v128_t c2, v128_t eps, v128_t stepSize, v128_t sqrtBc2) {
  v128_t gd = wasm_f64x2_promote_low_f32x4(g);
  v128_t mj = wasm_f64x2_add(wasm_f64x2_mul(b1, wasm_f64x2_promote_low_f32x4(*m)), wasm_f64x2_mul(c1, gd));
  v128_t vj = wasm_f64x2_add(wasm_f64x2_mul(b2, wasm_f64x2_promote_low_f32x4(*v)), wasm_f64x2_mul(wasm_f64x2_mul(c2, gd), gd));
  *m = wasm_f32x4_demote_f64x2_zero(mj);
  *v = wasm_f32x4_demote_f64x2_zero(vj);
  v128_t denom = wasm_f64x2_add(wasm_f64x2_div(wasm_f64x2_sqrt(vj), sqrtBc2), eps);
  v128_t xd = wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(x), wasm_f64x2_mul(stepSize, wasm_f64x2_div(mj, denom)));
  return wasm_f32x4_demote_f64x2_zero(xd);
}

/* The two high floats of a into the low half (the high half is don't-care). */
static inline v128_t high(v128_t a) { return wasm_i32x4_shuffle(a, a, 2, 3, 2, 3); }
/* The low halves of lo and hi as one vector of four floats. */
static inline v128_t join(v128_t lo, v128_t hi) { return wasm_i64x2_shuffle(lo, hi, 0, 2); }

EXPORT(adam_update)
void adam_update(int n, float *x, const float *g, float *m, float *v, double b1, double b2, double eps, double stepSize, double sqrtBc2) {
  const double c1 = 1 - b1, c2 = 1 - b2;
  const v128_t B1 = wasm_f64x2_splat(b1), C1 = wasm_f64x2_splat(c1), B2 = wasm_f64x2_splat(b2), C2 = wasm_f64x2_splat(c2);
  const v128_t EPS = wasm_f64x2_splat(eps), SS = wasm_f64x2_splat(stepSize), SB = wasm_f64x2_splat(sqrtBc2);
  int k = 0;
  for (; k + 4 <= n; k += 4) {
    v128_t xv = wasm_v128_load(x + k), gv = wasm_v128_load(g + k), mv = wasm_v128_load(m + k), vv = wasm_v128_load(v + k);
    v128_t mlo = mv, vlo = vv, mhi = high(mv), vhi = high(vv);
    v128_t xlo = lanes(xv, gv, &mlo, &vlo, B1, C1, B2, C2, EPS, SS, SB);
    v128_t xhi = lanes(high(xv), high(gv), &mhi, &vhi, B1, C1, B2, C2, EPS, SS, SB);
    wasm_v128_store(x + k, join(xlo, xhi));
    wasm_v128_store(m + k, join(mlo, mhi));
    wasm_v128_store(v + k, join(vlo, vhi));
  }
  for (; k < n; k++) step1(x + k, g[k], m + k, v + k, b1, c1, b2, c2, eps, stepSize, sqrtBc2);
}
