/*
 * build_models.c — see build_models.h.  Shapes are kept tiny (d 16..64,
 * 2..3 layers, vocab 61, max_seq 16) so the interpreter runs them in
 * milliseconds, even under the sanitizers.
 */
#include "build_models.h"

#include <math.h>
#include <string.h>

enum { VOCAB = 61, MAX_SEQ = 16 };

static uint64_t rng_state;

static float rnd(void) {   /* uniform in [-1, 1) */
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (float)((rng_state >> 40) * (1.0 / 8388608.0)) - 1.0f;
}

static Graph *G;

static Value *weight(const char *name, Shape s, float scale, float offset) {
  int64_t n = ir_numel(s, 1);
  float *d = arena_alloc(G->arena, sizeof(float) * (size_t)n);
  for (int64_t i = 0; i < n; i++) d[i] = offset + scale * rnd();
  return ir_const(G, name, DT_F32, s, d, name, LOC_NONE);
}

static Value *vec(const char *name, int64_t d, float scale, float offset) {
  return weight(name, ir_shape(1, d), scale, offset);
}

static Value *node(Op op, Value *a, Value *b, Value *c, const Attrs *at, const char *name) {
  Value *in[3] = {a, b, c};
  int n = c ? 3 : b ? 2 : a ? 1 : 0;
  return ir_node(G, op, in, n, at, name, LOC_NONE);
}

static Value *linear(Value *x, int64_t k, int64_t n, bool bias, const char *name) {
  char wn[96], bn[96];
  snprintf(wn, sizeof wn, "%s.weight", name);
  snprintf(bn, sizeof bn, "%s.bias", name);
  Value *w = weight(wn, ir_shape(2, n, k), 1.0f / sqrtf((float)k), 0);
  return node(OP_LINEAR, x, w, bias ? vec(bn, n, 0.1f, 0) : NULL, NULL, name);
}

static Value *layernorm(Value *x, int64_t d, const char *name) {
  char gn[96], bn[96];
  snprintf(gn, sizeof gn, "%s.weight", name);
  snprintf(bn, sizeof bn, "%s.bias", name);
  Attrs at = {.eps = 1e-5};
  return node(OP_LAYERNORM, x, vec(gn, d, 0.3f, 1.0f), vec(bn, d, 0.2f, 0), &at, name);
}

static Value *rmsnorm(Value *x, int64_t d, const char *name) {
  char gn[96];
  snprintf(gn, sizeof gn, "%s.weight", name);
  Attrs at = {.eps = 1e-6};
  return node(OP_RMSNORM, x, vec(gn, d, 0.3f, 1.0f), NULL, &at, name);
}

/* A frozen per-channel norm spelled as the frontends do: x * rsqrt(var+eps) * gamma + beta. */
static Value *frozen_norm(Value *x, int64_t d, const char *name) {
  char n1[96], n2[96], n3[96];
  snprintf(n1, sizeof n1, "%s.inv_std", name);
  snprintf(n2, sizeof n2, "%s.weight", name);
  snprintf(n3, sizeof n3, "%s.bias", name);
  Value *s = node(OP_MUL, x, vec(n1, d, 0.4f, 1.0f), NULL, NULL, name);
  s = node(OP_MUL, s, vec(n2, d, 0.3f, 1.0f), NULL, NULL, name);
  return node(OP_ADD, s, vec(n3, d, 0.2f, 0), NULL, NULL, name);
}

static Value *norm(ModelKind k, Value *x, int64_t d, const char *name) {
  if (k == M_LLAMA) return rmsnorm(x, d, name);
  if (k == M_UN || k == M_UN_RESIDUAL) return frozen_norm(x, d, name);
  return layernorm(x, d, name);
}

/* Attention sub-block: q, k, v projections, RoPE for Llama, attention, output projection. */
static Value *attention(ModelKind k, Value *h, int64_t d, int heads, const char *l) {
  char nq[64], nk[64], nv[64], no[64], na[64];
  snprintf(nq, 64, "%s.q", l), snprintf(nk, 64, "%s.k", l), snprintf(nv, 64, "%s.v", l);
  snprintf(no, 64, "%s.o", l), snprintf(na, 64, "%s.attn", l);
  bool llama = k == M_LLAMA, bias = !llama;
  int kv = llama ? heads / 2 : heads, hd = (int)d / heads;
  Value *q = linear(h, d, d, bias, nq), *kk = linear(h, d, (int64_t)kv * hd, bias, nk);
  Value *v = linear(h, d, (int64_t)kv * hd, bias, nv);
  if (llama) {
    Attrs rq = {.heads = heads, .head_dim = hd, .rope_theta = 10000};
    Attrs rk = {.heads = kv, .head_dim = hd, .rope_theta = 10000};
    q = node(OP_ROPE, q, NULL, NULL, &rq, nq);
    kk = node(OP_ROPE, kk, NULL, NULL, &rk, nk);
  }
  Attrs at = {.heads = heads, .kv_heads = kv, .head_dim = hd, .causal = k != M_POST_LN};
  Value *a = node(OP_ATTENTION, q, kk, v, &at, na);
  return linear(a, d, d, bias, no);
}

static Value *mlp(ModelKind k, Value *h, int64_t d, const char *l) {
  char n1[64], n2[64], n3[64];
  snprintf(n1, 64, "%s.fc", l), snprintf(n2, 64, "%s.proj", l), snprintf(n3, 64, "%s.up", l);
  if (k == M_LLAMA) {
    Value *gate = node(OP_SILU, linear(h, d, 2 * d, false, n1), NULL, NULL, NULL, n1);
    Value *up = linear(h, d, 2 * d, false, n3);
    return linear(node(OP_MUL, gate, up, NULL, NULL, n3), 2 * d, d, false, n2);
  }
  Value *f = linear(h, d, 4 * d, true, n1);
  f = node(k == M_POST_LN ? OP_GELU : OP_GELU_TANH, f, NULL, NULL, NULL, n1);
  return linear(f, 4 * d, d, true, n2);
}

