/*
 * attention.c — portable rotary embeddings and multi-head attention over a
 * KV cache.  A call handles n new tokens at absolute positions pos0..pos0+n-1
 * (pos0 = tokens already in the cache), so one call over a prompt and n calls
 * of one token compute the same numbers.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* The rotation table of rt_rope: for position p < max_seq and pair i <
 * head_dim/2, table[(p*half + i)*2] = cos(p * theta^(-2i/head_dim)) and the
 * next float its sine, computed in double once (NAME_open), not per token. */
RT_API void rt_rope_table(float *table, int max_seq, int head_dim, float theta) {
  int half = head_dim / 2;
  for (int p = 0; p < max_seq; p++)
    for (int i = 0; i < half; i++) {
      double angle = p * pow(theta, -2.0 * i / head_dim);
      table[((size_t)p * half + i) * 2] = (float)cos(angle);
      table[((size_t)p * half + i) * 2 + 1] = (float)sin(angle);
    }
}

/* Rotary position embedding of x (rows, heads*head_dim); row t sits at
 * position pos0+t and turns pair i by the angle in table (rt_rope_table).
 * The pair is (i, i+head_dim/2) in Hugging Face's rotate_half layout,
 * (2i, 2i+1) when interleaved (llama2.c). */
RT_API void rt_rope(float *out, const float *x, int rows, int heads, int head_dim, int pos0,
                    const float *table, int interleaved) {
  int half = head_dim / 2, width = heads * head_dim;
  for (int t = 0; t < rows; t++) {
    const float *cs = table + (size_t)(pos0 + t) * half * 2;
    for (int h = 0; h < heads; h++) {
      size_t base = (size_t)t * width + (size_t)h * head_dim;
      for (int i = 0; i < half; i++) {
        int a = interleaved ? 2 * i : i, b = interleaved ? 2 * i + 1 : i + half;
        float x0 = x[base + a], x1 = x[base + b], c = cs[2 * i], s = cs[2 * i + 1];
        out[base + a] = x0 * c - x1 * s;
        out[base + b] = x1 * c + x0 * s;
      }
    }
  }
}

/* Keys a query at position i may see: [*lo, *hi].  Causal: none after i;
 * a window w > 0: none at or before i - w (either way, as the interpreter). */
RT_API void rt_attention_span(int i, int last, int causal, int window, int *lo, int *hi) {
  *hi = causal ? i : last;
  *lo = window > 0 && i - window + 1 > 0 ? i - window + 1 : 0;
}

/* One head of one query row: out (hd,) = softmax(q . K[lo..hi] * scale) V[lo..hi].
 * restrict: out, q and att never overlap the caches, so the compiler may keep
 * q and the running out in registers (a third faster on small heads). */
RT_API void rt_attention_head(float *restrict out, const float *restrict q,
                              const float *restrict k_cache, const float *restrict v_cache,
                              float *restrict att, int lo, int hi, int kv_width, int head_dim,
                              float scale) {
  float max = -INFINITY;
  for (int j = lo; j <= hi; j++) {
    const float *kj = k_cache + (size_t)j * kv_width;
    float dot = 0.0f;
    for (int i = 0; i < head_dim; i++) dot += q[i] * kj[i];
    att[j] = dot *= scale;
    max = dot > max ? dot : max;
  }
  float sum = 0.0f;
  for (int j = lo; j <= hi; j++) sum += att[j] = expf(att[j] - max);
  float inv = 1.0f / sum;
  for (int i = 0; i < head_dim; i++) out[i] = 0.0f;
  for (int j = lo; j <= hi; j++) {
    const float *vj = v_cache + (size_t)j * kv_width;
    float p = att[j] * inv;
    for (int i = 0; i < head_dim; i++) out[i] += p * vj[i];
  }
}

/* Appends this call's n key and value rows (kv_width floats each) to the
 * caches at positions pos0 .. pos0+n-1. */
static inline void rt_kv_append(float *k_cache, float *v_cache, const float *k, const float *v,
                                int pos0, int n, int kv_width) {
  memcpy(k_cache + (size_t)pos0 * kv_width, k, sizeof(float) * (size_t)n * kv_width);
  memcpy(v_cache + (size_t)pos0 * kv_width, v, sizeof(float) * (size_t)n * kv_width);
}

/* q (n, heads*hd), k, v (n, kv_heads*hd) -> out (n, heads*hd).  The n new
 * key/value rows are appended to the caches (max_seq, kv_heads*hd) at pos0;
 * query head h reads kv head h / (heads/kv_heads) (grouped-query attention).
 * att is scratch of max_seq floats. */
RT_API void rt_attention(float *out, const float *q, const float *k, const float *v, float *k_cache,
                         float *v_cache, float *att, int n, int pos0, int heads, int kv_heads,
                         int head_dim, float scale, int causal, int window) {
  int kv_width = kv_heads * head_dim, q_width = heads * head_dim, group = heads / kv_heads;
  rt_kv_append(k_cache, v_cache, k, v, pos0, n, kv_width);
  for (int t = 0; t < n; t++) {
    int lo, hi;
    rt_attention_span(pos0 + t, pos0 + n - 1, causal, window, &lo, &hi);
    for (int h = 0; h < heads; h++) {
      size_t qo = (size_t)t * q_width + (size_t)h * head_dim;
      size_t ko = (size_t)(h / group) * head_dim;
      rt_attention_head(out + qo, q + qo, k_cache + ko, v_cache + ko, att, lo, hi, kv_width,
                        head_dim, scale);
    }
  }
}
