/*
 * fuse_swiglu.c — SwiGLU on a fused gate/up linear becomes one op.  After
 * fuse_linears a Llama MLP computes gu = linear(x, [W_gate; W_up]) and then
 *
 *   gate = slice gu [0:F]    up = slice gu [F:2F]    s = silu gate    y = mul s, up
 *
 * four passes over memory and three intermediate buffers.  This pass rewrites
 * the four nodes into y = swiglu gu (ir/ops.def), one pass that reads each row
 * of gu once and writes y, when the slices and the silu have no other reader
 * and are no graph output.  The mul node becomes the swiglu node (it keeps its
 * value and name); the slices and the silu die.  Gate and up as two separate
 * linears (no fuse_linears) are left as they are.
 *
 * Kind: exact (bitwise in the interpreter: silu rounded to f32, then the
 *   product rounded, as the silu and mul did).
 * Requires: nodes in topological order; fuse_linears first to find the pattern.
 * Invalidates: the memory plan.
 * Reference: Shazeer, "GLU Variants Improve Transformer" (2020); the fused
 *   SiluAndMul of vLLM, llama.cpp's ggml_swiglu.
 */
#include "passes.h"

/* The live node producing v when it is `op`, else NULL. */
static Node *producer_of(const Value *v, Op op) {
  Node *p = v->producer;
  return p && !p->dead && p->op == op ? p : NULL;
}

/* A slice along the last axis (axis -1 or rank - 1). */
static bool is_last_axis_slice(const Node *n) {
  int rank = n->inputs[0]->shape.rank;
  return n->attrs.axis == -1 || n->attrs.axis == rank - 1;
}

/* True when v has one reader (the pattern's next node) and is no graph output;
 * else remarks why the rewrite at mul is not applied. */
static bool read_only_by(const Graph *g, const Value *v, const Node *mul) {
  if (!pass_is_output(g, v) && pass_users(g, v, NULL, 0) == 1) return true;
  diag_remark(mul->loc, "fuse_swiglu: not applied at '%s' (%s): '%s' has other readers",
              mul->out->name, pass_where(mul), v->name);
  return false;
}

/* mul(silu(slice gu [0:F]), slice gu [F:2F]) in either operand order: gu,
 * after checking that the three intermediate values have no other reader;
 * NULL when mul is not such a product. */
static Value *swiglu_input(const Graph *g, const Node *mul) {
  const Value *a = mul->inputs[0], *b = mul->inputs[1];
  if (mul->out->dtype != DT_F32 || !ir_shape_eq(a->shape, b->shape)) return NULL;
  for (int k = 0; k < 2; k++) {
    const Value *s = k ? b : a, *up = k ? a : b;
    Node *silu = producer_of(s, OP_SILU), *us = producer_of(up, OP_SLICE);
    Node *gs = silu ? producer_of(silu->inputs[0], OP_SLICE) : NULL;
    if (!gs || !us || gs->inputs[0] != us->inputs[0]) continue;
    Value *gu = gs->inputs[0];
    int64_t f = ir_last_dim(s);
    if (gu->dtype != DT_F32 || !is_last_axis_slice(gs) || !is_last_axis_slice(us) ||
        ir_last_dim(gu) != 2 * f || gs->attrs.start != 0 || us->attrs.start != f)
      continue;
    if (!read_only_by(g, silu->inputs[0], mul) || !read_only_by(g, s, mul) ||
        !read_only_by(g, up, mul))
      return NULL;
    return gu;
  }
  return NULL;
}

/* Rewrites mul into swiglu gu; the slices and the silu it read die. */
static void fuse(Graph *g, Node *mul, Value *gu) {
  for (int k = 0; k < 2; k++) {
    Node *p = mul->inputs[k]->producer;
    if (p->op == OP_SILU) p->inputs[0]->producer->dead = true;
    p->dead = true;
  }
  mul->op = OP_SWIGLU;
  mul->inputs[0] = gu;
  mul->inputs[1] = NULL;
  mul->n_inputs = 1;
  mul->kernel = KERNEL_NONE;   /* chosen for the mul, if kernel selection ran first */
  pass_add_note(g, mul, "slice + silu + mul fused, exact");
  diag_remark(mul->loc, "fuse_swiglu: '%s' = swiglu '%s' (%s)", mul->out->name, gu->name,
              pass_where(mul));
}

int pass_fuse_swiglu(Graph *g, const PassOptions *opt) {
  (void)opt;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    Value *gu = !n->dead && n->op == OP_MUL ? swiglu_input(g, n) : NULL;
    if (gu) fuse(g, n, gu);
  }
  return 0;
}
