/*
 * flash_attention_avx2.c — causal, grouped-query attention over the KV cache
 * with AVX2 + FMA, threaded, flash-style: keys are visited in blocks and the
 * softmax is accumulated online (running max m, running sum l, the output
 * rescaled when m grows), so no score row is stored whole and each thread
 * needs only a few blocks of scratch on its stack.  Same arguments and
 * semantics as the portable rt_attention (runtime/generic/attention.c: span,
 * window, GQA head mapping, cache append); the shared att scratch is not
 * used, which is what lets the work run on the model's thread pool.
 *
 * A prefill takes its queries eight at a time, one per float lane: the query
 * vectors (row t, head h) that read the same kv head, in order, so a block is
 * eight rows of one head, or rows times heads of one GQA group.  Every K and
 * V float loaded is then used by several queries in registers, in two
 * register tiles of eight accumulators:
 *   scores  S^T[j][lane] = sum_i Q^T[i][lane] k_j[i]    (rt_flash_score_tile,
 *           8 keys x 8 queries: Q^T, the block's queries transposed and
 *           scaled once, times k_j[i] broadcast);
 *   output  O[lane][c..c+15] += sum_j P^T[j][lane] v_j[c..c+15]
 *           (rt_flash_value_tile, 4 queries x 16 columns: the weight
 *           broadcast once for two vectors of v_j).
 * The online softmax runs down the lanes, with no horizontal sums
 * (FlashAttention-2's loop order: a block of queries against all its keys,
 * the output rescaled once per block of 64 keys).  Keys outside a query's
 * span (causal, window) get weight 0 in the tiles that cross a span's edge;
 * keys outside every lane's span are never visited.  A block with one query
 * (a decode step without GQA) takes the one-row path, which spends no work
 * on empty lanes.  Units of work are (kv head, query block); the blocks of a
 * head are taken first, last, second, second to last, ..., so the pool's
 * contiguous parts get equal causal work and a thread stays on one head's
 * K and V.  (x86/attention_avx2.c is the single-threaded variant tuned for
 * the tiny heads of one-token decode.)  Head sizes above RT_FLASH_MAX_HD
 * fall back to the portable kernel.
 *
 * Reference: Dao et al., "FlashAttention", NeurIPS 2022, Algorithm 1 (online
 * softmax); Dao, "FlashAttention-2", ICLR 2024, section 3.1 (query blocks in
 * the outer loop); Milakov & Gimelshein, "Online normalizer calculation for
 * softmax", arXiv:1805.02867, 2018.
 */
#include <float.h>
#include <immintrin.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#ifndef RT_API
#define RT_API static inline
#endif

#define RT_FLASH_BLOCK 64     /* keys per online-softmax step (a multiple of 8) */
#define RT_FLASH_MAX_HD 256   /* head sizes the vector path takes */
#define RT_FLASH_LANES 8      /* queries per block: one per float lane */
#define RT_FLASH_MIN_LANES 2  /* fewer take the one-row path (GPT-2 small's heads:
                               * 2 rows cost the same either way, 3 take 2/3) */

typedef struct {
  float *out;
  const float *q, *k_cache, *v_cache;
  int n, pos0, heads, kv_heads, head_dim, causal, window;
  float scale;
  int group;    /* query heads per kv head */
  int blocks;   /* query blocks per kv head: ceil(n * group / 8) */
} RtFlashAttention;

/* ---- one query row (decode) ---- */

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

/* ---- eight queries at once (prefill) ---- */

/* A block of queries that share a kv head, lane by lane.  Lanes past `used`
 * repeat the last query: they compute what it computes and are not stored. */
typedef struct {
  const float *q[RT_FLASH_LANES];
  float *out[RT_FLASH_LANES];
  int lo[RT_FLASH_LANES], hi[RT_FLASH_LANES];   /* each query's span of keys */
  int used;
  int first, last;          /* keys any lane sees: min lo, max hi */
  int all_from, all_to;     /* keys every lane sees: max lo, min hi */
} RtFlashLanes;

/* Q^T, scaled: qt[8 i + u] = q_u[i] * scale, eight floats of each query at
 * a time through an 8x8 transpose. */
RT_AVX2_FN static void rt_flash_qt(float *qt, const RtFlashLanes *L, int hd, float scale) {
  int i = 0;
  for (; i + 8 <= hd; i += 8) {
    __m256 r[8];
    for (int u = 0; u < 8; u++) r[u] = _mm256_loadu_ps(L->q[u] + i);
    rt_avx2_transpose8(r);
    for (int c = 0; c < 8; c++) _mm256_storeu_ps(qt + 8 * (i + c), _mm256_mul_ps(r[c], _mm256_set1_ps(scale)));
  }
  for (; i < hd; i++)
    for (int u = 0; u < 8; u++) qt[8 * i + u] = L->q[u][i] * scale;
}

