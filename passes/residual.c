/*
 * residual.c — the residual stream of a pre-LN transformer, found and checked
 * once for the passes that rewrite it (ln_to_rmsnorm, crmsnorm): which values
 * are the stream (embedding outputs and every add with a stream operand),
 * which nodes write into it (embeddings, linears, per-channel constants),
 * which LayerNorms read it, and whether anything rules the rewrite out
 * (post-LN, sandwich norms, a raw read, an exposed stream).  Centring makes
 * every write zero-mean: rows of the embedding tables, W <- (I - 11^T/d) W
 * and b <- b - mean(b) for the writing linears, c - mean(c) for constants.
 *
 * Kind: exact (helpers for exact passes; centring is exact in real arithmetic).
 * Requires: shapes inferred; constant weights.  Invalidates: nothing by itself.
 * Reference: Jiang et al., Pre-RMSNorm and Pre-CRMSNorm Transformers (NeurIPS 2023)
 * §3, Eq. 4-6; docs/passes.md §1.
 */
#include "passes.h"

#include <stdlib.h>
#include <string.h>


static void refuse(PassStream *s, const Node *at, const char *why) {
  if (!s->why) s->why = why, s->why_at = at;
}

bool pass_in_stream(const PassStream *s, const Value *v) {
  return v && v->id < s->n_values && s->in_stream[v->id];
}

/* A constant per-channel vector [D] for a stream of width D. */
static bool is_channel_const(const Value *c, int64_t d) {
  return pass_is_f32_const(c) && c->shape.rank == 1 && c->shape.dim[0] == d;
}

/* Marks the stream: embeddings, and adds with a stream operand. */
static void find_stream(PassStream *s) {
  Graph *g = s->g;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead) continue;
    if (n->op == OP_EMBEDDING && n->out->dtype == DT_F32)
      s->in_stream[n->out->id] = 1;
    else if (n->op == OP_ADD && (pass_in_stream(s, n->inputs[0]) || pass_in_stream(s, n->inputs[1])))
      s->in_stream[n->out->id] = 1;
  }
}

/* Checks the write w into the stream at residual add `add`, and lists what
 * must be centred: a linear with constant weights or a per-channel constant,
 * possibly behind adds of per-channel constants. */
static void check_write(PassStream *s, Node *add, const Value *w) {
  int64_t d = ir_last_dim(add->out);
  if (is_channel_const(w, d) && add->inputs[1] == w) {
    s->centre_b[s->n_b++] = add;
    return;
  }
  Node *p = w->producer;
  if (!p || pass_users(s->g, w, NULL, 0) != 1 || pass_is_output(s->g, w)) {
    refuse(s, add, "a residual write is also read elsewhere");
  } else if (p->op == OP_LAYERNORM || p->op == OP_RMSNORM) {
    refuse(s, p, "sandwich norm: a norm's output is added to the residual stream");
  } else if (p->op == OP_LINEAR && pass_is_f32_const(p->inputs[1]) &&
             (p->n_inputs < 3 || !p->inputs[2] || pass_is_f32_const(p->inputs[2]))) {
    s->centre_w[s->n_w++] = p;
  } else if (p->op == OP_ADD && is_channel_const(p->inputs[1], d) &&
             ir_shape_eq(p->out->shape, add->out->shape)) {
    s->centre_b[s->n_b++] = p;
    check_write(s, add, p->inputs[0]);
  } else {
    refuse(s, p, "a residual write is not an affine map with constant weights");
  }
}

/* A LayerNorm reading the stream is pre-LN unless its output is added back. */
static void check_norm(PassStream *s, Node *ln) {
  Node *users[64];
  int n = pass_users(s->g, ln->out, users, 64);
  for (int i = 0; i < n && i < 64; i++)
    if (users[i]->op == OP_ADD) refuse(s, ln, "post-LN: a LayerNorm's output is the residual stream");
  s->norms[s->n_norms++] = ln;
}

