#ifndef QUBIT_RX_BINARIZE_H
#define QUBIT_RX_BINARIZE_H
#include <stdint.h>

/* out[i] = (next xoshiro128** word < p[i]·2³²) for i < n, the generator continued from state (updated). */
void binarize(long n, const float *p, float *out, uint32_t state[4]);

#endif
