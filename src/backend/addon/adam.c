/*
 * Adam's host update (src/optim/adam.ts), the arithmetic of src/optim/native/adam.c and of the
 * JavaScript loop it replaced, operation for operation: float32 storage, float64 arithmetic, no
 * fused multiply-add (binding.gyp builds this file with -ffp-contract=off), so the three agree bit
 * for bit. Writes the new values to `out`, so that x can stay a read-only view of a tensor.
 */
#include "adam.h"

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2")))
#else
#define AVX2
#endif

static inline void step1(const float *x, float g, float *m, float *v, float *out, double b1, double c1, double b2, double c2,
                         double eps, double stepSize, double sqrtBc2) {
  double gd = g;
  double mj = b1 * (double)*m + c1 * gd;
  double vj = b2 * (double)*v + c2 * gd * gd;
  *m = (float)mj;
  *v = (float)vj;
  *out = (float)((double)*x - stepSize * (mj / (__builtin_sqrt(vj) / sqrtBc2 + eps)));
}

#define LOOP                                                                                    \
  const double c1 = 1 - b1, c2 = 1 - b2;                                                        \
  for (long k = 0; k < n; k++) step1(x + k, g[k], m + k, v + k, out + k, b1, c1, b2, c2, eps, stepSize, sqrtBc2);

AVX2 static void adam_avx2(long n, const float *x, const float *g, float *m, float *v, float *out, double b1, double b2, double eps,
                           double stepSize, double sqrtBc2) {
  LOOP
}

static void adam_plain(long n, const float *x, const float *g, float *m, float *v, float *out, double b1, double b2, double eps,
                       double stepSize, double sqrtBc2) {
  LOOP
}

void adam_update(long n, const float *x, const float *g, float *m, float *v, float *out, double b1, double b2, double eps,
                 double stepSize, double sqrtBc2) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) {
    adam_avx2(n, x, g, m, v, out, b1, b2, eps, stepSize, sqrtBc2);
    return;
  }
#endif
  adam_plain(n, x, g, m, v, out, b1, b2, eps, stepSize, sqrtBc2);
}