/* Checks one live node against the stream. */
static void check_node(PassStream *s, Node *n) {
  bool reads = false;
  for (int k = 0; k < n->n_inputs; k++) reads |= pass_in_stream(s, n->inputs[k]);
  if (n->op == OP_EMBEDDING && pass_in_stream(s, n->out)) {
    if (!pass_is_f32_const(n->inputs[0])) refuse(s, n, "an embedding table is not constant");
    s->embeds[s->n_embeds++] = n;
  }
  if (!reads) return;
  if (n->op == OP_ADD && pass_in_stream(s, n->out)) {
    for (int k = 0; k < 2; k++)
      if (!pass_in_stream(s, n->inputs[k])) check_write(s, n, n->inputs[k]);
  } else if (n->op == OP_LAYERNORM && pass_in_stream(s, n->inputs[0])) {
    check_norm(s, n);
  } else if (n->op == OP_RMSNORM) {
    refuse(s, n, "the residual stream is already read through RMSNorm");
  } else {
    refuse(s, n, "the raw residual stream is read by an op other than LayerNorm");
  }
}

static void check_stream(PassStream *s) {
  Graph *g = s->g;
  for (int i = 0; i < g->n_outputs; i++)
    if (pass_in_stream(s, g->outputs[i]))
      refuse(s, g->outputs[i]->producer, "a graph output exposes the raw residual stream");
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) check_node(s, g->nodes[i]);
}

/* ---- the rewrite ---- */

/* A linear reading table t as its weight [V,D] (a tied head) that can take
 * the mean correction below. */
static bool is_tied_head(const Node *u, const Value *t) {
  return u->op == OP_LINEAR && u->inputs[1] == t && u->inputs[0] != t && u->attrs.w_layout == 0 &&
         !u->attrs.act && u->n_inputs <= 3 &&
         (u->n_inputs < 3 || !u->inputs[2] || pass_is_f32_const(u->inputs[2]));
}

/* One table for both readers: A = [E' | m] (V x (d+1); E' the centred rows,
 * m their means).  The embedding reads A and drops the last column; the tied
 * head reads [h, h 1^T] against A, since h E^T = h E'^T + (h 1^T) m^T.  Costs
 * V floats and 2(V+d) FLOPs per token instead of a second V x d table. */
static int share_table(Graph *g, Node *emb, Node **heads, int n_heads, const float *centred,
                       const float *means) {
  Value *t = emb->inputs[0];
  int64_t V = t->shape.dim[0], D = t->shape.dim[1];
  float *aug = pass_alloc_f32(g, V * (D + 1)), *ones = pass_alloc_f32(g, D);
  if (!aug || !ones) return -1;
  for (int64_t r = 0; r < V; r++) {
    memcpy(aug + r * (D + 1), centred + r * D, sizeof(float) * (size_t)D);
    aug[r * (D + 1) + D] = means[r];
  }
  for (int64_t i = 0; i < D; i++) ones[i] = 1;
  Value *va = pass_new_const(g, t, "centred_with_means", ir_shape(2, V, D + 1), aug);
  Value *vo = pass_new_const(g, t, "ones", ir_shape(2, (int64_t)1, D), ones);
  if (!va || !vo) return -1;
  /* The embedding now yields [T, d+1] (value y); a slice right after it gives
   * back the stream value its readers already use. */
  Value *stream = emb->out;
  Node *next = NULL;
  for (int i = 0; i < g->n_nodes - 1 && !next; i++)
    if (g->nodes[i] == emb) next = g->nodes[i + 1];
  Attrs sl = {.axis = -1, .start = 0, .length = D};
  Value *y = next ? pass_insert_before(g, next, OP_SLICE, &stream, 1, &sl,
                                       arena_printf(g->arena, "%s.with_mean", stream->name)) : NULL;
  if (!y) return -1;
  Node *slice = y->producer;
  emb->inputs[0] = va;
  emb->out = y, y->producer = emb, y->shape.dim[1] = D + 1;
  slice->out = stream, stream->producer = slice, slice->inputs[0] = y;
  for (int i = 0; i < n_heads; i++) {
    Node *head = heads[i];
    Value *h = head->inputs[0], *si[2] = {h, vo};
    Attrs lin = {0}, cat = {.axis = -1};
    Value *sum = pass_insert_before(g, head, OP_LINEAR, si, 2, &lin,
                                    arena_printf(g->arena, "%s.row_sum", head->out->name));
    Value *ci[2] = {h, sum};
    Value *haug = sum ? pass_insert_before(g, head, OP_CONCAT, ci, 2, &cat,
                                           arena_printf(g->arena, "%s.input", head->out->name)) : NULL;
    if (!haug) return -1;
    head->inputs[0] = haug, head->inputs[1] = va;
    pass_add_note(g, head, "tied head on [centred table | row means], exact");
    diag_remark(head->loc, "ln_to_rmsnorm: tied head '%s' shares the centred '%s' (+ a row-mean "
                "column: %lld bytes)", head->out->name, t->source ? t->source : t->name,
                (long long)(V * (int64_t)sizeof(float)));
  }
  return 0;
}

