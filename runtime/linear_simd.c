/*
 * linear_simd.c — what the SIMD linear kernels (x86/linear_avx2.c,
 * x86/linear_avx512.c, neon/linear_neon.c) share: the description of one
 * linear layer (RtLinear, with the activation codes RT_ACT_* of a kernel that
 * applies the fused epilogue itself), the split of its output panels over
 * the thread pool, and the launch of a kernel's task with the portable
 * arguments (runtime/rt.h, rt_linear).  Each kernel file's PIECE row in
 * target/kernels.def needs this one, so it is copied into model.c once, before them.
 */
#include <stdint.h>

#ifndef RT_API
#define RT_API static inline
#endif

enum { RT_W_NK = 0, RT_W_KN = 1, RT_W_PACKED = 2 };  /* NK, KN match Attrs.w_layout */

/* The activation a kernel may apply to its own output (fuse_epilogue). */
enum { RT_ACT_NONE = 0, RT_ACT_GELU_TANH = 1, RT_ACT_SILU = 2 };

/* One linear layer: out [T,N] = act(x [T,K] W^T + bias) + residual. */
typedef struct {
  float *out;              /* [T,N] */
  const float *x;          /* [T,K] */
  const float *w;          /* in w_layout */
  const float *bias;       /* [N] or NULL */
  int T, K, N;
  int w_layout;            /* RT_W_NK | RT_W_KN | RT_W_PACKED */
  int act;                 /* RT_ACT_*: only kernels with an epilogue read it */
  const float *residual;   /* [T,N] or NULL: likewise; never the same memory as out */
} RtLinear;

/* Part `part` of `parts` of L's output panels, nr columns each: [*p0, *p1). */
static inline void rt_linear_panels(const RtLinear *L, int nr, int part, int parts, int *p0,
                                    int *p1) {
  int panels = (L->N + nr - 1) / nr;
  *p0 = (int)((int64_t)panels * part / parts);
  *p1 = (int)((int64_t)panels * (part + 1) / parts);
}

/* W @ x (rows,k) [+ b] -> out (rows,n), w in `layout`, by a kernel's task
 * (an RtTask over an RtLinear) on the model's thread pool. */
static inline void rt_linear_run(RtTask task, float *out, const float *x, const float *w,
                                 const float *b, int rows, int k, int n, int layout) {
  RtLinear L = {out, x, w, b, rows, k, n, layout, RT_ACT_NONE, NULL};
  rt_parallel(task, &L);
}

/* What every ISA's task does with its part: its share of the output panels
 * (nr columns each), by the ISA's GEMV for one row (a decode step) or its
 * GEMM for more (a prefill). */
typedef void (*RtPanels)(const RtLinear *L, int p0, int p1);
static inline void rt_linear_part(const RtLinear *L, int nr, int part, int parts, RtPanels gemv,
                                  RtPanels gemm) {
  int p0, p1;
  rt_linear_panels(L, nr, part, parts, &p0, &p1);
  (L->T == 1 ? gemv : gemm)(L, p0, p1);
}

/* Defines an entry point with the portable rt_linear's arguments (runtime/
 * rt.h): W @ x (rows,k) [+ b] -> out (rows,n), w in `layout`, by `task` on
 * the model's pool.  Each SIMD file names its three (one per weight layout:
 * [N,K], [K,N], packed panels) in full, so a reader of model.c finds them. */
#define RT_LINEAR_ENTRY(name, task, layout)                                                 \
  RT_API void name(float *out, const float *x, const float *w, const float *b, int rows,    \
                   int k, int n) {                                                          \
    rt_linear_run(task, out, x, w, b, rows, k, n, layout);                                  \
  }
