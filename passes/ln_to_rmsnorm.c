/*
 * ln_to_rmsnorm.c — Pre-LN -> Pre-RMSNorm.  In a pre-LN transformer every
 * read of the residual stream goes through a LayerNorm, which ignores the
 * stream's mean.  So the pass makes every write to the stream zero-mean
 * (embedding rows centred; residual-writing linears W <- (I - 11^T/d) W,
 * b <- b - mean(b); per-channel biases added to the stream centred), after
 * which mean(x) = 0 and LN(x) = RMSNorm(x) with the same eps.  Every LN that
 * reads the stream, the final one too, becomes RMSNorm; gamma stays on the
 * norm and beta folds into the linears that read it (or stays as an add).
 * A head tied to the embedding keeps the original table (it is untied).
 *
 * The residual stream is found structurally: embedding outputs, and every
 * add with a stream operand.  The pass applies only when every reader of the
 * stream is a LayerNorm or a residual add, no LN output is itself added to
 * the stream (post-LN, as in BERT), every write is affine with constant
 * weights (no sandwich norm) and no graph output is the raw stream;
 * otherwise the graph is left alone and a remark says why.
 *
 * Kind: exact (rel. 1e-5 on logits in fp32; exact in real arithmetic).
 * Requires: shapes inferred; constant weights.  Invalidates: the memory plan.
 * Reference: Jiang et al., Pre-RMSNorm and Pre-CRMSNorm Transformers (NeurIPS 2023)
 * §3, Eq. 4-6; specs/passes.md §1.
 */
#include "passes.h"

#include <stdlib.h>
#include <string.h>

/* What the analysis found; nothing is changed until it has all been checked. */
typedef struct {
  Graph *g;
  char *in_stream;      /* by value id: the value is the residual stream */
  Node **centre_w;      /* residual-writing linears: centre W's columns and b */
  Node **centre_b;      /* adds whose per-channel constant inputs[1] must be centred */
  Node **embeds;        /* embeddings writing the stream: centre the table's rows */
  Node **norms;         /* LayerNorms reading the stream */
  int n_w, n_b, n_embeds, n_norms;
  const char *why;      /* first reason to refuse; NULL while the pass applies */
  const Node *why_at;
} Stream;

static void refuse(Stream *s, const Node *at, const char *why) {
  if (!s->why) s->why = why, s->why_at = at;
}

static bool is_stream(const Stream *s, const Value *v) { return v && s->in_stream[v->id]; }

/* A constant per-channel vector [D] for a stream of width D. */
static bool is_channel_const(const Value *c, int64_t d) {
  return pass_is_f32_const(c) && c->shape.rank == 1 && c->shape.dim[0] == d;
}

/* Marks the stream: embeddings, and adds with a stream operand. */
static void find_stream(Stream *s) {
  Graph *g = s->g;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead) continue;
    if (n->op == OP_EMBEDDING && n->out->dtype == DT_F32)
      s->in_stream[n->out->id] = 1;
    else if (n->op == OP_ADD && (is_stream(s, n->inputs[0]) || is_stream(s, n->inputs[1])))
      s->in_stream[n->out->id] = 1;
  }
}

/* Checks the write w into the stream at residual add `add`, and lists what
 * must be centred: a linear with constant weights or a per-channel constant,
 * possibly behind adds of per-channel constants. */
