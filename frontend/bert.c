/*
 * bert.c — the BERT family: a bidirectional encoder whose output is the last
 * hidden state [T, hidden] (g->is_decoder = false: every forward call takes a
 * whole sequence from position 0).
 *
 * Hugging Face names (BertModel, with or without the "bert." prefix of
 * BertForMaskedLM and friends; the pooler and any heads are ignored):
 *   embeddings.{word,position,token_type}_embeddings.weight, embeddings.LayerNorm
 *   encoder.layer.N.attention.self.{query,key,value}, attention.output.dense,
 *   attention.output.LayerNorm, intermediate.dense, output.dense, output.LayerNorm
 *
 * The graph follows BertModel in eval mode with one segment (token type 0):
 *
 *     x = LayerNorm(word[ids] + position[t] + token_type[0])
 *     a = LayerNorm(x + dense(attention(query x, key x, value x)))     (post-LN)
 *     x = LayerNorm(a + dense(act(dense a)))                            (act: GELU, erf)
 */
#include "frontend.h"

typedef struct {
  int64_t dim, hidden_dim, n_layers, n_heads, vocab_size, max_pos, type_vocab;
  double eps;
  Op act;
} BertDims;

/* "encoder.layer.3.attention.output.dense" + ".weight" / ".bias". */
static const char *part(FeModel *m, int layer, const char *what) {
  return arena_printf(m->arena, "encoder.layer.%d.%s", layer, what);
}

static const char *vname(FeModel *m, int layer, const char *what) {
  return arena_printf(m->arena, "layer.%d.%s", layer, what);
}

/* x [T, in] -> [T, out] through `name`.weight [out, in] and `name`.bias. */
static Value *dense(FeModel *m, Value *x, const char *name, int64_t out, int64_t in,
                    const char *vn) {
  if (!name) return NULL;   /* part() ran out of memory */
  Value *w = fe_weight(m, ir_shape(2, out, in), "%s.weight", name);
  Value *b = fe_weight(m, ir_shape(1, out), "%s.bias", name);
  return b ? fe_linear(m, vn, x, w, b, 0) : NULL;
}

static Value *layernorm(FeModel *m, const BertDims *d, Value *x, const char *name,
                        const char *vn) {
  Attrs at = {.eps = d->eps};
  if (!name) return NULL;   /* part() ran out of memory */
  Value *g = fe_weight(m, ir_shape(1, d->dim), "%s.weight", name);
  Value *b = fe_weight(m, ir_shape(1, d->dim), "%s.bias", name);
  return fe_node(m, OP_LAYERNORM, vn, &at, x, g, b);
}

/* An embedding table [rows, dim] looked up at ids. */
static Value *embed(FeModel *m, const BertDims *d, const char *table, int64_t rows, Value *ids,
                    const char *vn) {
  Value *t = fe_weight(m, ir_shape(2, rows, d->dim), "embeddings.%s.weight", table);
  return fe_node(m, OP_EMBEDDING, vn, NULL, t, ids, NULL);
}

static Value *embeddings(FeModel *m, const BertDims *d, Value *tokens) {
  Value *pos = fe_node(m, OP_POSITIONS, "position_ids", NULL, NULL, NULL, NULL);
  Value *type = fe_node(m, OP_TOKEN_TYPE, "token_type_ids", NULL, NULL, NULL, NULL);
  Value *x = embed(m, d, "word_embeddings", d->vocab_size, tokens, "word_embed");
  x = fe_node(m, OP_ADD, "embed_pos", NULL, x,
              embed(m, d, "position_embeddings", d->max_pos, pos, "pos_embed"), NULL);
  x = fe_node(m, OP_ADD, "embed_sum", NULL, x,
              embed(m, d, "token_type_embeddings", d->type_vocab, type, "type_embed"), NULL);
  return layernorm(m, d, x, "embeddings.LayerNorm", "embed");
}

