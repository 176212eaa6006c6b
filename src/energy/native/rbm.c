/*
 * The Bernoulli RBM's inner loops (see ../rbm.ts for the maths, ../rbmEngine.ts for the layout
 * and the orchestration), over 128-bit WebAssembly SIMD.
 *
 * Build: src/energy/native/build.sh (clang --target=wasm32 -msimd128, no libc).
 *
 * Binary configurations are kept as lists of their active units, because MNIST digits light about
 * 15% of their pixels and hidden layers about half their units: c + W v is then a sum of ~120
 * rows of Wᵀ instead of a 784-long dot product per hidden unit, and hᵀW a sum of rows of W. The
 * weights live twice, as Wt [visible, Hp] and W [hidden, Vp] (Hp, Vp: widths rounded up to 4,
 * padding zero), so both sums read contiguous rows; the update is applied to Wt and transposed.
 *
 *   list of a batch:  cnt [n] (active units per row), idx [n, stride] (their indices, ascending)
 *   pre-activations:  [n, Hp] or [n, Vp] float32
 *
 * Loops run over column blocks outermost, so one block of the weights stays in L1/L2 while every
 * row of the batch sums it.
 *
 * Random draws reproduce ../../random/rng.ts exactly (xoshiro128**, one 32-bit word u per draw,
 * 1 when u < p · 2³²), element by element in row-major order: the same stream as the plain JS
 * path's sampleBernoulli, so the two paths differ only where float32 and float64 probabilities
 * straddle a draw.
 */
#include <wasm_simd128.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))
/* Vectors per column block: sums read one block of the weights (rows × 64 B ≈ L1) per pass over
   the batch; the outer product keeps 8 vectors of p in registers while it updates the rows. */
#define SUM_BLOCK 4
#define ACC_BLOCK 8

INLINE v128_t splat(float v) { return wasm_f32x4_splat(v); }

/* ---------- elementary functions ---------- */

/* e^r − 1 for |r| ≤ ln2/2 (as attentionPool.c): relative error ≤ 1.5e-7. */
INLINE v128_t expm1_reduced(v128_t r) {
  v128_t r2 = wasm_f32x4_mul(r, r);
  v128_t t0 = wasm_f32x4_add(splat(0.49999978f), wasm_f32x4_mul(splat(0.16666497f), r));
  v128_t t1 = wasm_f32x4_add(splat(4.167155e-02f), wasm_f32x4_mul(splat(8.37116e-03f), r));
  t1 = wasm_f32x4_add(t1, wasm_f32x4_mul(splat(1.36633e-03f), r2));
  v128_t p = wasm_f32x4_add(t0, wasm_f32x4_mul(r2, t1));
  return wasm_f32x4_add(r, wasm_f32x4_mul(r2, p));
}

/* e^z for z ≤ 0, flushed to 0 below −87 (z = k ln2 + r, 2^k built in the exponent bits). */
INLINE v128_t exp_nonpos(v128_t z) {
  v128_t zc = wasm_f32x4_pmax(z, splat(-87.0f));
  const v128_t magic = splat(12582912.0f);
  v128_t y = wasm_f32x4_add(wasm_f32x4_mul(zc, splat(1.44269504088896341f)), magic);
  v128_t k = wasm_f32x4_sub(y, magic);
  v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(y, wasm_i32x4_splat(127 - 0x4b400000)), 23);
  v128_t r = wasm_f32x4_sub(zc, wasm_f32x4_mul(k, splat(0.693147180559945f)));
  v128_t e = wasm_f32x4_mul(scale, wasm_f32x4_add(expm1_reduced(r), splat(1.0f)));
  return wasm_v128_andnot(e, wasm_f32x4_lt(z, splat(-87.0f)));
}

