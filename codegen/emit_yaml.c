/*
 * emit_yaml.c — --emit=yaml: any nn graph as a model.yaml of `family: graph`
 * (docs/frontend.md) plus a safetensors file of its constants, so a graph
 * made by tfc (a RASP program lowered to a transformer, a model after the
 * passes) can be read back by tfc or by any safetensors reader.
 *
 * Each live node becomes one line `- {name, op, inputs, layer, ATTR: value}`
 * with exactly the attributes the op reads (ir_op_attrs), values written so
 * they read back bit for bit (ir_real_str).  Constants keep their tensor
 * names where those are unique and do not clash with a node's name; they are
 * written F32, row-major, in graph order.  Kernel choices and packed layouts
 * are not part of the format and are dropped (the data stays row-major).
 */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

/* A YAML double-quoted scalar. */
static void quoted(Buf *b, const char *s) {
  buf_puts(b, "\"");
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') buf_printf(b, "\\%c", *s);
    else if ((unsigned char)*s < 0x20) buf_printf(b, "\\x%02x", (unsigned char)*s);
    else buf_append(b, s, 1);
  }
  buf_puts(b, "\"");
}

/* ---- the constants: names and the safetensors file ---- */

typedef struct {
  const Value **consts;   /* in graph order */
  const char **names;     /* their tensor names */
  int n;
} Tensors;

static bool name_taken(const Graph *g, const Tensors *t, const char *name) {
  for (int i = 0; i < t->n; i++)
    if (!strcmp(t->names[i], name)) return true;
  for (int i = 0; i < g->n_values; i++)
    if (!g->values[i]->is_const && !strcmp(g->values[i]->name, name)) return true;
  return false;
}

static bool collected(const Tensors *t, const Value *v) {
  for (int i = 0; i < t->n; i++)
    if (t->consts[i] == v) return true;
  return false;
}

/* Collects the constants the live nodes read, in order of first use (so a
 * model read back and written again gives the same file), each with a unique
 * tensor name. */
static int collect(const Graph *g, Tensors *t) {
  t->consts = calloc((size_t)g->n_values + 1, sizeof *t->consts);
  t->names = calloc((size_t)g->n_values + 1, sizeof *t->names);
  if (!t->consts || !t->names) return -1;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    for (int k = 0; k < n->n_inputs && !n->dead; k++) {
      const Value *v = n->inputs[k];
      if (!v || !v->is_const || collected(t, v)) continue;
      if (v->dtype != DT_F32) {
        diag_error(v->loc, "--emit=yaml: constant '%s' is %s; safetensors output takes f32",
                   v->name, ir_dtype_name(v->dtype));
        return -1;
      }
      const char *name = v->source && !name_taken(g, t, v->source) ? v->source : v->name;
      if (name_taken(g, t, name)) TFC_UNREACHABLE();   /* value names are unique */
      t->consts[t->n] = v;
      t->names[t->n++] = name;
    }
  }
  return 0;
}

/* 8-byte length, JSON header padded to 8 bytes, then each tensor's f32 data. */
static void safetensors(const Tensors *t, Buf *out) {
  Buf h = {0};
  int64_t offset = 0;
  buf_puts(&h, "{\"__metadata__\":{\"format\":\"pt\",\"producer\":\"tfc\"}");
  for (int i = 0; i < t->n; i++) {
    const Value *v = t->consts[i];
    int64_t bytes = 4 * ir_numel(v->shape, 1);
    buf_puts(&h, ",");
    quoted(&h, t->names[i]);
    buf_puts(&h, ":{\"dtype\":\"F32\",\"shape\":[");
    for (int k = 0; k < v->shape.rank; k++)
      buf_printf(&h, "%s%lld", k ? "," : "", (long long)v->shape.dim[k]);
    buf_printf(&h, "],\"data_offsets\":[%lld,%lld]}", (long long)offset, (long long)(offset + bytes));
    offset += bytes;
  }
  buf_puts(&h, "}");
  while (h.len % 8) buf_puts(&h, " ");
  unsigned char len[8];
  for (int k = 0; k < 8; k++) len[k] = (unsigned char)((uint64_t)h.len >> (8 * k));
  buf_append(out, len, 8);
  buf_append(out, h.data, h.len);
  for (int i = 0; i < t->n; i++)
    buf_append(out, t->consts[i]->data, 4 * (size_t)ir_numel(t->consts[i]->shape, 1));
  buf_free(&h);
}

/* ---- the nodes ---- */

static const char *input_name(const Tensors *t, const Value *v) {
  if (v->is_input) return "tokens";
  for (int i = 0; i < t->n; i++)
    if (t->consts[i] == v) return t->names[i];
  return v->name;
}

