/*
 * graphs.h — small graphs the unit tests share, built with the IR builder:
 * one that uses every nn op, and a llama-like decoder block.  Constant data is
 * deterministic pseudo-random floats in [-0.5, 0.5).
 */
#ifndef TFC_TEST_GRAPHS_H
#define TFC_TEST_GRAPHS_H

#include "ir.h"

static float *test_data(Arena *a, int64_t n, unsigned seed) {
  float *p = arena_alloc(a, sizeof(float) * (size_t)n);
  uint32_t s = seed * 2654435761u + 1;
  for (int64_t i = 0; p && i < n; i++) {
    s = s * 1664525u + 1013904223u;
    p[i] = (float)((s >> 8) / 16777216.0 - 0.5);
  }
  return p;
}

/* A 2-D f32 constant named name (also its source tensor name). */
static Value *test_const2(Graph *g, const char *name, int64_t r, int64_t c) {
  Shape s = r ? ir_shape(2, r, c) : ir_shape(1, c);
  return ir_const(g, name, DT_F32, s, test_data(g->arena, r ? r * c : c, (unsigned)g->n_values + 7u),
                  name, LOC_NONE);
}

static Value *test_op(Graph *g, Op op, const char *name, Attrs at, int n, Value *a, Value *b,
                      Value *c) {
  Value *in[3] = {a, b, c};
  return ir_node(g, op, in, n, &at, name, LOC_NONE);
}

/* Every nn op, in a graph that computes something T-shaped: V=16, D=8. */
static Graph *test_graph_all_ops(Arena *a) {
  Graph *g = ir_graph_new(a, "all_ops", NN);
  g->max_seq = 8, g->vocab_size = 16;
  Value *tok = ir_input(g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Value *x = test_op(g, OP_EMBEDDING, "x", (Attrs){0}, 2, test_const2(g, "wte", 16, 8), tok, NULL);
  Value *pos = test_op(g, OP_POSITIONS, "pos", (Attrs){0}, 0, NULL, NULL, NULL);
  Value *tt = test_op(g, OP_TOKEN_TYPE, "tt", (Attrs){0}, 0, NULL, NULL, NULL);
  Value *p = test_op(g, OP_EMBEDDING, "p", (Attrs){0}, 2, test_const2(g, "wpe", 8, 8), pos, NULL);
  Value *e = test_op(g, OP_EMBEDDING, "e", (Attrs){0}, 2, test_const2(g, "tte", 2, 8), tt, NULL);
  Value *h = test_op(g, OP_ADD, "h", (Attrs){0}, 2, x, p, NULL);
  h = test_op(g, OP_ADD, "h.1", (Attrs){0}, 2, h, e, NULL);
  ir_set_layer(g, "h.0");
  Value *ln = test_op(g, OP_LAYERNORM, "ln_1", (Attrs){.eps = 1e-5}, 3, h,
                      test_const2(g, "ln_1.g", 0, 8), test_const2(g, "ln_1.b", 0, 8));
  Value *q = test_op(g, OP_LINEAR, "q", (Attrs){0}, 3, ln, test_const2(g, "wq", 8, 8),
                     test_const2(g, "bq", 0, 8));
  Value *k = test_op(g, OP_LINEAR, "k", (Attrs){.w_layout = 1}, 2, ln, test_const2(g, "wk", 8, 4), NULL);
  Value *v = test_op(g, OP_LINEAR, "v", (Attrs){0}, 2, ln, test_const2(g, "wv", 4, 8), NULL);
  Value *qr = test_op(g, OP_ROPE, "q_rot", (Attrs){.heads = 2, .head_dim = 4, .rope_theta = 10000}, 1, q, NULL, NULL);
  Value *kr = test_op(g, OP_ROPE, "k_rot", (Attrs){.heads = 1, .head_dim = 4, .rope_theta = 500,
                      .rope_style = ROPE_INTERLEAVED}, 1, k, NULL, NULL);
  Value *att = test_op(g, OP_ATTENTION, "attn", (Attrs){.heads = 2, .kv_heads = 1, .head_dim = 4,
                       .causal = true, .window = 3}, 3, qr, kr, v);
  Value *o = test_op(g, OP_LINEAR, "o", (Attrs){0}, 2, att, test_const2(g, "wo", 8, 8), NULL);
  h = test_op(g, OP_ADD, "h.2", (Attrs){0}, 2, h, o, NULL);
  ir_set_layer(g, "h.1");
  Value *r = test_op(g, OP_RMSNORM, "rms", (Attrs){.eps = 1e-6}, 2, h, test_const2(g, "rms.g", 0, 8), NULL);
  Value *m = test_op(g, OP_MATMUL, "up", (Attrs){0}, 2, r, test_const2(g, "w_up", 8, 16), NULL);
  Value *g1 = test_op(g, OP_GELU, "gelu", (Attrs){0}, 1, m, NULL, NULL);
  Value *g2 = test_op(g, OP_GELU_TANH, "gelu_new", (Attrs){0}, 1, m, NULL, NULL);
  Value *s1 = test_op(g, OP_SILU, "silu", (Attrs){0}, 1, m, NULL, NULL);
  Value *r1 = test_op(g, OP_RELU, "relu", (Attrs){0}, 1, m, NULL, NULL);
  Value *d = test_op(g, OP_SUB, "diff", (Attrs){0}, 2, g1, g2, NULL);
  d = test_op(g, OP_MUL, "prod", (Attrs){0}, 2, d, s1, NULL);
  d = test_op(g, OP_ADD, "sum", (Attrs){0}, 2, d, r1, NULL);
  d = test_op(g, OP_SCALE, "scaled", (Attrs){.scale = 0.1}, 1, d, NULL, NULL);
  ir_set_layer(g, NULL);
  Value *sl = test_op(g, OP_SLICE, "sl", (Attrs){.axis = -1, .start = 4, .length = 8}, 1, d, NULL, NULL);
  Value *cc = test_op(g, OP_CONCAT, "cat", (Attrs){.axis = 1}, 2, sl, h, NULL);
  Value *rs = test_op(g, OP_RESHAPE, "rs", (Attrs){.to_shape = ir_shape(3, (int64_t)IR_DIM_T, (int64_t)4, (int64_t)4)}, 1, cc, NULL, NULL);
  Value *tp = test_op(g, OP_TRANSPOSE, "tp", (Attrs){.perm = {0, 2, 1}}, 1, rs, NULL, NULL);
  Value *flat = test_op(g, OP_RESHAPE, "flat", (Attrs){.to_shape = ir_shape(2, (int64_t)IR_DIM_T, (int64_t)16)}, 1, tp, NULL, NULL);
  Value *logits = test_op(g, OP_LINEAR, "logits", (Attrs){0}, 2, flat, test_const2(g, "head", 16, 16), NULL);
  Value *sm = test_op(g, OP_SOFTMAX, "probs", (Attrs){0}, 1, logits, NULL, NULL);
  if (sm) ir_output(g, sm);
  return sm ? g : NULL;
}

#endif