/* Scores of 8 keys (rows k[u], the head's floats) for the 8 queries:
 * st[8 u + lane] = sum_i qt[8 i + lane] k[u][i], the query vector times the
 * key float broadcast.  Eight named accumulators, not an array: at -O2 an
 * array would live in memory. */
RT_AVX2_FN static inline void rt_flash_score_tile(float *st, const float *qt, const float *const k[8],
                                                  int hd) {
  __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  const float *k0 = k[0], *k1 = k[1], *k2 = k[2], *k3 = k[3];
  const float *k4 = k[4], *k5 = k[5], *k6 = k[6], *k7 = k[7];
  for (int i = 0; i < hd; i++) {
    __m256 q = _mm256_loadu_ps(qt + 8 * i);
    c0 = _mm256_fmadd_ps(q, _mm256_broadcast_ss(k0 + i), c0);
    c1 = _mm256_fmadd_ps(q, _mm256_broadcast_ss(k1 + i), c1);
    c2 = _mm256_fmadd_ps(q, _mm256_broadcast_ss(k2 + i), c2);
    c3 = _mm256_fmadd_ps(q, _mm256_broadcast_ss(k3 + i), c3);
    c4 = _mm256_fmadd_ps(q, _mm256_broadcast_ss(k4 + i), c4);
    c5 = _mm256_fmadd_ps(q, _mm256_broadcast_ss(k5 + i), c5);
    c6 = _mm256_fmadd_ps(q, _mm256_broadcast_ss(k6 + i), c6);
    c7 = _mm256_fmadd_ps(q, _mm256_broadcast_ss(k7 + i), c7);
  }
  _mm256_storeu_ps(st, c0), _mm256_storeu_ps(st + 8, c1);
  _mm256_storeu_ps(st + 16, c2), _mm256_storeu_ps(st + 24, c3);
  _mm256_storeu_ps(st + 32, c4), _mm256_storeu_ps(st + 40, c5);
  _mm256_storeu_ps(st + 48, c6), _mm256_storeu_ps(st + 56, c7);
}

/* Scores of the keys j0 .. j0+nb-1 (k: the kv head's first key) into st
 * (8 floats per key, -inf where a key is outside a lane's span).  A tile
 * past the last key reads the last key again; those scores are masked. */
RT_AVX2_FN static void rt_flash_scores(float *st, const float *qt, const RtFlashLanes *L,
                                       const float *k, int j0, int nb, int kv_width, int hd) {
  __m256i lo = _mm256_loadu_si256((const __m256i *)L->lo);
  __m256i hi = _mm256_loadu_si256((const __m256i *)L->hi);
  for (int j = j0; j < j0 + nb; j += 8) {
    const float *rows[8];
    float *tile = st + 8 * (size_t)(j - j0);
    for (int u = 0; u < 8; u++) rows[u] = k + (size_t)(j + u <= L->last ? j + u : L->last) * kv_width;
    rt_flash_score_tile(tile, qt, rows, hd);
    if (j >= L->all_from && j + 7 <= L->all_to) continue;   /* inside every span */
    for (int u = 0; u < 8; u++) {
      __m256i ju = _mm256_set1_epi32(j + u);
      __m256i out = _mm256_or_si256(_mm256_cmpgt_epi32(lo, ju), _mm256_cmpgt_epi32(ju, hi));
      __m256 s = _mm256_blendv_ps(_mm256_loadu_ps(tile + 8 * u), _mm256_set1_ps(-INFINITY),
                                  _mm256_castsi256_ps(out));
      _mm256_storeu_ps(tile + 8 * u, s);
    }
  }
}

/* The online-softmax step of one block, per lane: m grows to the block's
 * maximum, st's scores become p = exp(s - m) (0 where masked), l = l c +
 * sum p, and the return value is c = exp(m_old - m_new), the factor for the
 * output summed so far.  m starts at -FLT_MAX, not -inf, so m_old - m_new is
 * never inf - inf, even in a lane that has seen only masked keys. */