/* σ(x) = 1/(1 + e^−x), through t = e^−|x| ≤ 1 so nothing overflows. */
INLINE v128_t sigmoid4(v128_t x) {
  v128_t t = exp_nonpos(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  v128_t inv = wasm_f32x4_div(splat(1.0f), wasm_f32x4_add(splat(1.0f), t));
  return wasm_v128_bitselect(inv, wasm_f32x4_mul(t, inv), wasm_f32x4_ge(x, splat(0.0f)));
}

/*
 * softplus(x) = max(x, 0) + log(1 + t), t = e^−|x| ∈ (0, 1]. log(1 + t) = 2 atanh(s) with
 * s = t / (2 + t) (no rounding of 1 + t), or, above t = √2 − 1, ln 2 + 2 atanh((t − 1)/(t + 3));
 * |s| ≤ 0.172 and the odd series to s⁹ is good to 2e-9 relative. Absolute error ≈ 1e-7.
 */
INLINE v128_t softplus4(v128_t x) {
  v128_t t = exp_nonpos(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  v128_t big = wasm_f32x4_gt(t, splat(0.41421356f));
  v128_t num = wasm_v128_bitselect(wasm_f32x4_sub(t, splat(1.0f)), t, big);
  v128_t den = wasm_v128_bitselect(wasm_f32x4_add(t, splat(3.0f)), wasm_f32x4_add(t, splat(2.0f)), big);
  v128_t s = wasm_f32x4_div(num, den);
  v128_t s2 = wasm_f32x4_mul(s, s);
  v128_t p = wasm_f32x4_add(splat(1.0f / 7.0f), wasm_f32x4_mul(s2, splat(1.0f / 9.0f)));
  p = wasm_f32x4_add(splat(1.0f / 5.0f), wasm_f32x4_mul(s2, p));
  p = wasm_f32x4_add(splat(1.0f / 3.0f), wasm_f32x4_mul(s2, p));
  p = wasm_f32x4_add(splat(1.0f), wasm_f32x4_mul(s2, p));
  v128_t lg = wasm_f32x4_mul(wasm_f32x4_mul(splat(2.0f), s), p);
  lg = wasm_f32x4_add(lg, wasm_v128_and(big, splat(0.693147180559945f)));
  return wasm_f32x4_add(wasm_f32x4_pmax(x, splat(0.0f)), lg);
}

INLINE double hsum(v128_t v) {
  return ((double)wasm_f32x4_extract_lane(v, 0) + (double)wasm_f32x4_extract_lane(v, 1)) +
         ((double)wasm_f32x4_extract_lane(v, 2) + (double)wasm_f32x4_extract_lane(v, 3));
}

/* ---------- the generator: rng.ts's xoshiro128** ---------- */

INLINE uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

INLINE uint32_t next_u32(uint32_t *s) {
  uint32_t result = rotl(s[1] * 5u, 7) * 9u;
  uint32_t t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

/* One Bernoulli(p) draw as rbm.ts's sampleBernoulli makes it: a 32-bit word u, 1 when u < p · 2³². */
INLINE int bernoulli(uint32_t *s, float p) { return (double)next_u32(s) < (double)p * 4294967296.0; }

/* ---------- sums of rows ---------- */

/*
 * out[b, j] = bias[j] + Σ_{q < cnt[b]} rows[idx[b, q], j] for columns j in [begin, end), rows of
 * `width` floats (a multiple of 4, as begin and end) stored `width` apart. Column blocks outermost
 * (see the header); a column range is what one thread of a two-thread engine takes.
 */
EXPORT(sum_rows)
void sum_rows(const float *rows, const float *bias, const int32_t *cnt, const int32_t *idx, int stride,
              int n, int width, int begin, int end, float *out) {
  int j0 = begin;
  for (; j0 + 4 * SUM_BLOCK <= end; j0 += 4 * SUM_BLOCK) {
    int b = 0;
    /* Two rows at a time: two independent chains of loads and adds keep the core busier. */
    for (; b + 1 < n; b += 2) {
      const int32_t *ix0 = idx + (long)b * stride, *ix1 = ix0 + stride;
      const int c0 = cnt[b], c1 = cnt[b + 1], m = c0 < c1 ? c0 : c1;
      v128_t a0[SUM_BLOCK], a1[SUM_BLOCK];
      for (int v = 0; v < SUM_BLOCK; v++) a0[v] = a1[v] = wasm_v128_load(bias + j0 + 4 * v);
      int q = 0;
      for (; q < m; q++) {
        const float *r0 = rows + (long)ix0[q] * width + j0, *r1 = rows + (long)ix1[q] * width + j0;
        for (int v = 0; v < SUM_BLOCK; v++) {
          a0[v] = wasm_f32x4_add(a0[v], wasm_v128_load(r0 + 4 * v));
          a1[v] = wasm_f32x4_add(a1[v], wasm_v128_load(r1 + 4 * v));
        }
      }
      for (int p = q; p < c0; p++) {
        const float *r0 = rows + (long)ix0[p] * width + j0;
        for (int v = 0; v < SUM_BLOCK; v++) a0[v] = wasm_f32x4_add(a0[v], wasm_v128_load(r0 + 4 * v));
      }
      for (int p = q; p < c1; p++) {
        const float *r1 = rows + (long)ix1[p] * width + j0;
        for (int v = 0; v < SUM_BLOCK; v++) a1[v] = wasm_f32x4_add(a1[v], wasm_v128_load(r1 + 4 * v));
      }
      float *o0 = out + (long)b * width + j0, *o1 = o0 + width;
      for (int v = 0; v < SUM_BLOCK; v++) {
        wasm_v128_store(o0 + 4 * v, a0[v]);
        wasm_v128_store(o1 + 4 * v, a1[v]);
      }
    }
    for (; b < n; b++) {
      const int32_t *ix = idx + (long)b * stride;
      v128_t acc[SUM_BLOCK];
      for (int v = 0; v < SUM_BLOCK; v++) acc[v] = wasm_v128_load(bias + j0 + 4 * v);
      for (int q = 0, c = cnt[b]; q < c; q++) {
        const float *r = rows + (long)ix[q] * width + j0;
        for (int v = 0; v < SUM_BLOCK; v++) acc[v] = wasm_f32x4_add(acc[v], wasm_v128_load(r + 4 * v));
      }
      float *o = out + (long)b * width + j0;
      for (int v = 0; v < SUM_BLOCK; v++) wasm_v128_store(o + 4 * v, acc[v]);
    }
  }
  for (; j0 < end; j0 += 4) {
    for (int b = 0; b < n; b++) {
      const int32_t *ix = idx + (long)b * stride;
      v128_t acc = wasm_v128_load(bias + j0);
      for (int q = 0, c = cnt[b]; q < c; q++) acc = wasm_f32x4_add(acc, wasm_v128_load(rows + (long)ix[q] * width + j0));
      wasm_v128_store(out + (long)b * width + j0, acc);
    }
  }
}

/*
 * acc[i, j] += scale · p[b, j] for every active i of every row b and columns j in [begin, end)
 * (the CD statistic p(h|v) vᵀ in Wt's layout; a column range is one thread's share).
 */
EXPORT(outer_acc)
void outer_acc(float *acc, const int32_t *cnt, const int32_t *idx, int stride,
               const float *p, int n, int width, int begin, int end, float scale) {
  const v128_t sc = splat(scale);
  int j0 = begin;
  for (; j0 + 4 * ACC_BLOCK <= end; j0 += 4 * ACC_BLOCK) {
    for (int b = 0; b < n; b++) {
      const int32_t *ix = idx + (long)b * stride;
      v128_t pv[ACC_BLOCK];
      const float *pr = p + (long)b * width + j0;
      for (int v = 0; v < ACC_BLOCK; v++) pv[v] = wasm_f32x4_mul(sc, wasm_v128_load(pr + 4 * v));
      for (int q = 0, c = cnt[b]; q < c; q++) {
        float *a = acc + (long)ix[q] * width + j0;
        for (int v = 0; v < ACC_BLOCK; v++) wasm_v128_store(a + 4 * v, wasm_f32x4_add(wasm_v128_load(a + 4 * v), pv[v]));
      }
    }
  }
  for (; j0 < end; j0 += 4) {
    for (int b = 0; b < n; b++) {
      const int32_t *ix = idx + (long)b * stride;
      v128_t pv = wasm_f32x4_mul(sc, wasm_v128_load(p + (long)b * width + j0));
      for (int q = 0, c = cnt[b]; q < c; q++) {
        float *a = acc + (long)ix[q] * width + j0;
        wasm_v128_store(a, wasm_f32x4_add(wasm_v128_load(a), pv));
      }
    }
  }
}

/* The biases' share of the CD statistics: accBias[i] += scale per active i, accRow += scale · Σ_b p[b, :]. */
EXPORT(bias_acc)
void bias_acc(float *accBias, float *accRow, const int32_t *cnt, const int32_t *idx, int stride,
              const float *p, int n, int width, float scale) {
  const v128_t sc = splat(scale);
  for (int b = 0; b < n; b++) {
    const int32_t *ix = idx + (long)b * stride;
    for (int q = 0, c = cnt[b]; q < c; q++) accBias[ix[q]] += scale;
    const float *pr = p + (long)b * width;
    for (int j = 0; j < width; j += 4) wasm_v128_store(accRow + j, wasm_f32x4_add(wasm_v128_load(accRow + j), wasm_f32x4_mul(sc, wasm_v128_load(pr + j))));
  }
}

/* ---------- sampling ---------- */

/*
 * In place over n rows of `width` real entries stored `pitch` apart:
 *   x ← σ(scale · x + offScale · offset[j])      (offset may be 0: none)
 * then, when cnt ≠ 0, draws u < x per real entry in row-major order and lists the ones.
 */
EXPORT(sigmoid_sample)
void sigmoid_sample(float *x, int n, int width, int pitch, float scale, const float *offset, float offScale,
                    int32_t *cnt, int32_t *idx, int stride, uint32_t *rng) {
  const v128_t sc = splat(scale), os = splat(offScale);
  for (int b = 0; b < n; b++) {
    float *xr = x + (long)b * pitch;
    for (int j = 0; j < pitch; j += 4) {
      v128_t a = wasm_f32x4_mul(sc, wasm_v128_load(xr + j));
      if (offset) a = wasm_f32x4_add(a, wasm_f32x4_mul(os, wasm_v128_load(offset + j)));
      wasm_v128_store(xr + j, sigmoid4(a));
    }
    for (int j = width; j < pitch; j++) xr[j] = 0; /* padding stays out of every statistic */
    if (!cnt) continue;
    int32_t *ix = idx + (long)b * stride;
    int c = 0;
    for (int j = 0; j < width; j++)
      if (bernoulli(rng, xr[j])) ix[c++] = j;
    cnt[b] = c;
  }
}

/* Draws u < p per real entry of probabilities p (rows `pitch` apart), listing the ones. */
EXPORT(bernoulli_lists)
void bernoulli_lists(const float *p, int n, int width, int pitch, int32_t *cnt, int32_t *idx, int stride, uint32_t *rng) {
  for (int b = 0; b < n; b++) {
    const float *pr = p + (long)b * pitch;
    int32_t *ix = idx + (long)b * stride;
    int c = 0;
    for (int j = 0; j < width; j++)
      if (bernoulli(rng, pr[j])) ix[c++] = j;
    cnt[b] = c;
  }
}

/* ---------- free energies and AIS weights ---------- */

/*
 * out[b] = −Σ_{active i} vb[i] − Σ_{j < H} softplus(pre[b, j]), pre rows Hp apart (padding must
 * be excluded: it is, by masking lanes past H).
 */
EXPORT(free_energy)
void free_energy(const float *pre, const float *vb, const int32_t *cnt, const int32_t *idx, int stride,
                 int n, int H, int Hp, double *out) {
  for (int b = 0; b < n; b++) {
    const float *pr = pre + (long)b * Hp;
    v128_t acc = splat(0);
    int j = 0;
    for (; j + 4 <= H; j += 4) acc = wasm_f32x4_add(acc, softplus4(wasm_v128_load(pr + j)));
    double f = -hsum(acc);
    for (; j < H; j++) f -= wasm_f32x4_extract_lane(softplus4(splat(pr[j])), 0);
    const int32_t *ix = idx + (long)b * stride;
    for (int q = 0, c = cnt[b]; q < c; q++) f -= vb[ix[q]];
    out[b] = f;
  }
}

/*
 * AIS weight increments: out[b] += Σ_j [softplus(β1 pre[b, j]) − softplus(β0 pre[b, j])]
 *                                 + (β1 − β0) Σ_{active i} vDiff[i],   vDiff = b − b_A.
 */
EXPORT(ais_increment)
void ais_increment(const float *pre, const float *vDiff, const int32_t *cnt, const int32_t *idx, int stride,
                   int n, int H, int Hp, float beta0, float beta1, double *out) {
  const v128_t b0 = splat(beta0), b1 = splat(beta1);
  for (int b = 0; b < n; b++) {
    const float *pr = pre + (long)b * Hp;
    v128_t acc = splat(0);
    int j = 0;
    for (; j + 4 <= H; j += 4) {
      v128_t x = wasm_v128_load(pr + j);
      acc = wasm_f32x4_add(acc, wasm_f32x4_sub(softplus4(wasm_f32x4_mul(b1, x)), softplus4(wasm_f32x4_mul(b0, x))));
    }
    double s = hsum(acc);
    for (; j < H; j++)
      s += wasm_f32x4_extract_lane(wasm_f32x4_sub(softplus4(splat(beta1 * pr[j])), softplus4(splat(beta0 * pr[j]))), 0);
    double d = 0;
    const int32_t *ix = idx + (long)b * stride;
    for (int q = 0, c = cnt[b]; q < c; q++) d += vDiff[ix[q]];
    out[b] += s + ((double)beta1 - (double)beta0) * d;
  }
}

/* Σ_b Σ_{i < V} (v[b, i] − p[b, i])², v given by its active list, p rows Vp apart. */
EXPORT(squared_error)
double squared_error(const float *p, const int32_t *cnt, const int32_t *idx, int stride, int n, int V, int Vp) {
  double total = 0;
  for (int b = 0; b < n; b++) {
    const float *pr = p + (long)b * Vp;
    double s = 0;
    for (int i = 0; i < V; i++) s += (double)pr[i] * pr[i];
    const int32_t *ix = idx + (long)b * stride;
    for (int q = 0, c = cnt[b]; q < c; q++) s += 1.0 - 2.0 * pr[ix[q]];
    total += s;
  }
  return total;
}

/* ---------- the update ---------- */

/* PyTorch's SGD: vel ← momentum · vel + (g + decay · w);  w ← w − lr · vel. `count` a multiple of 4. */
EXPORT(sgd)
void sgd(float *w, float *vel, const float *g, int count, float lr, float momentum, float decay) {
  const v128_t l = splat(lr), m = splat(momentum), d = splat(decay);
  for (int k = 0; k < count; k += 4) {
    v128_t wk = wasm_v128_load(w + k);
    v128_t vk = wasm_f32x4_add(wasm_f32x4_mul(m, wasm_v128_load(vel + k)), wasm_f32x4_add(wasm_v128_load(g + k), wasm_f32x4_mul(d, wk)));
    wasm_v128_store(vel + k, vk);
    wasm_v128_store(w + k, wasm_f32x4_sub(wk, wasm_f32x4_mul(l, vk)));
  }
}

/* dst [cols, dstPitch] = srcᵀ for src [rows, srcPitch], real sizes rows × cols; 4 × 4 tiles, then edges. */
EXPORT(transpose)
void transpose(const float *src, float *dst, int rows, int cols, int srcPitch, int dstPitch) {
  int r0 = 0;
  for (; r0 + 4 <= rows; r0 += 4) {
    int c0 = 0;
    for (; c0 + 4 <= cols; c0 += 4) {
      v128_t a = wasm_v128_load(src + (long)r0 * srcPitch + c0);
      v128_t b = wasm_v128_load(src + (long)(r0 + 1) * srcPitch + c0);
      v128_t c = wasm_v128_load(src + (long)(r0 + 2) * srcPitch + c0);
      v128_t d = wasm_v128_load(src + (long)(r0 + 3) * srcPitch + c0);
      v128_t ab0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
      v128_t cd0 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), cd1 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
      wasm_v128_store(dst + (long)c0 * dstPitch + r0, wasm_i64x2_shuffle(ab0, cd0, 0, 2));
      wasm_v128_store(dst + (long)(c0 + 1) * dstPitch + r0, wasm_i64x2_shuffle(ab0, cd0, 1, 3));
      wasm_v128_store(dst + (long)(c0 + 2) * dstPitch + r0, wasm_i64x2_shuffle(ab1, cd1, 0, 2));
      wasm_v128_store(dst + (long)(c0 + 3) * dstPitch + r0, wasm_i64x2_shuffle(ab1, cd1, 1, 3));
    }
    for (; c0 < cols; c0++)
      for (int r = r0; r < r0 + 4; r++) dst[(long)c0 * dstPitch + r] = src[(long)r * srcPitch + c0];
  }
  for (; r0 < rows; r0++)
    for (int c = 0; c < cols; c++) dst[(long)c * dstPitch + r0] = src[(long)r0 * srcPitch + c];
}

/* Zeroes `count` floats (a multiple of 4). */
EXPORT(zero)
void zero(float *x, int count) {
  for (int k = 0; k < count; k += 4) wasm_v128_store(x + k, splat(0));
}
