/*
 * The Node-API face of our host kernels (sgemm.c): built by node-gyp when the package is installed
 * (build.mjs), loaded by src/backend/hostKernels.ts, which falls back to the WebAssembly kernels when
 * this file could not be built. Arguments are checked again here, so a wrong call throws instead of
 * reading past an array.
 *
 *   gemm(a, b, c, m, n, k, transA, transB, bias, relu, threads) → undefined   (fills c [m, n])
 *   im2col(x, col, geometry)                         (fills col [B·Ho·Wo, kh·kw·C])
 *   col2im(col, x, geometry, bias, relu)             (fills x [B, H, W, C])
 *   adam(x, g, m, v, out, beta1, beta2, eps, stepSize, sqrtBc2)   (fills out, updates m and v)
 *   bernoulliLogProb(l, x, out)                       (fills out, l's size; x broadcast)
 *   bernoulliLogProbGrad(l, x, dy, dl, dx)            (fills dl, and dx unless it is null)
 *   colSum(a, m, n, out)                              (fills out [n] with a [m, n]'s column sums)
 *   reluGrad(dy, y, out)                              (fills out: dy where y > 0, else 0)
 *   binarize(p, out, state)                           (fills out; state: Uint32Array [4], advanced)
 *   isa → "avx2+fma" | "generic"
 *
 * geometry: Int32Array [B, H, W, C, kh, kw, stride, padTop, padLeft, Ho, Wo] (im2col.h).
 */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include "adam.h"
#include "bernoulli.h"
#include "binarize.h"
#include "colsum.h"
#include "im2col.h"
#include "sgemm.h"

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "qubit-rx addon: " #call " failed"); return NULL; } } while (0)

/* The typed array `v` of `type` (or NULL for null/undefined when `optional`); 0 when it is not one. */
static int typed(napi_env env, napi_value v, napi_typedarray_type type, int optional, void **data, size_t *length) {
  napi_valuetype vt;
  if (napi_typeof(env, v, &vt) != napi_ok) return 0;
  if (optional && (vt == napi_null || vt == napi_undefined)) {
    *data = NULL, *length = 0;
    return 1;
  }
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type t;
  napi_value buffer;
  size_t offset;
  return napi_get_typedarray_info(env, v, &t, length, data, &buffer, &offset) == napi_ok && t == type;
}

/* The Float32Array `v` (or NULL for null/undefined when `optional`); 0 when it is not one. */
static int f32(napi_env env, napi_value v, int optional, float **data, size_t *length) {
  return typed(env, v, napi_float32_array, optional, (void **)data, length);
}

static int int32(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

static napi_value range_error(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

static napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 11) return range_error(env, "gemm: expected 11 arguments (a, b, c, m, n, k, transA, transB, bias, relu, threads)");
  float *a, *b, *c, *bias;
  size_t la, lb, lc, lbias;
  if (!f32(env, argv[0], 0, &a, &la) || !f32(env, argv[1], 0, &b, &lb) || !f32(env, argv[2], 0, &c, &lc))
    return range_error(env, "gemm: a, b and c must be Float32Arrays");
  if (!f32(env, argv[8], 1, &bias, &lbias)) return range_error(env, "gemm: bias must be a Float32Array or null");
  int32_t m, n, k, ta, tb, relu, threads;
  if (!int32(env, argv[3], &m) || !int32(env, argv[4], &n) || !int32(env, argv[5], &k) || !int32(env, argv[6], &ta)
      || !int32(env, argv[7], &tb) || !int32(env, argv[9], &relu) || !int32(env, argv[10], &threads))
    return range_error(env, "gemm: m, n, k, transA, transB, relu and threads must be integers");
  if (m < 0 || n < 0 || k < 0) return range_error(env, "gemm: m, n and k must be ≥ 0");
  if (la != (size_t)m * k || lb != (size_t)k * n || lc != (size_t)m * n || (bias != NULL && lbias != (size_t)n)) {
    char msg[200];
    snprintf(msg, sizeof msg, "gemm: for m=%d n=%d k=%d expected a %zu, b %zu, c %zu%s floats (got %zu, %zu, %zu)",
             m, n, k, (size_t)m * k, (size_t)k * n, (size_t)m * n, bias != NULL ? " and bias n" : "", la, lb, lc);
    return range_error(env, msg);
  }
  sgemm_args g = {
    m, n, k,
    a, ta ? 1 : k, ta ? m : 1,
    b, tb ? 1 : n, tb ? k : 1,
    c, bias, relu != 0,
  };
  if (sgemm(&g, threads) != 0) {
    napi_throw_error(env, NULL, "gemm: out of memory for the packing buffers");
    return NULL;
  }
  return NULL;
}

