/*
 * rewrite.c — small graph-editing helpers the passes share: who reads a
 * value, new arena-owned constants, inserting a node at a place in the
 * topological order, and folding a per-channel affine map into a linear.
 * Constants read from weights are never modified: a pass that changes a
 * weight makes a new constant (the old one stays for its other readers).
 *
 * Kind: exact (helpers; each pass states its own tolerance).
 * Requires: shapes inferred.  Invalidates: nothing by itself.
 * Reference: the general migration identity, docs/passes.md §0.
 */
#include "passes.h"

#include <string.h>

int pass_users(const Graph *g, const Value *v, Node **users, int max) {
  int count = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++)
      if (n->inputs[k] == v) {
        if (count < max) users[count] = n;
        count++;
        break;
      }
  }
  return count;
}

bool pass_is_output(const Graph *g, const Value *v) {
  for (int i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == v) return true;
  return false;
}

bool pass_is_f32_const(const Value *v) {
  return v && v->is_const && v->dtype == DT_F32 && v->data && !v->quant;
}

float *pass_alloc_f32(Graph *g, int64_t n) {
  float *p = arena_alloc(g->arena, sizeof(float) * (size_t)(n > 0 ? n : 1));
  if (!p) diag_error(LOC_NONE, "out of memory");
  return p;
}

Value *pass_new_const(Graph *g, const Value *like, const char *suffix, Shape shape,
                      const float *data) {
  const char *base = like->source ? like->source : like->name;
  const char *source = arena_printf(g->arena, "%s@%s", base, suffix);
  const char *name = arena_printf(g->arena, "%s.%s", like->name, suffix);
  Value *v = source && name ? ir_const(g, name, DT_F32, shape, data, source, like->loc) : NULL;
  if (!v) diag_error(LOC_NONE, "out of memory");
  return v;
}

Value *pass_insert_before(Graph *g, Node *before, Op op, Value **inputs, int n_inputs,
                          const Attrs *attrs, const char *name) {
  Value *out = ir_node(g, op, inputs, n_inputs, attrs, name, before->loc);
  if (!out) {
    if (!diag_error_count()) diag_error(LOC_NONE, "out of memory");
    return NULL;
  }
  Node *n = g->nodes[g->n_nodes - 1];
  n->layer = before->layer;
  int at = 0;
  while (g->nodes[at] != before) at++;
  memmove(&g->nodes[at + 1], &g->nodes[at], sizeof(Node *) * (size_t)(g->n_nodes - 1 - at));
  g->nodes[at] = n;
  return out;
}

int64_t pass_w_index(const Node *linear, int64_t n, int64_t k) {
  const Shape *s = &linear->inputs[1]->shape;
  return linear->attrs.w_layout ? k * s->dim[1] + n : n * s->dim[1] + k;
}

/* Output width N and input width K of a linear node. */
static void linear_dims(const Node *lin, int64_t *n_out, int64_t *k_in) {
  const Shape *s = &lin->inputs[1]->shape;
  *n_out = lin->attrs.w_layout ? s->dim[1] : s->dim[0];
  *k_in = lin->attrs.w_layout ? s->dim[0] : s->dim[1];
}

/* Gives `linear` the bias input `b` (growing its input array when absent). */
static int set_bias(Graph *g, Node *linear, Value *b) {
  if (linear->n_inputs < 3) {
    Value **in = arena_alloc(g->arena, sizeof(Value *) * 3);
    if (!in) {
      diag_error(LOC_NONE, "out of memory");
      return -1;
    }
    memcpy(in, linear->inputs, sizeof(Value *) * (size_t)linear->n_inputs);
    linear->inputs = in;
    linear->n_inputs = 3;
  }
  linear->inputs[2] = b;
  return 0;
}

int pass_fold_affine_into_linear(Graph *g, Node *lin, const double *a, const double *b0,
                                 const char *suffix) {
  Value *w = lin->inputs[1], *b = lin->n_inputs > 2 ? lin->inputs[2] : NULL;
  const float *wd = w->data, *bd = b ? b->data : NULL;
  int64_t N, K;
  linear_dims(lin, &N, &K);
  if (a) {
    float *nw = pass_alloc_f32(g, N * K);
    if (!nw) return -1;
    for (int64_t n = 0; n < N; n++)
      for (int64_t k = 0; k < K; k++) {
        int64_t i = pass_w_index(lin, n, k);
        nw[i] = (float)((double)wd[i] * a[k]);
      }
    Value *v = pass_new_const(g, w, suffix, w->shape, nw);
    if (!v) return -1;
    lin->inputs[1] = v;
  }
  if (b0) {
    float *nb = pass_alloc_f32(g, N);
    if (!nb) return -1;
    for (int64_t n = 0; n < N; n++) {
      double s = bd ? bd[n] : 0;
      for (int64_t k = 0; k < K; k++) s += (double)wd[pass_w_index(lin, n, k)] * b0[k];
      nb[n] = (float)s;
    }
    Value *v = b ? pass_new_const(g, b, suffix, b->shape, nb)
                 : pass_new_const(g, w, arena_printf(g->arena, "%s.bias", suffix),
                                  ir_shape(1, N), nb);
    if (!v || set_bias(g, lin, v)) return -1;
  }
  return 0;
}

void pass_add_note(Graph *g, Node *n, const char *note) {
  const char *joined = n->note ? arena_printf(g->arena, "%s; %s", n->note, note) : note;
  if (joined) n->note = joined;
}

const char *pass_where(const Node *n) { return n->layer ? n->layer : "top level"; }
