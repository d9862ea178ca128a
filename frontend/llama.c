/*
 * llama.c — the Llama family: the graph of a Llama decoder, built once for
 * both of its sources.
 *
 *   Hugging Face (family: llama, or model_type: llama in config.json): config
 *     keys hidden_size, intermediate_size, num_hidden_layers,
 *     num_attention_heads, num_key_value_heads, vocab_size,
 *     max_position_embeddings, rms_norm_eps, rope_theta, tie_word_embeddings;
 *     tensors model.embed_tokens.weight, model.layers.N.self_attn.{q,k,v,o}_proj,
 *     model.layers.N.mlp.{gate,up,down}_proj, model.layers.N.{input,
 *     post_attention}_layernorm, model.norm, lm_head (absent when tied).
 *     RoPE in HF's rotate-half layout.
 *   llama2.c checkpoints (llama2c.c): the dimensions come from the file's
 *     header and the tensors are entered under the same HF names; RoPE on
 *     interleaved pairs.
 *
 * Per layer (run.c's forward(), HF's LlamaDecoderLayer):
 *
 *     h = x + wo · attention(rope(wq · rmsnorm(x)), rope(wk · rmsnorm(x)), wv · rmsnorm(x))
 *     x = h + w2 · (silu(w1 · rmsnorm(h)) * (w3 · rmsnorm(h)))       (SwiGLU)
 *
 * and the logits are wcls · rmsnorm(x).
 */
#include "frontend.h"

#include <string.h>

/* The weight "model.layers.<layer>.<what>" (or a top-level name when layer < 0). */
static Value *layer_weight(FeModel *m, int layer, Shape shape, const char *what) {
  if (layer < 0) return fe_weight(m, shape, "%s", what);
  return fe_weight(m, shape, "model.layers.%d.%s", layer, what);
}

/* "layers.3.q": value names carry their layer so generated code reads like the model. */
static const char *vname(FeModel *m, int layer, const char *what) {
  return arena_printf(m->arena, "layers.%d.%s", layer, what);
}

static Value *rmsnorm(FeModel *m, const FeLlamaDims *d, int layer, Value *x, const char *w,
                      const char *name) {
  Attrs at = {.eps = d->norm_eps};
  Value *g = layer_weight(m, layer, ir_shape(1, d->dim), w);
  return fe_node(m, OP_RMSNORM, layer < 0 ? name : vname(m, layer, name), &at, x, g, NULL);
}

/* x [T, in] -> [T, out] through the layer's PyTorch-layout weight w [out, in]. */
static Value *proj(FeModel *m, int layer, Value *x, int64_t out, int64_t in, const char *w,
                   const char *name) {
  Value *wv = layer_weight(m, layer, ir_shape(2, out, in), w);
  return fe_linear(m, vname(m, layer, name), x, wv, NULL, 0);
}

static Value *rope(FeModel *m, const FeLlamaDims *d, int layer, Value *x, int heads,
                   const char *name) {
  Attrs at = {.heads = heads, .head_dim = (int)(d->dim / d->n_heads),
              .rope_theta = d->rope_theta, .rope_style = d->rope_style};
  return fe_node(m, OP_ROPE, vname(m, layer, name), &at, x, NULL, NULL);
}

/* h = x + o_proj(attention(rope(q_proj x'), rope(k_proj x'), v_proj x')), x' = rmsnorm(x). */
static Value *attention_block(FeModel *m, const FeLlamaDims *d, int l, Value *x) {
  int64_t kv_dim = d->dim / d->n_heads * d->n_kv_heads;
  Value *xn = rmsnorm(m, d, l, x, "input_layernorm.weight", "attn_norm");
  Value *q = proj(m, l, xn, d->dim, d->dim, "self_attn.q_proj.weight", "q");
  Value *k = proj(m, l, xn, kv_dim, d->dim, "self_attn.k_proj.weight", "k");
  Value *v = proj(m, l, xn, kv_dim, d->dim, "self_attn.v_proj.weight", "v");
  q = rope(m, d, l, q, (int)d->n_heads, "q_rope");
  k = rope(m, d, l, k, (int)d->n_kv_heads, "k_rope");
  Attrs at = {.heads = (int)d->n_heads, .kv_heads = (int)d->n_kv_heads,
              .head_dim = (int)(d->dim / d->n_heads), .causal = true};
  Value *att = fe_node(m, OP_ATTENTION, vname(m, l, "attn"), &at, q, k, v);
  Value *o = proj(m, l, att, d->dim, d->dim, "self_attn.o_proj.weight", "attn_out");
  return fe_node(m, OP_ADD, vname(m, l, "h"), NULL, x, o, NULL);
}

/* x = h + down_proj(silu(gate_proj h') * up_proj h'), h' = rmsnorm(h). */
static Value *mlp_block(FeModel *m, const FeLlamaDims *d, int l, Value *h) {
  Value *hn = rmsnorm(m, d, l, h, "post_attention_layernorm.weight", "ffn_norm");
  Value *gate = proj(m, l, hn, d->hidden_dim, d->dim, "mlp.gate_proj.weight", "gate");
  Value *up = proj(m, l, hn, d->hidden_dim, d->dim, "mlp.up_proj.weight", "up");
  gate = fe_node(m, OP_SILU, vname(m, l, "gate_silu"), NULL, gate, NULL, NULL);
  Value *act = fe_node(m, OP_MUL, vname(m, l, "swiglu"), NULL, gate, up, NULL);
  Value *down = proj(m, l, act, d->dim, d->hidden_dim, "mlp.down_proj.weight", "mlp");
  return fe_node(m, OP_ADD, vname(m, l, "x"), NULL, h, down, NULL);
}

