#ifndef QUBIT_RX_COLSUM_H
#define QUBIT_RX_COLSUM_H

/* out [n] = the column sums of a [m, n] (row-major), rows added in order. */
void col_sum(long m, long n, const float *a, float *out);

/* out = dy where y > 0, else 0 (n entries). */
void relu_grad(long n, const float *dy, const float *y, float *out);

#endif
