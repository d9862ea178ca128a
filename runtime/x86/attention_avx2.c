/*
 * attention_avx2.c — multi-head attention over the KV cache with AVX2 + FMA,
 * for the small heads of decode steps (stories260K: head_dim 8).
 *
 * Same contract and arguments as rt_attention (generic/attention.c).  Per
 * query row and head, with head_dim a multiple of 8:
 *   - scores: eight keys at a time.  Complete blocks of 8 positions of the K
 *     cache are kept transposed (below), so their scores are head_dim FMAs
 *     with the query broadcast; the rows of the last, incomplete block take
 *     one FMA chain per key and an 8x8 transpose-add (hadd tree);
 *   - softmax: max, then exp in eight lanes (rt_avx2_exp, vecmath_avx2.c), sum;
 *   - out = (sum_j p_j v_j) / sum, head_dim/8 accumulators per pass over V.
 * The sums are the generic kernel's in another order (exact up to rounding;
 * tests/families/attention_avx2_test.c bounds the difference).  Other head
 * sizes use the portable rt_attention.  Like linear_avx2.c, functions
 * carry target attributes so model.c builds with plain `cc -O2`.
 */
#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#ifndef RT_API
#define RT_API static inline
#endif

#define RT_ATT_AVX2 __attribute__((target("avx2,fma")))

/* Horizontal sums of eight vectors: lane i of the result = sum of v[i]. */
RT_ATT_AVX2 static inline __m256 rt_att_hsum8(const __m256 v[8]) {
  __m256 a = _mm256_hadd_ps(v[0], v[1]), b = _mm256_hadd_ps(v[2], v[3]);
  __m256 c = _mm256_hadd_ps(v[4], v[5]), d = _mm256_hadd_ps(v[6], v[7]);
  __m256 ab = _mm256_hadd_ps(a, b), cd = _mm256_hadd_ps(c, d);
  return _mm256_add_ps(_mm256_permute2f128_ps(ab, cd, 0x20), _mm256_permute2f128_ps(ab, cd, 0x31));
}

RT_ATT_AVX2 static inline float rt_att_hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/* The K cache is this kernel's own: rows [pos][kv_head][hd] as the portable
 * kernel writes them, except that each complete block of 8 positions is
 * stored transposed, [kv_head][hd][8 positions], from the moment its last
 * row is appended.  Eight scores of a block are then hd FMAs with the query
 * broadcast, with no horizontal sums.  Blocks are only ever complete below
 * the last position written, so the transposed data stays inside the cache;
 * NAME_reset needs nothing (rows are rewritten before their block completes). */
#define RT_ATT_TILE 8
#define RT_ATT_TILE_MAX_WIDTH 512   /* kv_width up to which K blocks are transposed */

/* Transposes the block of 8 rows (8, kv_width) at block into (kv_width, 8). */
RT_ATT_AVX2 static void rt_att_tile_block(float *block, int kv_width) {
  float rows[RT_ATT_TILE * RT_ATT_TILE_MAX_WIDTH];
  memcpy(rows, block, sizeof(float) * RT_ATT_TILE * (size_t)kv_width);
  for (int u = 0; u < RT_ATT_TILE; u++)
    for (int c = 0; c < kv_width; c++) block[c * RT_ATT_TILE + u] = rows[u * kv_width + c];
}

/* Where the keys of one kv head live: tiles below tiled_end, rows from there. */
typedef struct {
  const float *cache;  /* k_cache */
  int kv_width, head_dim, head;   /* head: the kv head */
  int tiled_end;       /* positions below this are in transposed blocks */
} RtAttKeys;

