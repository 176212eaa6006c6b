/*
 * The patches of a 2-D convolution as a matrix, and back (NHWC images, HWIO filters): with
 *   col[(b, oy, ox), (ky, kx, c)] = x[b, oy·s − padTop + ky, ox·s − padLeft + kx, c]   (0 outside x),
 * a convolution is col · W (W = the filter [kh, kw, C, O] read as [kh·kw·C, O]), its filter gradient
 * colᵀ · ∂y, and its input gradient col2im(∂y · Wᵀ) — so every convolution of the conv VAE, forward
 * and backward, is one of sgemm.c's products plus one of these passes.
 */
#include <string.h>
#include "im2col.h"

void im2col(const conv_geometry *g, const float *x, float *col) {
  const int C = g->C, kw = g->kw, row = g->kh * g->kw * C;
  for (int b = 0; b < g->B; b++)
    for (int oy = 0; oy < g->Ho; oy++)
      for (int ox = 0; ox < g->Wo; ox++) {
        float *dst = col + ((long)(b * g->Ho + oy) * g->Wo + ox) * row;
        for (int ky = 0; ky < g->kh; ky++) {
          int iy = oy * g->stride - g->padTop + ky;
          float *d = dst + (long)ky * kw * C;
          if (iy < 0 || iy >= g->H) {
            memset(d, 0, (size_t)kw * C * sizeof(float));
            continue;
          }
          for (int kx = 0; kx < kw; kx++) {
            int ix = ox * g->stride - g->padLeft + kx;
            if (ix < 0 || ix >= g->W) memset(d + kx * C, 0, (size_t)C * sizeof(float));
            else memcpy(d + kx * C, x + (((long)b * g->H + iy) * g->W + ix) * C, (size_t)C * sizeof(float));
          }
        }
      }
}

void col2im(const conv_geometry *g, const float *col, float *x, const float *bias, int relu) {
  const int C = g->C, kw = g->kw, row = g->kh * g->kw * C;
  memset(x, 0, (size_t)g->B * g->H * g->W * C * sizeof(float));
  for (int b = 0; b < g->B; b++)
    for (int oy = 0; oy < g->Ho; oy++)
      for (int ox = 0; ox < g->Wo; ox++) {
        const float *src = col + ((long)(b * g->Ho + oy) * g->Wo + ox) * row;
        for (int ky = 0; ky < g->kh; ky++) {
          int iy = oy * g->stride - g->padTop + ky;
          if (iy < 0 || iy >= g->H) continue;
          for (int kx = 0; kx < kw; kx++) {
            int ix = ox * g->stride - g->padLeft + kx;
            if (ix < 0 || ix >= g->W) continue;
            float *d = x + (((long)b * g->H + iy) * g->W + ix) * C;
            const float *s = src + ((long)ky * kw + kx) * C;
            for (int c = 0; c < C; c++) d[c] += s[c];
          }
        }
      }
  if (bias == NULL && !relu) return;
  long pixels = (long)g->B * g->H * g->W;
  for (long p = 0; p < pixels; p++) {
    float *d = x + p * C;
    for (int c = 0; c < C; c++) {
      float v = bias != NULL ? d[c] + bias[c] : d[c];
      d[c] = relu && v < 0.f ? 0.f : v;
    }
  }
}
