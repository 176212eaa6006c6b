#ifndef QUBIT_RX_SGEMM_H
#define QUBIT_RX_SGEMM_H

/* C [M, N] (row-major, leading dimension N) = A·B (+ bias [N]) (ReLU), where A's element (i, p) is
 * A[i·rsA + p·csA] and B's (p, j) is B[p·rsB + j·csB]: transposes are strides. */
typedef struct {
  int M, N, K;
  const float *A;
  long rsA, csA;
  const float *B;
  long rsB, csB;
  float *C;
  const float *bias; /* NULL: none */
  int relu;
} sgemm_args;

/* 0, or −1 when scratch memory could not be had. */
int sgemm(const sgemm_args *args, int threads);

/* "avx2+fma" or "generic": the micro-kernel this CPU runs. */
const char *sgemm_isa(void);

#endif
