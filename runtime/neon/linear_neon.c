/*
 * linear_neon.c — out = x W^T + b with AArch64 NEON: the GEMM/GEMV design of
 * runtime/x86/linear_avx2.c (read that file's header first) on 128-bit
 * vectors.
 *
 * The register tile is 4 rows x 16 columns (16 q-register accumulators, four
 * for the panel row, four for the rows of x), packed panels are RT_NEON_NR = 16
 * columns wide.  NEON has no masked loads, so a partial panel (the last one
 * when N is not a multiple of 16) is read through a zero-padded row buffer
 * and written through a bounce buffer.  NEON is part of every AArch64 CPU, so
 * there is no feature check.
 */
#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#ifndef RT_API
#define RT_API static inline
#endif


#define RT_NEON_MR 4    /* rows of x per register tile */
#define RT_NEON_KC 512  /* depth of one pass over a panel (panel block: 32 KiB) */

RT_API int rt_neon_supported(void) { return 1; }

/* Where panel p of W starts and its row stride, for packed and [K,N] weights. */
static inline const float *rt_neon_panel(const RtLinear *L, int p, int *ldb) {
  int n0 = p * RT_NEON_NR, nr = L->N - n0 < RT_NEON_NR ? L->N - n0 : RT_NEON_NR;
  if (L->w_layout == RT_W_KN) return *ldb = L->N, L->w + n0;
  return *ldb = nr, L->w + (int64_t)n0 * L->K;
}

/* Copies W[n0..n0+nr, k0..k0+kc] of an [N,K] weight into buf as [k][16]. */
static inline void rt_neon_pack_nk(const RtLinear *L, int n0, int nr, int k0, int kc, float *buf) {
  for (int j = 0; j < nr; j++) {
    const float *row = L->w + (int64_t)(n0 + j) * L->K + k0;
    for (int k = 0; k < kc; k++) buf[k * RT_NEON_NR + j] = row[k];
  }
}

/* Row k of a panel as four vectors; a partial row goes through pad. */
static inline void rt_neon_load_row(const float *bk, int nr, float *pad, float32x4_t b[4]) {
  if (nr < RT_NEON_NR) {
    memcpy(pad, bk, (size_t)nr * sizeof *pad);
    bk = pad;
  }
  for (int j = 0; j < 4; j++) b[j] = vld1q_f32(bk + 4 * j);
}

/* c[0..mr, 0..nr] (+)= a b + (first ? bias : c), as rt_avx2_tile. */
static inline void rt_neon_tile(int mr, int nr, int kc, const float *a, int64_t lda,
                                const float *b, int ldb, float *c, int64_t ldc, int first,
                                const float *bias) {
  const float *ar[RT_NEON_MR];
  for (int i = 0; i < RT_NEON_MR; i++) ar[i] = a + (i < mr ? i : mr - 1) * lda;
  /* 16 named accumulators: loops over rows and columns would leave them in memory. */
  float32x4_t c00 = vdupq_n_f32(0.0f), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00;
  float32x4_t c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00;
  float32x4_t c31 = c00, c32 = c00, c33 = c00;
  float pad[RT_NEON_NR] = {0};
#define RT_NEON_ROW(i, x0, x1, x2, x3)                       \
  do {                                                       \
    float av = ar[i][k];                                     \
    x0 = vfmaq_n_f32(x0, bv[0], av);                         \
    x1 = vfmaq_n_f32(x1, bv[1], av);                         \
    x2 = vfmaq_n_f32(x2, bv[2], av);                         \
    x3 = vfmaq_n_f32(x3, bv[3], av);                         \
  } while (0)
  for (int k = 0; k < kc; k++) {
    float32x4_t bv[4];
    rt_neon_load_row(b + (int64_t)k * ldb, nr, pad, bv);
    RT_NEON_ROW(0, c00, c01, c02, c03);
    RT_NEON_ROW(1, c10, c11, c12, c13);
    RT_NEON_ROW(2, c20, c21, c22, c23);
    RT_NEON_ROW(3, c30, c31, c32, c33);
  }
#undef RT_NEON_ROW
  float32x4_t acc[RT_NEON_MR][4] = {{c00, c01, c02, c03}, {c10, c11, c12, c13},
                                    {c20, c21, c22, c23}, {c30, c31, c32, c33}};
  for (int i = 0; i < mr; i++) {
    float row[RT_NEON_NR], *ci = c + i * ldc;
    for (int j = 0; j < 4; j++) vst1q_f32(row + 4 * j, acc[i][j]);
    for (int j = 0; j < nr; j++) ci[j] = row[j] + (first ? (bias ? bias[j] : 0.0f) : ci[j]);
  }
}