/* Eight scores of the transposed block starting at position j. */
RT_ATT_AVX2 static inline __m256 rt_att_tile_scores(const RtAttKeys *K, const float *q, int j) {
  const float *t =
      K->cache + (size_t)j * K->kv_width + (size_t)K->head * K->head_dim * RT_ATT_TILE;
  __m256 a = _mm256_mul_ps(_mm256_broadcast_ss(q), _mm256_loadu_ps(t));
  __m256 b = _mm256_mul_ps(_mm256_broadcast_ss(q + 1), _mm256_loadu_ps(t + RT_ATT_TILE));
  for (int i = 2; i < K->head_dim; i += 2) {
    a = _mm256_fmadd_ps(_mm256_broadcast_ss(q + i), _mm256_loadu_ps(t + i * RT_ATT_TILE), a);
    b = _mm256_fmadd_ps(_mm256_broadcast_ss(q + i + 1),
                        _mm256_loadu_ps(t + (i + 1) * RT_ATT_TILE), b);
  }
  return _mm256_add_ps(a, b);
}

/* Eight scores of the rows j..j+7 (8-key hadd tree). */
RT_ATT_AVX2 static inline __m256 rt_att_row_scores(const RtAttKeys *K, const float *q, int j) {
  const float *k = K->cache + (size_t)j * K->kv_width + (size_t)K->head * K->head_dim;
  __m256 acc[8];
  for (int u = 0; u < 8; u++) {
    const float *kj = k + (size_t)u * K->kv_width;
    acc[u] = _mm256_mul_ps(_mm256_loadu_ps(q), _mm256_loadu_ps(kj));
    for (int i = 8; i < K->head_dim; i += 8)
      acc[u] = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(kj + i), acc[u]);
  }
  return rt_att_hsum8(acc);
}

/* The score of key j alone, in either layout. */
RT_ATT_AVX2 static float rt_att_key_score(const RtAttKeys *K, const float *q, int j) {
  int hd = K->head_dim;
  if (j < K->tiled_end) {
    const float *t = K->cache + (size_t)(j - j % RT_ATT_TILE) * K->kv_width +
                     (size_t)K->head * hd * RT_ATT_TILE + j % RT_ATT_TILE;
    float dot = 0.0f;
    for (int i = 0; i < hd; i++) dot += q[i] * t[i * RT_ATT_TILE];
    return dot;
  }
  const float *kj = K->cache + (size_t)j * K->kv_width + (size_t)K->head * hd;
  __m256 acc = _mm256_mul_ps(_mm256_loadu_ps(q), _mm256_loadu_ps(kj));
  for (int i = 8; i < hd; i += 8)
    acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(kj + i), acc);
  return rt_att_hsum(acc);
}

/* att[lo..hi] = (q . k_j) * scale, eight keys at a time where a block lies
 * inside the span; returns the largest. */
RT_ATT_AVX2 static float rt_att_scores(float *att, const float *q, const RtAttKeys *K, int lo,
                                       int hi, float scale) {
  __m256 vmax = _mm256_set1_ps(-INFINITY), vs = _mm256_set1_ps(scale);
  float max = -INFINITY, lanes[8];
  for (int j = lo; j <= hi;) {
    int tile = j % RT_ATT_TILE == 0 && j + RT_ATT_TILE <= K->tiled_end;
    if (j + 8 <= hi + 1 && (tile || j >= K->tiled_end)) {
      __m256 s = tile ? rt_att_tile_scores(K, q, j) : rt_att_row_scores(K, q, j);
      s = _mm256_mul_ps(s, vs);
      _mm256_storeu_ps(att + j, s);
      vmax = _mm256_max_ps(vmax, s);
      j += 8;
    } else {
      att[j] = rt_att_key_score(K, q, j) * scale;
      max = att[j] > max ? att[j] : max;
      j++;
    }
  }
  _mm256_storeu_ps(lanes, vmax);
  for (int u = 0; u < 8; u++) max = lanes[u] > max ? lanes[u] : max;
  return max;
}

