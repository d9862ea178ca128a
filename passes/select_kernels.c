/*
 * select_kernels.c — kernel selection: for each node, the runtime kernel the
 * C emitter calls instead of the portable one (Node.kernel, a row of
 * target/kernels.def), chosen from the rows the target's record offers
 * (target/target.c), most preferred first: the first row with the node's op
 * that fits its operands takes it.
 *
 * A row fits when its dtypes take the node's operands (F32: every operand
 * and the result f32, the weight not quantized) and, for attention, the
 * head_dim is at most its max_head (small heads run faster on the
 * single-threaded hadd kernel).  A linear's row must also read the weight as
 * it is stored: packed panels of the row's nr (prepack ran: Value.pack_nr),
 * [N,K] row-major, or [K,N] for a weight that is not a constant (a constant
 * [K,N] weight prepack left alone stays portable: the emitter may store it
 * transposed).  A row that fuses (kernels.def's fuses column: the activation,
 * the residual add) is taken only by a linear with a fused epilogue
 * (passes/fuse_epilogue.c) it applies whole; otherwise a plain row runs the
 * linear and the activation goes to the target's kernel for that op
 * (Node.act_kernel), the residual to a separate add.  Each linear kernel
 * chooses GEMM or GEMV when it runs, from the row count (T is symbolic here),
 * and splits its panels over the model's thread pool.  generic and cuda
 * offer no rows.
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

static bool is_f32(const Value *v) { return !v || (v->dtype == DT_F32 && !v->quant); }

/* Do the node's operands and result fit the row's dtypes? */
static bool dtypes_fit(const Kernel *k, const Node *n) {
  if (k->dtypes == KD_ANY) return true;
  for (int i = 0; i < n->n_inputs; i++)
    if (!is_f32(n->inputs[i])) return false;
  return is_f32(n->out);
}

/* How the linear's weight is stored, for matching a row's layout (*nr: the
 * panel width); KL_NONE when no SIMD row may read it. */
static KernelLayout weight_layout(const Node *n, int *nr) {
  const Value *w = n->inputs[1];
  *nr = w->pack_nr;
  if (w->pack_nr) return KL_PANELS;
  if (n->attrs.w_layout == 0) return KL_NK;
  return w->is_const ? KL_NONE : KL_KN;
}

/* The FUSE_* bits of the work fuse_epilogue moved into the linear n. */
static unsigned epilogue_of(const Node *n) {
  unsigned f = n->n_inputs > 3 && n->inputs[3] ? FUSE_RESIDUAL : 0;
  if (n->attrs.act == OP_GELU_TANH) f |= FUSE_GELU_TANH;
  if (n->attrs.act == OP_SILU) f |= FUSE_SILU;
  if (n->attrs.act && !(f & (FUSE_GELU_TANH | FUSE_SILU))) f |= 1u << 31;   /* one no row knows */
  return f;
}

/* Does the row k take the linear n, stored in `layout`? */
static bool linear_fits(const Kernel *k, const Node *n, KernelLayout layout, int nr) {
  if (layout == KL_NONE || (k->layout != KL_ANY && k->layout != layout)) return false;
  if (layout == KL_PANELS && k->nr != nr) return false;
  unsigned extra = k->fuses & ~(unsigned)FUSE_BIAS, need = epilogue_of(n);
  return extra ? need && (need & ~extra) == 0 : true;
}

/* The first row the target offers for node n, or KERNEL_NONE. */
static KernelId choose(const Target *t, const Node *n) {
  int nr = 0;
  KernelLayout layout = n->op == OP_LINEAR ? weight_layout(n, &nr) : KL_NONE;
  for (const KernelId *id = t->kernels; *id; id++) {
    const Kernel *k = tg_kernel(*id);
    if (k->op != n->op || !dtypes_fit(k, n)) continue;
    if (k->max_head && n->attrs.head_dim > k->max_head) continue;
    if (n->op != OP_LINEAR || linear_fits(k, n, layout, nr)) return *id;
  }
  return KERNEL_NONE;
}

/* The target's kernel for a linear's fused activation, when its kernel does
 * not apply it: the row it offers for that op on the linear's output. */
static KernelId act_kernel(const Target *t, const Node *lin) {
  Node act = {.op = (Op)lin->attrs.act, .n_inputs = 1, .inputs = (Value *[]){lin->out},
              .out = lin->out};
  return choose(t, &act);
}

int pass_select_kernels(Graph *g, const PassOptions *opt) {
  const Target *t = tg_target(opt->target);
  int chosen = 0, left = 0, others = 0;
  ir_set_kernel_names(tg_kernel_names(), KERNEL_COUNT);   /* so the textual IR (--print-after) spells the ids */
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead) continue;
    n->kernel = choose(t, n);
    if (n->op != OP_LINEAR) {
      others += n->kernel != KERNEL_NONE;
      continue;
    }
    bool fused = n->kernel && (tg_kernel(n->kernel)->fuses & ~(unsigned)FUSE_BIAS);
    n->act_kernel = n->attrs.act && !fused ? act_kernel(t, n) : KERNEL_NONE;
    if (n->kernel) {
      chosen++;
    } else if (t->kernels[0]) {
      diag_remark(n->loc, "select_kernels: '%s' keeps the portable linear (weight '%s' is %s)",
                  n->out->name, n->inputs[1]->name,
                  n->inputs[1]->quant ? "quantized" : "[K,N] and not pre-packed");
      left++;
    }
  }
  if (chosen || left || others)
    diag_remark(LOC_NONE, "select_kernels: %d linear%s on %s kernels, %d portable; %d other node%s",
                chosen, chosen == 1 ? "" : "s", t->name, left, others, others == 1 ? "" : "s");
  return 0;
}
