/*
 * prepack.c — weight pre-packing: every constant weight read only by linear
 * nodes (and by embedding lookups, for a tied lm head's table) is rearranged,
 * at compile time, into the panel layout the target's SIMD kernels stream
 * (runtime/pack.h: panels of NR output columns, [k][j] inside), so the blob
 * holds the packed bytes and NAME_open maps them as they are, with no
 * repacking.  The panel width is the kernel's register tile:
 * 16 columns (two ymm) for x86-64-avx2, 32 (two zmm) for x86-64-avx512,
 * 16 (four q registers) for aarch64-neon; other targets pack nothing.
 *
 * The packed copy goes to Value.packed beside the row-major data, which stays
 * what the IR means (the interpreter, the printer and the other passes read
 * it); the C emitter writes Value.packed into the blob, and select_kernels
 * picks the packed kernel for the node.  A tied table (GPT-2's wte, a tied
 * Llama or llama2.c classifier: the lm head's [V,D] weight is also the
 * embedding table) is packed too, once: the embedding nodes reading it learn
 * so (attrs.table_nr = nr) and the emitter calls the panel gather
 * rt_embedding_packed, which picks row v out of its panel (D strided floats
 * per token), so the blob holds the table once and the head streams panels
 * instead of transposing [N,K] blocks.  A weight with any other reader (or
 * a tied table its linears read as [K,N]), or that is a graph output, stays
 * row-major: its linears take the [N,K] SIMD kernel, or the portable one for
 * [K,N] (select_kernels).
 *
 * Kind: exact (bitwise): the graph's values do not change; only the stored
 *   order of the weights does, and the packed kernels sum in their own order
 *   (select_kernels states that tolerance).
 * Requires: nodes in topological order, weights as f32 constants with data.
 * Invalidates: nothing (the memory plan covers activations, not weights).
 * Reference: Goto & van de Geijn, "Anatomy of High-Performance Matrix
 *   Multiplication", TOMS 34(3), 2008, §4 (packing B into contiguous panels);
 *   BLIS (Van Zee & van de Geijn, TOMS 2015), §3 (micro-panels of width nr).
 */
#include "passes.h"
#include "../runtime/pack.h"   /* shared with the SIMD kernels */

/* Columns per panel for the target's linear kernels; 0: no packed kernels. */
static int panel_width(Target t) {
  switch (t) {
  case TARGET_AVX2: return 16;    /* RT_AVX2_NR, runtime/x86/linear_avx2.c */
  case TARGET_AVX512: return 32;  /* RT_AVX512_NR, runtime/x86/linear_avx512.c */
  case TARGET_NEON: return 16;    /* RT_NEON_NR, runtime/neon/linear_neon.c */
  default: return 0;
  }
}

/* How v may be packed: the w_layout of the linears that read it as their
 * weight (one layout), with *tables the number of embeddings reading it as
 * their table.  -1 when no linear reads it as a weight; -2 when one does but
 * so does something else (another layout, another op or input, a graph
 * output), which is worth a remark. */
static int packable_layout(const Graph *g, const Value *v, int *tables) {
  int layout = -1;
  bool other = pass_is_output(g, v);
  *tables = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++) {
      if (n->inputs[k] != v) continue;
      if (n->op == OP_EMBEDDING && k == 0)
        ++*tables;
      else if (n->op != OP_LINEAR || k != 1 || (layout >= 0 && layout != n->attrs.w_layout))
        other = true;
      else
        layout = n->attrs.w_layout;
    }
  }
  /* an embedding gathers rows [V,D] = a [N,K] weight's output columns */
  if (*tables && layout == 1) other = true;
  return !other ? layout : layout >= 0 ? -2 : -1;
}

/* Packs v (read as a linear weight in `layout`) into panels of nr columns. */
static int pack_value(Graph *g, Value *v, int layout, int nr) {
  int64_t K = v->shape.dim[layout ? 0 : 1], N = v->shape.dim[layout ? 1 : 0];
  float *out = pass_alloc_f32(g, N * K);
  if (!out) return -1;
  rt_pack_panels(v->data, layout, N, K, nr, out);
  v->packed = out;
  v->pack_nr = nr;
  return 0;
}

/* Tells the embeddings reading v that its rows now lie in panels of nr. */
static void mark_tables(Graph *g, const Value *v, int nr) {
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (!n->dead && n->op == OP_EMBEDDING && n->inputs[0] == v) n->attrs.table_nr = nr;
  }
  diag_remark(v->loc, "prepack: tied '%s' is stored once, packed; its embedding gathers rows "
              "from the panels", v->name);
}

int pass_prepack(Graph *g, const PassOptions *opt) {
  int nr = panel_width(opt->target), packed = 0, tables;
  if (!nr) return 0;
  for (int i = 0; i < g->n_values; i++) {
    Value *v = g->values[i];
    if (v->packed || !pass_is_f32_const(v) || v->shape.rank != 2) continue;
    int layout = packable_layout(g, v, &tables);
    if (layout == -2)
      diag_remark(v->loc, "prepack: '%s' stays row-major: something besides a linear reads it",
                  v->name);
    if (layout < 0) continue;
    if (pack_value(g, v, layout, nr)) return -1;
    if (tables) mark_tables(g, v, nr);
    packed++;
  }
  if (packed)
    diag_remark(LOC_NONE, "prepack: %d weight%s packed in panels of %d columns", packed,
                packed == 1 ? "" : "s", nr);
  return 0;
}
