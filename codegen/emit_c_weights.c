/*
 * emit_c_weights.c — the weights: one blob holding every constant the graph
 * reads, in value order, each at a 64-byte boundary.  The blob is either
 * embedded in model.c as 32-bit hex words (about 11 characters per 4 bytes;
 * never floats as text, so no precision is lost) or written to the weights
 * file behind the 64-byte header of runtime/generic/weights.c.  The generated
 * bind_weights walks one pointer through the blob in the same order, like
 * llama2.c's memory_map_weights.
 *
 * Layouts: a weight prepack marked (Value.pack_nr) is written in the panels
 * of its target's kernels (tg_pack_panels); otherwise a Conv1D weight [K,N]
 * read only as a linear weight with w_layout=1 is stored transposed, [N,K],
 * so every linear runs the same row-major kernel.  The header and checksum code is the runtime's own (the
 * file is included here), so tfc and the generated program agree by
 * construction.
 */
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "../runtime/generic/weights.c"   /* shared with generated programs */

static int64_t const_bytes(const Value *v) {
  return ir_numel(v->shape, 1) * (int64_t)ir_dtype_size(v->dtype);
}

/* Is every use of v a linear weight in [K,N] layout, so that it may be stored [N,K]? */
static bool transposable(const CgEmit *e, const Value *v) {
  const Graph *g = e->g;
  int uses = 0;
  if (v->pack_nr || v->dtype != DT_F32 || v->shape.rank != 2) return false;  /* prepack did it */
  for (int i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == v) return false;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++) {
      if (n->inputs[k] != v) continue;
      if (n->op != OP_LINEAR || k != 1 || n->attrs.w_layout != 1) return false;
      uses++;
    }
  }
  return uses > 0;
}

/* The w_layout of the linears reading v as their weight (the verifier saw
 * that a packed constant has only such readers, one layout, and embeddings). */
static int weight_layout(const Graph *g, const Value *v) {
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (!n->dead && n->op == OP_LINEAR && n->inputs[1] == v) return n->attrs.w_layout;
  }
  return 0;   /* only embeddings read it: a [V,D] table is an [N,K] weight */
}

/* Appends v's data to blob: in panels of v->pack_nr outputs when prepack
 * packed it (target/target.c, runtime/pack.h), transposed from [K,N] to
 * [N,K] when `transposed`, else as it is. */
static int append_const(const CgEmit *e, Buf *blob, const Value *v, bool transposed) {
  if (v->pack_nr) {
    int64_t n = ir_numel(v->shape, 1);
    float *panels = malloc(sizeof(float) * (size_t)n);
    if (!panels) return diag_error(v->loc, "out of memory"), -1;
    tg_pack_panels(v, weight_layout(e->g, v), v->pack_nr, panels);
    buf_append(blob, panels, sizeof(float) * (size_t)n);
    free(panels);
    return 0;
  }
  if (!transposed) {
    buf_append(blob, v->data, (size_t)const_bytes(v));
    return 0;
  }
  const float *w = v->data;
  int64_t K = v->shape.dim[0], N = v->shape.dim[1];
  for (int64_t n = 0; n < N; n++)
    for (int64_t k = 0; k < K; k++) buf_append(blob, &w[k * N + n], sizeof(float));
  return 0;
}

int cg_plan_weights(CgEmit *e, Buf *blob) {
  static const char zeros[64];
  for (int k = 0; k < e->n_order; k++) {
    const Value *v = e->order[k];
    int i = v->id;
    if (!v->is_const || !e->used[i]) continue;
    if (!v->data) {
      diag_error(v->loc, "C emitter: constant '%s' has no data", v->name);
      return -1;
    }
    e->transposed[i] = transposable(e, v);
    e->offset[i] = (int64_t)blob->len;
    if (append_const(e, blob, v, e->transposed[i])) return -1;
    buf_append(blob, zeros, (size_t)(cg_align64((int64_t)blob->len) - (int64_t)blob->len));
  }
  e->blob_bytes = (int64_t)blob->len;
  e->blob_checksum = rt_blob_checksum((const unsigned char *)blob->data, (uint64_t)blob->len);
  e->embed = e->opt->weights == WEIGHTS_EMBED ||
             (e->opt->weights == WEIGHTS_AUTO && e->blob_bytes <= (int64_t)CG_EMBED_LIMIT);
  return 0;
}

