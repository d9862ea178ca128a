/*
 * linear_avx2.c — out = x W^T + b with AVX2 + FMA: a GEMM for prefill (many
 * rows) and a GEMV for decode (one row).
 *
 * The weight comes in one of three layouts (RtLinear.w_layout):
 *   RT_W_NK      w [N,K] row-major: PyTorch Linear, Llama (when not packed);
 *   RT_W_KN      w [K,N] row-major: GPT-2's Conv1D;
 *   RT_W_PACKED  panels of RT_AVX2_NR (runtime/layout.h) output columns, written by
 *                passes/prepack.c: panel p holds columns p*NR.. as [k][j] rows
 *                of min(NR, N - p*NR) floats, so the whole is still N*K floats.
 * The GEMM is the BLIS loop nest (Van Zee & van de Geijn, "BLIS: A Framework
 * for Rapidly Instantiating BLAS Functionality", TOMS 2015, fig. 2) without
 * packing A: a 6x16 register tile (12 ymm accumulators) walks a panel of W
 * that stays in L2 while every 6-row block of x passes by (a remainder of 2
 * or 4 rows takes 4x16 tiles), and prefetches the next packed panel meanwhile.
 * Packed and [K,N] panels are read in place (row stride ldb); [N,K] panels are
 * transposed into a small stack buffer first.  Rows past the end of x repeat
 * the last row and are not stored; columns past N are masked.
 * rt_linear_epilogue_avx2 also applies a fused activation and residual add
 * to each tile's registers before the store (GEMV: to each panel's outputs).
 *
 * Threads split the panels (rt_avx2_linear_task is an RtTask).  Functions carry
 * target attributes so model.c builds with plain `cc -O2`; NAME_open checks
 * rt_avx2_supported() before any of them runs.
 */
#include <immintrin.h>
#include <stdint.h>

#ifndef RT_API
#define RT_API static inline
#endif


#define RT_AVX2_MR 6    /* rows of x per register tile */
#define RT_AVX2_KC 512        /* depth of one pass over a panel when K is split */
#define RT_AVX2_KC_WHOLE 1024 /* largest K taken in one pass (panel block: 64 KiB, in L2) */

#define RT_AVX2 __attribute__((target("avx2,fma")))

