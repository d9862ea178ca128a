/*
 * print.c — the textual IR printer (syntax in docs/ir.md).
 *
 * The text is compact, diffable and stable, in the spirit of QBE's IL: one
 * line per input, constant and node, in the graph's order, grouped into
 * `layer "h.0" { ... }` blocks where consecutive nodes share a layer tag.
 * Everything codegen needs is printed (header facts, types, the attributes
 * each op reads, kernel choice, memory plan, notes); constant data is not, only
 * the tensor name it comes from.  ir_parse reads it back, and the text of
 * parse(print(g)) prints byte for byte the same.
 *
 * This file also holds the attribute table (which Attrs field each op reads,
 * and how it is spelled), shared with the parser and the verifier.
 */
#include "ir.h"
#include "rasp.h"   /* ir/rasp.h: ir_rasp_attr_text */

#include <stdlib.h>
#include <string.h>

/* ---- the attribute table ---- */

#define A(bit, key, kind, field) {bit, key, kind, offsetof(Attrs, field)}
const AttrDesc ir_attr_desc[] = {
    A(ATTR_HEADS, "heads", AK_INT, heads),
    A(ATTR_KV_HEADS, "kv_heads", AK_INT, kv_heads),
    A(ATTR_HEAD_DIM, "head_dim", AK_INT, head_dim),
    A(ATTR_CAUSAL, "causal", AK_BOOL, causal),
    A(ATTR_WINDOW, "window", AK_INT, window),
    A(ATTR_SCALE, "scale", AK_REAL, scale),
    A(ATTR_ROPE_THETA, "rope_theta", AK_REAL, rope_theta),
    A(ATTR_ROPE_STYLE, "rope_style", AK_STYLE, rope_style),
    A(ATTR_EPS, "eps", AK_REAL, eps),
    A(ATTR_W_LAYOUT, "w_layout", AK_INT, w_layout),
    A(ATTR_ACT, "act", AK_OP, act),
    A(ATTR_AXIS, "axis", AK_INT, axis),
    A(ATTR_START, "start", AK_I64, start),
    A(ATTR_LENGTH, "length", AK_I64, length),
    A(ATTR_TO_SHAPE, "to_shape", AK_SHAPE, to_shape),
    A(ATTR_PERM, "perm", AK_PERM, perm),
    A(ATTR_PREDICATE, "predicate", AK_INT, predicate),
    A(ATTR_DEFAULT, "default_value", AK_REAL, default_value),
    A(ATTR_TABLE_NR, "table_nr", AK_PANELS, table_nr),
};
#undef A
const int ir_n_attr_desc = (int)(sizeof ir_attr_desc / sizeof ir_attr_desc[0]);

/* The attributes each op reads: its ops.def meaning, made exact. */
unsigned ir_op_attrs(Op op) {
  switch (op) {
  case OP_EMBEDDING: return ATTR_TABLE_NR;
  case OP_LINEAR: return ATTR_W_LAYOUT | ATTR_ACT;
  case OP_SCALE: return ATTR_SCALE;
  case OP_LAYERNORM:
  case OP_RMSNORM:
  case OP_CRMSNORM: return ATTR_EPS;
  case OP_ROPE: return ATTR_HEADS | ATTR_HEAD_DIM | ATTR_ROPE_THETA | ATTR_ROPE_STYLE;
  case OP_ATTENTION:
    return ATTR_HEADS | ATTR_KV_HEADS | ATTR_HEAD_DIM | ATTR_CAUSAL | ATTR_WINDOW | ATTR_SCALE;
  case OP_SLICE: return ATTR_AXIS | ATTR_START | ATTR_LENGTH;
  case OP_CONCAT: return ATTR_AXIS;
  case OP_RESHAPE: return ATTR_TO_SHAPE;
  case OP_TRANSPOSE: return ATTR_PERM;
  case OP_SELECT: return ATTR_PREDICATE;
  case OP_AGGREGATE: return ATTR_DEFAULT;
  default: return 0;
  }
}

static bool attr_equal(const AttrDesc *d, const Attrs *a, const Attrs *b, int rank) {
  const char *pa = (const char *)a + d->offset, *pb = (const char *)b + d->offset;
  switch (d->kind) {
  case AK_REAL: return *(const double *)pa == *(const double *)pb;
  case AK_INT:
  case AK_PANELS:
  case AK_OP: return *(const int *)pa == *(const int *)pb;
  case AK_I64: return *(const int64_t *)pa == *(const int64_t *)pb;
  case AK_BOOL: return *(const bool *)pa == *(const bool *)pb;
  case AK_STYLE: return *(const RopeStyle *)pa == *(const RopeStyle *)pb;
  case AK_SHAPE: return ir_shape_eq(*(const Shape *)pa, *(const Shape *)pb);
  case AK_PERM: return memcmp(pa, pb, sizeof(int) * (size_t)rank) == 0;
  }
  TFC_UNREACHABLE();
}

