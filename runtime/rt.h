/*
 * rt.h — the runtime's conventions.  Runtime files are copied into the
 * generated C by the emitter (they are embedded in tfc at build time), so each
 * kernel file must be self-contained C11 that compiles inside model.c: it
 * includes the standard headers it needs, never this file, and defines its
 * functions with RT_API (`static __attribute__((unused))`, defined by each
 * file under #ifndef), so a file copied for one kernel never warns about the
 * others under -Wall -Werror.  Runtime symbols start with rt_.
 *
 * How the emitter uses a runtime file (codegen/emit_c*.c):
 *
 *   - The portable kernels live in runtime/generic/ (the reference for every
 *     other variant, tests/kernels/).  The emitter copies a file when the
 *     graph needs one of its kernels, once, in a fixed order.
 *   - Every kernel is one row of target/kernels.def (the compiler's table:
 *     op, ISA, what it fuses, weight layout, file, function); Node.kernel,
 *     when a pass set it, is such a row.  The emitter copies the row's file
 *     and calls its function with exactly the arguments of the portable
 *     kernel of the node's op (below).  One exception: a row that fuses a
 *     linear's epilogue (rt_linear_epilogue_avx2) takes three more (below).
 *   - The files a file needs copied first (helpers shared by several kernel
 *     files, the thread pool) are its PIECE row in kernels.def; the CPU
 *     features NAME_open checks are the target records' (target/target.c).
 *   - Panel widths of packed weights are in layout.h, which the kernels and
 *     the compiler share.
 *
 * Portable kernel signatures (runtime/generic/), by op.  Rows are the
 * product of all but the last axis, with T bound to the call's n tokens.
 *
 *   embedding  rt_embedding(float *out, const float *table, const int32_t *ids,
 *                           int n, int vocab, int d)              table (vocab,d)
 *              rt_embedding_packed(... same ..., int nr)  table in panels of nr rows
 *              (attrs.table_nr: prepack packed a table a tied lm head reads too)
 *   positions  rt_positions(int32_t *out, int n, int pos0)        out[t] = pos0+t
 *   token_type rt_fill_i32(int32_t *out, long n, int32_t value)
 *   linear     rt_linear(float *out, const float *x, const float *w, const float *b,
 *                        int rows, int k, int n)    W (n,k) @ x (rows,k) -> (rows,n)
 *              rt_linear_kn(... same ...)           W stored (k,n) (not pre-packed)
 *              fused epilogue (passes/fuse_epilogue.c): then attrs.act in place on out
 *              (rt_gelu(out, out, rows*n), or Node.act_kernel), then rt_add of the
 *              residual input in place
 *              rt_linear_epilogue_avx2(... same ..., int layout, int act,
 *                        const float *residual)  the epilogue inside the kernel
 *              (RT_W_*, RT_ACT_* of runtime/linear_simd.c; no second pass)
 *   matmul     rt_matmul(float *out, const float *a, const float *b, int m, int k, int n)
 *   add/sub/mul rt_add(float *out, const float *a, const float *b, long rows, int d,
 *                      int b_stride)                b_stride 0: b is one row (d,)
 *   scale      rt_scale(float *out, const float *x, long n, float s)
 *   gelu, gelu_tanh, relu, silu   rt_gelu(float *out, const float *x, long n), ...
 *   swiglu     rt_swiglu(float *out, const float *gu, long rows, int f)
 *              gu (rows, 2f), gate first -> out (rows, f) = silu(gate) * up
 *   layernorm  rt_layernorm(float *out, const float *x, const float *g, const float *b,
 *                           long rows, int d, float eps)
 *   rmsnorm    rt_rmsnorm(float *out, const float *x, const float *g, long rows, int d,
 *                         float eps)
 *   crmsnorm   rt_crmsnorm(float *out, const float *x, long rows, int d, float eps)
 *   softmax    rt_softmax(float *out, const float *x, long rows, int d)
 *   rope       rt_rope(float *out, const float *x, int rows, int heads, int head_dim,
 *                      int pos0, const float *table, int interleaved)
 *              table (max_seq, head_dim/2, 2): cos, sin; rt_rope_table fills it at open
 *   attention  rt_attention(float *out, const float *q, const float *k, const float *v,
 *                           float *k_cache, float *v_cache, float *att, int n, int pos0,
 *                           int heads, int kv_heads, int head_dim, float scale,
 *                           int causal, int window)
 *              caches (max_seq, kv_heads*head_dim); att scratch (max_seq,)
 *   slice      rt_slice(void *out, const void *x, long outer, long dim, long start,
 *                       long len, long inner_bytes)
 *   concat     rt_concat(void *out, const void *a, const void *b, long outer,
 *                        long a_bytes, long b_bytes)
 *   transpose  rt_transpose(void *out, const void *x, const long dims[4],
 *                           const int perm[4], long elem_bytes)
 *   reshape    memcpy
 *
 * Weights files (runtime/generic/weights.c) start with a 64-byte header:
 * "TFCW", u32 format version, u64 blob bytes, u64 checksum of the blob,
 * the model name (NUL-padded), all little-endian; the blob follows.
 */
#ifndef TFC_RT_H
#define TFC_RT_H
#include <stdint.h>

#define RT_WEIGHTS_MAGIC "TFCW"
#define RT_WEIGHTS_VERSION 1
#define RT_WEIGHTS_HEADER 64   /* bytes before the blob; keeps it 64-byte aligned */
#define RT_ALIGN 64            /* every constant and activation buffer starts here */

#endif
