/*
 * C = op(A) · op(B) (+ bias per column, then ReLU if asked) in float32, for the host CPU: the
 * products of the image VAEs' dense layers at the speed of an optimised BLAS, which WebAssembly
 * cannot reach in Node 20 (4 lanes, no fused multiply-add: 16–20 GFLOP/s against PyTorch's 66–71).
 *
 * The classic GotoBLAS/BLIS loop nest: B packed into KC × 16 column panels, A into KC × 6 row
 * panels, a 6 × 16 register block (12 AVX2 accumulators, FMA) per micro-step. Operands are read
 * through (row, column) strides, so Aᵀ and Bᵀ cost only the packing. Threads split C by column
 * panels, or by rows when C has too few columns (a convolution's [B·H·W, 9] patches); every
 * element of C is summed by one thread in the same order (k ascending inside KC blocks, blocks
 * ascending), so the result is bit for bit the same for any number of threads.
 *
 * The AVX2 + FMA micro-kernel is chosen at run time (__builtin_cpu_supports); any other CPU gets a
 * plain C one (the same blocking, separate multiply and add, so other bits).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "sgemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

#define MR 6
#define NR 16
#define KC 256
#define MC 96
#define MAX_THREADS 64

typedef void micro_fn(int kc, const float *Ap, const float *Bp, float *t);

typedef struct {
  const sgemm_args *g;
  micro_fn *micro;
  int i0, i1, j0, j1;
  int ok;
} job_t;

/* Ap: ⌈mc/6⌉ panels of [kc][6], rows past mc zero. */
static void pack_a(int mc, int kc, const float *A, long rs, long cs, float *Ap) {
  for (int i0 = 0; i0 < mc; i0 += MR, Ap += (long)MR * kc) {
    int mr = mc - i0 < MR ? mc - i0 : MR;
    for (int p = 0; p < kc; p++) {
      for (int i = 0; i < mr; i++) Ap[p * MR + i] = A[(long)(i0 + i) * rs + (long)p * cs];
      for (int i = mr; i < MR; i++) Ap[p * MR + i] = 0.f;
    }
  }
}

/* Bp: ⌈nc/16⌉ panels of [kc][16], columns past nc zero. */
static void pack_b(int kc, int nc, const float *B, long rs, long cs, float *Bp) {
  for (int j0 = 0; j0 < nc; j0 += NR, Bp += (long)NR * kc) {
    int nr = nc - j0 < NR ? nc - j0 : NR;
    if (cs == 1 && nr == NR) {
      for (int p = 0; p < kc; p++) memcpy(Bp + p * NR, B + (long)p * rs + j0, NR * sizeof(float));
      continue;
    }
    for (int p = 0; p < kc; p++) {
      for (int j = 0; j < nr; j++) Bp[p * NR + j] = B[(long)p * rs + (long)(j0 + j) * cs];
      for (int j = nr; j < NR; j++) Bp[p * NR + j] = 0.f;
    }
  }
}

/* t[6][16] = Σ_p Ap[p][i] · Bp[p][j]. */
static void micro_c(int kc, const float *Ap, const float *Bp, float *t) {
  float acc[MR * NR] = {0};
  for (int p = 0; p < kc; p++, Ap += MR, Bp += NR)
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) acc[i * NR + j] += Ap[i] * Bp[j];
  memcpy(t, acc, sizeof acc);
}

#ifdef HAVE_X86
__attribute__((target("avx2,fma")))
static void micro_avx2(int kc, const float *Ap, const float *Bp, float *t) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++, Ap += MR, Bp += NR) {
    __m256 b0 = _mm256_load_ps(Bp), b1 = _mm256_load_ps(Bp + 8), a;
    a = _mm256_broadcast_ss(Ap + 0); c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(Ap + 1); c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(Ap + 2); c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(Ap + 3); c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(Ap + 4); c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(Ap + 5); c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
  }
  _mm256_store_ps(t + 0, c00); _mm256_store_ps(t + 8, c01);
  _mm256_store_ps(t + 16, c10); _mm256_store_ps(t + 24, c11);
  _mm256_store_ps(t + 32, c20); _mm256_store_ps(t + 40, c21);
  _mm256_store_ps(t + 48, c30); _mm256_store_ps(t + 56, c31);
  _mm256_store_ps(t + 64, c40); _mm256_store_ps(t + 72, c41);
  _mm256_store_ps(t + 80, c50); _mm256_store_ps(t + 88, c51);
}
#endif