RT_API int rt_avx2_supported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* Lane mask for the first n (0..8) of 8 floats. */
RT_AVX2 static inline __m256i rt_avx2_mask(int n) {
  n = n < 0 ? 0 : n > 8 ? 8 : n;
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Where panel p of W starts and its row stride, for packed and [K,N] weights. */
static inline const float *rt_avx2_panel(const RtLinear *L, int p, int *ldb) {
  int n0 = p * RT_AVX2_NR, nr = L->N - n0 < RT_AVX2_NR ? L->N - n0 : RT_AVX2_NR;
  if (L->w_layout == RT_W_KN) return *ldb = L->N, L->w + n0;
  return *ldb = nr, L->w + (int64_t)n0 * L->K;
}

/* Copies W[n0..n0+nr, k0..k0+kc] of an [N,K] weight into buf as [k][16]:
 * 8x8 blocks through registers, so the copy costs a fraction of the product
 * (an [N,K] weight that prepack left row-major, e.g. one also read by an op
 * other than a linear or an embedding). */
RT_AVX2 static void rt_avx2_pack_nk(const RtLinear *L, int n0, int nr, int k0, int kc, float *buf) {
  int j = 0;
  for (; j + 8 <= nr; j += 8) {
    const float *row = L->w + (int64_t)(n0 + j) * L->K + k0;
    int k = 0;
    for (; k + 8 <= kc; k += 8) {
      __m256 r[8];
      for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(row + (int64_t)i * L->K + k);
      rt_avx2_transpose8(r);
      for (int c = 0; c < 8; c++) _mm256_storeu_ps(buf + (k + c) * RT_AVX2_NR + j, r[c]);
    }
    for (; k < kc; k++)
      for (int i = 0; i < 8; i++) buf[k * RT_AVX2_NR + j + i] = row[(int64_t)i * L->K + k];
  }
  for (; j < nr; j++) {
    const float *row = L->w + (int64_t)(n0 + j) * L->K + k0;
    for (int k = 0; k < kc; k++) buf[k * RT_AVX2_NR + j] = row[k];
  }
}

/* The fused epilogue (passes/fuse_epilogue.c) on eight outputs v, after
 * their last k-pass: the activation, then the residual r (masked by m when
 * `full` is 0). */
RT_AVX2 static inline __m256 rt_avx2_finish(__m256 v, int act, const float *r, int full,
                                            __m256i m) {
  if (act) v = rt_avx2_logistic_act(v, act == RT_ACT_GELU_TANH);
  if (r) v = _mm256_add_ps(v, full ? _mm256_loadu_ps(r) : _mm256_maskload_ps(r, m));
  return v;
}

/*
 * The register tile of L's output: rows i0..i0+mr, columns n0..n0+nr, from
 * the k-pass k0..k0+kc, for m = 6 rows (12 ymm accumulators) or m = 4 (8:
 * still enough FMA chains in flight to cover the FMA latency).  b is the
 * panel's block (rows ldb apart).  The first k-pass writes bias (or 0) + x W,
 * later ones add to out; the last applies the fused epilogue (L->act, then
 * L->residual) to the registers before they are stored.  Rows past mr repeat
 * row mr-1 and are not stored.  When `next` is not NULL, one cache line of it
 * is prefetched per k: the next panel of W arrives while this one is used,
 * instead of stalling the next panel's first tile on DRAM.  Always inlined
 * into the two fixed-m versions below, so m is a constant.
 */
RT_AVX2 static inline __attribute__((always_inline)) void
rt_avx2_tile_m(const int m, const RtLinear *L, int i0, int mr, int n0, int nr, int k0, int kc,
               const float *b, int ldb, const float *next) {
  const float *ar[RT_AVX2_MR];
  for (int i = 0; i < RT_AVX2_MR; i++)
    ar[i] = L->x + (int64_t)(i0 + (i < mr ? i : mr - 1)) * L->K + k0;
  __m256i m0 = rt_avx2_mask(nr), m1 = rt_avx2_mask(nr - 8);
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
#define RT_AVX2_ROW(i, ci0, ci1)                       \
  do {                                                 \
    __m256 av = _mm256_broadcast_ss(ar[i] + k);        \
    ci0 = _mm256_fmadd_ps(av, b0, ci0);                \
    ci1 = _mm256_fmadd_ps(av, b1, ci1);                \
  } while (0)
#define RT_AVX2_STEP(load0, load1)                                          \
  for (int k = 0; k < kc; k++) {                                            \
    if (next) _mm_prefetch((const char *)(next + k * RT_AVX2_NR), _MM_HINT_T0); \
    __m256 b0 = load0, b1 = load1;                                          \
    RT_AVX2_ROW(0, c00, c01); RT_AVX2_ROW(1, c10, c11);                     \
    RT_AVX2_ROW(2, c20, c21); RT_AVX2_ROW(3, c30, c31);                     \
    if (m > 4) { RT_AVX2_ROW(4, c40, c41); RT_AVX2_ROW(5, c50, c51); }      \
  }
  if (nr == RT_AVX2_NR) {
    RT_AVX2_STEP(_mm256_loadu_ps(b + k * ldb), _mm256_loadu_ps(b + k * ldb + 8))
  } else {
    RT_AVX2_STEP(_mm256_maskload_ps(b + k * ldb, m0), _mm256_maskload_ps(b + k * ldb + 8, m1))
  }
#undef RT_AVX2_STEP
#undef RT_AVX2_ROW
  __m256 acc[RT_AVX2_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                               {c30, c31}, {c40, c41}, {c50, c51}};
  int first = k0 == 0, last = k0 + kc == L->K, full = nr == RT_AVX2_NR;
  int act = last ? L->act : RT_ACT_NONE;
  const float *bias = L->bias ? L->bias + n0 : NULL;
  __m256 z = _mm256_setzero_ps();
  __m256 base0 = bias && first ? _mm256_maskload_ps(bias, m0) : z;
  __m256 base1 = bias && first ? _mm256_maskload_ps(bias + 8, m1) : z;
  for (int i = 0; i < mr; i++) {   /* maskstore is slow on AMD: full panels store plainly */
    int64_t at = (int64_t)(i0 + i) * L->N + n0;
    float *ci = L->out + at;
    const float *r = last && L->residual ? L->residual + at : NULL;
    __m256 o0 = first ? base0 : full ? _mm256_loadu_ps(ci) : _mm256_maskload_ps(ci, m0);
    __m256 o1 = first ? base1 : full ? _mm256_loadu_ps(ci + 8) : _mm256_maskload_ps(ci + 8, m1);
    o0 = _mm256_add_ps(o0, acc[i][0]), o1 = _mm256_add_ps(o1, acc[i][1]);
    if (act || r) {
      o0 = rt_avx2_finish(o0, act, r, full, m0);
      o1 = rt_avx2_finish(o1, act, r ? r + 8 : NULL, full, m1);
    }
    if (full) {
      _mm256_storeu_ps(ci, o0);
      _mm256_storeu_ps(ci + 8, o1);
    } else {
      _mm256_maskstore_ps(ci, m0, o0);
      _mm256_maskstore_ps(ci + 8, m1, o1);
    }
  }
}

/* rt_avx2_tile_m with m fixed: 6 rows (mr of them stored, and the only tile
 * that prefetches the next panel) or exactly 4 (rt_avx2_row_split). */
RT_AVX2 static void rt_avx2_tile6(const RtLinear *L, int i0, int mr, int n0, int nr, int k0,
                                  int kc, const float *b, int ldb, const float *next) {
  rt_avx2_tile_m(6, L, i0, mr, n0, nr, k0, kc, b, ldb, next);
}

RT_AVX2 static void rt_avx2_tile4(const RtLinear *L, int i0, int n0, int nr, int k0, int kc,
                                  const float *b, int ldb) {
  rt_avx2_tile_m(4, L, i0, 4, n0, nr, k0, kc, b, ldb, NULL);
}

/* How the T rows split into tiles: 6-row tiles for the first *rows6, then
 * *tiles4 tiles of 4.  A remainder of 2 or 4 rows takes 4-row tiles (128 =
 * 20*6 + 2*4) rather than a 6-row tile that computes 2 rows for nothing; a
 * remainder of 1, 3 or 5 takes one partial 6-row tile. */
static inline void rt_avx2_row_split(int T, int *rows6, int *tiles4) {
  int rem = T % RT_AVX2_MR;
  *tiles4 = rem == 4 ? 1 : rem == 2 && T >= 8 ? 2 : 0;
  *rows6 = T - 4 * *tiles4;
}

/* The depth of one pass over a panel: all of K up to RT_AVX2_KC_WHOLE, as a
 * panel of it (K x 16 floats, 48 KiB at K = 768) stays in L2 with room for x
 * (GPT-2 after ln_to_rmsnorm has a head with K = 769); else equal blocks of
 * at most RT_AVX2_KC. */
static inline int rt_avx2_kstep(int K) {
  if (K <= RT_AVX2_KC_WHOLE) return K;
  int nk = (K + RT_AVX2_KC - 1) / RT_AVX2_KC;
  return (K + nk - 1) / nk;
}

/* The GEMM share of one thread: panels p0..p1 over all rows. */
RT_AVX2 static void rt_avx2_gemm(const RtLinear *L, int p0, int p1) {
  float buf[RT_AVX2_KC_WHOLE * RT_AVX2_NR] __attribute__((aligned(32)));
  int kstep = rt_avx2_kstep(L->K), rows6, tiles4;
  rt_avx2_row_split(L->T, &rows6, &tiles4);
  for (int k0 = 0; k0 < L->K; k0 += kstep) {
    int kc = L->K - k0 < kstep ? L->K - k0 : kstep;
    for (int p = p0; p < p1; p++) {
      int n0 = p * RT_AVX2_NR, nr = L->N - n0 < RT_AVX2_NR ? L->N - n0 : RT_AVX2_NR, ldb;
      const float *b, *next = NULL;
      if (L->w_layout == RT_W_NK) {
        rt_avx2_pack_nk(L, n0, nr, k0, kc, buf);
        b = buf, ldb = RT_AVX2_NR;
      } else {
        b = rt_avx2_panel(L, p, &ldb) + (int64_t)k0 * ldb;
        if (L->w_layout == RT_W_PACKED && p + 1 < p1 && n0 + 2 * RT_AVX2_NR <= L->N)
          next = b + (int64_t)RT_AVX2_NR * L->K;   /* a full panel follows */
      }
      int i = 0;
      for (; i < rows6; i += RT_AVX2_MR)
        rt_avx2_tile6(L, i, rows6 - i < RT_AVX2_MR ? rows6 - i : RT_AVX2_MR, n0, nr, k0, kc, b,
                      ldb, i == 0 ? next : NULL);
      for (int t = 0; t < tiles4; t++, i += 4) rt_avx2_tile4(L, i, n0, nr, k0, kc, b, ldb);
    }
  }
}

/* Horizontal sum of 8 floats. */
RT_AVX2 static inline float rt_avx2_hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/* One row against a packed or [K,N] panel: out[0..nr] = bias + x b.  Four
 * k-steps in flight so the FMA latency hides behind the loads.  The eight
 * accumulators are named, not an array: with an array indexed in a loop that
 * `cc -O2` does not unroll, they live on the stack and every FMA waits on a
 * store-to-load round trip. */
RT_AVX2 static void rt_avx2_gemv_panel(const float *x, int K, const float *b, int ldb, int nr,
                                       const float *bias, float *out) {
  __m256i m0 = rt_avx2_mask(nr), m1 = rt_avx2_mask(nr - 8);
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  int k = 0;
  if (nr == RT_AVX2_NR) {
    for (; k + 4 <= K; k += 4) {
      const float *bk = b + (int64_t)k * ldb;
      __m256 x0 = _mm256_broadcast_ss(x + k), x1 = _mm256_broadcast_ss(x + k + 1);
      __m256 x2 = _mm256_broadcast_ss(x + k + 2), x3 = _mm256_broadcast_ss(x + k + 3);
      a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(bk), a0);
      a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(bk + 8), a1);
      a2 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(bk + ldb), a2);
      a3 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(bk + ldb + 8), a3);
      a4 = _mm256_fmadd_ps(x2, _mm256_loadu_ps(bk + 2 * ldb), a4);
      a5 = _mm256_fmadd_ps(x2, _mm256_loadu_ps(bk + 2 * ldb + 8), a5);
      a6 = _mm256_fmadd_ps(x3, _mm256_loadu_ps(bk + 3 * ldb), a6);
      a7 = _mm256_fmadd_ps(x3, _mm256_loadu_ps(bk + 3 * ldb + 8), a7);
    }
  }
  for (; k < K; k++) {
    __m256 xv = _mm256_broadcast_ss(x + k);
    const float *bk = b + (int64_t)k * ldb;
    a0 = _mm256_fmadd_ps(xv, _mm256_maskload_ps(bk, m0), a0);
    a1 = _mm256_fmadd_ps(xv, _mm256_maskload_ps(bk + 8, m1), a1);
  }
  __m256 s0 = _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a4, a6));
  __m256 s1 = _mm256_add_ps(_mm256_add_ps(a1, a3), _mm256_add_ps(a5, a7));
  if (bias) {
    s0 = _mm256_add_ps(s0, _mm256_maskload_ps(bias, m0));
    s1 = _mm256_add_ps(s1, _mm256_maskload_ps(bias + 8, m1));
  }
  if (nr == RT_AVX2_NR) {
    _mm256_storeu_ps(out, s0);
    _mm256_storeu_ps(out + 8, s1);
    return;
  }
  _mm256_maskstore_ps(out, m0, s0);
  _mm256_maskstore_ps(out + 8, m1, s1);
}

