/*
 * flash_attention_avx2.c — causal, grouped-query attention over the KV cache
 * with AVX2 + FMA, threaded, flash-style: keys are visited in blocks and the
 * softmax is accumulated online (running max m, running sum l, the output
 * rescaled when m grows), so no score row is stored whole and each thread
 * needs only a block of scratch on its stack.  Same arguments and semantics
 * as the portable rt_attention (runtime/generic/attention.c: span, window,
 * GQA head mapping, cache append); the shared att scratch is not used, which
 * is what lets the (query row, head) pairs run on the model's thread pool.
 * (x86/attention_avx2.c is the single-threaded variant tuned for the tiny
 * heads of one-token decode.)  Head sizes above RT_FLASH_MAX_HD fall back to
 * the portable kernel.
 *
 * Reference: Dao et al., "FlashAttention", NeurIPS 2022, Algorithm 1 (online
 * softmax); Milakov & Gimelshein, "Online normalizer calculation for softmax",
 * arXiv:1805.02867, 2018.
 */
// rt-needs: threads.c
// rt-needs: x86/vecmath_avx2.c
// rt-needs: generic/attention.c
// rt-cpu: avx2
// rt-cpu: fma
#include <immintrin.h>
#include <math.h>
#include <string.h>

#ifndef RT_API
#define RT_API static inline
#endif

#define RT_FLASH_BLOCK 64     /* keys per online-softmax step */
#define RT_FLASH_MAX_HD 256   /* head sizes the vector path takes */

typedef struct {
  float *out;
  const float *q, *k_cache, *v_cache;
  int n, pos0, heads, kv_heads, head_dim, causal, window;
  float scale;
} RtFlashAttention;

/* q . k over hd floats (8 at a time, only the tail masked: masked loads and
 * stores are slow on AMD). */
RT_AVX2_FN static inline float rt_flash_dot(const float *q, const float *k, int hd) {
  __m256 acc = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= hd; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(k + i), acc);
  if (i < hd) {
    __m256i m = rt_avx2_lanes(hd - i);
    acc = _mm256_fmadd_ps(_mm256_maskload_ps(q + i, m), _mm256_maskload_ps(k + i, m), acc);
  }
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

/* acc[0..hd] = acc * c + p * v (p = 0 with v = acc: the rescale alone). */
RT_AVX2_FN static inline void rt_flash_axpby(float *acc, float c, float p, const float *v, int hd) {
  __m256 cv = _mm256_set1_ps(c), pv = _mm256_set1_ps(p);
  int i = 0;
  for (; i + 8 <= hd; i += 8) {
    __m256 a = _mm256_mul_ps(_mm256_loadu_ps(acc + i), cv);
    _mm256_storeu_ps(acc + i, _mm256_fmadd_ps(pv, _mm256_loadu_ps(v + i), a));
  }
  if (i < hd) {
    __m256i m = rt_avx2_lanes(hd - i);
    __m256 a = _mm256_mul_ps(_mm256_maskload_ps(acc + i, m), cv);
    _mm256_maskstore_ps(acc + i, m, _mm256_fmadd_ps(pv, _mm256_maskload_ps(v + i, m), a));
  }
}

/* One query row of one head: out = softmax(q K[lo..hi]^T * scale) V[lo..hi]. */
RT_AVX2_FN static void rt_flash_row(float *out, const float *q, const float *kc, const float *vc,
                                    int lo, int hi, int kv_width, int hd, float scale) {
  float acc[RT_FLASH_MAX_HD] = {0}, s[RT_FLASH_BLOCK] = {0};
  float m = -INFINITY, l = 0.0f;
  for (int j0 = lo; j0 <= hi; j0 += RT_FLASH_BLOCK) {
    int nb = hi + 1 - j0 < RT_FLASH_BLOCK ? hi + 1 - j0 : RT_FLASH_BLOCK;
    float bm = -INFINITY;
    for (int j = 0; j < nb; j++) {
      s[j] = rt_flash_dot(q, kc + (size_t)(j0 + j) * kv_width, hd) * scale;
      bm = s[j] > bm ? s[j] : bm;
    }
    if (bm > m) {   /* a new maximum: rescale what was summed so far */
      float c = m == -INFINITY ? 0.0f : expf(m - bm);
      l *= c;
      rt_flash_axpby(acc, c, 0.0f, acc, hd);
      m = bm;
    }
    for (int j = 0; j < nb; j += 8)   /* p = exp(s - m), eight at a time (s has room) */
      _mm256_storeu_ps(s + j, rt_avx2_exp(_mm256_sub_ps(_mm256_loadu_ps(s + j), _mm256_set1_ps(m))));
    for (int j = 0; j < nb; j++) {
      l += s[j];
      rt_flash_axpby(acc, 1.0f, s[j], vc + (size_t)(j0 + j) * kv_width, hd);
    }
  }
  float inv = l > 0.0f ? 1.0f / l : 0.0f;
  for (int i = 0; i < hd; i++) out[i] = acc[i] * inv;
}

/* RtTask: the (row, head) pairs of part `part`. */
RT_AVX2_FN static void rt_flash_task(void *ctx, int part, int parts) {
  const RtFlashAttention *a = ctx;
  int kv_width = a->kv_heads * a->head_dim, q_width = a->heads * a->head_dim;
  int group = a->heads / a->kv_heads;
  long units = (long)a->n * a->heads, u0 = units * part / parts, u1 = units * (part + 1) / parts;
  for (long u = u0; u < u1; u++) {
    int t = (int)(u / a->heads), h = (int)(u % a->heads), lo, hi;
    rt_attention_span(a->pos0 + t, a->pos0 + a->n - 1, a->causal, a->window, &lo, &hi);
    size_t qo = (size_t)t * q_width + (size_t)h * a->head_dim;
    size_t ko = (size_t)(h / group) * a->head_dim;
    rt_flash_row(a->out + qo, a->q + qo, a->k_cache + ko, a->v_cache + ko, lo, hi, kv_width,
                 a->head_dim, a->scale);
  }
}

RT_API void rt_flash_attention_avx2(float *out, const float *q, const float *k, const float *v,
                                    float *k_cache, float *v_cache, float *att, int n, int pos0,
                                    int heads, int kv_heads, int head_dim, float scale, int causal,
                                    int window) {
  if (head_dim > RT_FLASH_MAX_HD) {
    rt_attention(out, q, k, v, k_cache, v_cache, att, n, pos0, heads, kv_heads, head_dim, scale,
                 causal, window);
    return;
  }
  int kv_width = kv_heads * head_dim;
  rt_kv_append(k_cache, v_cache, k, v, pos0, n, kv_width);
  RtFlashAttention a = {out, q, k_cache, v_cache, n, pos0, heads, kv_heads, head_dim, causal,
                        window, scale};
  rt_parallel(rt_flash_task, &a);
}