/* One post-LN encoder layer. */
static Value *layer(FeModel *m, const BertDims *d, int l, Value *x) {
  Value *q = dense(m, x, part(m, l, "attention.self.query"), d->dim, d->dim, vname(m, l, "q"));
  Value *k = dense(m, x, part(m, l, "attention.self.key"), d->dim, d->dim, vname(m, l, "k"));
  Value *v = dense(m, x, part(m, l, "attention.self.value"), d->dim, d->dim, vname(m, l, "v"));
  Attrs at = {.heads = (int)d->n_heads, .kv_heads = (int)d->n_heads,
              .head_dim = (int)(d->dim / d->n_heads), .causal = false};
  Value *att = fe_node(m, OP_ATTENTION, vname(m, l, "attn"), &at, q, k, v);
  Value *o = dense(m, att, part(m, l, "attention.output.dense"), d->dim, d->dim,
                   vname(m, l, "attn_out"));
  Value *a = fe_node(m, OP_ADD, vname(m, l, "attn_res"), NULL, x, o, NULL);
  a = layernorm(m, d, a, part(m, l, "attention.output.LayerNorm"), vname(m, l, "attn_norm"));
  Value *f = dense(m, a, part(m, l, "intermediate.dense"), d->hidden_dim, d->dim,
                   vname(m, l, "ffn_in"));
  f = fe_node(m, d->act, vname(m, l, "ffn_act"), NULL, f, NULL, NULL);
  f = dense(m, f, part(m, l, "output.dense"), d->dim, d->hidden_dim, vname(m, l, "ffn_out"));
  Value *y = fe_node(m, OP_ADD, vname(m, l, "ffn_res"), NULL, a, f, NULL);
  return layernorm(m, d, y, part(m, l, "output.LayerNorm"), vname(m, l, "out"));
}

/* Reads BertConfig's keys (with its defaults). */
static int read_config(FeModel *m, BertDims *d) {
  static const char *const acts[] = {"gelu", "gelu_new", "gelu_pytorch_tanh", "relu", NULL};
  static const Op act_ops[] = {OP_GELU, OP_GELU_TANH, OP_GELU_TANH, OP_RELU};
  static const char *const positions[] = {"absolute", NULL};
  const FeConfig *c = &m->cfg;
  int act, pos;
  if (fe_config_int(c, "hidden_size", FE_REQUIRED, 1, FE_MAX_DIM, &d->dim) ||
      fe_config_int(c, "intermediate_size", FE_REQUIRED, 1, FE_MAX_DIM, &d->hidden_dim) ||
      fe_config_int(c, "num_hidden_layers", FE_REQUIRED, 1, FE_MAX_LAYERS, &d->n_layers) ||
      fe_config_int(c, "num_attention_heads", FE_REQUIRED, 1, FE_MAX_DIM, &d->n_heads) ||
      fe_config_int(c, "vocab_size", FE_REQUIRED, 1, FE_MAX_DIM, &d->vocab_size) ||
      fe_config_int(c, "max_position_embeddings", 512, 1, FE_MAX_DIM, &d->max_pos) ||
      fe_config_int(c, "type_vocab_size", 2, 1, FE_MAX_DIM, &d->type_vocab) ||
      fe_config_float(c, "layer_norm_eps", 1e-12, 0, 1, &d->eps) ||
      fe_config_choice(c, "hidden_act", acts, 0, &act) ||
      fe_config_choice(c, "position_embedding_type", positions, 0, &pos))
    return -1;
  d->act = act_ops[act];
  if (d->dim % d->n_heads) {
    diag_error(c->loc, "hidden_size %lld is not a multiple of %lld attention heads",
               (long long)d->dim, (long long)d->n_heads);
    return -1;
  }
  double params = (double)d->n_layers * (4.0 * d->dim * d->dim + 2.0 * d->dim * d->hidden_dim) +
                  (double)(d->vocab_size + d->max_pos + d->type_vocab) * d->dim;
  return fe_check_params(m, params);
}

int fe_build_bert(FeModel *m) {
  BertDims d;
  if (read_config(m, &d)) return -1;
  Graph *g = m->g;
  g->max_seq = d.max_pos;
  g->vocab_size = d.vocab_size;
  g->is_decoder = false;
  m->prefix = "bert.";
  Value *tokens = ir_input(g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Value *x = tokens ? embeddings(m, &d, tokens) : NULL;
  for (int l = 0; l < d.n_layers && x; l++) {
    ir_set_layer(g, arena_printf(m->arena, "layer.%d", l));
    x = layer(m, &d, l, x);
  }
  ir_set_layer(g, NULL);
  if (!x) return -1;
  ir_output(g, x);
  return g->n_outputs == 1 ? 0 : -1;   /* ir_output ran out of memory */
}
