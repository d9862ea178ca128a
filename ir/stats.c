/*
 * stats.c — what a compiled model costs, computed exactly from the graph:
 *
 *   FLOPs per token   one token at the last position (context = max_seq):
 *                     linear/matmul 2*K*N (+N for a bias), attention
 *                     4*heads*head_dim*max_seq (q k^T and p v), every other
 *                     nn op one FLOP per output element (T = 1)
 *   weight bytes      distinct constants read by live nodes
 *   peak activations  the most bytes live at once at T = max_seq in tfc's
 *                     own memory: a lower bound for any plan's arena
 *   activation arena  the memory plan's arena, when plan_memory ran
 *   output bytes      the graph output that forward writes straight into the
 *                     caller's buffer (ir_caller_output): at every -O level
 *                     the model allocates nothing for it, so it is in neither
 *                     of the two above (for a decoder it is the T x vocab
 *                     logits, often the largest activation)
 *   KV-cache bytes    2 * max_seq * kv_heads * head_dim * 4 per attention node
 *
 * The same table goes to --stats and into the generated header.
 *
 * Kind: exact (analysis only; the graph is not changed).
 * Requires: shapes inferred.  Invalidates: nothing.
 * Reference: docs/passes.md (`--stats`); Kaplan et al. 2020 §2.1 for the 2*N FLOP count.
 */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

/* FLOPs of node n for one token at context length ctx. */
static int64_t node_flops(const Node *n, int64_t ctx) {
  switch (n->op) {
  case OP_LINEAR: {
    const Shape *w = &n->inputs[1]->shape;
    int64_t kn = w->dim[0] * w->dim[1], out = ir_last_dim(n->out);
    return 2 * kn + (n->n_inputs > 2 && n->inputs[2] ? out : 0);
  }
  case OP_MATMUL:
    return 2 * ir_numel(n->inputs[0]->shape, 1) * n->inputs[1]->shape.dim[1];
  case OP_ATTENTION:
    return 4 * (int64_t)n->attrs.heads * n->attrs.head_dim * ctx;
  default:
    return ir_op_info[n->op].dialect == NN ? ir_numel(n->out->shape, 1) : 0;
  }
}

/* Bytes of the distinct constants that live nodes read. */
static int64_t weight_bytes(const Graph *g) {
  char *seen = calloc((size_t)g->n_values + 1, 1);
  int64_t total = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    for (int k = 0; k < n->n_inputs && !n->dead; k++) {
      Value *v = n->inputs[k];
      if (!v || !v->is_const || seen[v->id]) continue;
      seen[v->id] = 1;
      total += ir_value_bytes(g, v);
    }
  }
  free(seen);
  return total;
}

/* The most activation bytes live at once (node outputs, T = max_seq), not
 * counting `skip` (the output in the caller's buffer; NULL when none). */
static int64_t peak_live_bytes(const Graph *g, const Value *skip) {
  int *first = malloc(sizeof(int) * ((size_t)g->n_values + 1));
  int *last = malloc(sizeof(int) * ((size_t)g->n_values + 1));
  ir_live_ranges(g, first, last);
  int64_t peak = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    int64_t live = 0;
    for (int v = 0; v < g->n_values; v++)
      if (first[v] >= 0 && first[v] <= i && last[v] >= i && g->values[v] != skip)
        live += ir_value_bytes(g, g->values[v]);
    if (live > peak) peak = live;
  }
  free(first), free(last);
  return peak;
}

static int64_t kv_cache_bytes(const Graph *g) {
  int64_t total = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (!n->dead && n->op == OP_ATTENTION)
      total += 2 * g->max_seq * n->attrs.kv_heads * n->attrs.head_dim * (int64_t)sizeof(float);
  }
  return total;
}

void ir_format_stats(const Graph *g, const char *prefix, Buf *out) {
  int64_t flops = 0, ctx = g->max_seq > 0 ? g->max_seq : 1;
  const Value *caller = ir_caller_output(g);
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) flops += node_flops(g->nodes[i], ctx);
  buf_printf(out, "%sFLOPs per token        %lld  (one token at context %lld)\n", prefix,
             (long long)flops, (long long)ctx);
  buf_printf(out, "%sweight bytes           %lld\n", prefix, (long long)weight_bytes(g));
  buf_printf(out, "%speak activation bytes  %lld  (live at once, T = %lld%s)\n", prefix,
             (long long)peak_live_bytes(g, caller), (long long)ctx,
             caller ? ", without the output" : "");
  if (g->plan_bytes)
    buf_printf(out, "%sactivation arena bytes %lld  (static memory plan)\n", prefix,
               (long long)g->plan_bytes);
  if (caller)
    buf_printf(out, "%soutput bytes           %lld  (%s at T = %lld, in the caller's buffer)\n",
               prefix, (long long)ir_value_bytes(g, caller), caller->name, (long long)ctx);
  buf_printf(out, "%sKV-cache bytes         %lld\n", prefix, (long long)kv_cache_bytes(g));
}

void ir_print_stats(const Graph *g, FILE *out) {
  Buf b = {0};
  ir_format_stats(g, "", &b);
  if (b.data) fputs(b.data, out);
  buf_free(&b);
}
