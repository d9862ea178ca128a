/*
 * graphs_cg.h — model-shaped graphs for the C emitter's tests, built with the
 * IR builder (tests/unit/graphs.h supplies the helpers and a graph with every
 * nn op): a GPT-2-like decoder (Conv1D weights, fused QKV sliced apart, tied
 * head, optional sliding window), a Llama-like decoder (RMSNorm, RoPE in
 * either style, grouped-query attention, SwiGLU, untied head) and a BERT-like
 * encoder (token types, bidirectional attention with a window of 3 so that
 * non-causal windows are covered, post-LN, erf GELU).
 */
#ifndef TFC_TEST_GRAPHS_CG_H
#define TFC_TEST_GRAPHS_CG_H

#include "../unit/graphs.h"

#define D 16
#define V 13

static Value *cg_bias(Graph *g, const char *name, int64_t n) { return test_const2(g, name, 0, n); }

static Value *cg_lin(Graph *g, const char *name, Value *x, Value *w, Value *b, int layout) {
  return test_op(g, OP_LINEAR, name, (Attrs){.w_layout = layout}, b ? 3 : 2, x, w, b);
}

static Value *cg_layernorm(Graph *g, const char *name, Value *x) {
  char gn[64], bn[64];
  snprintf(gn, sizeof gn, "%s.weight", name), snprintf(bn, sizeof bn, "%s.bias", name);
  return test_op(g, OP_LAYERNORM, name, (Attrs){.eps = 1e-5}, 3, x, cg_bias(g, gn, D),
                 cg_bias(g, bn, D));
}

/* One GPT-2 block: x + attn(ln_1(x)), then + mlp(ln_2(x)). */
static Value *cg_gpt2_block(Graph *g, int layer, Value *x, int window) {
  char p[32], n[96];
  snprintf(p, sizeof p, "h.%d", layer);
  ir_set_layer(g, p);
#define NM(s) (snprintf(n, sizeof n, "%s.%s", p, s), n)
  Value *ln = cg_layernorm(g, NM("ln_1"), x);
  Value *qkv = cg_lin(g, "qkv", ln, test_const2(g, NM("attn.c_attn.weight"), D, 3 * D),
                      cg_bias(g, NM("attn.c_attn.bias"), 3 * D), 1);
  Value *q = test_op(g, OP_SLICE, "q", (Attrs){.axis = -1, .start = 0, .length = D}, 1, qkv, 0, 0);
  Value *k = test_op(g, OP_SLICE, "k", (Attrs){.axis = 1, .start = D, .length = D}, 1, qkv, 0, 0);
  Value *v = test_op(g, OP_SLICE, "v", (Attrs){.axis = 1, .start = 2 * D, .length = D}, 1, qkv, 0, 0);
  Value *a = test_op(g, OP_ATTENTION, "attn",
                     (Attrs){.heads = 4, .kv_heads = 4, .head_dim = 4, .causal = true,
                             .window = window}, 3, q, k, v);
  a = cg_lin(g, "attn_proj", a, test_const2(g, NM("attn.c_proj.weight"), D, D),
             cg_bias(g, NM("attn.c_proj.bias"), D), 1);
  x = test_op(g, OP_ADD, "x", (Attrs){0}, 2, x, a, NULL);
  ln = cg_layernorm(g, NM("ln_2"), x);
  Value *h = cg_lin(g, "fc", ln, test_const2(g, NM("mlp.c_fc.weight"), D, 2 * D),
                    cg_bias(g, NM("mlp.c_fc.bias"), 2 * D), 1);
  h = test_op(g, OP_GELU_TANH, "gelu", (Attrs){0}, 1, h, NULL, NULL);
  h = cg_lin(g, "mlp", h, test_const2(g, NM("mlp.c_proj.weight"), 2 * D, D),
             cg_bias(g, NM("mlp.c_proj.bias"), D), 1);
#undef NM
  return test_op(g, OP_ADD, "x", (Attrs){0}, 2, x, h, NULL);
}

