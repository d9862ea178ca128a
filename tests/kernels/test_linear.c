/*
 * test_linear.c — every SIMD linear kernel against a plain double-precision
 * loop, on awkward shapes: sizes 1, 7, 63, 65, widths that are not multiples of
 * the vector width or the tile, K across the cache-block boundary, all three
 * weight layouts, 1 to 3 threads; on AVX2 also the kernel with the fused
 * epilogue (activation, residual add).
 *
 * Built by tests/kernels.cmake once per ISA (-DTEST_AVX2, -DTEST_AVX512,
 * -DTEST_NEON, cross-compiled and run under qemu-aarch64) from the runtime
 * files exactly as they are copied into model.c.
 * Exits 77 (CTest's skip code) with a message when the CPU lacks the ISA.
 *
 * Tolerance: |y - ref| <= 1e-5 * sum_k |x_k w_k| + 1e-6 per output, which an
 * fp32 sum of up to a few thousand terms in any order meets with margin.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "threads.c"
#include "linear_simd.c"
#include "pack.h"

#if defined(TEST_AVX2)
#include "x86/vecmath_avx2.c"
#include "x86/elementwise_avx2.c"   /* the epilogue's activations */
#include "x86/linear_avx2.c"
#define ISA "avx2"
#define NR RT_AVX2_NR
#define linear_task rt_avx2_linear_task
#define supported rt_avx2_supported
#define ENTRY(layout) rt_linear##layout##_avx2
#elif defined(TEST_AVX512)
#include "x86/linear_avx512.c"
#define ISA "avx512"
#define NR RT_AVX512_NR
#define linear_task rt_avx512_linear_task
#define supported rt_avx512_supported
#define ENTRY(layout) rt_linear##layout##_avx512
#elif defined(TEST_NEON)
#include "neon/linear_neon.c"
#define ISA "neon"
#define NR RT_NEON_NR
#define linear_task rt_neon_linear_task
#define supported rt_neon_supported
#define ENTRY(layout) rt_linear##layout##_neon
#else
#error "define TEST_AVX2, TEST_AVX512 or TEST_NEON"
#endif

static _Thread_local unsigned long long rng = 88172645463325252ull;