bool ir_attrs_equal(Op op, const Attrs *a, const Attrs *b, int rank) {
  unsigned used = ir_op_attrs(op);
  for (int i = 0; i < ir_n_attr_desc; i++)
    if ((used & ir_attr_desc[i].bit) && !attr_equal(&ir_attr_desc[i], a, b, rank)) return false;
  return a->rasp == b->rasp;
}

/* ---- scalars, names, strings ---- */

const char *ir_real_str(double x, char buf[32]) {
  if (x == (double)(int64_t)x && x > -1e15 && x < 1e15) {  /* 10000, not 1e+04 */
    snprintf(buf, 32, "%.0f", x);
    return buf;
  }
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, 32, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) return buf;
  }
  return buf;  /* NaN: "nan" reads back as a NaN */
}

static bool is_name_char(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

/* A string literal: "..." with \" \\ \n \t and \xNN escapes. */
static void print_string(Buf *b, const char *s) {
  buf_puts(b, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') buf_printf(b, "\\%c", *p);
    else if (*p == '\n') buf_puts(b, "\\n");
    else if (*p == '\t') buf_puts(b, "\\t");
    else if (*p < 32 || *p == 127) buf_printf(b, "\\x%02x", *p);
    else buf_append(b, p, 1);
  }
  buf_puts(b, "\"");
}

/* A bare word when every character is a name character, else a string. */
static void print_name(Buf *b, const char *s) {
  bool bare = *s != 0;
  for (const char *p = s; *p && bare; p++) bare = is_name_char((unsigned char)*p);
  if (bare) buf_puts(b, s);
  else print_string(b, s);
}

static void print_value_ref(Buf *b, const Value *v) {
  if (!v) {
    buf_puts(b, "_");
    return;
  }
  buf_puts(b, "%");
  print_name(b, v->name);
}

static void print_shape(Buf *b, Shape s) {
  buf_puts(b, "[");
  for (int i = 0; i < s.rank; i++) {
    if (i) buf_puts(b, ",");
    if (s.dim[i] == IR_DIM_T) buf_puts(b, "T");
    else buf_printf(b, "%lld", (long long)s.dim[i]);
  }
  buf_puts(b, "]");
}

/* `%name : f32[T,64]`, plus ` @offset` when the memory plan placed it in
 * the arena, or ` @out` when it put it in the caller's output buffer. */
static void print_typed_value(Buf *b, const Value *v) {
  print_value_ref(b, v);
  buf_printf(b, " : %s", ir_dtype_name(v->dtype));
  print_shape(b, v->shape);
  if (v->planned) buf_printf(b, " @%lld", (long long)v->plan_offset);
  else if (v->plan_out) buf_puts(b, " @out");
}

const char *ir_type_str(DType dt, Shape s, char *buf, size_t size) {
  Buf b = {0};
  buf_puts(&b, ir_dtype_name(dt));
  print_shape(&b, s);
  snprintf(buf, size, "%s", b.data);
  buf_free(&b);
  return buf;
}

/* ---- attributes ---- */

static void print_attr(Buf *b, const AttrDesc *d, const Attrs *at, int rank) {
  const char *p = (const char *)at + d->offset;
  char real[32];
  if (d->kind == AK_BOOL) {
    if (*(const bool *)p) buf_printf(b, " %s", d->key);
    return;
  }
  if (d->kind == AK_OP) {   /* printed only when set, by the op's name */
    if (*(const int *)p) buf_printf(b, " %s=%s", d->key, ir_op_info[*(const int *)p].name);
    return;
  }
  if (d->kind == AK_PANELS) {
    if (*(const int *)p) buf_printf(b, " %s=%d", d->key, *(const int *)p);
    return;
  }
  buf_printf(b, " %s=", d->key);
  switch (d->kind) {
  case AK_REAL: buf_puts(b, ir_real_str(*(const double *)p, real)); break;
  case AK_INT: buf_printf(b, "%d", *(const int *)p); break;
  case AK_I64: buf_printf(b, "%lld", (long long)*(const int64_t *)p); break;
  case AK_STYLE:
    buf_puts(b, *(const RopeStyle *)p == ROPE_INTERLEAVED ? "interleaved" : "halves");
    break;
  case AK_SHAPE: print_shape(b, *(const Shape *)p); break;
  case AK_PERM:
    for (int i = 0; i < rank; i++) buf_printf(b, "%s%d", i ? "," : "[", ((const int *)p)[i]);
    buf_puts(b, rank ? "]" : "[]");
    break;
  case AK_BOOL:
  case AK_PANELS:
  case AK_OP: break;   /* printed above */
  }
}

/* ---- kernel ids: spelled by the names target/ hands the IR ---- */

static const char *const *kernel_names;
static int n_kernel_names;

void ir_set_kernel_names(const char *const *names, int count) {
  kernel_names = names;
  n_kernel_names = count;
}

const char *ir_kernel_name(KernelId k) {
  return k > 0 && k < n_kernel_names ? kernel_names[k] : NULL;
}

/* ` kernel=rt_linear_packed_avx2` (or `kernel=#7` before ir_set_kernel_names). */
static void print_kernel(Buf *b, const char *key, KernelId k) {
  const char *name = ir_kernel_name(k);
  if (name) buf_printf(b, " %s=%s", key, name);
  else if (k) buf_printf(b, " %s=#%d", key, k);
}

static void print_attrs(Buf *b, const Node *n, const Node *prev) {
  unsigned used = ir_op_attrs(n->op);
  for (int i = 0; i < ir_n_attr_desc; i++)
    if (used & ir_attr_desc[i].bit) print_attr(b, &ir_attr_desc[i], &n->attrs, n->out->shape.rank);
  if (ir_op_info[n->op].dialect == RASP && (n->attrs.rasp || n->out->rasp)) {
    Buf r = {0};   /* the RASP dialect's own attributes, as one string (ir/rasp.c) */
    ir_rasp_attr_text(n, prev, &r);
    buf_puts(b, " rasp="), print_string(b, r.data ? r.data : "");
    buf_free(&r);
  }
  print_kernel(b, "kernel", n->kernel);
  print_kernel(b, "act_kernel", n->act_kernel);
  if (n->note) buf_puts(b, " note="), print_string(b, n->note);
}

/* ---- statements ---- */

/* A node; prev is the live node printed before it (NULL for the first). */
static void print_node(Buf *b, const Node *n, const Node *prev, const char *indent) {
  buf_puts(b, indent);
  print_typed_value(b, n->out);
  buf_printf(b, " = %s", ir_op_info[n->op].name);
  for (int i = 0; i < n->n_inputs; i++) {
    buf_puts(b, i ? ", " : " ");
    print_value_ref(b, n->inputs[i]);
  }
  print_attrs(b, n, prev);
  buf_puts(b, "\n");
}

static bool same_layer(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* Nodes in order; runs of nodes with the same layer tag go in one block. */
static void print_nodes(Buf *b, const Graph *g) {
  const char *layer = NULL;
  const Node *prev = NULL;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->dead) continue;
    if (!same_layer(layer, n->layer)) {
      if (layer) buf_puts(b, "  }\n");
      layer = n->layer;
      if (layer) buf_puts(b, "  layer "), print_string(b, layer), buf_puts(b, " {\n");
    }
    print_node(b, n, prev, layer ? "    " : "  ");
    prev = n;
  }
  if (layer) buf_puts(b, "  }\n");
}

