/*
 * norm_avx2.c — RMSNorm with AVX2 + FMA, threaded over rows.  Same arguments
 * and arithmetic as the portable rt_rmsnorm (runtime/generic/norm.c): the
 * sum of squares in double (two accumulators of four double lanes; each
 * product of floats is exact in double), inv = 1/sqrt(sq/d + eps) rounded to
 * float, and out = x * inv * g in float, two roundings as the portable loop
 * does.  Only the order of the double sum differs, so the output matches the
 * portable kernel's to the last bit but for a rare rounding of inv.
 *
 * A prefill (at least 2 rows and rows * d >= 16384) splits its rows over the
 * model's thread pool; a decode step runs on the calling thread, as
 * rt_avx2_unary does.
 */
#include <immintrin.h>
#include <math.h>

#ifndef RT_API
#define RT_API static inline
#endif

typedef struct {
  float *out;
  const float *x, *g;
  long rows;
  int d;
  float eps;
} RtAvx2Rmsnorm;

/* Sum of x[i]^2 over one row, in double. */
RT_AVX2_FN static double rt_avx2_sum_squares(const float *x, int d) {
  __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
  int i = 0;
  for (; i + 8 <= d; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
    __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    a0 = _mm256_fmadd_pd(lo, lo, a0), a1 = _mm256_fmadd_pd(hi, hi, a1);
  }
  double lanes[4], sq = 0.0;
  _mm256_storeu_pd(lanes, _mm256_add_pd(a0, a1));
  for (int k = 0; k < 4; k++) sq += lanes[k];
  for (; i < d; i++) sq += (double)x[i] * x[i];
  return sq;
}

/* RtTask: rows [rows*part/parts, rows*(part+1)/parts). */
RT_AVX2_FN static void rt_avx2_rmsnorm_task(void *ctx, int part, int parts) {
  const RtAvx2Rmsnorm *n = ctx;
  int d = n->d;
  for (long r = n->rows * part / parts; r < n->rows * (part + 1) / parts; r++) {
    const float *x = n->x + r * d;
    float *o = n->out + r * d;
    float inv = (float)(1.0 / sqrt(rt_avx2_sum_squares(x, d) / d + n->eps));
    __m256 vinv = _mm256_set1_ps(inv);
    int i = 0;
    for (; i + 8 <= d; i += 8)
      _mm256_storeu_ps(o + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vinv),
                                            _mm256_loadu_ps(n->g + i)));
    for (; i < d; i++) o[i] = x[i] * inv * n->g[i];
  }
}

RT_API void rt_rmsnorm_avx2(float *out, const float *x, const float *g, long rows, int d,
                            float eps) {
  RtAvx2Rmsnorm n = {out, x, g, rows, d, eps};
  if (rows < 2 || rows * d < 16384)
    rt_avx2_rmsnorm_task(&n, 0, 1);   /* a decode step: not worth waking threads */
  else
    rt_parallel(rt_avx2_rmsnorm_task, &n);
}