/* Embedding: table rows minus their means, as a new constant.  A tied head
 * shares it (share_table) when `share` is set; any other reader keeps the old
 * table (untied, at the cost of a second copy). */
static int centre_embedding(Graph *g, Node *n, bool share) {
  Value *t = n->inputs[0];
  int64_t rows = t->shape.dim[0], d = t->shape.dim[1];
  const float *src = t->data;
  float *dst = pass_alloc_f32(g, rows * d), *means = pass_alloc_f32(g, rows);
  if (!dst || !means) return -1;
  for (int64_t r = 0; r < rows; r++) {
    double mean = 0;
    for (int64_t c = 0; c < d; c++) mean += src[r * d + c];
    mean /= (double)d;
    means[r] = (float)mean;
    for (int64_t c = 0; c < d; c++) dst[r * d + c] = (float)(src[r * d + c] - mean);
  }
  pass_add_note(g, n, "rows centred (zero-mean residual write), exact");
  int others = pass_users(g, t, NULL, 0) - 1;
  Node **users = malloc(sizeof(Node *) * (size_t)(others + 2)), **heads;
  if (!users) return diag_error(LOC_NONE, "out of memory"), -1;
  int n_all = pass_users(g, t, users, others + 1), k = 0;
  for (int i = 0; i < n_all; i++)
    if (users[i] != n) users[k++] = users[i];
  heads = users;
  bool all_heads = share && others > 0;
  for (int i = 0; i < others; i++) all_heads &= is_tied_head(heads[i], t);
  int rc = 0;
  if (all_heads) {
    rc = share_table(g, n, heads, others, dst, means);
  } else {
    Value *v = pass_new_const(g, t, "centred", t->shape, dst);
    if (!v) rc = -1;
    else n->inputs[0] = v;
    if (others)
      diag_remark(n->loc, "ln_to_rmsnorm: untied '%s' from its other readers (they keep the "
                  "original table): +%lld bytes of weights", t->source ? t->source : t->name,
                  (long long)(rows * d * (int64_t)sizeof(float)));
  }
  free(users);
  return rc;
}

/* v minus its mean, as a new constant. */
Value *pass_centred_vector(Graph *g, const Value *b) {
  int64_t d = b->shape.dim[0];
  const float *src = b->data;
  float *dst = pass_alloc_f32(g, d);
  if (!dst) return NULL;
  double mean = 0;
  for (int64_t i = 0; i < d; i++) mean += src[i];
  mean /= (double)d;
  for (int64_t i = 0; i < d; i++) dst[i] = (float)(src[i] - mean);
  return pass_new_const(g, b, "centred", b->shape, dst);
}