/* One attribute as `, key: value`. */
static void attribute(Buf *b, const AttrDesc *d, const Attrs *at, int rank) {
  const char *f = (const char *)at + d->offset;
  char real[32];
  switch (d->kind) {
  case AK_REAL: buf_printf(b, ", %s: %s", d->key, ir_real_str(*(const double *)f, real)); return;
  case AK_INT: buf_printf(b, ", %s: %d", d->key, *(const int *)f); return;
  case AK_I64: buf_printf(b, ", %s: %lld", d->key, (long long)*(const int64_t *)f); return;
  case AK_BOOL: buf_printf(b, ", %s: %s", d->key, *(const bool *)f ? "true" : "false"); return;
  case AK_STYLE:
    buf_printf(b, ", %s: %s", d->key,
               *(const RopeStyle *)f == ROPE_INTERLEAVED ? "interleaved" : "halves");
    return;
  case AK_OP:
    if (*(const int *)f) buf_printf(b, ", %s: %s", d->key, ir_op_info[*(const int *)f].name);
    return;
  case AK_PANELS: return;   /* the tensors are written row-major */
  case AK_SHAPE: {
    const Shape *s = (const Shape *)f;
    buf_printf(b, ", %s: [", d->key);
    for (int k = 0; k < s->rank; k++)
      s->dim[k] == IR_DIM_T ? buf_printf(b, "%sT", k ? ", " : "")
                            : buf_printf(b, "%s%lld", k ? ", " : "", (long long)s->dim[k]);
    buf_puts(b, "]");
    return;
  }
  case AK_PERM:
    buf_printf(b, ", %s: [", d->key);
    for (int k = 0; k < rank; k++) buf_printf(b, "%s%d", k ? ", " : "", ((const int *)f)[k]);
    buf_puts(b, "]");
    return;
  }
  TFC_UNREACHABLE();
}

/* The first live RASP node, which model.yaml cannot express; NULL if none. */
static const Node *rasp_node(const Graph *g) {
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead && ir_op_info[g->nodes[i]->op].dialect != NN) return g->nodes[i];
  return NULL;
}

/* - {name: "h.0.ln_1", op: layernorm, inputs: [...], layer: "h.0", eps: 1e-05} */
static void node(const Tensors *t, const Node *n, Buf *y) {
  int n_in = n->n_inputs;
  while (n_in > 0 && !n->inputs[n_in - 1]) n_in--;   /* trailing absent inputs */
  buf_puts(y, "  - {name: ");
  quoted(y, n->out->name);
  buf_printf(y, ", op: %s, inputs: [", ir_op_info[n->op].name);
  for (int i = 0; i < n_in; i++) {
    if (!n->inputs[i]) TFC_UNREACHABLE();   /* absent inputs come last */
    if (i) buf_puts(y, ", ");
    quoted(y, input_name(t, n->inputs[i]));
  }
  buf_puts(y, "]");
  if (n->layer) buf_puts(y, ", layer: "), quoted(y, n->layer);
  for (int i = 0; i < ir_n_attr_desc; i++)
    if (ir_op_attrs(n->op) & ir_attr_desc[i].bit)
      attribute(y, &ir_attr_desc[i], &n->attrs, n->out->shape.rank);
  buf_puts(y, "}\n");
}

int cg_emit_yaml(const Graph *g, const char *weights_name, Buf *yaml, Buf *weights) {
  const Node *r = rasp_node(g);
  if (r)
    return diag_error(r->loc, "--emit=yaml: op '%s' has no model.yaml form (lower the program "
                      "to a transformer first)", ir_op_info[r->op].name), -1;
  if (g->n_inputs != 1 || g->n_outputs != 1)
    return diag_error(diag_loc(g->source, 0, 0),
                      "--emit=yaml: the graph must have one input and one output"), -1;
  Tensors t = {0};
  int rc = collect(g, &t);
  buf_printf(yaml, "# Written by tfc %s from %s (--emit=yaml); read it back with tfc.\n",
             TFC_VERSION, g->source ? g->source : "?");
  buf_printf(yaml, "tfc: 1\nname: %s\nfamily: graph\n", g->name);
  buf_printf(yaml, "config: {vocab_size: %lld, max_seq: %lld, is_decoder: %s}\nweights: ",
             (long long)g->vocab_size, (long long)g->max_seq, g->is_decoder ? "true" : "false");
  quoted(yaml, weights_name);
  buf_puts(yaml, "\nnodes:\n");
  for (int i = 0; rc == 0 && i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) node(&t, g->nodes[i], yaml);
  buf_puts(yaml, "output: ");
  quoted(yaml, g->outputs[0]->name);
  buf_puts(yaml, "\n");
  if (rc == 0) safetensors(&t, weights);
  free(t.consts), free(t.names);
  return rc;
}