/* One block: pre-norm (default), post-norm (M_POST_LN), or sandwich. */
static Value *block(ModelKind k, Value *x, int64_t d, int heads, int layer) {
  char l[32], n1[48], n2[48], s1[48], s2[48];
  snprintf(l, 32, "h.%d", layer);
  ir_set_layer(G, l);
  snprintf(n1, 48, "%s.ln_1", l), snprintf(n2, 48, "%s.ln_2", l);
  snprintf(s1, 48, "%s.post_ln_1", l), snprintf(s2, 48, "%s.post_ln_2", l);
  if (k == M_POST_LN) {
    x = layernorm(node(OP_ADD, x, attention(k, x, d, heads, l), NULL, NULL, l), d, n1);
    return layernorm(node(OP_ADD, x, mlp(k, x, d, l), NULL, NULL, l), d, n2);
  }
  if (k == M_UN_RESIDUAL) {   /* post-norm placement: the frozen norm is the stream */
    x = frozen_norm(node(OP_ADD, x, attention(k, x, d, heads, l), NULL, NULL, l), d, n1);
    return frozen_norm(node(OP_ADD, x, mlp(k, x, d, l), NULL, NULL, l), d, n2);
  }
  Value *a = attention(k, norm(k, x, d, n1), d, heads, l);
  if (k == M_SANDWICH) a = layernorm(a, d, s1);
  x = node(OP_ADD, x, a, NULL, NULL, l);
  Value *m = mlp(k, norm(k, x, d, n2), d, l);
  if (k == M_SANDWICH) m = layernorm(m, d, s2);
  return node(OP_ADD, x, m, NULL, NULL, l);
}

static Graph *build_misc(void);

Graph *test_build_model(Arena *a, ModelKind k) {
  rng_state = 0x9e3779b97f4a7c15ULL + (uint64_t)k;
  G = ir_graph_new(a, test_model_name(k), NN);
  G->family = k == M_POST_LN ? "bert" : NULL;   /* a label for remarks only */
  G->max_seq = MAX_SEQ, G->vocab_size = VOCAB, G->is_decoder = k != M_POST_LN;
  if (k == M_MISC) return build_misc();
  int64_t d = k == M_GPT_UNTIED ? 64 : 16;
  int layers = k == M_GPT_UNTIED ? 3 : 2, heads = 4;
  Value *ids = ir_input(G, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Value *wte = weight("wte.weight", ir_shape(2, (int64_t)VOCAB, d), 0.5f, 0.1f);
  Value *x = node(OP_EMBEDDING, wte, ids, NULL, NULL, "tok_emb");
  if (k != M_LLAMA) {
    Value *pos = node(OP_POSITIONS, NULL, NULL, NULL, NULL, "pos");
    Value *wpe = weight("wpe.weight", ir_shape(2, (int64_t)MAX_SEQ, d), 0.2f, -0.05f);
    x = node(OP_ADD, x, node(OP_EMBEDDING, wpe, pos, NULL, NULL, "pos_emb"), NULL, NULL, "emb");
  }
  if (k == M_POST_LN) x = layernorm(x, d, "emb.ln");
  for (int i = 0; i < layers; i++) x = block(k, x, d, heads, i);
  ir_set_layer(G, NULL);
  if (k == M_POST_LN) return ir_output(G, x), G;
  Value *h = k == M_NO_FINAL_LN ? x : norm(k, x, d, "ln_f");
  bool tied = k == M_GPT || k == M_NO_FINAL_LN || k == M_EXPOSED || k == M_SANDWICH;
  ir_output(G, tied ? node(OP_LINEAR, h, wte, NULL, NULL, "logits")
                    : linear(h, d, VOCAB, false, "lm_head"));
  if (k == M_EXPOSED) ir_output(G, x);
  return G;
}

/* x -> gelu twice (CSE), + (c1 + c2) (folding), scale 1 and * ones (identities),
 * a linear nobody reads (DCE), then a head. */
static Graph *build_misc(void) {
  int64_t d = 16;
  Value *ids = ir_input(G, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Value *x = node(OP_EMBEDDING, weight("wte.weight", ir_shape(2, (int64_t)VOCAB, d), 1, 0), ids,
                  NULL, NULL, "emb");
  Value *g1 = node(OP_GELU, x, NULL, NULL, NULL, "g1"), *g2 = node(OP_GELU, x, NULL, NULL, NULL, "g2");
  Value *c = node(OP_ADD, vec("c1", d, 1, 0), vec("c2", d, 1, 0), NULL, NULL, "c");
  c = node(OP_SILU, c, NULL, NULL, NULL, "c_silu");
  Value *y = node(OP_ADD, node(OP_ADD, g1, g2, NULL, NULL, "sum"), c, NULL, NULL, "biased");
  Attrs one = {.scale = 1.0};
  y = node(OP_SCALE, y, NULL, NULL, &one, "scaled");
  y = node(OP_MUL, y, vec("ones", d, 0, 1), NULL, NULL, "times_one");
  linear(y, d, d, true, "unused");
  ir_output(G, linear(y, d, VOCAB, true, "head"));
  return G;
}

const char *test_model_name(ModelKind k) {
  static const char *names[M_COUNT] = {"gpt",      "gpt_untied", "post_ln", "sandwich",
                                       "no_final_ln", "exposed", "llama",   "un",
                                       "un_residual", "misc"};
  return names[k];
}
