/*
 * elementwise_avx2.c — the activations that cost real time in a prefill,
 * eight at a time with AVX2 + FMA, on the model's thread pool.  Same
 * arguments as the portable rt_gelu_tanh and rt_silu (runtime/generic/
 * elementwise.c); both are written through the logistic function,
 *   gelu_tanh(x) = 0.5 x (1 + tanh(u)) = x / (1 + exp(-2u)),
 *     u = sqrt(2/pi) (x + 0.044715 x^3),
 *   silu(x) = x / (1 + exp(-x)),
 * so one vector exp (vecmath_avx2.c) serves both and there is no
 * cancellation in 1 + tanh(u) for very negative x.  swiglu_avx2.c and the
 * fused epilogue of linear_avx2.c call the same rt_avx2_logistic_act, so
 * their activations are these kernels' bits.
 */
#include <immintrin.h>

#ifndef RT_API
#define RT_API static inline
#endif

typedef struct {
  float *out;
  const float *x;
  long n;
  int gelu;   /* 1: gelu_tanh, 0: silu */
} RtAvx2Unary;

/* x / (1 + exp(-k(x))) on eight lanes: k = 2u for gelu_tanh, x for silu. */
RT_AVX2_FN static inline __m256 rt_avx2_logistic_act(__m256 x, int gelu) {
  __m256 t = x;
  if (gelu) {
    __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
    t = _mm256_mul_ps(_mm256_set1_ps(2.0f * 0.79788456080286536f),
                      _mm256_fmadd_ps(x3, _mm256_set1_ps(0.044715f), x));
  }
  __m256 e = rt_avx2_exp(_mm256_sub_ps(_mm256_setzero_ps(), t));
  return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/* RtTask: elements of part `part` of `parts` (whole vectors, the tail last). */
RT_AVX2_FN static void rt_avx2_unary_task(void *ctx, int part, int parts) {
  const RtAvx2Unary *u = ctx;
  long vecs = (u->n + 7) / 8, v0 = vecs * part / parts, v1 = vecs * (part + 1) / parts;
  long i = v0 * 8, end = v1 * 8 < u->n ? v1 * 8 : u->n;
  for (; i + 8 <= end; i += 8)   /* plain loads and stores: masked ones are slow on AMD */
    _mm256_storeu_ps(u->out + i, rt_avx2_logistic_act(_mm256_loadu_ps(u->x + i), u->gelu));
  if (i < end) {
    __m256i m = rt_avx2_lanes(end - i);
    __m256 y = rt_avx2_logistic_act(_mm256_maskload_ps(u->x + i, m), u->gelu);
    _mm256_maskstore_ps(u->out + i, m, y);
  }
}

static inline void rt_avx2_unary(float *out, const float *x, long n, int gelu) {
  RtAvx2Unary u = {out, x, n, gelu};
  if (n < 16384)
    rt_avx2_unary_task(&u, 0, 1);   /* a decode step: not worth waking threads */
  else
    rt_parallel(rt_avx2_unary_task, &u);
}

RT_API void rt_gelu_tanh_avx2(float *out, const float *x, long n) { rt_avx2_unary(out, x, n, 1); }
RT_API void rt_silu_avx2(float *out, const float *x, long n) { rt_avx2_unary(out, x, n, 0); }
