/*
 * crmsnorm.c — Pre-LN -> Pre-CRMSNorm: the residual stream is made zero-mean
 * as for ln_to_rmsnorm (passes/residual.c), and then only its first d-1
 * coordinates are stored, since the last is minus their sum.  Writers drop
 * their last output (embedding columns, the last row of residual-writing
 * linears and of their biases); every LayerNorm that reads the stream becomes
 * crmsnorm (x / sqrt((sum x^2 + (sum x)^2) / d + eps) on the d-1 values), and
 * its gamma and beta fold into the linears that read it, whose weights become
 * W_c[:, k] = W[:, k] g_k - W[:, d-1] g_{d-1} (so a tied head is untied).
 * It saves 1/d of the residual-reading FLOPs and bytes, at the price of odd
 * widths (767 for GPT-2 small) that SIMD kernels handle with a tail.
 *
 * Kind: exact (rel. 1e-5 on logits in fp32; exact in real arithmetic).
 * Requires: what ln_to_rmsnorm requires, and only linears reading each norm.
 * Invalidates: the memory plan.  Runs instead of ln_to_rmsnorm (before it).
 * Reference: Jiang et al., Pre-RMSNorm and Pre-CRMSNorm Transformers (NeurIPS 2023)
 * §3.3, Eq. 8-9; docs/passes.md §1 (CRMSNorm).
 */
#include "passes.h"

#include <stdlib.h>

/* c without its last entry along `axis` (0 or 1 of a matrix, 0 of a vector). */
static Value *drop_last(Graph *g, const Value *c, int axis) {
  Shape s = c->shape;
  int64_t rows = s.rank == 2 ? s.dim[0] : 1, cols = s.rank == 2 ? s.dim[1] : s.dim[0];
  int64_t nr = axis == 0 && s.rank == 2 ? rows - 1 : rows;
  int64_t nc = axis == 0 && s.rank == 2 ? cols : cols - 1;
  float *dst = pass_alloc_f32(g, nr * nc);
  if (!dst) return NULL;
  const float *src = c->data;
  for (int64_t r = 0; r < nr; r++)
    for (int64_t k = 0; k < nc; k++) dst[r * nc + k] = src[r * cols + k];
  s.dim[s.rank == 2 ? axis : 0] -= 1;
  return pass_new_const(g, c, "compressed", s, dst);
}

/* The value v now holds d-1 columns. */
static void narrow(Value *v) { v->shape.dim[v->shape.rank - 1] -= 1; }

/* A residual-writing linear keeps outputs 0..d-2. */
static int compress_writer(Graph *g, Node *lin) {
  Value *w = drop_last(g, lin->inputs[1], lin->attrs.w_layout ? 1 : 0);
  if (!w) return -1;
  lin->inputs[1] = w;
  if (lin->n_inputs > 2 && lin->inputs[2] && !(lin->inputs[2] = drop_last(g, lin->inputs[2], 0)))
    return -1;
  narrow(lin->out);
  return 0;
}

/* A linear reading LN(x; gamma, beta) now reads crmsnorm(x_c): fold gamma and beta
 * and the last coordinate (minus the sum of the others) into W and b. */
static int fold_reader(Graph *g, Node *lin, const float *gamma, const float *beta, int64_t d) {
  Value *w = lin->inputs[1], *b = lin->n_inputs > 2 ? lin->inputs[2] : NULL;
  int64_t N = ir_last_dim(lin->out);
  const float *wd = w->data;
  float *nw = pass_alloc_f32(g, N * (d - 1)), *nb = pass_alloc_f32(g, N);
  if (!nw || !nb) return -1;
  bool kn = lin->attrs.w_layout;
  for (int64_t n = 0; n < N; n++) {
    double last = (double)wd[pass_w_index(lin, n, d - 1)] * gamma[d - 1], bias = b ? ((const float *)b->data)[n] : 0;
    for (int64_t k = 0; k < d; k++) bias += (double)wd[pass_w_index(lin, n, k)] * beta[k];
    for (int64_t k = 0; k < d - 1; k++)
      nw[kn ? k * N + n : n * (d - 1) + k] = (float)((double)wd[pass_w_index(lin, n, k)] * gamma[k] - last);
    nb[n] = (float)bias;
  }
  Value *vw = pass_new_const(g, w, "crms", kn ? ir_shape(2, d - 1, N) : ir_shape(2, N, d - 1), nw);
  Value *vb = pass_new_const(g, w, "crms.bias", ir_shape(1, N), nb);
  Value **in = arena_alloc(g->arena, sizeof(Value *) * 3);
  if (!vw || !vb || !in) return diag_error(LOC_NONE, "out of memory"), -1;
  in[0] = lin->inputs[0], in[1] = vw, in[2] = vb;
  lin->inputs = in;
  lin->n_inputs = 3;
  pass_add_note(g, lin, "reads CRMSNorm: LN affine and the last coordinate folded in, exact");
  return 0;
}