static micro_fn *pick_micro(void) {
#ifdef HAVE_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return micro_avx2;
#endif
  return micro_c;
}

const char *sgemm_isa(void) {
  return pick_micro() == micro_c ? "generic" : "avx2+fma";
}

/*
 * Each thread's packing buffers, kept and grown as needed: the calling thread and the pool's helpers
 * live for the process, and a fresh 0.5 MB buffer per product was mmap'd and page-faulted each time.
 */
typedef struct {
  float *data;
  size_t capacity;
} buffer_t;
static _Thread_local buffer_t a_panels, b_panels;

/* `b`'s data with room for n floats (64-byte aligned), or NULL when that memory cannot be had. */
static float *scratch(buffer_t *b, size_t n) {
  if (b->capacity >= n) return b->data;
  size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  float *p = aligned_alloc(64, bytes);
  if (p == NULL) return NULL;
  free(b->data);
  b->data = p;
  b->capacity = bytes / sizeof(float);
  return p;
}

/* Rows [i0, i1) and columns [j0, j1) of C. */
static void *run(void *arg) {
  job_t *J = (job_t *)arg;
  const sgemm_args *g = J->g;
  int nc = J->j1 - J->j0;
  J->ok = 1;
  if (nc <= 0) return NULL;
  int ncp = (nc + NR - 1) / NR * NR;
  float *Bp = scratch(&b_panels, (size_t)KC * ncp), *Ap = scratch(&a_panels, (size_t)KC * (MC + MR));
  if (Bp == NULL || Ap == NULL) {
    J->ok = 0;
    return NULL;
  }
  float t[MR * NR] __attribute__((aligned(32)));
  for (int pc = 0; pc < g->K; pc += KC) {
    int kc = g->K - pc < KC ? g->K - pc : KC;
    pack_b(kc, nc, g->B + (long)pc * g->rsB + (long)J->j0 * g->csB, g->rsB, g->csB, Bp);
    for (int ic = J->i0; ic < J->i1; ic += MC) {
      int mc = J->i1 - ic < MC ? J->i1 - ic : MC;
      pack_a(mc, kc, g->A + (long)ic * g->rsA + (long)pc * g->csA, g->rsA, g->csA, Ap);
      for (int jr = 0; jr < nc; jr += NR) {
        int nr = nc - jr < NR ? nc - jr : NR;
        for (int ir = 0; ir < mc; ir += MR) {
          int mr = mc - ir < MR ? mc - ir : MR;
          J->micro(kc, Ap + (long)ir * kc, Bp + (long)jr * kc, t);
          float *c = g->C + (long)(ic + ir) * g->N + J->j0 + jr;
          for (int i = 0; i < mr; i++, c += g->N) {
            const float *s = t + i * NR;
            if (pc == 0) memcpy(c, s, nr * sizeof(float));
            else for (int j = 0; j < nr; j++) c[j] += s[j];
          }
        }
      }
    }
  }
  if (g->bias != NULL || g->relu) {
    for (int i = J->i0; i < J->i1; i++) {
      float *c = g->C + (long)i * g->N;
      for (int j = J->j0; j < J->j1; j++) {
        float v = g->bias != NULL ? c[j] + g->bias[j] : c[j];
        c[j] = g->relu && v < 0.f ? 0.f : v;
      }
    }
  }
  return NULL;
}

