/*
 * un_fold.c — folds inference-time per-channel normalizations into the
 * linears they feed.  Unified Normalization and BatchNorm use frozen
 * statistics at inference, so they are a fixed per-channel affine map
 * y = a*x + b (a = gamma / sqrt(running_var + eps)); frontends spell it as a
 * chain of mul/add/sub/scale by per-channel constants.  When every reader of
 * the chain's result is a linear with constant weights, the chain folds into
 * them (W' = W diag(a), b' = b + W b) and disappears.  A chain that also
 * feeds anything else (the residual stream, in post-norm placement) is kept,
 * with a remark.
 *
 * Kind: exact (rel. 1e-6): the same map, reassociated in double precision.
 * Requires: shapes inferred; per-channel constants [D] on the right of mul/add/sub.
 * Invalidates: the memory plan; leaves the chain's nodes dead.
 * Reference: Yang et al., Unified Normalization (ACM MM 2022) §3.3; docs/passes.md §2.
 */
#include "passes.h"

#include <stdlib.h>

/* A node of a per-channel affine chain: mul/add/sub by a constant [D], or scale. */
static bool is_affine_step(const Node *n) {
  if (n->dead || n->out->dtype != DT_F32 || n->out->shape.rank < 1) return false;
  if (n->op == OP_SCALE) return true;
  if (n->op != OP_MUL && n->op != OP_ADD && n->op != OP_SUB) return false;
  const Value *c = n->inputs[1];
  return pass_is_f32_const(c) && c->shape.rank == 1 && c->shape.dim[0] == ir_last_dim(n->out) &&
         !n->inputs[0]->is_const;
}

/* Composes step n after y = a*x + b (a, b of width d, in double). */
static void compose(const Node *n, double *a, double *b, int64_t d) {
  const float *c = n->op == OP_SCALE ? NULL : n->inputs[1]->data;
  for (int64_t i = 0; i < d; i++) {
    switch (n->op) {
    case OP_SCALE: a[i] *= n->attrs.scale, b[i] *= n->attrs.scale; break;
    case OP_MUL: a[i] *= c[i], b[i] *= c[i]; break;
    case OP_ADD: b[i] += c[i]; break;
    default: b[i] -= c[i]; break;   /* OP_SUB */
    }
  }
}

/* True when every reader of v is a linear taking v as x, with constant weights. */
static bool only_linears_read(const Graph *g, const Value *v, Node **users, int n_users) {
  if (n_users == 0 || pass_is_output(g, v)) return false;
  for (int i = 0; i < n_users; i++) {
    Node *u = users[i];
    if (u->op != OP_LINEAR || u->inputs[0] != v || !pass_is_f32_const(u->inputs[1]) ||
        (u->n_inputs > 2 && u->inputs[2] && !pass_is_f32_const(u->inputs[2])))
      return false;
  }
  return true;
}

/* Folds the chain ending at node `end` into its readers.  1 if it folded, 0 if kept, -1 on error. */
static int fold_chain(Graph *g, Node *end) {
  int n_users = pass_users(g, end->out, NULL, 0);
  Node **users = malloc(sizeof(Node *) * (size_t)(n_users + 1));
  Node **chain = malloc(sizeof(Node *) * (size_t)(g->n_nodes + 1));
  int64_t d = ir_last_dim(end->out);
  double *a = malloc(sizeof(double) * (size_t)d), *b = malloc(sizeof(double) * (size_t)d);
  int rc = 0, len = 0;
  if (!users || !chain || !a || !b) {
    diag_error(LOC_NONE, "out of memory");
    rc = -1;
    goto done;
  }
  pass_users(g, end->out, users, n_users);
  if (!only_linears_read(g, end->out, users, n_users)) {
    diag_remark(end->loc, "un_fold: not applied: per-channel affine '%s' (%s) also feeds "
                "something other than linears; kept", end->out->name, pass_where(end));
    goto done;
  }
  /* Walk back while the step's input is read by the chain alone. */
  for (Node *n = end;;) {
    chain[len++] = n;
    Node *p = n->inputs[0]->producer;
    if (!p || !is_affine_step(p) || pass_users(g, p->out, NULL, 0) != 1 ||
        pass_is_output(g, p->out))
      break;
    n = p;
  }
  for (int64_t i = 0; i < d; i++) a[i] = 1, b[i] = 0;
  for (int i = len - 1; i >= 0; i--) compose(chain[i], a, b, d);
  Value *x = chain[len - 1]->inputs[0];
  for (int i = 0; i < n_users && rc == 0; i++) {
    rc = pass_fold_affine_into_linear(g, users[i], a, b, "un_folded");
    users[i]->inputs[0] = x;
    pass_add_note(g, users[i], "per-channel affine norm folded into weights, exact");
  }
  for (int i = 0; i < len; i++) chain[i]->dead = true;
  if (rc == 0) {
    diag_remark(end->loc, "un_fold: folded %d-step per-channel affine '%s' into %d linear%s (%s)",
                len, end->out->name, n_users, n_users == 1 ? "" : "s", pass_where(end));
    rc = 1;
  }
done:
  free(users), free(chain), free(a), free(b);
  return rc;
}

int pass_un_fold(Graph *g, const PassOptions *opt) {
  (void)opt;
  for (int i = g->n_nodes - 1; i >= 0; i--) {
    Node *n = g->nodes[i];
    if (!is_affine_step(n)) continue;
    /* Only chain ends: a step whose value is not the input of a further step alone. */
    Node *only;
    if (pass_users(g, n->out, &only, 1) == 1 && is_affine_step(only) &&
        !pass_is_output(g, n->out))
      continue;
    if (fold_chain(g, n) < 0) return -1;
  }
  return 0;
}
