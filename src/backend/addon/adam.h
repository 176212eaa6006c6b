#ifndef QUBIT_RX_ADAM_H
#define QUBIT_RX_ADAM_H

/* out = x − stepSize · m̂ / (√v̂ / sqrtBc2 + eps) after m ← b1·m + (1 − b1)·g, v ← b2·v + (1 − b2)·g²
 * (m, v updated in place), n elements. */
void adam_update(long n, const float *x, const float *g, float *m, float *v, float *out, double b1, double b2, double eps,
                 double stepSize, double sqrtBc2);

#endif
