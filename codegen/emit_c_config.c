/*
 * emit_c_config.c — the model's dimensions, as llama2.c's Config: what they
 * are (read off the graph: the embedding's width, the first attention's
 * heads, the number of attention layers, the feed-forward width), the
 * NAME_Config struct, and the names the forward pass uses for its sizes
 * ("dim", "hidden_dim", "3 * dim") instead of literals.
 *
 * A size is named only when the name says what it is: a width that equals
 * one of dim, hidden_dim, kv_dim, vocab_size (checked in that order, so a
 * GPT-2 whose kv_dim is dim reads "dim"), or a small multiple of dim or
 * hidden_dim, or a grouped-query fused q,k,v width dim + 2 * kv_dim; head
 * counts (n_heads, else n_kv_heads: a rope on the keys) and head_dim by their
 * own names.  Anything else stays a number.  The forward
 * declares a local for each name it used (run.c's `int dim = p->dim;`).
 */
#include <string.h>

#include "codegen.h"

/* The first live node of op, or NULL. */
static const Node *first_node(const Graph *g, Op op) {
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead && g->nodes[i]->op == op) return g->nodes[i];
  return NULL;
}

/* The feed-forward width: the input width of the last linear in the layer of
 * the first attention (the MLP's down projection: GPT-2's c_proj, Llama's
 * down_proj, BERT's output.dense).  0 when there is no such layer. */
static int64_t hidden_width(const Graph *g, const Node *attention) {
  int64_t hidden = 0;
  for (int i = 0; attention && attention->layer && i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (!n->dead && n->op == OP_LINEAR && n->layer && strcmp(n->layer, attention->layer) == 0)
      hidden = ir_last_dim(n->inputs[0]);
  }
  return hidden;
}

void cg_plan_config(CgEmit *e) {
  const Graph *g = e->g;
  const Node *emb = first_node(g, OP_EMBEDDING), *att = first_node(g, OP_ATTENTION);
  CgConfig *c = &e->config;
  *c = (CgConfig){0};
  c->dim = emb ? ir_last_dim(emb->out) : 0;
  c->hidden_dim = hidden_width(g, att);
  for (int i = 0; i < g->n_nodes; i++)
    c->n_layers += !g->nodes[i]->dead && g->nodes[i]->op == OP_ATTENTION;
  if (att) c->n_heads = att->attrs.heads, c->n_kv_heads = att->attrs.kv_heads;
  if (att) c->head_dim = att->attrs.head_dim;
  c->kv_dim = (int64_t)c->n_kv_heads * c->head_dim;
}

void cg_emit_config(CgEmit *e) {
  const Graph *g = e->g;
  const CgConfig *c = &e->config;
  buf_printf(e->c,
             "// --- config: the model's dimensions (as llama2.c's Config) and what the API checks\n\n"
             "typedef struct {\n"
             "  int dim;         /* width of the residual stream (the embedding's) */\n"
             "  int hidden_dim;  /* width of the feed-forward layer */\n"
             "  int n_layers;    /* transformer blocks (attention layers) */\n"
             "  int n_heads;     /* query heads */\n"
             "  int n_kv_heads;  /* key/value heads (fewer than n_heads: grouped-query) */\n"
             "  int head_dim;    /* floats per head */\n"
             "  int vocab_size;  /* valid token ids are 0 .. vocab_size-1 */\n"
             "  int seq_len;     /* context: tokens in the KV cache plus new ones */\n"
             "  int out_dim;     /* floats per output row: %s */\n"
             "  int is_decoder;  /* 1: forward appends to the KV cache; 0: whole sequence */\n"
             "} %s_Config;\n\n"
             "static const %s_Config config = {%lld, %lld, %d, %d, %d, %d, %lld, %lld, %lld, %d};\n\n",
             g->is_decoder ? "logits" : "hidden state", e->name, e->name, (long long)c->dim,
             (long long)c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->head_dim,
             (long long)(g->vocab_size > 0 ? g->vocab_size : 2147483647), (long long)g->max_seq,
             (long long)ir_last_dim(g->outputs[0]), g->is_decoder ? 1 : 0);
}

/* The names the forward may use, in declaration order, with their values. */
enum { SZ_DIM, SZ_HIDDEN, SZ_KV_DIM, SZ_VOCAB, SZ_HEADS, SZ_KV_HEADS, SZ_HEAD_DIM, SZ_COUNT };
static const char *const size_names[SZ_COUNT] = {"dim",     "hidden_dim", "kv_dim",  "vocab_size",
                                                  "n_heads", "n_kv_heads", "head_dim"};

static int64_t size_value(const CgEmit *e, int which) {
  const CgConfig *c = &e->config;
  switch (which) {
  case SZ_DIM: return c->dim;
  case SZ_HIDDEN: return c->hidden_dim;
  case SZ_KV_DIM: return c->kv_dim;
  case SZ_VOCAB: return e->g->vocab_size;
  case SZ_HEADS: return c->n_heads;
  case SZ_KV_HEADS: return c->n_kv_heads;
  default: return c->head_dim;
  }
}

/* Marks `which` used and returns its name. */
static const char *use(CgEmit *e, int which) {
  e->config.used |= 1u << which;
  return size_names[which];
}

const char *cg_width(CgEmit *e, int64_t x) {
  for (int s = SZ_DIM; s <= SZ_VOCAB; s++)
    if (x > 0 && x == size_value(e, s)) return use(e, s);
  const CgConfig *c = &e->config;   /* grouped-query q,k,v first: 2 * dim would mislead */
  if (c->kv_dim && c->kv_dim != c->dim && x == c->dim + 2 * c->kv_dim)
    return arena_printf(e->g->arena, "%s + 2 * %s", use(e, SZ_DIM), use(e, SZ_KV_DIM));
  for (int k = 2; k <= 4; k++)
    for (int s = SZ_DIM; s <= SZ_HIDDEN; s++)
      if (x > 0 && x == k * size_value(e, s))
        return arena_printf(e->g->arena, "%d * %s", k, use(e, s));
  return arena_printf(e->g->arena, "%lld", (long long)x);
}

const char *cg_heads(CgEmit *e, int x, bool kv) {
  int first = kv ? SZ_KV_HEADS : SZ_HEADS, second = kv ? SZ_HEADS : SZ_KV_HEADS;
  if (x == size_value(e, first)) return use(e, first);
  return x == size_value(e, second) ? use(e, second) : arena_printf(e->g->arena, "%d", x);
}

const char *cg_head_dim(CgEmit *e, int x) {
  return x == size_value(e, SZ_HEAD_DIM) ? use(e, SZ_HEAD_DIM) : arena_printf(e->g->arena, "%d", x);
}

void cg_emit_size_locals(CgEmit *e) {
  if (!e->config.used) return;
  buf_puts(e->c, "  /* the model's sizes (config), as run.c names them */\n");
  for (int s = 0; s < SZ_COUNT; s++) {
    if (!(e->config.used & 1u << s)) continue;
    if (s == SZ_KV_DIM)
      buf_puts(e->c, "  const int kv_dim = config.n_kv_heads * config.head_dim;\n");
    else
      buf_printf(e->c, "  const int %s = config.%s;\n", size_names[s], size_names[s]);
  }
}
