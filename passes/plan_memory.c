/*
 * plan_memory.c — the static memory plan: every activation (node output)
 * gets a fixed byte offset in one arena sized for T = max_seq, and values
 * whose live ranges do not overlap share bytes.  Offsets come from a greedy
 * first fit in node order over the values live at the same time, 64-byte
 * aligned; an output is placed before its node's inputs are released, so a
 * node never writes over what it reads.  The emitter allocates the arena
 * once in NAME_open and NAME_forward allocates nothing.
 *
 * The graph's output gets no arena bytes when its node can write it straight
 * into NAME_forward's `out` (ir_caller_output): out is the caller's memory,
 * n x out_dim floats, touched by nothing else during the call, so any node
 * may read it afterwards and nothing can overwrite it.  For a decoder that
 * is the max_seq x vocab logits, the largest buffer by far, and the copy out
 * of the arena goes with it.
 *
 * Kind: exact (bitwise): only where values live changes.
 * Requires: nodes in topological order, max_seq > 0; runs last.
 * Invalidates: nothing (any later rewrite invalidates it).
 * Reference: Pisarchyk & Lee, Efficient Memory Management for Deep Neural Net
 * Inference (2020), greedy by order of use; TFLite's arena planner.
 */
#include "passes.h"

#include <stdlib.h>

enum { ALIGN = 64 };

typedef struct {
  int64_t offset, size;
  int last;   /* index of the last node that reads it */
} Block;

static int64_t align_up(int64_t x) { return (x + ALIGN - 1) / ALIGN * ALIGN; }

/* The lowest aligned offset where `size` bytes fit beside the live blocks. */
static int64_t first_fit(const Block *live, int n_live, int64_t size) {
  int64_t at = 0;
  for (bool moved = true; moved;) {
    moved = false;
    for (int i = 0; i < n_live; i++)
      if (at < live[i].offset + live[i].size && live[i].offset < at + size) {
        at = align_up(live[i].offset + live[i].size);
        moved = true;
      }
  }
  return at;
}

int pass_plan_memory(Graph *g, const PassOptions *opt) {
  (void)opt;
  if (g->max_seq <= 0) {
    diag_remark(LOC_NONE, "plan_memory: not applied: the graph has no max_seq");
    return 0;
  }
  int *first = malloc(sizeof(int) * ((size_t)g->n_values + 1));
  int *last = malloc(sizeof(int) * ((size_t)g->n_values + 1));
  Block *live = malloc(sizeof(Block) * ((size_t)g->n_nodes + 1));
  if (!first || !last || !live) {
    free(first), free(last), free(live);
    return diag_error(LOC_NONE, "out of memory"), -1;
  }
  ir_live_ranges(g, first, last);
  Value *caller = ir_caller_output(g);
  int n_live = 0;
  int64_t total = 0, sum = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    Value *v = g->nodes[i]->out;
    if (g->nodes[i]->dead) continue;
    v->planned = v != caller;
    v->plan_out = v == caller;
    if (v->planned) {
      int64_t size = align_up(ir_value_bytes(g, v));
      v->plan_offset = first_fit(live, n_live, size);
      live[n_live++] = (Block){v->plan_offset, size, last[v->id]};
      if (v->plan_offset + size > total) total = v->plan_offset + size;
      sum += size;
    }
    for (int k = 0; k < n_live;)   /* release what node i was the last to read */
      if (live[k].last <= i) live[k] = live[--n_live];
      else k++;
  }
  g->plan_bytes = total;
  diag_remark(LOC_NONE, "plan_memory: %lld bytes for activations at T = %lld (%lld without reuse)",
              (long long)total, (long long)g->max_seq, (long long)sum);
  if (caller)
    diag_remark(LOC_NONE, "plan_memory: %s (%lld bytes at T = %lld) lives in the caller's buffer",
                caller->name, (long long)ir_value_bytes(g, caller), (long long)g->max_seq);
  free(first), free(last), free(live);
  return 0;
}