/* One row against rows n0..n0+nr of an [N,K] weight: dot products, four rows
 * at a time, each with two accumulators. */
RT_AVX2 static void rt_avx2_gemv_nk(const float *x, int K, const float *w, int nr,
                                    const float *bias, float *out) {
  __m256i mk = rt_avx2_mask(K % 8);
  int kv = K - K % 8;
  for (int j = 0; j < nr; j += 4) {
    int rows = nr - j < 4 ? nr - j : 4;
    const float *wr[4];
    for (int r = 0; r < 4; r++) wr[r] = w + (int64_t)(j + (r < rows ? r : rows - 1)) * K;
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                     _mm256_setzero_ps()};
    for (int k = 0; k < kv; k += 8) {
      __m256 xv = _mm256_loadu_ps(x + k);
      for (int r = 0; r < 4; r++) acc[r] = _mm256_fmadd_ps(xv, _mm256_loadu_ps(wr[r] + k), acc[r]);
    }
    if (kv < K) {
      __m256 xv = _mm256_maskload_ps(x + kv, mk);
      for (int r = 0; r < 4; r++)
        acc[r] = _mm256_fmadd_ps(xv, _mm256_maskload_ps(wr[r] + kv, mk), acc[r]);
    }
    for (int r = 0; r < rows; r++) out[j + r] = rt_avx2_hsum(acc[r]) + (bias ? bias[j + r] : 0.0f);
  }
}

