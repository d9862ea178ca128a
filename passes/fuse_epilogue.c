/*
 * fuse_epilogue.c — moves the work that follows a linear into its epilogue:
 * an activation read only from the linear (bias + gelu/gelu_tanh/relu/silu)
 * becomes the linear's `act` attribute, and a residual add of the linear's
 * output to a value computed earlier becomes the linear's fourth input
 * (out = act(x W^T + b) + r; the bias input stays absent, `_`, when there
 * was none).  Where select_kernels finds a kernel that fuses them, they are
 * applied to each tile before it is stored; otherwise the emitter applies
 * them in place on the output right after the matmul.  Either way the
 * intermediate buffers go.
 *
 * Kind: exact (bitwise in the interpreter: the same roundings in the same order).
 * Requires: nodes in topological order.  Invalidates: the memory plan.
 * Reference: cuBLASLt epilogues (CUBLASLT_EPILOGUE_GELU_BIAS); ByteTransformer
 * (Zhai et al., IPDPS 2023) §IV-B, fused add-bias + activation.
 */
#include "passes.h"


static bool is_activation(Op op) {
  return op == OP_GELU || op == OP_GELU_TANH || op == OP_RELU || op == OP_SILU;
}

/* The linear that produces v, when v is read by one node only and is no output. */
static Node *sole_linear(const Graph *g, const Value *v) {
  Node *p = v->producer;
  if (!p || p->dead || p->op != OP_LINEAR || p->n_inputs > 3 || pass_is_output(g, v) ||
      pass_users(g, v, NULL, 0) != 1)
    return NULL;
  return p;
}

/* The fused value takes the name of the step it now ends with (the reader of
 * the generated C sees "resid_mlp", not "c_proj", flowing on). */
static void take_name(Value *fused, Value *gone) {
  const char *name = fused->name;
  fused->name = gone->name;
  gone->name = name;
}

/* act(linear) -> linear with act. */
static bool fuse_activation(Graph *g, Node *n) {
  Node *lin = sole_linear(g, n->inputs[0]), *p = n->inputs[0]->producer;
  if (!lin && p && !p->dead && p->op == OP_LINEAR)
    diag_remark(n->loc, "fuse_epilogue: not applied: '%s' (%s) reads linear '%s', whose output "
                "has other readers", n->out->name, ir_op_info[n->op].name, p->out->name);
  if (!lin || lin->attrs.act || n->out->dtype != DT_F32) return false;
  lin->attrs.act = n->op;
  ir_replace_uses(g, n->out, lin->out);
  take_name(lin->out, n->out);
  n->dead = true;
  pass_add_note(g, lin, arena_printf(g->arena, "%s moved into the linear, exact", ir_op_info[n->op].name));
  diag_remark(n->loc, "fuse_epilogue: '%s' (%s) fused into linear '%s'", lin->out->name,
              ir_op_info[n->op].name, n->out->name);
  return true;
}

/* add(linear, r) with r computed before the linear -> linear with residual r. */
/* Position of node n in the order (node ids are not unique after ir_compact). */
static int index_of(const Graph *g, const Node *n) {
  for (int i = 0; i < g->n_nodes; i++)
    if (g->nodes[i] == n) return i;
  TFC_UNREACHABLE();
}

static int fuse_residual(Graph *g, Node *add) {
  if (!ir_shape_eq(add->inputs[0]->shape, add->inputs[1]->shape)) return 0;
  for (int k = 0; k < 2; k++) {
    Node *lin = sole_linear(g, add->inputs[k]);
    Value *r = add->inputs[1 - k];
    if (!lin || r == lin->out || (r->producer && index_of(g, r->producer) >= index_of(g, lin)))
      continue;
    Value **in = arena_alloc(g->arena, sizeof(Value *) * 4);
    if (!in) return diag_error(LOC_NONE, "out of memory"), -1;
    in[0] = lin->inputs[0], in[1] = lin->inputs[1], in[3] = r;
    in[2] = lin->n_inputs > 2 ? lin->inputs[2] : NULL;   /* no bias: stays absent */
    lin->inputs = in;
    lin->n_inputs = 4;
    ir_replace_uses(g, add->out, lin->out);
    take_name(lin->out, add->out);
    add->dead = true;
    pass_add_note(g, lin, "residual add moved into the linear, exact");
    diag_remark(add->loc, "fuse_epilogue: residual add '%s' fused into linear '%s'", lin->out->name,
                add->out->name);
    return 1;
  }
  return 0;
}

int pass_fuse_epilogue(Graph *g, const PassOptions *opt) {
  (void)opt;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead) continue;
    if (is_activation(n->op)) fuse_activation(g, n);
    else if (n->op == OP_ADD && n->out->dtype == DT_F32 && fuse_residual(g, n) < 0) return -1;
  }
  return 0;
}
