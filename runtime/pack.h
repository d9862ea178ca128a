/*
 * pack.h — packs a weight into the panel layout of layout.h, for the compiler
 * (codegen/emit_c_weights.c writes the packed bytes into the weights blob
 * through target/target.c) and the kernel tests; the SIMD linear kernels read
 * the same layout (runtime/x86, runtime/neon), so the two cannot disagree.
 *
 * The layout and the panel widths are in layout.h; this file writes it.
 * Nothing is padded: the packed tensor is exactly N*K floats, the size of the
 * original, so a blob offset computed for the row-major tensor still holds.
 */
#ifndef TFC_RT_PACK_H
#define TFC_RT_PACK_H
#include <stdint.h>

#include "layout.h"

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