/* att[lo..hi] = exp(att - max); returns their sum. */
RT_ATT_AVX2 static float rt_att_exp(float *att, int lo, int hi, float max) {
  __m256 vm = _mm256_set1_ps(max), sum = _mm256_setzero_ps();
  int j = lo;
  for (; j + 8 <= hi + 1; j += 8) {
    __m256 e = rt_avx2_exp(_mm256_sub_ps(_mm256_loadu_ps(att + j), vm));
    _mm256_storeu_ps(att + j, e);
    sum = _mm256_add_ps(sum, e);
  }
  float total = rt_att_hsum(sum);
  if (j <= hi) {   /* the last 1..7 keys, through a zero-padded block */
    float tail[8] = {0};
    int n = hi + 1 - j;
    memcpy(tail, att + j, sizeof(float) * (size_t)n);
    _mm256_storeu_ps(tail, rt_avx2_exp(_mm256_sub_ps(_mm256_loadu_ps(tail), vm)));
    memcpy(att + j, tail, sizeof(float) * (size_t)n);
    for (int u = 0; u < n; u++) total += tail[u];
  }
  return total;
}

/* out (hd,) = sum_j att[j] v_j * inv, eight columns of the head at a time.
 * Four accumulators, four keys apart: one chain would wait on the FMA
 * latency at every key (a decode step's span is one key per position). */
RT_ATT_AVX2 static void rt_att_values(float *out, const float *att, const float *v_cache, int lo,
                                      int hi, int kv_width, int head_dim, float inv) {
#define RT_ATT_V(acc, j)                                                                    \
  acc = _mm256_fmadd_ps(_mm256_set1_ps(att[j]),                                             \
                        _mm256_loadu_ps(v_cache + (size_t)(j) * kv_width + i), acc)
  for (int i = 0; i < head_dim; i += 8) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    int j = lo;
    for (; j + 3 <= hi; j += 4) {
      RT_ATT_V(acc0, j);
      RT_ATT_V(acc1, j + 1);
      RT_ATT_V(acc2, j + 2);
      RT_ATT_V(acc3, j + 3);
    }
    for (; j <= hi; j++) RT_ATT_V(acc0, j);
    __m256 sum = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(sum, _mm256_set1_ps(inv)));
  }
#undef RT_ATT_V
}

/* rt_attention with AVX2 heads: q (n, heads*hd), k, v (n, kv_heads*hd) -> out. */
RT_ATT_AVX2 RT_API void rt_attention_avx2(float *out, const float *q, const float *k,
                                          const float *v, float *k_cache, float *v_cache,
                                          float *att, int n, int pos0, int heads, int kv_heads,
                                          int head_dim, float scale, int causal, int window) {
  if (head_dim % 8) {
    rt_attention(out, q, k, v, k_cache, v_cache, att, n, pos0, heads, kv_heads, head_dim, scale,
                 causal, window);
    return;
  }
  int kv_width = kv_heads * head_dim, q_width = heads * head_dim, group = heads / kv_heads;
  int end = pos0 + n, tiled = kv_width <= RT_ATT_TILE_MAX_WIDTH;
  rt_kv_append(k_cache, v_cache, k, v, pos0, n, kv_width);
  for (int b = pos0 / RT_ATT_TILE * RT_ATT_TILE; tiled && b + RT_ATT_TILE <= end; b += RT_ATT_TILE)
    rt_att_tile_block(k_cache + (size_t)b * kv_width, kv_width);   /* blocks completed now */
  RtAttKeys K = {k_cache, kv_width, head_dim, 0, tiled ? end / RT_ATT_TILE * RT_ATT_TILE : 0};
  for (int t = 0; t < n; t++) {
    int lo, hi;
    rt_attention_span(pos0 + t, pos0 + n - 1, causal, window, &lo, &hi);
    for (int h = 0; h < heads; h++) {
      size_t qo = (size_t)t * q_width + (size_t)h * head_dim;
      size_t ko = (size_t)(h / group) * head_dim;
      K.head = h / group;
      float max = rt_att_scores(att, q + qo, &K, lo, hi, scale);
      float sum = rt_att_exp(att, lo, hi, max);
      rt_att_values(out + qo, att, v_cache + ko, lo, hi, kv_width, head_dim, 1.0f / sum);
    }
  }
}
