/*
 * test_glue_avx2.c — the AVX2 glue kernels of a Llama layer against the
 * portable ones (runtime/generic/), on awkward sizes, with 1 and 3 threads.
 *
 *   swiglu (x86/swiglu_avx2.c): F = 1, 7, 8, 9, 1376 over rows 1, 3, 128
 *     (176128 outputs: split over the pool), and F = 11008 over rows 1, 3
 *     (a part boundary inside a row); gate in [-12, 12] plus +-30, +-90 (the
 *     exp clamps); |d| <= 2e-6 (1 + |gate|) |up|.
 *   rmsnorm (x86/norm_avx2.c): d = 1, 7, 9, 129, 512, 1376 over rows 1, 3,
 *     128; |d| <= 1e-6 |ref| (the same arithmetic but for the order of a
 *     double sum).
 * Every output starts as NaN, so one left unwritten fails; so does a write
 * past the end (a guard element after each output).  The portable kernels
 * are checked against plain formulas in double first (|d| <= 1e-6 relative),
 * so a shared mistake cannot pass.  Exits 77 (skipped) on a CPU without AVX2
 * and FMA.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "threads.c"
#include "generic/elementwise.c"
#include "generic/norm.c"
#include "x86/vecmath_avx2.c"
#include "x86/elementwise_avx2.c"
#include "x86/swiglu_avx2.c"
#include "x86/norm_avx2.c"

static unsigned long long rng = 0x2545f4914f6cdd1dull;

static float frand(void) {  /* xorshift64: uniform in [-1, 1) */
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (float)((rng >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
}

/* n floats of NaN plus one guard NaN past the end. */
static float *nans(long n) {
  float *p = malloc(sizeof(float) * (size_t)(n + 1));
  for (long i = 0; i <= n; i++) p[i] = NAN;
  return p;
}

static int report(const char *what, long rows, int w, int threads, int bad, const float *a,
                  const float *b, long at) {
  if (bad)
    printf("FAIL %s rows=%ld width=%d threads=%d: %d mismatches (first: simd %.9g portable %.9g)\n",
           what, rows, w, threads, bad, a[at], b[at]);
  return bad != 0;
}

static int check_swiglu(long rows, int f, int threads) {
  long n = rows * f;
  float *gu = malloc(sizeof(float) * (size_t)(2 * n)), *a = nans(n), *b = nans(n);
  static const float special[] = {30, -30, 90, -90, 0, -0.0f};
  for (long i = 0; i < 2 * n; i++) gu[i] = 12.0f * frand();
  for (int i = 0; i < 6 && i < f; i++) gu[i] = special[i];
  rt_swiglu_avx2(a, gu, rows, f);
  rt_swiglu(b, gu, rows, f);
  int bad = !isnan(a[n]);
  long first = 0;
  for (long r = 0; r < rows; r++)
    for (int j = 0; j < f; j++) {
      long i = r * f + j;
      double g = gu[r * 2 * f + j], u = gu[r * 2 * f + f + j], ref = g / (1 + exp(-g)) * u;
      bool ok = fabs(a[i] - b[i]) <= 2e-6 * (1 + fabs(g)) * fabs(u) &&
                fabs(b[i] - ref) <= 1e-6 * fabs(ref) + 1e-30;
      if (!ok && !bad++) first = i;
    }
  int failed = report("swiglu", rows, f, threads, bad, a, b, first);
  free(gu), free(a), free(b);
  return failed;
}

static int check_rmsnorm(long rows, int d, int threads) {
  long n = rows * d;
  float *x = malloc(sizeof(float) * (size_t)n), *g = malloc(sizeof(float) * (size_t)d);
  float *a = nans(n), *b = nans(n), eps = 1e-5f;
  for (long i = 0; i < n; i++) x[i] = 3.0f * frand();
  for (int i = 0; i < d; i++) g[i] = 1.0f + frand();
  rt_rmsnorm_avx2(a, x, g, rows, d, eps);
  rt_rmsnorm(b, x, g, rows, d, eps);
  int bad = !isnan(a[n]);
  long first = 0;
  for (long r = 0; r < rows; r++) {
    double sq = 0;
    for (int i = 0; i < d; i++) sq += (double)x[r * d + i] * x[r * d + i];
    double inv = 1 / sqrt(sq / d + eps);
    for (int i = 0; i < d; i++) {
      long k = r * d + i;
      double ref = x[k] * inv * g[i];
      bool ok = fabs(a[k] - b[k]) <= 1e-6 * fabs(b[k]) && fabs(b[k] - ref) <= 1e-6 * fabs(ref);
      if (!ok && !bad++) first = k;
    }
  }
  int failed = report("rmsnorm", rows, d, threads, bad, a, b, first);
  free(x), free(g), free(a), free(b);
  return failed;
}

int main(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    printf("SKIP: this CPU lacks AVX2/FMA; the kernels are compiled but not run\n");
    return 77;
  }
  static const int fs[] = {1, 7, 8, 9, 1376}, ds[] = {1, 7, 9, 129, 512, 1376};
  static const long rows[] = {1, 3, 128};
  int cases = 0, failed = 0;
  for (int threads = 1; threads <= 3; threads += 2) {
    rt_set_threads(threads);
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
      for (size_t i = 0; i < sizeof fs / sizeof *fs; i++, cases++)
        failed += check_swiglu(rows[r], fs[i], threads);
      for (size_t i = 0; i < sizeof ds / sizeof *ds; i++, cases++)
        failed += check_rmsnorm(rows[r], ds[i], threads);
      if (rows[r] < 128) failed += check_swiglu(rows[r], 11008, threads), cases++;
    }
  }
  printf("avx2 swiglu and rmsnorm: %d of %d cases within tolerance\n", cases - failed, cases);
  return failed != 0;
}
