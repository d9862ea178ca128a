/*
 * swiglu_avx2.c — SwiGLU on a fused gate/up output (passes/fuse_swiglu.c),
 * eight at a time with AVX2 + FMA, on the model's thread pool.  Same
 * arguments as the portable rt_swiglu (runtime/generic/elementwise.c):
 * gu (rows, 2f), gate first, -> out (rows, f) = silu(gate) * up.  One pass
 * reads each row of gu once; silu is elementwise_avx2.c's logistic, so the
 * result is what rt_silu_avx2 followed by rt_mul gave, bit for bit.
 *
 * The work is cut into units of 8 outputs of one row (the last unit of a row
 * may be shorter) and each part of the pool takes a run of units: a prefill
 * splits over rows, a wide decode row over its vectors.  Below 16384 outputs
 * (a decode step) it runs on the calling thread, as rt_avx2_unary does.
 */
#include <immintrin.h>

#ifndef RT_API
#define RT_API static inline
#endif

typedef struct {
  float *out;
  const float *gu;
  long rows;
  int f;
} RtAvx2Swiglu;

/* Vectors v0..v1 (of 8 outputs; the last may be partial) of row r. */
RT_AVX2_FN static void rt_avx2_swiglu_row(const RtAvx2Swiglu *s, long r, long v0, long v1) {
  const float *g = s->gu + r * 2 * s->f, *u = g + s->f;
  float *o = s->out + r * s->f;
  long j = v0 * 8, end = v1 * 8 < s->f ? v1 * 8 : s->f;
  for (; j + 8 <= end; j += 8) {   /* plain loads and stores: masked ones are slow on AMD */
    __m256 y = rt_avx2_logistic_act(_mm256_loadu_ps(g + j), 0);
    _mm256_storeu_ps(o + j, _mm256_mul_ps(y, _mm256_loadu_ps(u + j)));
  }
  if (j < end) {
    __m256i m = rt_avx2_lanes(end - j);
    __m256 y = rt_avx2_logistic_act(_mm256_maskload_ps(g + j, m), 0);
    _mm256_maskstore_ps(o + j, m, _mm256_mul_ps(y, _mm256_maskload_ps(u + j, m)));
  }
}

/* RtTask: units [total*part/parts, total*(part+1)/parts), row by row. */
RT_AVX2_FN static void rt_avx2_swiglu_task(void *ctx, int part, int parts) {
  const RtAvx2Swiglu *s = ctx;
  long per_row = (s->f + 7) / 8, total = s->rows * per_row;
  long u = total * part / parts, u1 = total * (part + 1) / parts;
  while (u < u1) {
    long r = u / per_row, v = u % per_row, v1 = per_row < v + (u1 - u) ? per_row : v + (u1 - u);
    rt_avx2_swiglu_row(s, r, v, v1);
    u += v1 - v;
  }
}

RT_API void rt_swiglu_avx2(float *out, const float *gu, long rows, int f) {
  RtAvx2Swiglu s = {out, gu, rows, f};
  if (rows * f < 16384)
    rt_avx2_swiglu_task(&s, 0, 1);   /* a decode step: not worth waking threads */
  else
    rt_parallel(rt_avx2_swiglu_task, &s);
}
