/*
 * analysis.c — facts about a graph that passes and emitters both read, computed
 * from the graph alone: live ranges, a value's bytes at T = max_seq, and which
 * graph output may live in the caller's buffer (plan_memory gives it no arena
 * bytes, the C emitter names it `out`, stats counts it apart).
 *
 * Kind: analysis only (the graph is not changed).
 */
#include "ir.h"

int64_t ir_value_bytes(const Graph *g, const Value *v) {
  return ir_numel(v->shape, g->max_seq > 0 ? g->max_seq : 1) * (int64_t)ir_dtype_size(v->dtype);
}

void ir_live_ranges(const Graph *g, int *first, int *last) {
  for (int i = 0; i < g->n_values; i++) first[i] = last[i] = -1;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead) continue;
    first[n->out->id] = last[n->out->id] = i;
    for (int k = 0; k < n->n_inputs; k++)
      if (n->inputs[k] && first[n->inputs[k]->id] >= 0) last[n->inputs[k]->id] = i;
  }
  for (int i = 0; i < g->n_outputs; i++)
    if (first[g->outputs[i]->id] >= 0) last[g->outputs[i]->id] = g->n_nodes;
}

/* Is s exactly the rows of out: [T, d1, ..., dk] with fixed d1..dk whose
 * product is the last dimension (so T x out_dim, row-major)? */
static bool is_out_layout(Shape s) {
  if (s.rank < 2 || s.dim[0] != IR_DIM_T) return false;
  int64_t row = 1;
  for (int i = 1; i < s.rank; i++) {
    if (s.dim[i] == IR_DIM_T) return false;
    row *= s.dim[i];
  }
  return row == s.dim[s.rank - 1];
}

Value *ir_caller_output(const Graph *g) {
  Value *v = g->n_outputs ? g->outputs[0] : NULL;
  if (!v || v->is_input || v->is_const || !v->producer || v->producer->dead) return NULL;
  if (ir_op_info[v->producer->op].dialect != NN || v->dtype != DT_F32) return NULL;
  return is_out_layout(v->shape) ? v : NULL;
}