/* The GEMV share of one thread: panels p0..p1 of the single row. */
RT_AVX2 static void rt_avx2_gemv(const RtLinear *L, int p0, int p1) {
  for (int p = p0; p < p1; p++) {
    int n0 = p * RT_AVX2_NR, nr = L->N - n0 < RT_AVX2_NR ? L->N - n0 : RT_AVX2_NR, ldb;
    const float *bias = L->bias ? L->bias + n0 : NULL;
    if (L->w_layout == RT_W_NK) {
      rt_avx2_gemv_nk(L->x, L->K, L->w + (int64_t)n0 * L->K, nr, bias, L->out + n0);
    } else {
      const float *b = rt_avx2_panel(L, p, &ldb);
      rt_avx2_gemv_panel(L->x, L->K, b, ldb, nr, bias, L->out + n0);
    }
    if (L->act || L->residual)   /* the fused epilogue on the panel's outputs, in L1 */
      for (int j = 0; j < nr; j += 8) {
        int full = nr - j >= 8;
        __m256i m = rt_avx2_mask(nr - j);
        float *o = L->out + n0 + j;
        __m256 v = rt_avx2_finish(full ? _mm256_loadu_ps(o) : _mm256_maskload_ps(o, m), L->act,
                                  L->residual ? L->residual + n0 + j : NULL, full, m);
        if (full)
          _mm256_storeu_ps(o, v);
        else
          _mm256_maskstore_ps(o, m, v);
      }
  }
}