RT_AVX2_FN static __m256 rt_flash_softmax(float *st, int nb, __m256 *m, __m256 *l) {
  __m256 bm = *m, sum = _mm256_setzero_ps(), ninf = _mm256_set1_ps(-INFINITY);
  for (int j = 0; j < nb; j++) bm = _mm256_max_ps(bm, _mm256_loadu_ps(st + 8 * j));
  for (int j = 0; j < nb; j++) {
    __m256 s = _mm256_loadu_ps(st + 8 * j);
    __m256 p = _mm256_andnot_ps(_mm256_cmp_ps(s, ninf, _CMP_EQ_OQ), rt_avx2_exp(_mm256_sub_ps(s, bm)));
    _mm256_storeu_ps(st + 8 * j, p);
    sum = _mm256_add_ps(sum, p);
  }
  __m256 c = rt_avx2_exp(_mm256_sub_ps(*m, bm));
  *l = _mm256_fmadd_ps(*l, c, sum);
  *m = bm;
  return c;
}

/* Sixteen output columns of four queries: o + u*ld holds query u's (u < 4),
 * and becomes o c_u + sum_j pt[8 j + u] v_j, each weight broadcast once for
 * two vectors of value row j (v: the first row, rows kv_width apart; a last,
 * partial group of the head loads only `cols` floats, the others as 0). */
RT_AVX2_FN static inline void rt_flash_value_tile(float *o, size_t ld, const float *c,
                                                  const float *pt, const float *v, int nb,
                                                  size_t kv_width, int cols) {
#define RT_FLASH_O(u, h) \
  _mm256_mul_ps(_mm256_loadu_ps(o + (u) * ld + 8 * (h)), _mm256_broadcast_ss(c + (u)))
  __m256 a0 = RT_FLASH_O(0, 0), b0 = RT_FLASH_O(0, 1), a1 = RT_FLASH_O(1, 0), b1 = RT_FLASH_O(1, 1);
  __m256 a2 = RT_FLASH_O(2, 0), b2 = RT_FLASH_O(2, 1), a3 = RT_FLASH_O(3, 0), b3 = RT_FLASH_O(3, 1);
#undef RT_FLASH_O
  __m256i lo = rt_avx2_lanes(cols), hi = rt_avx2_lanes(cols - 8);
  for (const float *end = pt + 8 * (size_t)nb; pt < end; pt += 8, v += kv_width) {
    __m256 x = cols >= 8 ? _mm256_loadu_ps(v) : _mm256_maskload_ps(v, lo);
    __m256 y = cols >= 16 ? _mm256_loadu_ps(v + 8) : _mm256_maskload_ps(v + 8, hi);
    __m256 p = _mm256_broadcast_ss(pt);
    a0 = _mm256_fmadd_ps(p, x, a0), b0 = _mm256_fmadd_ps(p, y, b0);
    p = _mm256_broadcast_ss(pt + 1);
    a1 = _mm256_fmadd_ps(p, x, a1), b1 = _mm256_fmadd_ps(p, y, b1);
    p = _mm256_broadcast_ss(pt + 2);
    a2 = _mm256_fmadd_ps(p, x, a2), b2 = _mm256_fmadd_ps(p, y, b2);
    p = _mm256_broadcast_ss(pt + 3);
    a3 = _mm256_fmadd_ps(p, x, a3), b3 = _mm256_fmadd_ps(p, y, b3);
  }
  _mm256_storeu_ps(o, a0), _mm256_storeu_ps(o + 8, b0);
  _mm256_storeu_ps(o + ld, a1), _mm256_storeu_ps(o + ld + 8, b1);
  _mm256_storeu_ps(o + 2 * ld, a2), _mm256_storeu_ps(o + 2 * ld + 8, b2);
  _mm256_storeu_ps(o + 3 * ld, a3), _mm256_storeu_ps(o + 3 * ld + 8, b3);
}

/* Attention of one block of queries (lanes) against the keys of kv head kv.
 * The outputs O (8 queries, hd rounded up to 8) are rescaled and summed
 * block after block, and divided by l at the end. */
