/*
 * linear_avx512.c — out = x W^T + b with AVX-512F: the same GEMM/GEMV design
 * as linear_avx2.c (read that file's header first), at twice the width.
 *
 * The register tile is 12 rows x 32 columns (24 zmm accumulators of 32), packed
 * panels are RT_AVX512_NR = 32 columns wide, and partial panels use AVX-512
 * lane masks instead of maskload/maskstore.  Weight layouts are those of
 * linear_avx2.c; RtLinear and the task split are in runtime/linear_simd.c; NAME_open checks rt_avx512_supported()
 * before any of this runs.
 */
#include <immintrin.h>
#include <stdint.h>

#ifndef RT_API
#define RT_API static inline
#endif


#define RT_AVX512_MR 12   /* rows of x per register tile */
#define RT_AVX512_KC 384  /* depth of one pass over a panel (panel block: 48 KiB) */

#define RT_AVX512 __attribute__((target("avx512f")))

RT_API int rt_avx512_supported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

/* Lane mask for the first n (any int) of 16 floats. */
static inline __mmask16 rt_avx512_mask(int n) {
  return n <= 0 ? 0 : n >= 16 ? 0xffff : (__mmask16)((1u << n) - 1);
}

/* Where panel p of W starts and its row stride, for packed and [K,N] weights. */
static inline const float *rt_avx512_panel(const RtLinear *L, int p, int *ldb) {
  int n0 = p * RT_AVX512_NR, nr = L->N - n0 < RT_AVX512_NR ? L->N - n0 : RT_AVX512_NR;
  if (L->w_layout == RT_W_KN) return *ldb = L->N, L->w + n0;
  return *ldb = nr, L->w + (int64_t)n0 * L->K;
}

/* Copies W[n0..n0+nr, k0..k0+kc] of an [N,K] weight into buf as [k][32]. */
static void rt_avx512_pack_nk(const RtLinear *L, int n0, int nr, int k0, int kc, float *buf) {
  for (int j = 0; j < nr; j++) {
    const float *row = L->w + (int64_t)(n0 + j) * L->K + k0;
    for (int k = 0; k < kc; k++) buf[k * RT_AVX512_NR + j] = row[k];
  }
}

/*
 * The 12x32 register tile: c[0..mr, 0..nr] (+)= a[0..mr, 0..kc] b[0..kc, 0..nr]
 * (see rt_avx2_tile).  Masked loads of b are free on AVX-512, so one loop
 * serves full and partial panels.
 */
RT_AVX512 static void rt_avx512_tile(int mr, int nr, int kc, const float *a, int64_t lda,
                                     const float *b, int ldb, float *c, int64_t ldc, int first,
                                     const float *bias) {
  const float *ar[RT_AVX512_MR];
  for (int i = 0; i < RT_AVX512_MR; i++) ar[i] = a + (i < mr ? i : mr - 1) * lda;
  __mmask16 m0 = rt_avx512_mask(nr), m1 = rt_avx512_mask(nr - 16);
  /* 24 named accumulators: a loop over rows would leave them in memory. */
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m512 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  __m512 c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
  __m512 c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
#define RT_AVX512_ROW(i, ci0, ci1)                   \
  do {                                               \
    __m512 av = _mm512_set1_ps(ar[i][k]);            \
    ci0 = _mm512_fmadd_ps(av, b0, ci0);              \
    ci1 = _mm512_fmadd_ps(av, b1, ci1);              \
  } while (0)
  for (int k = 0; k < kc; k++) {
    __m512 b0 = _mm512_maskz_loadu_ps(m0, b + k * ldb);
    __m512 b1 = _mm512_maskz_loadu_ps(m1, b + k * ldb + 16);
    RT_AVX512_ROW(0, c00, c01); RT_AVX512_ROW(1, c10, c11); RT_AVX512_ROW(2, c20, c21);
    RT_AVX512_ROW(3, c30, c31); RT_AVX512_ROW(4, c40, c41); RT_AVX512_ROW(5, c50, c51);
    RT_AVX512_ROW(6, c60, c61); RT_AVX512_ROW(7, c70, c71); RT_AVX512_ROW(8, c80, c81);
    RT_AVX512_ROW(9, c90, c91); RT_AVX512_ROW(10, ca0, ca1); RT_AVX512_ROW(11, cb0, cb1);
  }
#undef RT_AVX512_ROW
  __m512 acc[RT_AVX512_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31},
                                 {c40, c41}, {c50, c51}, {c60, c61}, {c70, c71},
                                 {c80, c81}, {c90, c91}, {ca0, ca1}, {cb0, cb1}};
  __m512 z = _mm512_setzero_ps();
  __m512 base0 = bias && first ? _mm512_maskz_loadu_ps(m0, bias) : z;
  __m512 base1 = bias && first ? _mm512_maskz_loadu_ps(m1, bias + 16) : z;
  for (int i = 0; i < mr; i++) {
    float *ci = c + i * ldc;
    __m512 o0 = first ? base0 : _mm512_maskz_loadu_ps(m0, ci);
    __m512 o1 = first ? base1 : _mm512_maskz_loadu_ps(m1, ci + 16);
    _mm512_mask_storeu_ps(ci, m0, _mm512_add_ps(o0, acc[i][0]));
    _mm512_mask_storeu_ps(ci + 16, m1, _mm512_add_ps(o1, acc[i][1]));
  }
}