static float frand(void) {  /* xorshift64: uniform in [-1, 1) */
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (float)((rng >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
}

static float *rand_array(int64_t n) {
  float *a = malloc((size_t)(n > 0 ? n : 1) * sizeof *a);
  for (int64_t i = 0; i < n; i++) a[i] = frand();
  return a;
}

/* The fused epilogue's activation in double (RT_ACT_*). */
static double activation(int act, double v) {
  if (act == RT_ACT_GELU_TANH) return 0.5 * v * (1 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
  if (act == RT_ACT_SILU) return v / (1 + exp(-v));
  return v;
}

/* The worst error / tolerance ratio over all outputs (<= 1 passes) of
 * y = act(x W^T + b) + residual.  The activations have slope below 1.2 and
 * the kernels' exp is good to a few ulp, hence the wider bound with one. */
static double check(const float *y, const float *x, const float *w_nk, const float *b, int T,
                    int K, int N, int act, const float *residual) {
  double worst = 0;
  for (int t = 0; t < T; t++)
    for (int n = 0; n < N; n++) {
      double ref = b ? b[n] : 0, mag = b ? fabs(b[n]) : 0;
      for (int k = 0; k < K; k++) {
        double p = (double)x[(int64_t)t * K + k] * w_nk[(int64_t)n * K + k];
        ref += p, mag += fabs(p);
      }
      double tol = 1e-5 * mag + 1e-6;
      ref = activation(act, ref);
      if (act) tol = 1.2 * tol + 1e-6 * fabs(ref);
      if (residual) ref += residual[(int64_t)t * N + n], tol += 1e-6;
      double r = fabs(y[(int64_t)t * N + n] - ref) / tol;
      if (!(r <= worst)) worst = r;   /* NaN counts as failure */
    }
  return worst;
}

typedef void (*Entry)(float *, const float *, const float *, const float *, int, int, int);
static const Entry entries[3] = {ENTRY(), ENTRY(_kn), ENTRY(_packed)};

/* Runs one shape in one layout through a private pool (the task) and through
 * the entry point the generated code calls (the model's pool); returns the
 * number of failures. */
static int run_case(RtPool *pool, int T, int K, int N, int layout, int with_bias) {
  float *x = rand_array((int64_t)T * K), *w = rand_array((int64_t)N * K);
  float *b = with_bias ? rand_array(N) : NULL;
  float *w_kn = malloc((size_t)N * K * sizeof *w_kn), *w_p = malloc((size_t)N * K * sizeof *w_p);
  for (int n = 0; n < N; n++)
    for (int k = 0; k < K; k++) w_kn[(int64_t)k * N + n] = w[(int64_t)n * K + k];
  rt_pack_panels(w, 0, N, K, NR, w_p);
  float *y = malloc((size_t)T * N * sizeof *y);
  for (int64_t i = 0; i < (int64_t)T * N; i++) y[i] = NAN;   /* every output must be written */
  const float *ws[3] = {w, w_kn, w_p};
  RtLinear L = {y, x, ws[layout], b, T, K, N, layout, RT_ACT_NONE, NULL};
  rt_pool_run(pool, linear_task, &L);
  double r = check(y, x, w, b, T, K, N, RT_ACT_NONE, NULL);
  for (int64_t i = 0; i < (int64_t)T * N; i++) y[i] = NAN;
  entries[layout](y, x, ws[layout], b, T, K, N);
  double r2 = check(y, x, w, b, T, K, N, RT_ACT_NONE, NULL), r3 = 0;
#ifdef TEST_AVX2   /* the kernel with the fused epilogue: each activation, with and without residual */
  int act = (T + K + N + layout) % 3;
  float *res = (T + N) % 2 ? rand_array((int64_t)T * N) : NULL;
  for (int64_t i = 0; i < (int64_t)T * N; i++) y[i] = NAN;
  rt_linear_epilogue_avx2(y, x, ws[layout], b, T, K, N, layout, act, res);
  r3 = check(y, x, w, b, T, K, N, act, res);
  free(res);
#endif
  int bad = !(r <= 1.0) + !(r2 <= 1.0) + !(r3 <= 1.0);
  if (bad)
    printf("FAIL %s T=%d K=%d N=%d layout=%d bias=%d threads=%d: error %.3g, %.3g, %.3g x tolerance\n",
           ISA, T, K, N, layout, with_bias, rt_pool_size(pool), r, r2, r3);
  free(x), free(w), free(b), free(w_kn), free(w_p), free(y);
  return bad;
}

/* Two threads calling the kernels at once share the model's pool: their jobs
 * must take turns (rt_pool_run), not mix. */
static void *concurrent_calls(void *arg) {
  int *bad = arg;
  for (int i = 0; i < 12; i++) *bad += run_case(NULL, 13, 65, 63, i % 3, i & 1);
  return NULL;
}

static int check_concurrent(void) {
  pthread_t th[2];
  int bad[2] = {0, 0};
  rt_set_threads(3);
  for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, concurrent_calls, &bad[i]);
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  return bad[0] + bad[1];
}

int main(void) {
  if (!supported()) {
    printf("SKIP: this CPU does not support %s; its kernels are compiled but not run\n", ISA);
    return 77;
  }
#ifdef TEST_NEON   /* runs under qemu-aarch64: fewer and smaller shapes, same edges */
  static const int Ts[] = {1, 3, 4, 5, 9};
  static const int Ks[] = {1, 7, 8, 63, 65, 530};
#else
  static const int Ts[] = {1, 2, 5, 6, 7, 8, 10, 13, 64};   /* 8, 10, 64: 4-row tiles */
  static const int Ks[] = {1, 7, 8, 63, 65, 769, 1030};     /* 769: one pass; 1030: two */
#endif
  static const int Ns[] = {1, 7, 16, 17, 63, 65, 100};
  int cases = 0, failed = 0;
  for (int threads = 1; threads <= 3; threads += 2) {
    RtPool *pool = rt_pool_new(threads);
    rt_set_threads(threads);
    for (size_t ti = 0; ti < sizeof Ts / sizeof *Ts; ti++)
      for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++)
        for (size_t ni = 0; ni < sizeof Ns / sizeof *Ns; ni++)
          for (int layout = 0; layout < 3; layout++, cases += 2)
            failed += run_case(pool, Ts[ti], Ks[ki], Ns[ni], layout, (cases & 2) == 0);
    rt_pool_free(pool);
  }
  failed += check_concurrent(), cases += 48;
  rt_set_threads(1);
  printf("%s linear: %d of %d cases within tolerance\n", ISA, cases - failed, cases);
  return failed != 0;
}
