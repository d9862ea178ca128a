/*
 * gpt2.c — the GPT-2 family: Hugging Face's GPT2LMHeadModel as an IR graph.
 *
 *   x = wte[tokens] + wpe[positions]
 *   for each layer h.i:
 *     a = attn.c_proj(attention(split(attn.c_attn(ln_1(x)))))      causal, H heads
 *     x = x + a
 *     x = x + mlp.c_proj(act(mlp.c_fc(ln_2(x))))
 *   logits = ln_f(x) @ wte^T                                         tied head
 *
 * Tensors keep their Hugging Face names (an optional "transformer." prefix is
 * accepted).  GPT-2's Conv1D stores weights [in, out], so its linears use
 * w_layout = 1 and point at the file's data as it is.  Config keys and
 * defaults are those of transformers' GPT2Config.
 */
#include "frontend.h"

#include <math.h>

typedef struct {
  int64_t vocab, n_pos, d, n_layer, n_head, n_inner;
  double eps;
  Op act;
  bool scale_weights, scale_by_layer;
} Gpt2Config;

static const char *const activations[] = {"gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu",
                                          "relu", "silu", "swish", NULL};
static const Op activation_ops[] = {OP_GELU_TANH, OP_GELU_TANH, OP_GELU_TANH, OP_GELU,
                                    OP_RELU,      OP_SILU,      OP_SILU};

/* Reads and checks the config (GPT2Config's keys; sizes positive and capped). */
static int read_config(FeModel *m, Gpt2Config *c) {
  const FeConfig *cfg = &m->cfg;
  int act = 0;
  bool cross = false;
  if (fe_config_int(cfg, "vocab_size", FE_REQUIRED, 1, FE_MAX_DIM, &c->vocab) ||
      fe_config_int(cfg, "n_positions", FE_REQUIRED, 1, FE_MAX_DIM, &c->n_pos) ||
      fe_config_int(cfg, "n_embd", FE_REQUIRED, 1, FE_MAX_DIM, &c->d) ||
      fe_config_int(cfg, "n_layer", FE_REQUIRED, 1, FE_MAX_LAYERS, &c->n_layer) ||
      fe_config_int(cfg, "n_head", FE_REQUIRED, 1, FE_MAX_DIM, &c->n_head) ||
      fe_config_int(cfg, "n_inner", 4 * c->d, 1, FE_MAX_DIM, &c->n_inner) ||
      fe_config_float(cfg, "layer_norm_epsilon", 1e-5, 0, 1, &c->eps) ||
      fe_config_choice(cfg, "activation_function", activations, 0, &act) ||
      fe_config_bool(cfg, "scale_attn_weights", true, &c->scale_weights) ||
      fe_config_bool(cfg, "scale_attn_by_inverse_layer_idx", false, &c->scale_by_layer) ||
      fe_config_bool(cfg, "add_cross_attention", false, &cross))
    return -1;
  c->act = activation_ops[act];
  if (cross) {
    diag_error(cfg->loc, "add_cross_attention (an encoder-decoder GPT-2) is not supported");
    return -1;
  }
  if (c->d % c->n_head) {
    diag_error(fe_doc_get(cfg->map, "n_head")->loc, "n_embd %lld is not a multiple of n_head %lld",
               (long long)c->d, (long long)c->n_head);
    return -1;
  }
  double d = (double)c->d;
  double params = (double)(c->vocab + c->n_pos) * d +
                  (double)c->n_layer * (4 * d * d + 2 * d * (double)c->n_inner + 9 * d);
  int64_t widest = c->vocab > c->n_inner ? c->vocab : c->n_inner;
  widest = widest > 3 * c->d ? widest : 3 * c->d;
  return fe_check_params(m, params) || fe_check_activation(m, c->n_pos, widest) ? -1 : 0;
}

/* wte[tokens] + wpe[positions] */
static Value *embeddings(FeModel *m, const Gpt2Config *c, Value *tokens) {
  Value *wte = fe_weight(m, ir_shape(2, c->vocab, c->d), "wte.weight");
  Value *wpe = fe_weight(m, ir_shape(2, c->n_pos, c->d), "wpe.weight");
  Value *pos = fe_node(m, OP_POSITIONS, "positions", NULL, NULL, NULL, NULL);
  Value *tok_emb = fe_node(m, OP_EMBEDDING, "wte", NULL, wte, tokens, NULL);
  Value *pos_emb = fe_node(m, OP_EMBEDDING, "wpe", NULL, wpe, pos, NULL);
  return fe_node(m, OP_ADD, "embed", NULL, tok_emb, pos_emb, NULL);
}