static void print_header(Buf *b, const Graph *g) {
  buf_puts(b, "graph ");
  print_name(b, g->name ? g->name : "graph");
  buf_printf(b, " family=%s max_seq=%lld vocab=%lld", g->family ? g->family : "graph",
             (long long)g->max_seq, (long long)g->vocab_size);
  if (g->is_decoder) buf_puts(b, " decoder");
  if (g->source) buf_puts(b, " source="), print_string(b, g->source);
  if (g->plan_bytes) buf_printf(b, " plan=%lld", (long long)g->plan_bytes);
  buf_puts(b, " {\n");
  if (g->n_passes_run) {
    buf_puts(b, "  passes");
    for (int i = 0; i < g->n_passes_run; i++) {
      buf_puts(b, i ? ", " : " ");
      print_name(b, g->passes_run[i]);
    }
    buf_puts(b, "\n");
  }
}

static void print_decls(Buf *b, const Graph *g) {
  for (int i = 0; i < g->n_inputs; i++) {
    buf_puts(b, "  input ");
    print_typed_value(b, g->inputs[i]);
    buf_puts(b, "\n");
  }
  for (int i = 0; i < g->n_values; i++) {
    const Value *v = g->values[i];
    if (!v->is_const) continue;
    buf_puts(b, "  const ");
    print_typed_value(b, v);
    if (v->source) buf_puts(b, " = "), print_string(b, v->source);
    if (v->pack_nr) buf_printf(b, " packed=%d", v->pack_nr);
    buf_puts(b, "\n");
  }
}

void ir_print(const Graph *g, Buf *out) {
  print_header(out, g);
  print_decls(out, g);
  print_nodes(out, g);
  for (int i = 0; i < g->n_outputs; i++) {
    buf_puts(out, "  output ");
    print_value_ref(out, g->outputs[i]);
    buf_puts(out, "\n");
  }
  buf_puts(out, "}\n");
}
