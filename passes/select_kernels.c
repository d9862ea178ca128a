/*
 * select_kernels.c — kernel selection: for each node, the runtime function the
 * C emitter calls instead of the portable kernel, chosen by op, operand layout
 * and target (Node.kernel, "FILE.c:function" under runtime/, runtime/rt.h).
 *
 * Linear layers are where the time goes, so they are what this pass routes:
 *   - x86-64-avx2   runtime/x86/linear_avx2.c    6x16 FMA tile, 16-column panels
 *   - x86-64-avx512 runtime/x86/linear_avx512.c  12x32 tile, 32-column panels
 *   - aarch64-neon  runtime/neon/linear_neon.c   4x16 tile, 16-column panels
 * and within a file the function follows the weight's layout: packed panels
 * (prepack ran: rt_linear_packed_*, a tied lm head too), [N,K] row-major (a
 * weight something else also reads: rt_linear_*), or [K,N] for a weight that
 * is not a constant (rt_linear_kn_*).  A constant [K,N] weight prepack left
 * alone stays on the portable kernel, because the emitter may store it
 * transposed.  Each kernel chooses GEMM or GEMV when it runs, from the row
 * count (T is symbolic here: a prefill has many rows, a decode step one), and
 * splits its panels over the model's thread pool.
 *
 * On x86-64-avx2 a linear with a fused epilogue (gelu_tanh or silu, and/or a
 * residual add) goes instead to rt_linear_epilogue_avx2, which applies it to
 * each output tile while the tile is still in L1 (the emitter recognises the
 * rt_linear_epilogue_ name and passes the layout, the activation and the
 * residual).  On both x86 targets attention goes to the threaded flash-style
 * kernel (x86/flash_attention_avx2.c; heads of at most X86_SMALL_HEAD floats
 * to x86/attention_avx2.c), gelu_tanh / silu to vector versions
 * (x86/elementwise_avx2.c), also where fuse_epilogue moved the activation
 * into a linear that has no epilogue kernel (Node.act_kernel), and swiglu and
 * rmsnorm to threaded AVX2 kernels (x86/swiglu_avx2.c, x86/norm_avx2.c).
 * generic and cuda select nothing.
 *
 * Kind: exact (rel. 1e-5): the kernels compute the same functions, with sums
 *   in another order and exp as a polynomial (tests/kernels/ bounds the
 *   difference from the portable kernels).
 * Requires: nodes in topological order; prepack first for packed kernels.
 * Invalidates: nothing.
 * Reference: Goto & van de Geijn, TOMS 34(3), 2008 (GEMM loop structure);
 *   ggml-cpu's per-op, per-ISA dispatch (ggml_compute_forward).
 */
#include "passes.h"

typedef struct {
  Target target;
  const char *file;       /* linear kernels, under runtime/ */
  const char *suffix;     /* of the function names in that file */
  int nr;                 /* packed panel width the file's kernels read */
  const char *attention;  /* "FILE:function" per op, NULL: portable */
  const char *gelu_tanh;
  const char *silu;
  bool epilogue;          /* the file has rt_linear_epilogue_<suffix> */
} KernelSet;

/* AVX-512 machines run the AVX2 attention and activations (no gain from
 * wider vectors measured on them yet). */
#define X86_ATTENTION "x86/flash_attention_avx2.c:rt_flash_attention_avx2"
#define X86_GELU_TANH "x86/elementwise_avx2.c:rt_gelu_tanh_avx2"
#define X86_SILU "x86/elementwise_avx2.c:rt_silu_avx2"

static const KernelSet kernel_sets[] = {
    {TARGET_AVX2, "x86/linear_avx2.c", "avx2", 16, X86_ATTENTION, X86_GELU_TANH, X86_SILU, true},
    {TARGET_AVX512, "x86/linear_avx512.c", "avx512", 32, X86_ATTENTION, X86_GELU_TANH, X86_SILU,
     false},
    {TARGET_NEON, "neon/linear_neon.c", "neon", 16, NULL, NULL, NULL, false},
};

static const KernelSet *kernel_set(Target t) {
  for (size_t i = 0; i < sizeof kernel_sets / sizeof *kernel_sets; i++)
    if (kernel_sets[i].target == t) return &kernel_sets[i];
  return NULL;
}

/* The variant of rt_linear for this node's weight ("packed_", "", "kn_"), or
 * NULL to keep the portable kernel. */
static const char *linear_variant(const Node *n, const KernelSet *ks) {
  const Value *x = n->inputs[0], *w = n->inputs[1], *b = n->n_inputs > 2 ? n->inputs[2] : NULL;
  if (x->dtype != DT_F32 || w->dtype != DT_F32 || w->quant || (b && b->dtype != DT_F32))
    return NULL;
  if (w->packed) return w->pack_nr == ks->nr ? "packed_" : NULL;
  if (n->attrs.w_layout == 0) return "";
  return w->is_const ? NULL : "kn_";
}