/* The GEMM share of one thread: panels p0..p1 over all rows. */
RT_AVX512 static void rt_avx512_gemm(const RtLinear *L, int p0, int p1) {
  float buf[RT_AVX512_KC * RT_AVX512_NR] __attribute__((aligned(64)));
  int nk = (L->K + RT_AVX512_KC - 1) / RT_AVX512_KC;
  int kstep = (L->K + nk - 1) / nk;
  for (int k0 = 0; k0 < L->K; k0 += kstep) {
    int kc = L->K - k0 < kstep ? L->K - k0 : kstep;
    for (int p = p0; p < p1; p++) {
      int n0 = p * RT_AVX512_NR, nr = L->N - n0 < RT_AVX512_NR ? L->N - n0 : RT_AVX512_NR, ldb;
      const float *b;
      if (L->w_layout == RT_W_NK) {
        rt_avx512_pack_nk(L, n0, nr, k0, kc, buf);
        b = buf, ldb = RT_AVX512_NR;
      } else {
        b = rt_avx512_panel(L, p, &ldb) + (int64_t)k0 * ldb;
      }
      const float *bias = L->bias ? L->bias + n0 : NULL;
      for (int i = 0; i < L->T; i += RT_AVX512_MR) {
        int mr = L->T - i < RT_AVX512_MR ? L->T - i : RT_AVX512_MR;
        rt_avx512_tile(mr, nr, kc, L->x + (int64_t)i * L->K + k0, L->K, b, ldb,
                       L->out + (int64_t)i * L->N + n0, L->N, k0 == 0, bias);
      }
    }
  }
}

/* One row against a packed or [K,N] panel: out[0..nr] = bias + x b, four
 * k-steps in flight. */
RT_AVX512 static void rt_avx512_gemv_panel(const float *x, int K, const float *b, int ldb,
                                           int nr, const float *bias, float *out) {
  __mmask16 m0 = rt_avx512_mask(nr), m1 = rt_avx512_mask(nr - 16);
  __m512 acc[8];
  for (int i = 0; i < 8; i++) acc[i] = _mm512_setzero_ps();
  int k = 0;
  for (; k + 4 <= K; k += 4)
    for (int u = 0; u < 4; u++) {
      __m512 xv = _mm512_set1_ps(x[k + u]);
      const float *bk = b + (int64_t)(k + u) * ldb;
      acc[2 * u] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m0, bk), acc[2 * u]);
      acc[2 * u + 1] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m1, bk + 16), acc[2 * u + 1]);
    }
  for (; k < K; k++) {
    __m512 xv = _mm512_set1_ps(x[k]);
    const float *bk = b + (int64_t)k * ldb;
    acc[0] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m0, bk), acc[0]);
    acc[1] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m1, bk + 16), acc[1]);
  }
  __m512 s0 = _mm512_add_ps(_mm512_add_ps(acc[0], acc[2]), _mm512_add_ps(acc[4], acc[6]));
  __m512 s1 = _mm512_add_ps(_mm512_add_ps(acc[1], acc[3]), _mm512_add_ps(acc[5], acc[7]));
  if (bias) {
    s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(m0, bias));
    s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps(m1, bias + 16));
  }
  _mm512_mask_storeu_ps(out, m0, s0);
  _mm512_mask_storeu_ps(out + 16, m1, s1);
}

/* One row against rows 0..nr of an [N,K] block: dot products, four rows at a time. */
RT_AVX512 static void rt_avx512_gemv_nk(const float *x, int K, const float *w, int nr,
                                        const float *bias, float *out) {
  for (int j = 0; j < nr; j += 4) {
    int rows = nr - j < 4 ? nr - j : 4;
    const float *wr[4];
    for (int r = 0; r < 4; r++) wr[r] = w + (int64_t)(j + (r < rows ? r : rows - 1)) * K;
    __m512 acc[4];
    for (int r = 0; r < 4; r++) acc[r] = _mm512_setzero_ps();
    for (int k = 0; k < K; k += 16) {
      __mmask16 m = rt_avx512_mask(K - k);
      __m512 xv = _mm512_maskz_loadu_ps(m, x + k);
      for (int r = 0; r < 4; r++)
        acc[r] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m, wr[r] + k), acc[r]);
    }
    for (int r = 0; r < rows; r++)
      out[j + r] = _mm512_reduce_add_ps(acc[r]) + (bias ? bias[j + r] : 0.0f);
  }
}

/* The GEMV share of one thread: panels p0..p1 of the single row. */
RT_AVX512 static void rt_avx512_gemv(const RtLinear *L, int p0, int p1) {
  for (int p = p0; p < p1; p++) {
    int n0 = p * RT_AVX512_NR, nr = L->N - n0 < RT_AVX512_NR ? L->N - n0 : RT_AVX512_NR, ldb;
    const float *bias = L->bias ? L->bias + n0 : NULL;
    if (L->w_layout == RT_W_NK) {
      rt_avx512_gemv_nk(L->x, L->K, L->w + (int64_t)n0 * L->K, nr, bias, L->out + n0);
    } else {
      const float *b = rt_avx512_panel(L, p, &ldb);
      rt_avx512_gemv_panel(L->x, L->K, b, ldb, nr, bias, L->out + n0);
    }
  }
}

/* RtTask: part `part` of `parts` of the linear layer in ctx (an RtLinear). */
RT_API void rt_avx512_linear_task(void *ctx, int part, int parts) {
  rt_linear_part(ctx, RT_AVX512_NR, part, parts, rt_avx512_gemv, rt_avx512_gemm);
}

/* Entry points with the portable kernel's arguments, one per weight layout. */
RT_LINEAR_ENTRY(rt_linear_avx512, rt_avx512_linear_task, RT_W_NK)
RT_LINEAR_ENTRY(rt_linear_kn_avx512, rt_avx512_linear_task, RT_W_KN)
RT_LINEAR_ENTRY(rt_linear_packed_avx512, rt_avx512_linear_task, RT_W_PACKED)
