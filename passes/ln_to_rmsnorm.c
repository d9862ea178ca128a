/*
 * ln_to_rmsnorm.c — Pre-LN -> Pre-RMSNorm.  In a pre-LN transformer every
 * read of the residual stream goes through a LayerNorm, which ignores the
 * stream's mean.  So the pass makes every write to the stream zero-mean
 * (embedding rows centred; residual-writing linears W <- (I - 11^T/d) W,
 * b <- b - mean(b); per-channel biases added to the stream centred), after
 * which mean(x) = 0 and LN(x) = RMSNorm(x) with the same eps.  Every LN that
 * reads the stream, the final one too, becomes RMSNorm; gamma stays on the
 * norm and beta folds into the linears that read it (or stays as an add).
 * A head tied to the embedding shares one table with it: the centred rows
 * plus a column of row means, the head reading [h, h 1^T] (residual.c,
 * share_table); a table something else also reads keeps the original for
 * those readers (it is untied).
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
 * §3, Eq. 4-6; docs/passes.md §1.
 */
#include "passes.h"

#include <stdlib.h>
#include <string.h>

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
    if (pass_is_f32_const(beta) && pass_read_by_linears(g, ln->out, users, n)) {
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

int pass_ln_to_rmsnorm(Graph *g, const PassOptions *opt) {
  (void)opt;
  PassStream s;
  int rc = pass_stream_analyze(g, &s);
  if (rc == 0 && !pass_stream_refused(&s, "ln_to_rmsnorm")) {
    rc = pass_stream_centre(g, &s, true);
    for (int i = 0; i < s.n_norms && rc == 0; i++) rc = replace_norm(g, s.norms[i]);
  }
  pass_stream_free(&s);
  return rc;
}