/* The GEMM share of one thread: panels p0..p1 over all rows. */
static inline void rt_neon_gemm(const RtLinear *L, int p0, int p1) {
  static _Thread_local float buf[RT_NEON_KC * RT_NEON_NR];
  int nk = (L->K + RT_NEON_KC - 1) / RT_NEON_KC;
  int kstep = (L->K + nk - 1) / nk;
  for (int k0 = 0; k0 < L->K; k0 += kstep) {
    int kc = L->K - k0 < kstep ? L->K - k0 : kstep;
    for (int p = p0; p < p1; p++) {
      int n0 = p * RT_NEON_NR, nr = L->N - n0 < RT_NEON_NR ? L->N - n0 : RT_NEON_NR, ldb;
      const float *b;
      if (L->w_layout == RT_W_NK) {
        rt_neon_pack_nk(L, n0, nr, k0, kc, buf);
        b = buf, ldb = RT_NEON_NR;
      } else {
        b = rt_neon_panel(L, p, &ldb) + (int64_t)k0 * ldb;
      }
      const float *bias = L->bias ? L->bias + n0 : NULL;
      for (int i = 0; i < L->T; i += RT_NEON_MR) {
        int mr = L->T - i < RT_NEON_MR ? L->T - i : RT_NEON_MR;
        rt_neon_tile(mr, nr, kc, L->x + (int64_t)i * L->K + k0, L->K, b, ldb,
                     L->out + (int64_t)i * L->N + n0, L->N, k0 == 0, bias);
      }
    }
  }
}

/* One row against rows 0..nr of an [N,K] block: dot products. */
static inline void rt_neon_gemv_nk(const float *x, int K, const float *w, int nr,
                                   const float *bias, float *out) {
  for (int j = 0; j < nr; j++) {
    const float *wr = w + (int64_t)j * K;
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0;
    int k = 0;
    for (; k + 8 <= K; k += 8) {
      a0 = vfmaq_f32(a0, vld1q_f32(x + k), vld1q_f32(wr + k));
      a1 = vfmaq_f32(a1, vld1q_f32(x + k + 4), vld1q_f32(wr + k + 4));
    }
    float s = vaddvq_f32(vaddq_f32(a0, a1));
    for (; k < K; k++) s += x[k] * wr[k];
    out[j] = s + (bias ? bias[j] : 0.0f);
  }
}

/* The GEMV share of one thread; packed and [K,N] panels use the tile with one row. */
static inline void rt_neon_gemv(const RtLinear *L, int p0, int p1) {
  for (int p = p0; p < p1; p++) {
    int n0 = p * RT_NEON_NR, nr = L->N - n0 < RT_NEON_NR ? L->N - n0 : RT_NEON_NR, ldb;
    const float *bias = L->bias ? L->bias + n0 : NULL;
    if (L->w_layout == RT_W_NK) {
      rt_neon_gemv_nk(L->x, L->K, L->w + (int64_t)n0 * L->K, nr, bias, L->out + n0);
    } else {
      const float *b = rt_neon_panel(L, p, &ldb);
      rt_neon_tile(1, nr, L->K, L->x, L->K, b, ldb, L->out + n0, L->N, 1, bias);
    }
  }
}

/* RtTask: part `part` of `parts` of the linear layer in ctx (an RtLinear). */
RT_API void rt_neon_linear_task(void *ctx, int part, int parts) {
  rt_linear_part(ctx, RT_NEON_NR, part, parts, rt_neon_gemv, rt_neon_gemm);
}

/* Entry points with the portable kernel's arguments, one per weight layout. */
RT_LINEAR_ENTRY(rt_linear_neon, rt_neon_linear_task, RT_W_NK)
RT_LINEAR_ENTRY(rt_linear_kn_neon, rt_neon_linear_task, RT_W_KN)
RT_LINEAR_ENTRY(rt_linear_packed_neon, rt_neon_linear_task, RT_W_PACKED)