/* Residual-writing linear: W <- P W (each input column minus its mean over outputs). */
static int centre_linear(Graph *g, Node *lin) {
  Value *w = lin->inputs[1];
  bool kn = lin->attrs.w_layout;
  int64_t N = kn ? w->shape.dim[1] : w->shape.dim[0], K = kn ? w->shape.dim[0] : w->shape.dim[1];
  const float *src = w->data;
  float *dst = pass_alloc_f32(g, N * K);
  if (!dst) return -1;
  for (int64_t k = 0; k < K; k++) {
    double mean = 0;
    for (int64_t n = 0; n < N; n++) mean += src[pass_w_index(lin, n, k)];
    mean /= (double)N;
    for (int64_t n = 0; n < N; n++) {
      int64_t i = pass_w_index(lin, n, k);
      dst[i] = (float)(src[i] - mean);
    }
  }
  Value *v = pass_new_const(g, w, "centred", w->shape, dst);
  if (!v) return -1;
  lin->inputs[1] = v;
  if (lin->n_inputs > 2 && lin->inputs[2] && !(lin->inputs[2] = pass_centred_vector(g, lin->inputs[2])))
    return -1;
  pass_add_note(g, lin, "output centred (zero-mean residual write), exact");
  return 0;
}

/* True when every reader of v is a linear taking v as x with constant weights. */
bool pass_read_by_linears(const Graph *g, const Value *v, Node **users, int n) {
  if (n == 0 || n > 64 || pass_is_output(g, v)) return false;
  for (int i = 0; i < n; i++)
    if (users[i]->op != OP_LINEAR || users[i]->inputs[0] != v ||
        !pass_is_f32_const(users[i]->inputs[1]) ||
        (users[i]->n_inputs > 2 && users[i]->inputs[2] && !pass_is_f32_const(users[i]->inputs[2])))
      return false;
  return true;
}


/* Finds the stream and checks every reader and writer of it. */
int pass_stream_analyze(Graph *g, PassStream *s) {
  size_t nn = (size_t)g->n_nodes + 1;
  memset(s, 0, sizeof *s);
  s->g = g;
  s->n_values = g->n_values;
  s->in_stream = calloc((size_t)g->n_values + 1, 1);
  s->centre_w = malloc(sizeof(Node *) * nn), s->centre_b = malloc(sizeof(Node *) * nn);
  s->embeds = malloc(sizeof(Node *) * nn), s->norms = malloc(sizeof(Node *) * nn);
  if (!s->in_stream || !s->centre_w || !s->centre_b || !s->embeds || !s->norms) {
    diag_error(LOC_NONE, "out of memory");
    return -1;
  }
  find_stream(s);
  check_stream(s);
  return 0;
}

void pass_stream_free(PassStream *s) {
  free(s->in_stream), free(s->centre_w), free(s->centre_b), free(s->embeds), free(s->norms);
}

/* Says why `pass` does not apply; true when it does not. */
bool pass_stream_refused(const PassStream *s, const char *pass) {
  const Graph *g = s->g;
  if (s->why)
    diag_remark(s->why_at ? s->why_at->loc : LOC_NONE, "%s: not applied: %s ('%s', %s%s%s)", pass,
                s->why, s->why_at ? s->why_at->out->name : "?",
                s->why_at ? pass_where(s->why_at) : "top level",
                g->family ? ", family " : "", g->family ? g->family : "");
  else if (s->n_norms == 0)
    diag_remark(LOC_NONE, "%s: not applied: no LayerNorm reads a residual stream", pass);
  return s->why || s->n_norms == 0;
}

/* Centres every write into the stream (embeddings, linears, constants). */
int pass_stream_centre(Graph *g, PassStream *s, bool share_tied) {
  for (int i = 0; i < s->n_embeds; i++)
    if (centre_embedding(g, s->embeds[i], share_tied)) return -1;
  for (int i = 0; i < s->n_w; i++)
    if (centre_linear(g, s->centre_w[i])) return -1;
  for (int i = 0; i < s->n_b; i++) {
    Node *add = s->centre_b[i];
    if (!(add->inputs[1] = pass_centred_vector(g, add->inputs[1]))) return -1;
    pass_add_note(g, add, "bias centred (zero-mean residual write), exact");
  }
  return 0;
}
