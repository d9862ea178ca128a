/*
 * fuse_linears.c — linears that read the same input (attention's q, k, v
 * projections; SwiGLU's gate and up) become one linear on the concatenated
 * weights, followed by a slice per original output.  One pass over the input
 * in place of several: one weight stream, one kernel call, better use of the
 * cache for a short T.  Members must share the weight layout and all have, or
 * all lack, a constant bias.
 *
 * Kind: exact (bitwise): every output element is the same dot product.
 * Requires: constant f32 weights.  Invalidates: the memory plan.
 * Reference: FasterTransformer / llama.cpp fused QKV; the fused gate_up_proj of
 * vLLM's LlamaMLP.
 */
#include "passes.h"

#include <stdlib.h>
#include <string.h>

/* A linear whose weights are constants this pass can concatenate. */
static bool is_member(const Node *n) {
  return !n->dead && n->op == OP_LINEAR && n->inputs[0]->shape.rank == 2 &&
         pass_is_f32_const(n->inputs[1]) &&
         (n->n_inputs < 3 || !n->inputs[2] || pass_is_f32_const(n->inputs[2]));
}

static bool has_bias(const Node *n) { return n->n_inputs > 2 && n->inputs[2]; }

static bool compatible(const Node *a, const Node *b) {
  return a->inputs[0] == b->inputs[0] && a->attrs.w_layout == b->attrs.w_layout &&
         has_bias(a) == has_bias(b);
}

static int64_t out_width(const Node *n) { return ir_last_dim(n->out); }

/* Concatenated weight (and bias) of group[0..m): rows stacked for [N,K],
 * columns joined for [K,N]. */
static Value *concat_weights(Graph *g, Node **group, int m, int64_t total, bool bias) {
  Node *first = group[0];
  int64_t K = ir_last_dim(first->inputs[0]);
  float *dst = pass_alloc_f32(g, bias ? total : total * K);
  if (!dst) return NULL;
  Buf src = {0};
  int64_t at = 0;
  for (int i = 0; i < m; i++) {
    Node *n = group[i];
    Value *v = n->inputs[bias ? 2 : 1];
    int64_t N = out_width(n);
    const float *d = v->data;
    if (bias)
      memcpy(dst + at, d, sizeof(float) * (size_t)N);
    else
      for (int64_t o = 0; o < N; o++)
        for (int64_t k = 0; k < K; k++) {
          int64_t j = first->attrs.w_layout ? k * total + at + o : (at + o) * K + k;
          dst[j] = d[pass_w_index(n, o, k)];
        }
    at += N;
    buf_printf(&src, "%s%s", i ? "+" : "", v->source ? v->source : v->name);
  }
  Shape s = bias ? ir_shape(1, total)
                 : first->attrs.w_layout ? ir_shape(2, (int64_t)K, total) : ir_shape(2, total, K);
  const char *name = arena_strdup(g->arena, src.data);
  buf_free(&src);
  Value *v = ir_const(g, arena_printf(g->arena, "%s.fused", group[0]->inputs[bias ? 2 : 1]->name),
                      DT_F32, s, dst, name, first->inputs[1]->loc);
  if (!v) diag_error(LOC_NONE, "out of memory");
  return v;
}

/* Replaces group[0..m) by one linear and m slices. */
static int fuse(Graph *g, Node **group, int m) {
  Node *first = group[0];
  int64_t total = 0;
  for (int i = 0; i < m; i++) total += out_width(group[i]);
  Value *in[3] = {first->inputs[0], concat_weights(g, group, m, total, false), NULL};
  bool bias = has_bias(first);
  if (!in[1] || (bias && !(in[2] = concat_weights(g, group, m, total, true)))) return -1;
  Value *fused = pass_insert_before(g, first, OP_LINEAR, in, bias ? 3 : 2, &first->attrs,
                                    arena_printf(g->arena, "%s.fused", first->out->name));
  if (!fused) return -1;
  pass_add_note(g, fused->producer, arena_printf(g->arena, "%d linears fused into one, exact", m));
  int64_t start = 0;
  for (int i = 0; i < m; i++) {
    Attrs at = {.axis = -1, .start = start, .length = out_width(group[i])};
    Value *slice = pass_insert_before(g, first, OP_SLICE, &fused, 1, &at, group[i]->out->name);
    if (!slice) return -1;
    ir_replace_uses(g, group[i]->out, slice);
    group[i]->dead = true;
    start += at.length;
  }
  diag_remark(first->loc, "fuse_linears: fused %d linears reading '%s' into '%s' (%s)", m,
              first->inputs[0]->name, fused->name, pass_where(first));
  return 0;
}

int pass_fuse_linears(Graph *g, const PassOptions *opt) {
  (void)opt;
  Node **group = malloc(sizeof(Node *) * ((size_t)g->n_nodes + 1));
  if (!group) return diag_error(LOC_NONE, "out of memory"), -1;
  int rc = 0;
  for (int i = 0; i < g->n_nodes && rc == 0; i++) {
    Node *n = g->nodes[i];
    if (!is_member(n)) continue;
    int m = 0;
    for (int j = i; j < g->n_nodes; j++)
      if (is_member(g->nodes[j]) && compatible(n, g->nodes[j])) group[m++] = g->nodes[j];
    if (m >= 2) {
      rc = fuse(g, group, m);
      i += m;   /* the fused linear and its slices were inserted before n */
    }
  }
  free(group);
  return rc;
}