/* The geometry from an Int32Array of 11, checked; 0 (with a RangeError thrown) when it is not one. */
static int geometry(napi_env env, napi_value v, conv_geometry *g) {
  size_t length;
  void *p;
  if (!typed(env, v, napi_int32_array, 0, &p, &length) || length != 11) {
    range_error(env, "conv: geometry must be an Int32Array [B, H, W, C, kh, kw, stride, padTop, padLeft, Ho, Wo]");
    return 0;
  }
  const int32_t *a = (const int32_t *)p;
  *g = (conv_geometry){a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]};
  for (int i = 0; i < 11; i++)
    if (a[i] < (i == 7 || i == 8 ? 0 : 1)) {
      range_error(env, "conv: geometry entries must be ≥ 1 (paddings ≥ 0)");
      return 0;
    }
  return 1;
}

static size_t image_size(const conv_geometry *g) { return (size_t)g->B * g->H * g->W * g->C; }
static size_t col_size(const conv_geometry *g) { return (size_t)g->B * g->Ho * g->Wo * g->kh * g->kw * g->C; }

static napi_value Im2col(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 3) return range_error(env, "im2col: expected 3 arguments (x, col, geometry)");
  float *x, *col;
  size_t lx, lc;
  conv_geometry g;
  if (!f32(env, argv[0], 0, &x, &lx) || !f32(env, argv[1], 0, &col, &lc)) return range_error(env, "im2col: x and col must be Float32Arrays");
  if (!geometry(env, argv[2], &g)) return NULL;
  if (lx != image_size(&g) || lc != col_size(&g)) return range_error(env, "im2col: x must have B·H·W·C and col B·Ho·Wo·kh·kw·C floats");
  im2col(&g, x, col);
  return NULL;
}

static napi_value Col2im(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 5) return range_error(env, "col2im: expected 5 arguments (col, x, geometry, bias, relu)");
  float *x, *col, *bias;
  size_t lx, lc, lb;
  int32_t relu;
  conv_geometry g;
  if (!f32(env, argv[0], 0, &col, &lc) || !f32(env, argv[1], 0, &x, &lx)) return range_error(env, "col2im: col and x must be Float32Arrays");
  if (!geometry(env, argv[2], &g)) return NULL;
  if (!f32(env, argv[3], 1, &bias, &lb)) return range_error(env, "col2im: bias must be a Float32Array or null");
  if (!int32(env, argv[4], &relu)) return range_error(env, "col2im: relu must be an integer");
  if (lx != image_size(&g) || lc != col_size(&g) || (bias != NULL && lb != (size_t)g.C))
    return range_error(env, "col2im: x must have B·H·W·C, col B·Ho·Wo·kh·kw·C and bias C floats");
  col2im(&g, col, x, bias, relu != 0);
  return NULL;
}

static napi_value Adam(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 10) return range_error(env, "adam: expected 10 arguments (x, g, m, v, out, beta1, beta2, eps, stepSize, sqrtBc2)");
  float *arr[5];
  size_t len[5];
  for (int i = 0; i < 5; i++)
    if (!f32(env, argv[i], 0, &arr[i], &len[i])) return range_error(env, "adam: x, g, m, v and out must be Float32Arrays");
  for (int i = 1; i < 5; i++)
    if (len[i] != len[0]) return range_error(env, "adam: x, g, m, v and out must have the same length");
  double h[5];
  for (int i = 0; i < 5; i++)
    if (napi_get_value_double(env, argv[5 + i], &h[i]) != napi_ok) return range_error(env, "adam: beta1, beta2, eps, stepSize and sqrtBc2 must be numbers");
  adam_update((long)len[0], arr[0], arr[1], arr[2], arr[3], arr[4], h[0], h[1], h[2], h[3], h[4]);
  return NULL;
}

