#ifndef QUBIT_RX_BERNOULLI_H
#define QUBIT_RX_BERNOULLI_H

/* out[i] = −softplus((1 − 2·x[i mod xn])·l[i]), i < n (n a multiple of xn). */
void bernoulli_log_prob(long n, long xn, const float *l, const float *x, float *out);

/* dl[i] = dy[i]·∂out[i]/∂l[i]; dx[j] = Σ over i ≡ j (mod xn) of dy[i]·∂out[i]/∂x[j] (dx may be NULL). */
void bernoulli_log_prob_grad(long n, long xn, const float *l, const float *x, const float *dy, float *dl, float *dx);

#endif
