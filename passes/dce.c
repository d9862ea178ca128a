/*
 * dce.c — dead-code elimination: a node whose value no graph output needs is
 * marked dead (and dropped from the order by the pass manager).  Liveness is
 * one backward sweep over the topological order: outputs are live, and the
 * inputs of a live node are live.  A dead attention node's KV cache goes with
 * it, which is right: nothing could ever read it.
 *
 * Kind: exact (bitwise): no live value changes.
 * Requires: nodes in topological order.  Invalidates: the memory plan.
 * Reference: Cooper & Torczon, Engineering a Compiler, §10.2 (useless-code elimination).
 */
#include "passes.h"

#include <stdlib.h>

int pass_dce(Graph *g, const PassOptions *opt) {
  (void)opt;
  char *live = calloc((size_t)g->n_values + 1, 1);
  if (!live) {
    diag_error(LOC_NONE, "out of memory");
    return -1;
  }
  for (int i = 0; i < g->n_outputs; i++) live[g->outputs[i]->id] = 1;
  int removed = 0;
  for (int i = g->n_nodes - 1; i >= 0; i--) {
    Node *n = g->nodes[i];
    if (n->dead) continue;
    if (!live[n->out->id]) {
      n->dead = true;
      removed++;
      continue;
    }
    for (int k = 0; k < n->n_inputs; k++)
      if (n->inputs[k]) live[n->inputs[k]->id] = 1;
  }
  free(live);
  if (removed) diag_remark(LOC_NONE, "dce: removed %d node%s nothing reads", removed,
                           removed == 1 ? "" : "s");
  return 0;
}