/* LN -> crmsnorm, folding into every reader. */
static int replace_norm(Graph *g, Node *ln) {
  Node *users[64];
  int n = pass_users(g, ln->out, users, 64);
  int64_t d = ir_last_dim(ln->out);   /* the norm's own output still has all d */
  const char *name = ln->out->name;
  ln->out->name = arena_printf(g->arena, "%s.layernorm", name);
  Attrs at = {.eps = ln->attrs.eps};
  Value *c = ln->out->name ? pass_insert_before(g, ln, OP_CRMSNORM, &ln->inputs[0], 1, &at, name) : NULL;
  if (!c) return -1;
  pass_add_note(g, c->producer, "LN -> CRMSNorm (d-1 stored), exact");
  for (int i = 0; i < n; i++)
    if (fold_reader(g, users[i], ln->inputs[1]->data, ln->inputs[2]->data, d)) return -1;
  ir_replace_uses(g, ln->out, c);
  ln->dead = true;
  diag_remark(ln->loc, "crmsnorm: '%s' (%s) is now CRMSNorm on %lld of %lld channels", name,
              pass_where(ln), (long long)(d - 1), (long long)d);
  return 0;
}

/* Every norm must feed linears only (gamma, beta and the last coordinate fold into them). */
static bool readers_fold(Graph *g, PassStream *s) {
  for (int i = 0; i < s->n_norms; i++) {
    Node *ln = s->norms[i], *users[64];
    int n = pass_users(g, ln->out, users, 64);
    if (!pass_read_by_linears(g, ln->out, users, n) || !pass_is_f32_const(ln->inputs[1]) ||
        !pass_is_f32_const(ln->inputs[2]) || ir_last_dim(ln->out) < 2) {
      diag_remark(ln->loc, "crmsnorm: not applied: '%s' (%s) is read by something other than "
                  "linears with constant weights", ln->out->name, pass_where(ln));
      return false;
    }
  }
  return true;
}

static int compress(Graph *g, PassStream *s) {
  for (int i = 0; i < s->n_embeds; i++) {
    Node *e = s->embeds[i];
    if (!(e->inputs[0] = drop_last(g, e->inputs[0], 1))) return -1;
  }
  for (int i = 0; i < s->n_w; i++)
    if (compress_writer(g, s->centre_w[i])) return -1;
  for (int i = 0; i < s->n_b; i++) {
    Node *add = s->centre_b[i];
    if (!(add->inputs[1] = drop_last(g, add->inputs[1], 0))) return -1;
    if (!pass_in_stream(s, add->out)) narrow(add->out);   /* a bias add inside a write */
  }
  for (int i = 0; i < s->n_values; i++)
    if (s->in_stream[i]) narrow(g->values[i]);
  for (int i = 0; i < s->n_norms; i++)
    if (replace_norm(g, s->norms[i])) return -1;
  return 0;
}

int pass_crmsnorm(Graph *g, const PassOptions *opt) {
  (void)opt;
  PassStream s;
  int rc = pass_stream_analyze(g, &s);
  if (rc == 0 && !pass_stream_refused(&s, "crmsnorm") && readers_fold(g, &s)) {
    rc = pass_stream_centre(g, &s, false);
    if (rc == 0) rc = compress(g, &s);
  }
  pass_stream_free(&s);
  return rc;
}
