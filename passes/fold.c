/*
 * fold.c — constant folding: an element-wise op whose inputs are all f32
 * constants is evaluated now and becomes a constant; and three identities
 * are removed: scale by 1, multiplication by a constant of ones, addition
 * (or subtraction) of a constant of zeros.  Frontends produce such chains
 * when they spell out frozen normalizations (gamma / sqrt(var + eps)).
 *
 * Kind: exact (rel. 1e-6): the same float operations, done once at compile time.
 * Requires: shapes inferred.  Invalidates: the memory plan.
 * Reference: Aho, Lam, Sethi, Ullman, Compilers, §8.5.4 (constant folding).
 */
#include "passes.h"

#include <math.h>

/* The element-wise function of op at one element (b: second operand). */
static float apply(const Node *n, float a, float b) {
  switch (n->op) {
  case OP_ADD: return a + b;
  case OP_SUB: return a - b;
  case OP_MUL: return a * b;
  case OP_SCALE: return (float)(a * n->attrs.scale);
  case OP_RELU: return a > 0 ? a : 0;
  case OP_SILU: return a / (1.0f + expf(-a));
  case OP_GELU: return 0.5f * a * (1.0f + erff(a / sqrtf(2.0f)));
  case OP_GELU_TANH:
    return 0.5f * a * (1.0f + tanhf(0.7978845608028654f * (a + 0.044715f * a * a * a)));
  default: TFC_UNREACHABLE();
  }
}

static bool all_const(const Node *n) {
  for (int k = 0; k < n->n_inputs; k++)
    if (!pass_is_f32_const(n->inputs[k])) return false;
  return n->n_inputs > 0;
}

/* Replaces n's value by a constant computed from its constant inputs. */
static int fold_node(Graph *g, Node *n) {
  int64_t count = ir_numel(n->out->shape, 1);
  float *out = pass_alloc_f32(g, count);
  if (!out) return -1;
  const float *a = n->inputs[0]->data;
  const float *b = n->n_inputs > 1 ? n->inputs[1]->data : NULL;
  int64_t nb = n->n_inputs > 1 ? ir_numel(n->inputs[1]->shape, 1) : 1;
  for (int64_t i = 0; i < count; i++) out[i] = apply(n, a[i], b ? b[i % nb] : 0);
  Value *v = pass_new_const(g, n->out, "folded", n->out->shape, out);
  if (!v) return -1;
  ir_replace_uses(g, n->out, v);
  n->dead = true;
  diag_remark(n->loc, "fold: '%s' computed at compile time (%s)", n->out->name, pass_where(n));
  return 0;
}

/* True when every element of constant v equals x. */
static bool const_is(const Value *v, float x) {
  if (!pass_is_f32_const(v)) return false;
  const float *d = v->data;
  for (int64_t i = 0, count = ir_numel(v->shape, 1); i < count; i++)
    if (d[i] != x) return false;
  return true;
}

/* x*1, x+0, x-0, scale(x, 1) -> x. */
static bool is_identity(const Node *n) {
  if (!ir_shape_eq(n->out->shape, n->inputs[0]->shape) || n->out->dtype != n->inputs[0]->dtype)
    return false;
  switch (n->op) {
  case OP_SCALE: return n->attrs.scale == 1.0;
  case OP_MUL: return const_is(n->inputs[1], 1.0f);
  case OP_ADD:
  case OP_SUB: return const_is(n->inputs[1], 0.0f);
  default: return false;
  }
}

int pass_fold(Graph *g, const PassOptions *opt) {
  (void)opt;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead || !(ir_op_info[n->op].flags & OPF_FOLDABLE) || n->out->dtype != DT_F32)
      continue;
    if (all_const(n)) {
      if (fold_node(g, n)) return -1;
    } else if (is_identity(n)) {
      ir_replace_uses(g, n->out, n->inputs[0]);
      n->dead = true;
      diag_remark(n->loc, "fold: '%s' is an identity, removed (%s)", n->out->name, pass_where(n));
    }
  }
  return 0;
}
