/*
 * prepack.c — weight pre-packing: every constant weight read only by linear
 * nodes is rearranged, at compile time, into the panel layout the target's
 * SIMD kernels stream (runtime/pack.h: panels of NR output columns, [k][j]
 * inside), so the blob holds the packed bytes and NAME_open maps them as they
 * are, with no repacking.  The panel width is the kernel's register tile:
 * 16 columns (two ymm) for x86-64-avx2, 32 (two zmm) for x86-64-avx512,
 * 16 (four q registers) for aarch64-neon; other targets pack nothing.
 *
 * The packed copy goes to Value.packed beside the row-major data, which stays
 * what the IR means (the interpreter, the printer and the other passes read
 * it); the C emitter writes Value.packed into the blob, and select_kernels
 * picks the packed kernel for the node.  A weight with any other reader (a
 * tied lm head shares wte with the embedding lookup) or that is a graph
 * output stays row-major.  When it is small (TIED_COPY_MAX_BYTES), its linears
 * read a packed copy instead, a new constant "NAME.packed" of the same data
 * (the blob holds the table twice: row-major for the embedding, packed for the
 * head); a larger one keeps its linears on the row-major SIMD kernel.
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
#include "pack.h"

/* Columns per panel for the target's linear kernels; 0: no packed kernels. */
static int panel_width(Target t) {
  switch (t) {
  case TARGET_AVX2: return 16;    /* RT_AVX2_NR, runtime/x86/linear_avx2.c */
  case TARGET_AVX512: return 32;  /* RT_AVX512_NR, runtime/x86/linear_avx512.c */
  case TARGET_NEON: return 16;    /* RT_NEON_NR, runtime/neon/linear_neon.c */
  default: return 0;
  }
}

/* The w_layout every reader of v uses it with, when every reader is a linear
 * taking v as its weight in one layout.  Otherwise -2 when some linear reads
 * it as a weight (worth a remark), -1 when none does. */
static int linear_only_layout(const Graph *g, const Value *v) {
  int layout = -1;
  bool other = pass_is_output(g, v);
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++) {
      if (n->inputs[k] != v) continue;
      if (n->op != OP_LINEAR || k != 1 || (layout >= 0 && layout != n->attrs.w_layout))
        other = true;
      else
        layout = n->attrs.w_layout;
    }
  }
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

/* Tied weights up to this size get a packed copy for their linears: the
 * head of a small model (stories260K's [512,64] classifier) is a large part of
 * a decode step, and the packed kernel streams it faster than the [N,K] one. */
#define TIED_COPY_MAX_BYTES (16 << 20)

/* The layout every linear reading v as its weight uses, or -1 when they differ. */
static int linear_weight_layout(const Graph *g, const Value *v) {
  int layout = -1;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->dead || n->op != OP_LINEAR || n->n_inputs < 2 || n->inputs[1] != v) continue;
    if (layout >= 0 && layout != n->attrs.w_layout) return -1;
    layout = n->attrs.w_layout;
  }
  return layout;
}

/* For a weight v that linears and something else read: a copy of v, packed,
 * that its linears read instead.  Returns 1 when made, 0 when v is too large
 * or its linears disagree on the layout (v stays row-major), -1 on failure. */
static int pack_tied_copy(Graph *g, Value *v, int nr) {
  int layout = linear_weight_layout(g, v);
  if (layout < 0 || ir_numel(v->shape, 1) * 4 > TIED_COPY_MAX_BYTES) {
    diag_remark(v->loc, "prepack: '%s' stays row-major: something besides a linear reads it",
                v->name);
    return 0;
  }
  const char *name = arena_printf(g->arena, "%s.packed", v->name);
  Value *copy = name ? ir_const(g, name, v->dtype, v->shape, v->data, v->source, v->loc) : NULL;
  if (!copy || pack_value(g, copy, layout, nr)) return -1;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (!n->dead && n->op == OP_LINEAR && n->n_inputs >= 2 && n->inputs[1] == v)
      n->inputs[1] = copy;
  }
  diag_remark(v->loc, "prepack: '%s' has other readers: its linears read a packed copy",
              v->name);
  return 1;
}

int pass_prepack(Graph *g, const PassOptions *opt) {
  int nr = panel_width(opt->target), packed = 0, n_values = g->n_values;
  if (!nr) return 0;
  for (int i = 0; i < n_values; i++) {
    Value *v = g->values[i];
    if (v->packed || !pass_is_f32_const(v) || v->shape.rank != 2) continue;
    int layout = linear_only_layout(g, v);
    if (layout == -2) {
      int made = pack_tied_copy(g, v, nr);
      if (made < 0) return -1;
      packed += made;
      continue;
    }
    if (layout < 0) continue;
    if (pack_value(g, v, layout, nr)) return -1;
    packed++;
  }
  if (packed)
    diag_remark(LOC_NONE, "prepack: %d weight%s packed in panels of %d columns", packed,
                packed == 1 ? "" : "s", nr);
  return 0;
}