static void check_write(Stream *s, Node *add, const Value *w) {
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
static void check_norm(Stream *s, Node *ln) {
  Node *users[64];
  int n = pass_users(s->g, ln->out, users, 64);
  for (int i = 0; i < n && i < 64; i++)
    if (users[i]->op == OP_ADD) refuse(s, ln, "post-LN: a LayerNorm's output is the residual stream");
  s->norms[s->n_norms++] = ln;
}

/* Checks one live node against the stream. */
static void check_node(Stream *s, Node *n) {
  bool reads = false;
  for (int k = 0; k < n->n_inputs; k++) reads |= is_stream(s, n->inputs[k]);
  if (n->op == OP_EMBEDDING && is_stream(s, n->out)) {
    if (!pass_is_f32_const(n->inputs[0])) refuse(s, n, "an embedding table is not constant");
    s->embeds[s->n_embeds++] = n;
  }
  if (!reads) return;
  if (n->op == OP_ADD && is_stream(s, n->out)) {
    for (int k = 0; k < 2; k++)
      if (!is_stream(s, n->inputs[k])) check_write(s, n, n->inputs[k]);
  } else if (n->op == OP_LAYERNORM && is_stream(s, n->inputs[0])) {
    check_norm(s, n);
  } else if (n->op == OP_RMSNORM) {
    refuse(s, n, "the residual stream is already read through RMSNorm");
  } else {
    refuse(s, n, "the raw residual stream is read by an op other than LayerNorm");
  }
}

static void check_stream(Stream *s) {
  Graph *g = s->g;
  for (int i = 0; i < g->n_outputs; i++)
    if (is_stream(s, g->outputs[i]))
      refuse(s, g->outputs[i]->producer, "a graph output exposes the raw residual stream");
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) check_node(s, g->nodes[i]);
}

/* ---- the rewrite ---- */

/* Embedding: table rows minus their means (a new constant; a tied head keeps the old one). */
static int centre_embedding(Graph *g, Node *n) {
  Value *t = n->inputs[0];
  int64_t rows = t->shape.dim[0], d = t->shape.dim[1];
  const float *src = t->data;
  float *dst = pass_alloc_f32(g, rows * d);
  if (!dst) return -1;
  for (int64_t r = 0; r < rows; r++) {
    double mean = 0;
    for (int64_t c = 0; c < d; c++) mean += src[r * d + c];
    mean /= (double)d;
    for (int64_t c = 0; c < d; c++) dst[r * d + c] = (float)(src[r * d + c] - mean);
  }
  Value *v = pass_new_const(g, t, "centred", t->shape, dst);
  if (!v) return -1;
  if (pass_users(g, t, NULL, 0) > 1)
    diag_remark(n->loc, "ln_to_rmsnorm: untied '%s' from its other readers (the head keeps the "
                "original table)", t->source ? t->source : t->name);
  n->inputs[0] = v;
  pass_add_note(g, n, "rows centred (zero-mean residual write), exact");
  return 0;
}

/* v minus its mean, as a new constant. */
static Value *centred_vector(Graph *g, const Value *b) {
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
  if (lin->n_inputs > 2 && lin->inputs[2] && !(lin->inputs[2] = centred_vector(g, lin->inputs[2])))
    return -1;
  pass_add_note(g, lin, "output centred (zero-mean residual write), exact");
  return 0;
}

/* True when every reader of v is a linear taking v as x with constant weights. */
static bool read_by_linears(Graph *g, const Value *v, Node **users, int n) {
  if (n == 0 || n > 64 || pass_is_output(g, v)) return false;
  for (int i = 0; i < n; i++)
    if (users[i]->op != OP_LINEAR || users[i]->inputs[0] != v ||
        !pass_is_f32_const(users[i]->inputs[1]) ||
        (users[i]->n_inputs > 2 && users[i]->inputs[2] && !pass_is_f32_const(users[i]->inputs[2])))
      return false;
  return true;
}

static bool all_zero(const Value *b) {
  const float *d = b->data;
  for (int64_t i = 0; i < b->shape.dim[0]; i++)
    if (d[i] != 0) return false;
  return true;
}

