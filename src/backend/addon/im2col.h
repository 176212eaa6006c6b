#ifndef QUBIT_RX_IM2COL_H
#define QUBIT_RX_IM2COL_H

/* A convolution's geometry: input [B, H, W, C], kernel kh × kw, stride, padding before (top, left),
 * output positions Ho × Wo. */
typedef struct {
  int B, H, W, C, kh, kw, stride, padTop, padLeft, Ho, Wo;
} conv_geometry;

/* col [B·Ho·Wo, kh·kw·C] from x [B, H, W, C]. */
void im2col(const conv_geometry *g, const float *x, float *col);

/* x [B, H, W, C] = the sum of col's patches where they came from (the adjoint of im2col), then
 * + bias [C] (NULL: none), then ReLU if asked. */
void col2im(const conv_geometry *g, const float *col, float *x, const float *bias, int relu);

#endif
