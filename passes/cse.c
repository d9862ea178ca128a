/*
 * cse.c — common-subexpression elimination: two live nodes with the same op,
 * the same attributes and the same inputs compute the same value, so the
 * later one's readers are pointed at the earlier one.  Constants count as the
 * same input when they share data, dtype and shape (a tied head reads the
 * embedding table twice).  Attention is never merged: each node owns a KV
 * cache.  O(n^2) in nodes, which is fine at transformer sizes (docs/style.md, habit 18).
 *
 * Kind: exact (bitwise): a merged node computed identical bits.
 * Requires: nodes in topological order.  Invalidates: the memory plan.
 * Reference: Cocke 1970, "Global common subexpression elimination".
 */
#include "passes.h"

static bool same_shape(Shape a, Shape b) { return ir_shape_eq(a, b); }

static bool same_input(const Value *a, const Value *b) {
  if (a == b) return true;
  return a && b && a->is_const && b->is_const && a->data && a->data == b->data &&
         a->dtype == b->dtype && same_shape(a->shape, b->shape) && a->quant == b->quant;
}

static bool same_node(const Node *a, const Node *b) {
  if (a->op != b->op || a->n_inputs != b->n_inputs || a->out->dtype != b->out->dtype ||
      !same_shape(a->out->shape, b->out->shape) || a->out->rasp != b->out->rasp ||
      !ir_attrs_equal(a->op, &a->attrs, &b->attrs, a->out->shape.rank))
    return false;
  for (int k = 0; k < a->n_inputs; k++)
    if (!same_input(a->inputs[k], b->inputs[k])) return false;
  return true;
}

int pass_cse(Graph *g, const PassOptions *opt) {
  (void)opt;
  int merged = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead || n->op == OP_ATTENTION) continue;
    for (int j = 0; j < i; j++) {
      Node *m = g->nodes[j];
      if (m->dead || !same_node(m, n)) continue;
      ir_replace_uses(g, n->out, m->out);
      n->dead = true;
      merged++;
      diag_remark(n->loc, "cse: '%s' is the same as '%s' (%s)", n->out->name, m->out->name,
                  pass_where(n));
      break;
    }
  }
  (void)merged;
  return 0;
}
