/*
 * pack.h — the pre-packed weight layout shared by the compiler (passes/prepack.c
 * writes it into the weights blob) and the SIMD linear kernels (runtime/x86,
 * runtime/neon read it), so the two can never disagree.
 *
 * A linear weight W with N outputs and K inputs becomes panels of nr output
 * columns: panel p holds columns n0 = p*nr .. n0+w-1, w = min(nr, N - n0), as K
 * rows of w floats ([k][j]), and starts at float n0*K.  Nothing is padded: the
 * packed tensor is exactly N*K floats, the size of the original, so a blob
 * offset computed for the row-major tensor still holds.
 */
#ifndef TFC_RT_PACK_H
#define TFC_RT_PACK_H
#include <stdint.h>

/* Packs w (w_layout 0: [N,K], 1: [K,N], as Attrs.w_layout) into out (N*K floats). */
static inline void rt_pack_panels(const float *w, int w_layout, int64_t N, int64_t K, int nr,
                                  float *out) {
  for (int64_t n0 = 0; n0 < N; n0 += nr) {
    int64_t width = N - n0 < nr ? N - n0 : nr;
    float *panel = out + n0 * K;
    for (int64_t k = 0; k < K; k++)
      for (int64_t j = 0; j < width; j++)
        panel[k * width + j] = w_layout ? w[k * N + n0 + j] : w[(n0 + j) * K + k];
  }
}
#endif