static Value *layernorm(FeModel *m, const Gpt2Config *c, const char *layer, const char *ln,
                        Value *x) {
  Attrs at = {.eps = c->eps};
  Value *g = fe_weight(m, ir_shape(1, c->d), "%s%s.weight", layer, ln);
  Value *b = fe_weight(m, ir_shape(1, c->d), "%s%s.bias", layer, ln);
  return fe_node(m, OP_LAYERNORM, arena_printf(m->arena, "%s%s", layer, ln), &at, x, g, b);
}

/* A Conv1D: x @ w + b with w [in, out] as stored. */
static Value *conv1d(FeModel *m, const char *layer, const char *mod, Value *x, int64_t in,
                     int64_t out) {
  Value *w = fe_weight(m, ir_shape(2, in, out), "%s%s.weight", layer, mod);
  Value *b = fe_weight(m, ir_shape(1, out), "%s%s.bias", layer, mod);
  return fe_linear(m, arena_printf(m->arena, "%s%s", layer, mod), x, w, b, 1);
}

/* q, k, v = split(c_attn(x)); attention; c_proj */
static Value *attention(FeModel *m, const Gpt2Config *c, const char *layer, int i, Value *x) {
  Value *qkv = conv1d(m, layer, "attn.c_attn", x, c->d, 3 * c->d);
  Value *part[3];
  static const char *const names[3] = {"q", "k", "v"};
  for (int k = 0; k < 3; k++) {
    Attrs at = {.axis = -1, .start = k * c->d, .length = c->d};
    part[k] = fe_node(m, OP_SLICE, arena_printf(m->arena, "%sattn.%s", layer, names[k]), &at, qkv,
                      NULL, NULL);
  }
  int64_t hd = c->d / c->n_head;
  Attrs at = {.heads = (int)c->n_head, .kv_heads = (int)c->n_head, .head_dim = (int)hd,
              .causal = true};
  if (!c->scale_weights || c->scale_by_layer)
    at.scale = (c->scale_weights ? 1 / sqrt((double)hd) : 1.0) / (c->scale_by_layer ? i + 1 : 1);
  Value *a = fe_node(m, OP_ATTENTION, arena_printf(m->arena, "%sattn", layer), &at, part[0],
                     part[1], part[2]);
  return conv1d(m, layer, "attn.c_proj", a, c->d, c->d);
}

/* c_proj(act(c_fc(x))) */
static Value *mlp(FeModel *m, const Gpt2Config *c, const char *layer, Value *x) {
  Value *h = conv1d(m, layer, "mlp.c_fc", x, c->d, c->n_inner);
  h = fe_node(m, c->act, arena_printf(m->arena, "%smlp.act", layer), NULL, h, NULL, NULL);
  return conv1d(m, layer, "mlp.c_proj", h, c->n_inner, c->d);
}

/* One pre-LN transformer block h.i. */
static Value *block(FeModel *m, const Gpt2Config *c, int i, Value *x) {
  const char *layer = arena_printf(m->arena, "h.%d.", i);
  if (!layer) return NULL;
  ir_set_layer(m->g, arena_printf(m->arena, "h.%d", i));
  Value *a = attention(m, c, layer, i, layernorm(m, c, layer, "ln_1", x));
  x = fe_node(m, OP_ADD, arena_printf(m->arena, "%sresid_attn", layer), NULL, x, a, NULL);
  Value *f = mlp(m, c, layer, layernorm(m, c, layer, "ln_2", x));
  return fe_node(m, OP_ADD, arena_printf(m->arena, "%sresid_mlp", layer), NULL, x, f, NULL);
}

int fe_build_gpt2(FeModel *m) {
  Gpt2Config c;
  if (read_config(m, &c)) return -1;
  m->prefix = "transformer.";
  Graph *g = m->g;
  g->max_seq = c.n_pos;
  g->vocab_size = c.vocab;
  g->is_decoder = true;
  Value *tokens = ir_input(g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Value *x = tokens ? embeddings(m, &c, tokens) : NULL;
  for (int i = 0; i < c.n_layer && x; i++) x = block(m, &c, i, x);
  if (!x) return -1;
  ir_set_layer(g, NULL);
  x = layernorm(m, &c, "", "ln_f", x);
  Value *wte = fe_weight(m, ir_shape(2, c.vocab, c.d), "wte.weight");
  Value *logits = fe_linear(m, "logits", x, wte, NULL, 0);
  if (!logits) return -1;
  ir_output(g, logits);
  return g->n_outputs == 1 ? 0 : -1;
}