/* LN(x, gamma, beta) -> RMSNorm(x, gamma), beta folded into reading linears or added. */
static int replace_norm(Graph *g, Node *ln) {
  Value *beta = ln->inputs[2];
  Attrs at = ln->attrs;
  Value *in[2] = {ln->inputs[0], ln->inputs[1]};
  const char *name = ln->out->name;
  ln->out->name = arena_printf(g->arena, "%s.layernorm", name);   /* the RMSNorm takes the name */
  Value *rms = ln->out->name ? pass_insert_before(g, ln, OP_RMSNORM, in, 2, &at, name) : NULL;
  if (!rms) return -1;
  pass_add_note(g, rms->producer, "LN -> RMSNorm, exact");
  Node *users[64];
  int n = pass_users(g, ln->out, users, 64);
  Value *out = rms;
  if (!pass_is_f32_const(beta) || !all_zero(beta)) {
    if (pass_is_f32_const(beta) && read_by_linears(g, ln->out, users, n)) {
      int64_t d = beta->shape.dim[0];
      double *b = malloc(sizeof(double) * (size_t)d);
      if (!b) return diag_error(LOC_NONE, "out of memory"), -1;
      for (int64_t i = 0; i < d; i++) b[i] = ((const float *)beta->data)[i];
      int rc = 0;
      for (int i = 0; i < n && rc == 0; i++)
        rc = pass_fold_affine_into_linear(g, users[i], NULL, b, "ln_beta");
      free(b);
      if (rc) return -1;
    } else {
      Value *add_in[2] = {rms, beta};
      if (!(out = pass_insert_before(g, ln, OP_ADD, add_in, 2, NULL, "ln_beta"))) return -1;
    }
  }
  ir_replace_uses(g, ln->out, out);
  ln->dead = true;
  diag_remark(ln->loc, "ln_to_rmsnorm: '%s' (%s) is now RMSNorm", rms->name, pass_where(ln));
  return 0;
}

static int rewrite(Stream *s) {
  Graph *g = s->g;
  for (int i = 0; i < s->n_embeds; i++)
    if (centre_embedding(g, s->embeds[i])) return -1;
  for (int i = 0; i < s->n_w; i++)
    if (centre_linear(g, s->centre_w[i])) return -1;
  for (int i = 0; i < s->n_b; i++) {
    Node *add = s->centre_b[i];
    if (!(add->inputs[1] = centred_vector(g, add->inputs[1]))) return -1;
    pass_add_note(g, add, "bias centred (zero-mean residual write), exact");
  }
  for (int i = 0; i < s->n_norms; i++)
    if (replace_norm(g, s->norms[i])) return -1;
  return 0;
}

int pass_ln_to_rmsnorm(Graph *g, const PassOptions *opt) {
  (void)opt;
  size_t nn = (size_t)g->n_nodes + 1;
  Stream s = {.g = g};
  s.in_stream = calloc((size_t)g->n_values + 1, 1);
  s.centre_w = malloc(sizeof(Node *) * nn), s.centre_b = malloc(sizeof(Node *) * nn);
  s.embeds = malloc(sizeof(Node *) * nn), s.norms = malloc(sizeof(Node *) * nn);
  int rc = 0;
  if (!s.in_stream || !s.centre_w || !s.centre_b || !s.embeds || !s.norms) {
    diag_error(LOC_NONE, "out of memory");
    rc = -1;
  } else {
    find_stream(&s);
    check_stream(&s);
    if (s.why)
      diag_remark(s.why_at ? s.why_at->loc : LOC_NONE, "ln_to_rmsnorm: not applied: %s ('%s', %s%s)",
                  s.why, s.why_at ? s.why_at->out->name : "?",
                  s.why_at ? pass_where(s.why_at) : "top level",
                  g->family == FAMILY_BERT ? ", BERT" : "");
    else if (s.n_norms == 0)
      diag_remark(LOC_NONE, "ln_to_rmsnorm: not applied: no LayerNorm reads a residual stream");
    else
      rc = rewrite(&s);
  }
  free(s.in_stream), free(s.centre_w), free(s.centre_b), free(s.embeds), free(s.norms);
  return rc;
}