/*
 * A pool of helper threads, started on first need and kept: starting a thread per product cost
 * ~0.1 ms of the ~1 ms products of a training step. Helpers sleep on a condition variable between
 * products. One product at a time (call_lock), from whichever thread calls.
 */
static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_work = PTHREAD_COND_INITIALIZER, pool_done = PTHREAD_COND_INITIALIZER;
static int pool_threads = 0, pool_active = 0, pool_pending = 0;
static unsigned pool_generation = 0;
static job_t *pool_jobs = NULL;

static void *pool_worker(void *arg) {
  int index = (int)(long)arg;
  unsigned seen = 0;
  pthread_mutex_lock(&pool_lock);
  for (;;) {
    while (pool_generation == seen) pthread_cond_wait(&pool_work, &pool_lock);
    seen = pool_generation;
    if (index >= pool_active) continue;
    job_t *job = &pool_jobs[index];
    pthread_mutex_unlock(&pool_lock);
    run(job);
    pthread_mutex_lock(&pool_lock);
    if (--pool_pending == 0) pthread_cond_signal(&pool_done);
  }
  return NULL;
}

/* Up to `want` helpers (started as needed); how many there are. */
static int pool_start(int want) {
  while (pool_threads < want && pool_threads < MAX_THREADS - 1) {
    pthread_t tid;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int failed = pthread_create(&tid, &attr, pool_worker, (void *)(long)pool_threads);
    pthread_attr_destroy(&attr);
    if (failed) break;
    pool_threads++;
  }
  return want < pool_threads ? want : pool_threads;
}

/* Hands jobs[0 … n) to the first n helpers. */
static void pool_run(job_t *jobs, int n) {
  pthread_mutex_lock(&pool_lock);
  pool_jobs = jobs;
  pool_active = n;
  pool_pending = n;
  pool_generation++;
  pthread_cond_broadcast(&pool_work);
  pthread_mutex_unlock(&pool_lock);
}

static void pool_wait(void) {
  pthread_mutex_lock(&pool_lock);
  while (pool_pending > 0) pthread_cond_wait(&pool_done, &pool_lock);
  pthread_mutex_unlock(&pool_lock);
}

int sgemm(const sgemm_args *g, int threads) {
  if (g->K == 0) {
    /* An empty sum: C is the bias (then ReLU), or zeros. */
    for (int i = 0; i < g->M; i++)
      for (int j = 0; j < g->N; j++) {
        float v = g->bias != NULL ? g->bias[j] : 0.f;
        g->C[(long)i * g->N + j] = g->relu && v < 0.f ? 0.f : v;
      }
    return 0;
  }
  micro_fn *micro = pick_micro();
  int panels = (g->N + NR - 1) / NR, rowBlocks = (g->M + MR - 1) / MR;
  int T = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
  /* Columns when there are at least two panels per thread, else rows (in whole 6-row blocks). */
  int byRows = panels < 2 * T && rowBlocks > panels;
  int parts = byRows ? rowBlocks : panels;
  if (T > parts) T = parts;
  job_t jobs[MAX_THREADS];
  for (int t = 0; t < T; t++) {
    int p0 = parts * t / T, p1 = parts * (t + 1) / T;
    if (byRows) jobs[t] = (job_t){g, micro, p0 * MR, p1 * MR < g->M ? p1 * MR : g->M, 0, g->N, 0};
    else jobs[t] = (job_t){g, micro, 0, g->M, p0 * NR, p1 * NR < g->N ? p1 * NR : g->N, 0};
  }
  pthread_mutex_lock(&call_lock);
  int helpers = pool_start(T - 1);
  pool_run(jobs + 1, helpers);
  for (int t = 1 + helpers; t < T; t++) run(&jobs[t]); /* no thread to be had: do its part here */
  run(&jobs[0]);
  pool_wait();
  pthread_mutex_unlock(&call_lock);
  int ok = 1;
  for (int t = 0; t < T; t++) ok = ok && jobs[t].ok;
  return ok ? 0 : -1;
}