/* Whether the linear n has a fused epilogue the kernel set's epilogue entry
 * can apply itself: a residual input, and an activation it knows (or none). */
static bool kernel_takes_epilogue(const Node *n, const KernelSet *ks) {
  bool residual = n->n_inputs > 3 && n->inputs[3];
  bool act_ok = !n->attrs.act || n->attrs.act == OP_GELU_TANH || n->attrs.act == OP_SILU;
  return ks->epilogue && (residual || n->attrs.act) && act_ok && n->out->dtype == DT_F32 &&
         (!residual || n->inputs[3]->dtype == DT_F32);
}

/* The kernel of an activation op on this target, or NULL. */
static const char *activation_kernel(Op op, const KernelSet *ks) {
  return op == OP_GELU_TANH ? ks->gelu_tanh : op == OP_SILU ? ks->silu : NULL;
}

/* Heads of at most this size take x86/attention_avx2.c (8-key hadd scores,
 * single-threaded) rather than the flash kernel: on stories260K's shapes
 * (head_dim 8) a 256-token decode spends 7.8 us/token there against 53 us in
 * the flash kernel on one thread; from head_dim 64 on the flash kernel wins.
 * The flash kernel's blocks of 8 queries (prefill, GQA decode) did not close
 * the gap: one decode step at position 255 (8 heads / 4 kv heads) takes
 * 3.5 us there against 11 us in the flash kernel (two of its eight query
 * lanes busy, and an exp per key costs more than 8 floats of q.k; one
 * thread, 2026-11-27). */
#define X86_SMALL_HEAD 16
#define X86_SMALL_HEAD_ATTENTION "x86/attention_avx2.c:rt_attention_avx2"

/* The glue between a layer's GEMMs on x86 (fuse_swiglu's op, RMSNorm):
 * threaded AVX2 kernels a prefill would otherwise run portable, on one thread. */
#define X86_SWIGLU "x86/swiglu_avx2.c:rt_swiglu_avx2"
#define X86_RMSNORM "x86/norm_avx2.c:rt_rmsnorm_avx2"

/* The glue kernel for op (swiglu, rmsnorm) on the x86 targets, else NULL. */
static const char *x86_glue_kernel(Op op, const KernelSet *ks) {
  if (ks->target != TARGET_AVX2 && ks->target != TARGET_AVX512) return NULL;
  return op == OP_SWIGLU ? X86_SWIGLU : op == OP_RMSNORM ? X86_RMSNORM : NULL;
}

/* The kernel for a node other than a linear, or NULL: attention, the
 * activations and the glue that cost time in a prefill, on f32 data. */
static const char *other_kernel(const Node *n, const KernelSet *ks) {
  if (n->out->dtype != DT_F32 || n->inputs[0]->dtype != DT_F32) return NULL;
  if (n->op == OP_SWIGLU || n->op == OP_RMSNORM) return x86_glue_kernel(n->op, ks);
  if (n->op == OP_ATTENTION && ks->attention && n->attrs.head_dim <= X86_SMALL_HEAD)
    return X86_SMALL_HEAD_ATTENTION;
  return n->op == OP_ATTENTION ? ks->attention : activation_kernel(n->op, ks);
}

int pass_select_kernels(Graph *g, const PassOptions *opt) {
  const KernelSet *ks = kernel_set(opt->target);
  int chosen = 0, left = 0, others = 0;
  if (!ks) return 0;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead) continue;
    if (n->op != OP_LINEAR) {
      const char *k = other_kernel(n, ks);
      if (k) n->kernel = k, others++;
      continue;
    }
    if (n->attrs.act && n->out->dtype == DT_F32)   /* fuse_epilogue moved it here */
      n->act_kernel = activation_kernel((Op)n->attrs.act, ks);
    const char *variant = linear_variant(n, ks);
    if (!variant) {
      diag_remark(n->loc, "select_kernels: '%s' keeps the portable linear (weight '%s' is %s)",
                  n->out->name, n->inputs[1]->name,
                  n->inputs[1]->quant ? "quantized" : "[K,N] and not pre-packed");
      left++;
      continue;
    }
    if (kernel_takes_epilogue(n, ks)) {
      n->kernel = arena_printf(g->arena, "%s:rt_linear_epilogue_%s", ks->file, ks->suffix);
      n->act_kernel = NULL;
    } else {
      n->kernel = arena_printf(g->arena, "%s:rt_linear_%s%s", ks->file, variant, ks->suffix);
    }
    if (!n->kernel) {
      diag_error(n->loc, "out of memory");
      return -1;
    }
    chosen++;
  }
  if (chosen || left || others)
    diag_remark(LOC_NONE, "select_kernels: %d linear%s on %s kernels, %d portable; %d other node%s",
                chosen, chosen == 1 ? "" : "s", ks->suffix, left, others, others == 1 ? "" : "s");
  return 0;
}