/* RtTask: part `part` of `parts` of the linear layer in ctx (an RtLinear). */
RT_API void rt_avx2_linear_task(void *ctx, int part, int parts) {
  rt_linear_part(ctx, RT_AVX2_NR, part, parts, rt_avx2_gemv, rt_avx2_gemm);
}

/* Entry points with the portable kernel's arguments, one per weight layout. */
RT_LINEAR_ENTRY(rt_linear_avx2, rt_avx2_linear_task, RT_W_NK)
RT_LINEAR_ENTRY(rt_linear_kn_avx2, rt_avx2_linear_task, RT_W_KN)
RT_LINEAR_ENTRY(rt_linear_packed_avx2, rt_avx2_linear_task, RT_W_PACKED)

/* The same with the fused epilogue done inside the kernel, on each tile while
 * it is in L1 (no second pass over out): out = act(x W^T + b) + residual, act
 * an RT_ACT_* and residual (rows,n) or NULL; w in `layout` (RT_W_*). */
RT_API void rt_linear_epilogue_avx2(float *out, const float *x, const float *w, const float *b,
                                    int rows, int k, int n, int layout, int act,
                                    const float *residual) {
  RtLinear L = {out, x, w, b, rows, k, n, layout, act, residual};
  rt_parallel(rt_avx2_linear_task, &L);
}