RT_AVX2_FN static void rt_flash_lanes(const RtFlashAttention *a, const RtFlashLanes *L, int kv) {
  _Alignas(32) float qt[RT_FLASH_MAX_HD * 8], o[RT_FLASH_MAX_HD * 8], st[RT_FLASH_BLOCK * 8];
  _Alignas(32) float c[8];
  int hd = a->head_dim, kv_width = a->kv_heads * hd, ld = (hd + 15) / 16 * 16;
  const float *k = a->k_cache + (size_t)kv * hd, *v = a->v_cache + (size_t)kv * hd;
  rt_flash_qt(qt, L, hd, a->scale);
  memset(o, 0, sizeof(float) * 8 * (size_t)ld);
  __m256 m = _mm256_set1_ps(-FLT_MAX), l = _mm256_setzero_ps();
  for (int j0 = L->first; j0 <= L->last; j0 += RT_FLASH_BLOCK) {
    int nb = L->last + 1 - j0 < RT_FLASH_BLOCK ? L->last + 1 - j0 : RT_FLASH_BLOCK;
    rt_flash_scores(st, qt, L, k, j0, nb, kv_width, hd);
    _mm256_store_ps(c, rt_flash_softmax(st, nb, &m, &l));
    for (int u = 0; u < 8; u += 4) {
      const float *rows = v + (size_t)j0 * kv_width;
      float *ou = o + (size_t)u * ld;
      int c0 = 0;
      for (; c0 + 16 <= hd; c0 += 16)   /* full groups: the tile's loads are plain */
        rt_flash_value_tile(ou + c0, (size_t)ld, c + u, st + u, rows + c0, nb, (size_t)kv_width, 16);
      if (c0 < hd)
        rt_flash_value_tile(ou + c0, (size_t)ld, c + u, st + u, rows + c0, nb, (size_t)kv_width,
                            hd - c0);
    }
  }
  _mm256_store_ps(c, _mm256_div_ps(_mm256_set1_ps(1.0f), l));
  for (int u = 0; u < L->used; u++) {
    int i = 0;
    for (; i + 8 <= hd; i += 8)
      _mm256_storeu_ps(L->out[u] + i, _mm256_mul_ps(_mm256_loadu_ps(o + u * ld + i), _mm256_set1_ps(c[u])));
    for (; i < hd; i++) L->out[u][i] = o[u * ld + i] * c[u];
  }
}

/* ---- the work: query blocks of each kv head, over the pool ---- */

/* The lanes of query block blk of kv head kv: query vectors e = 8 blk + u,
 * row e / group, head kv * group + e % group. */
static void rt_flash_block(const RtFlashAttention *a, int kv, int blk, RtFlashLanes *L) {
  int count = a->n * a->group, q_width = a->heads * a->head_dim;
  L->used = count - 8 * blk < RT_FLASH_LANES ? count - 8 * blk : RT_FLASH_LANES;
  L->first = L->all_to = INT_MAX;
  L->last = L->all_from = INT_MIN;
  for (int u = 0; u < RT_FLASH_LANES; u++) {
    int e = 8 * blk + (u < L->used ? u : L->used - 1), t = e / a->group;
    size_t off = (size_t)t * q_width + (size_t)(kv * a->group + e % a->group) * a->head_dim;
    L->q[u] = a->q + off, L->out[u] = a->out + off;
    rt_attention_span(a->pos0 + t, a->pos0 + a->n - 1, a->causal, a->window, &L->lo[u], &L->hi[u]);
    L->first = L->lo[u] < L->first ? L->lo[u] : L->first;
    L->all_from = L->lo[u] > L->all_from ? L->lo[u] : L->all_from;
    L->last = L->hi[u] > L->last ? L->hi[u] : L->last;
    L->all_to = L->hi[u] < L->all_to ? L->hi[u] : L->all_to;
  }
}

/* RtTask: the units of part `part`.  Unit u is kv head u / blocks and, of
 * its query blocks in the order first, last, second, second to last, ...,
 * the (u % blocks)-th: under a causal mask block b has about 8b/group keys
 * more than block 0, so consecutive units pair cheap and dear blocks. */
RT_AVX2_FN static void rt_flash_task(void *ctx, int part, int parts) {
  const RtFlashAttention *a = ctx;
  long units = (long)a->blocks * a->kv_heads, u0 = units * part / parts, u1 = units * (part + 1) / parts;
  int kv_width = a->kv_heads * a->head_dim;
  for (long u = u0; u < u1; u++) {
    int kv = (int)(u / a->blocks), s = (int)(u % a->blocks);
    int blk = s % 2 ? a->blocks - 1 - s / 2 : s / 2;
    RtFlashLanes L;
    rt_flash_block(a, kv, blk, &L);
    if (L.used >= RT_FLASH_MIN_LANES) {
      rt_flash_lanes(a, &L, kv);
      continue;
    }
    size_t ko = (size_t)kv * a->head_dim;
    for (int i = 0; i < L.used; i++)
      rt_flash_row(L.out[i], L.q[i], a->k_cache + ko, a->v_cache + ko, L.lo[i], L.hi[i], kv_width,
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
  int kv_width = kv_heads * head_dim, group = heads / kv_heads;
  rt_kv_append(k_cache, v_cache, k, v, pos0, n, kv_width);
  RtFlashAttention a = {out, q, k_cache, v_cache, n, pos0, heads, kv_heads, head_dim, causal,
                        window, scale, group, (n * group + RT_FLASH_LANES - 1) / RT_FLASH_LANES};
  rt_parallel(rt_flash_task, &a);
}