/* "[64,192]", or a Conv1D weight's original and stored shapes. */
static const char *dims_text(const CgEmit *e, Shape s, bool transposed) {
  if (!transposed) return cg_shape_text(e, s);
  return arena_printf(e->g->arena, "[%lld,%lld], stored transposed as [%lld,%lld]",
                      (long long)s.dim[0], (long long)s.dim[1], (long long)s.dim[1],
                      (long long)s.dim[0]);
}

void cg_emit_weights_struct(CgEmit *e) {
  buf_printf(e->c, "// --- weights: one pointer per tensor (source name, shape)\n\n"
                   "typedef struct {\n");
  for (int k = 0; k < e->n_order; k++) {
    const Value *v = e->order[k];
    int i = v->id;
    if (!v->is_const || !e->used[i]) continue;
    buf_printf(e->c, "  const %s *%s;  /* %s %s%s */\n", cg_c_type(v->dtype), e->cname[i],
               cg_comment(e, v->source ? v->source : v->name),
               dims_text(e, v->shape, e->transposed[i]),
               v->pack_nr ? arena_printf(e->g->arena, ", pre-packed in panels of %d outputs",
                                        v->pack_nr) : "");
  }
  buf_printf(e->c, "  char unused_;  /* keeps the struct non-empty */\n} %s_Weights;\n\n",
             e->name);
}

/* bind_weights: walks the blob in order, as llama2.c's memory_map_weights. */
void cg_emit_bind_weights(CgEmit *e) {
  buf_printf(e->c,
             "/* Points every weight into the blob (%lld bytes), in order. */\n"
             "static void bind_weights(%s_Weights *w, const void *blob) {\n"
             "  const unsigned char *p = blob;\n  (void)p;\n",
             (long long)e->blob_bytes, e->name);
  for (int k = 0; k < e->n_order; k++) {
    const Value *v = e->order[k];
    int i = v->id;
    if (!v->is_const || !e->used[i]) continue;
    buf_printf(e->c, "  w->%s = (const %s *)p;\n  p += %lld;\n", e->cname[i],
               cg_c_type(v->dtype), (long long)cg_align64(const_bytes(v)));
  }
  buf_printf(e->c, "  w->unused_ = 0;\n}\n\n");
}

/* The blob as little-endian 32-bit words, eight to a line; zero words as "0". */
void cg_emit_blob_data(CgEmit *e, const Buf *blob) {
  const unsigned char *p = (const unsigned char *)blob->data;
  int64_t words = e->blob_bytes / 4;
  buf_printf(e->c, "// --- weight data: the blob, %lld bytes as little-endian 32-bit words\n\n"
                   "_Alignas(64) static const uint32_t weight_data[%lld] = {\n",
             (long long)e->blob_bytes, (long long)(words ? words : 1));
  if (!words) buf_puts(e->c, "0");
  for (int64_t i = 0; i < words; i++) {
    uint32_t x = (uint32_t)rt_get_le(p + 4 * i, 4);
    if (x)
      buf_printf(e->c, "%s0x%08x,", i % 8 ? "" : "  ", x);
    else
      buf_printf(e->c, "%s0,", i % 8 ? "" : "  ");
    if (i % 8 == 7 || i + 1 == words) buf_puts(e->c, "\n");
  }
  buf_puts(e->c, "};\n\n");
}

/* The weights file: header, then the blob. */
void cg_write_weights_file(CgEmit *e, const Buf *blob, Buf *out) {
  unsigned char hdr[RT_HEADER_BYTES];
  rt_weights_header(hdr, (uint64_t)e->blob_bytes, e->blob_checksum, e->name);
  buf_append(out, hdr, sizeof hdr);
  if (blob->len) buf_append(out, blob->data, blob->len);
}