int fe_llama_check_dims(const FeModel *m, const FeLlamaDims *d, Loc loc) {
  if (d->dim % d->n_heads) {
    diag_error(loc, "hidden size %lld is not a multiple of %lld attention heads",
               (long long)d->dim, (long long)d->n_heads);
    return -1;
  }
  if (d->n_kv_heads > d->n_heads || d->n_heads % d->n_kv_heads) {
    diag_error(loc, "%lld attention heads are not a multiple of %lld key/value heads",
               (long long)d->n_heads, (long long)d->n_kv_heads);
    return -1;
  }
  if ((d->dim / d->n_heads) % 2) {
    diag_error(loc, "head size %lld must be even for rotary embeddings",
               (long long)(d->dim / d->n_heads));
    return -1;
  }
  double per_layer = 2.0 * d->dim * d->dim + 2.0 * d->dim * (d->dim / d->n_heads * d->n_kv_heads) +
                     3.0 * d->dim * d->hidden_dim + 2.0 * d->dim;
  return fe_check_params(m, (double)d->n_layers * per_layer + 2.0 * d->vocab_size * d->dim);
}

int fe_llama_graph(FeModel *m, const FeLlamaDims *d) {
  Graph *g = m->g;
  g->max_seq = d->max_seq;
  g->vocab_size = d->vocab_size;
  g->is_decoder = true;
  Value *tokens = ir_input(g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Shape table_shape = ir_shape(2, d->vocab_size, d->dim);
  Value *table = layer_weight(m, -1, table_shape, "model.embed_tokens.weight");
  Value *x = fe_node(m, OP_EMBEDDING, "embed", NULL, table, tokens, NULL);
  for (int l = 0; l < d->n_layers && x; l++) {
    ir_set_layer(g, arena_printf(m->arena, "layers.%d", l));
    x = mlp_block(m, d, l, attention_block(m, d, l, x));
  }
  ir_set_layer(g, NULL);
  x = rmsnorm(m, d, -1, x, "model.norm.weight", "norm");
  Value *cls = d->tied ? table : layer_weight(m, -1, table_shape, "lm_head.weight");
  Value *logits = fe_linear(m, "logits", x, cls, NULL, 0);
  if (!logits) return -1;
  ir_output(g, logits);
  return g->n_outputs == 1 ? 0 : -1;   /* ir_output ran out of memory */
}

/* Where config key `key` is written (the config itself when absent). */
static Loc key_loc(const FeModel *m, const char *key) {
  const Doc *d = fe_doc_get(m->cfg.map, key);
  return d ? d->loc : m->cfg.loc;
}

/* Config keys this reader does not implement must have their default meaning. */
static int check_unsupported(FeModel *m, const FeLlamaDims *d) {
  const char *act;
  bool bias;
  int64_t head_dim;
  if (fe_config_string(&m->cfg, "hidden_act", "silu", &act)) return -1;
  if (strcmp(act, "silu") != 0) {
    diag_error(key_loc(m, "hidden_act"), "llama: hidden_act '%s' is not supported (only 'silu')",
               act);
    return -1;
  }
  if (fe_config_bool(&m->cfg, "attention_bias", false, &bias)) return -1;
  if (!bias && fe_config_bool(&m->cfg, "mlp_bias", false, &bias)) return -1;
  if (bias) {
    diag_error(m->cfg.loc, "llama: attention_bias / mlp_bias are not supported");
    return -1;
  }
  if (fe_config_has(&m->cfg, "rope_scaling")) {
    diag_error(key_loc(m, "rope_scaling"), "llama: rope_scaling is not supported");
    return -1;
  }
  if (fe_config_int(&m->cfg, "head_dim", d->dim / d->n_heads, 1, FE_MAX_DIM, &head_dim)) return -1;
  if (head_dim != d->dim / d->n_heads) {
    diag_error(key_loc(m, "head_dim"),
               "llama: head_dim %lld other than hidden_size / heads is not supported",
               (long long)head_dim);
    return -1;
  }
  return 0;
}

/* Reads the Hugging Face LlamaConfig keys (with LlamaConfig's defaults). */
static int read_config(FeModel *m, FeLlamaDims *d) {
  const FeConfig *c = &m->cfg;
  if (fe_config_int(c, "hidden_size", FE_REQUIRED, 1, FE_MAX_DIM, &d->dim) ||
      fe_config_int(c, "intermediate_size", FE_REQUIRED, 1, FE_MAX_DIM, &d->hidden_dim) ||
      fe_config_int(c, "num_hidden_layers", FE_REQUIRED, 1, FE_MAX_LAYERS, &d->n_layers) ||
      fe_config_int(c, "num_attention_heads", FE_REQUIRED, 1, FE_MAX_DIM, &d->n_heads) ||
      fe_config_int(c, "num_key_value_heads", d->n_heads, 1, FE_MAX_DIM, &d->n_kv_heads) ||
      fe_config_int(c, "vocab_size", FE_REQUIRED, 1, FE_MAX_DIM, &d->vocab_size) ||
      fe_config_int(c, "max_position_embeddings", 2048, 1, FE_MAX_DIM, &d->max_seq) ||
      fe_config_float(c, "rms_norm_eps", 1e-6, 0, 1, &d->norm_eps) ||
      fe_config_float(c, "rope_theta", 10000.0, 1e-6, 1e300, &d->rope_theta) ||
      fe_config_bool(c, "tie_word_embeddings", false, &d->tied))
    return -1;
  d->rope_style = ROPE_HALVES;
  return 0;
}

int fe_build_llama(FeModel *m) {
  FeLlamaDims d = {0};
  if (read_config(m, &d) || fe_llama_check_dims(m, &d, key_loc(m, "num_attention_heads")) ||
      check_unsupported(m, &d))
    return -1;
  return fe_llama_graph(m, &d);
}