static napi_value BernoulliLogProb(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *l, *x, *out;
  size_t ll, lx, lo;
  if (argc != 3 || !f32(env, argv[0], 0, &l, &ll) || !f32(env, argv[1], 0, &x, &lx) || !f32(env, argv[2], 0, &out, &lo))
    return range_error(env, "bernoulliLogProb: expected Float32Arrays (l, x, out)");
  if (lo != ll || lx == 0 || ll % lx != 0) return range_error(env, "bernoulliLogProb: out must have l's length, a multiple of x's");
  bernoulli_log_prob((long)ll, (long)lx, l, x, out);
  return NULL;
}

static napi_value BernoulliLogProbGrad(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *l, *x, *dy, *dl, *dx;
  size_t ll, lx, ldy, ldl, ldx;
  if (argc != 5 || !f32(env, argv[0], 0, &l, &ll) || !f32(env, argv[1], 0, &x, &lx) || !f32(env, argv[2], 0, &dy, &ldy)
      || !f32(env, argv[3], 0, &dl, &ldl) || !f32(env, argv[4], 1, &dx, &ldx))
    return range_error(env, "bernoulliLogProbGrad: expected Float32Arrays (l, x, dy, dl) and dx or null");
  if (ldy != ll || ldl != ll || lx == 0 || ll % lx != 0 || (dx != NULL && ldx != lx))
    return range_error(env, "bernoulliLogProbGrad: dy and dl must have l's length, a multiple of x's, and dx x's");
  bernoulli_log_prob_grad((long)ll, (long)lx, l, x, dy, dl, dx);
  return NULL;
}

static napi_value ColSum(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *a, *out;
  size_t la, lo;
  int32_t m, n;
  if (argc != 4 || !f32(env, argv[0], 0, &a, &la) || !int32(env, argv[1], &m) || !int32(env, argv[2], &n) || !f32(env, argv[3], 0, &out, &lo))
    return range_error(env, "colSum: expected (a: Float32Array, m, n, out: Float32Array)");
  if (m < 0 || n < 0 || la != (size_t)m * n || lo != (size_t)n) return range_error(env, "colSum: a must have m·n and out n floats");
  col_sum(m, n, a, out);
  return NULL;
}

static napi_value ReluGrad(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *dy, *y, *out;
  size_t ld, ly, lo;
  if (argc != 3 || !f32(env, argv[0], 0, &dy, &ld) || !f32(env, argv[1], 0, &y, &ly) || !f32(env, argv[2], 0, &out, &lo))
    return range_error(env, "reluGrad: expected Float32Arrays (dy, y, out)");
  if (ly != ld || lo != ld) return range_error(env, "reluGrad: dy, y and out must have the same length");
  relu_grad((long)ld, dy, y, out);
  return NULL;
}

static napi_value Binarize(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *p, *out;
  void *state;
  size_t lp, lo, ls;
  if (argc != 3 || !f32(env, argv[0], 0, &p, &lp) || !f32(env, argv[1], 0, &out, &lo) || !typed(env, argv[2], napi_uint32_array, 0, &state, &ls) || ls != 4)
    return range_error(env, "binarize: expected (p: Float32Array, out: Float32Array, state: Uint32Array of 4)");
  if (lo != lp) return range_error(env, "binarize: p and out must have the same length");
  binarize((long)lp, p, out, (uint32_t *)state);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback fn;
  } functions[] = {
      {"gemm", Gemm}, {"im2col", Im2col}, {"col2im", Col2im}, {"adam", Adam}, {"bernoulliLogProb", BernoulliLogProb},
      {"bernoulliLogProbGrad", BernoulliLogProbGrad}, {"colSum", ColSum}, {"binarize", Binarize}, {"reluGrad", ReluGrad},
  };
  napi_value fn, isa;
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    CHECK(napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn));
    CHECK(napi_set_named_property(env, exports, functions[i].name, fn));
  }
  CHECK(napi_create_string_utf8(env, sgemm_isa(), NAPI_AUTO_LENGTH, &isa));
  CHECK(napi_set_named_property(env, exports, "isa", isa));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