/* GPT-2 shaped decoder: 2 blocks, the second with a sliding window of 3. */
static Graph *cg_graph_gpt2(Arena *a, const char *name) {
  Graph *g = ir_graph_new(a, name, NN);
  g->max_seq = 16, g->vocab_size = V, g->is_decoder = true;
  Value *tok = ir_input(g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Value *wte = test_const2(g, "wte.weight", V, D);
  Value *pos = test_op(g, OP_POSITIONS, "pos", (Attrs){0}, 0, NULL, NULL, NULL);
  Value *x = test_op(g, OP_EMBEDDING, "tok_emb", (Attrs){0}, 2, wte, tok, NULL);
  Value *p = test_op(g, OP_EMBEDDING, "pos_emb", (Attrs){0}, 2,
                     test_const2(g, "wpe.weight", 16, D), pos, NULL);
  x = test_op(g, OP_ADD, "x", (Attrs){0}, 2, x, p, NULL);
  x = cg_gpt2_block(g, 0, x, 0);
  x = cg_gpt2_block(g, 1, x, 3);
  ir_set_layer(g, NULL);
  x = cg_layernorm(g, "ln_f", x);
  Value *logits = cg_lin(g, "logits", x, wte, NULL, 0);
  if (logits) ir_output(g, logits);
  return logits ? g : NULL;
}

/* Llama shaped decoder: 4 query heads over 2 kv heads, RoPE in `style`. */
static Graph *cg_graph_llama(Arena *a, const char *name, RopeStyle style) {
  Graph *g = ir_graph_new(a, name, NN);
  g->max_seq = 12, g->vocab_size = V, g->is_decoder = true;
  Value *tok = ir_input(g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Value *x = test_op(g, OP_EMBEDDING, "x", (Attrs){0}, 2,
                     test_const2(g, "model.embed_tokens.weight", V, D), tok, NULL);
  ir_set_layer(g, "model.layers.0");
  Attrs rms = {.eps = 1e-6}, rope = {.heads = 4, .head_dim = 4, .rope_theta = 10000,
                                     .rope_style = style};
  Value *h = test_op(g, OP_RMSNORM, "input_layernorm", rms, 2, x,
                     cg_bias(g, "model.layers.0.input_layernorm.weight", D), NULL);
  Value *q = cg_lin(g, "q", h, test_const2(g, "model.layers.0.self_attn.q_proj.weight", D, D), 0, 0);
  Value *k = cg_lin(g, "k", h, test_const2(g, "model.layers.0.self_attn.k_proj.weight", 8, D), 0, 0);
  Value *v = cg_lin(g, "v", h, test_const2(g, "model.layers.0.self_attn.v_proj.weight", 8, D), 0, 0);
  q = test_op(g, OP_ROPE, "q_rot", rope, 1, q, NULL, NULL);
  rope.heads = 2;
  k = test_op(g, OP_ROPE, "k_rot", rope, 1, k, NULL, NULL);
  Value *att = test_op(g, OP_ATTENTION, "attn",
                       (Attrs){.heads = 4, .kv_heads = 2, .head_dim = 4, .causal = true}, 3, q, k, v);
  att = cg_lin(g, "o", att, test_const2(g, "model.layers.0.self_attn.o_proj.weight", D, D), 0, 0);
  x = test_op(g, OP_ADD, "x", (Attrs){0}, 2, x, att, NULL);
  h = test_op(g, OP_RMSNORM, "post_attention_layernorm", rms, 2, x,
              cg_bias(g, "model.layers.0.post_attention_layernorm.weight", D), NULL);
  Value *gate = cg_lin(g, "gate", h, test_const2(g, "model.layers.0.mlp.gate_proj.weight", 24, D), 0, 0);
  Value *up = cg_lin(g, "up", h, test_const2(g, "model.layers.0.mlp.up_proj.weight", 24, D), 0, 0);
  gate = test_op(g, OP_SILU, "gate_act", (Attrs){0}, 1, gate, NULL, NULL);
  up = test_op(g, OP_MUL, "swiglu", (Attrs){0}, 2, gate, up, NULL);
  up = cg_lin(g, "down", up, test_const2(g, "model.layers.0.mlp.down_proj.weight", D, 24), 0, 0);
  x = test_op(g, OP_ADD, "x", (Attrs){0}, 2, x, up, NULL);
  ir_set_layer(g, NULL);
  x = test_op(g, OP_RMSNORM, "norm", rms, 2, x, cg_bias(g, "model.norm.weight", D), NULL);
  Value *logits = cg_lin(g, "logits", x, test_const2(g, "lm_head.weight", V, D), NULL, 0);
  if (logits) ir_output(g, logits);
  return logits ? g : NULL;
}

/* BERT shaped encoder: embeddings + LN, one post-LN layer with erf GELU. */
static Graph *cg_graph_bert(Arena *a, const char *name) {
  Graph *g = ir_graph_new(a, name, NN);
  g->max_seq = 10, g->vocab_size = V, g->is_decoder = false;
  Value *tok = ir_input(g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Value *pos = test_op(g, OP_POSITIONS, "pos", (Attrs){0}, 0, NULL, NULL, NULL);
  Value *tt = test_op(g, OP_TOKEN_TYPE, "token_type", (Attrs){0}, 0, NULL, NULL, NULL);
  Value *x = test_op(g, OP_EMBEDDING, "words", (Attrs){0}, 2,
                     test_const2(g, "embeddings.word_embeddings.weight", V, D), tok, NULL);
  Value *p = test_op(g, OP_EMBEDDING, "positions", (Attrs){0}, 2,
                     test_const2(g, "embeddings.position_embeddings.weight", 10, D), pos, NULL);
  Value *t = test_op(g, OP_EMBEDDING, "types", (Attrs){0}, 2,
                     test_const2(g, "embeddings.token_type_embeddings.weight", 2, D), tt, NULL);
  x = test_op(g, OP_ADD, "emb", (Attrs){0}, 2, x, p, NULL);
  x = test_op(g, OP_ADD, "emb", (Attrs){0}, 2, x, t, NULL);
  x = cg_layernorm(g, "embeddings.LayerNorm", x);
  ir_set_layer(g, "encoder.layer.0");
  Value *q = cg_lin(g, "q", x, test_const2(g, "query.weight", D, D), cg_bias(g, "query.bias", D), 0);
  Value *k = cg_lin(g, "k", x, test_const2(g, "key.weight", D, D), cg_bias(g, "key.bias", D), 0);
  Value *v = cg_lin(g, "v", x, test_const2(g, "value.weight", D, D), cg_bias(g, "value.bias", D), 0);
  Value *att = test_op(g, OP_ATTENTION, "attn", (Attrs){.heads = 2, .kv_heads = 2, .head_dim = 8, .window = 3},
                       3, q, k, v);
  att = cg_lin(g, "attn_out", att, test_const2(g, "attention.output.dense.weight", D, D), NULL, 0);
  x = test_op(g, OP_ADD, "x", (Attrs){0}, 2, x, att, NULL);
  x = cg_layernorm(g, "attention.output.LayerNorm", x);
  Value *h = cg_lin(g, "inter", x, test_const2(g, "intermediate.dense.weight", 32, D), NULL, 0);
  h = test_op(g, OP_GELU, "gelu", (Attrs){0}, 1, h, NULL, NULL);
  h = cg_lin(g, "out", h, test_const2(g, "output.dense.weight", D, 32), NULL, 0);
  x = test_op(g, OP_ADD, "x", (Attrs){0}, 2, x, h, NULL);
  x = cg_layernorm(g, "output.LayerNorm", x);
  ir_set_layer(g, NULL);
  if (x) ir_output(g, x);
  return x ? g : NULL;
}

/* A small encoder graph (context 8) up to its embedded tokens x [T,D]. */
static Value *cg_small_encoder(Arena *a, const char *name, Graph **out) {
  Graph *g = *out = ir_graph_new(a, name, NN);
  g->max_seq = 8, g->vocab_size = V, g->is_decoder = false;
  Value *tok = ir_input(g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  return test_op(g, OP_EMBEDDING, "x", (Attrs){0}, 2, test_const2(g, "wte", V, D), tok, NULL);
}

/* A Conv1D-layout weight [K,N] read by a linear and by a matmul: it cannot be
 * stored transposed, so the linear runs rt_linear_kn. */
static Graph *cg_graph_shared_kn(Arena *a, const char *name) {
  Graph *g;
  Value *x = cg_small_encoder(a, name, &g);
  Value *m = test_const2(g, "shared*/weight /*", D, 24);   /* a name that would end a comment */
  Value *y = cg_lin(g, "y", x, m, cg_bias(g, "y.bias", 24), 1);
  Value *z = test_op(g, OP_MATMUL, "z", (Attrs){0}, 2, x, m, NULL);
  Value *out = test_op(g, OP_ADD, "out", (Attrs){0}, 2, y, z, NULL);
  if (out) ir_output(g, out);
  return out ? g : NULL;
}

/* The fused forms passes write: linear with an activation epilogue, linear
 * with activation and residual input (4 inputs), and CRMSNorm. */
static Graph *cg_graph_fused(Arena *a, const char *name) {
  Graph *g;
  Value *x = cg_small_encoder(a, name, &g);
  Value *h = test_op(g, OP_LINEAR, "fc", (Attrs){.act = OP_GELU_TANH}, 3, x,
                     test_const2(g, "fc.weight", 24, D), cg_bias(g, "fc.bias", 24));
  Value *in[4] = {h, test_const2(g, "proj.weight", D, 24), cg_bias(g, "proj.bias", D), x};
  Value *y = ir_node(g, OP_LINEAR, in, 4, &(Attrs){.act = OP_SILU}, "proj", LOC_NONE);
  Value *out = test_op(g, OP_CRMSNORM, "norm", (Attrs){.eps = 1e-5}, 1, y, NULL, NULL);
  if (out) ir_output(g, out);
  return out ? g : NULL;
}

#undef D
#undef V
#endif
