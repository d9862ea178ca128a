/*
 * build.c — constructing graphs: values, constants, nodes, and the type rules
 * (ir_infer) that give every node's output its dtype and shape.
 *
 * Builders never abort on bad input: a shape that does not fit produces a
 * diagnostic at the node's Loc and a NULL result, which frontends pass up.
 */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

const OpInfo ir_op_info[OP_COUNT] = {
#define X(name, text, dialect, arity, flags, meaning) [OP_##name] = {text, dialect, arity, flags, meaning},
#include "ops.def"
#undef X
};

static const char *current_layer;

Graph *ir_graph_new(Arena *a, const char *name, Dialect dialect) {
  Graph *g = arena_alloc(a, sizeof(Graph));
  if (!g) return NULL;
  g->arena = a;
  g->name = arena_strdup(a, name);
  if (!g->name) return NULL;
  g->dialect = dialect;
  current_layer = NULL;
  return g;
}

void ir_set_layer(Graph *g, const char *layer) {
  current_layer = layer ? arena_strdup(g->arena, layer) : NULL;
}

Shape ir_shape(int rank, ...) {
  Shape s = {0};
  va_list ap;
  va_start(ap, rank);
  s.rank = rank;
  for (int i = 0; i < rank && i < IR_MAX_RANK; i++) s.dim[i] = va_arg(ap, int64_t);
  va_end(ap);
  return s;
}

/* Grows an arena-backed pointer array; old storage stays in the arena. */
static bool grow(Arena *a, void ***items, int n, int *cap) {
  if (n < *cap) return true;
  int new_cap = *cap ? *cap * 2 : 64;
  void **p = arena_alloc(a, sizeof(void *) * (size_t)new_cap);
  if (!p) return false;
  if (n) memcpy(p, *items, sizeof(void *) * (size_t)n);
  *items = p;
  *cap = new_cap;
  return true;
}

const char *ir_unique_name(Graph *g, const char *base) {
  if (!base || !*base) base = "v";
  for (int k = 0;; k++) {
    const char *name = k ? arena_printf(g->arena, "%s.%d", base, k) : base;
    if (!name) return NULL;
    bool taken = false;
    for (int i = 0; i < g->n_values && !taken; i++)
      taken = strcmp(g->values[i]->name, name) == 0;
    if (!taken) return k ? name : arena_strdup(g->arena, name);
  }
}

static Value *new_value(Graph *g, const char *name, DType dt, Shape shape) {
  Value *v = arena_alloc(g->arena, sizeof(Value));
  if (!v || !grow(g->arena, (void ***)&g->values, g->n_values, &g->cap_values)) return NULL;
  v->name = ir_unique_name(g, name);
  if (!v->name) return NULL;
  v->id = g->n_values;
  v->dtype = dt;
  v->shape = shape;
  g->values[g->n_values++] = v;
  return v;
}

Value *ir_input(Graph *g, const char *name, DType dt, Shape shape) {
  Value *v = new_value(g, name, dt, shape);
  Value **inputs = arena_alloc(g->arena, sizeof(Value *) * (size_t)(g->n_inputs + 1));
  if (!v || !inputs) return NULL;
  if (g->n_inputs) memcpy(inputs, g->inputs, sizeof(Value *) * (size_t)g->n_inputs);
  inputs[g->n_inputs++] = v;
  g->inputs = inputs;
  v->is_input = true;
  return v;
}

Value *ir_const(Graph *g, const char *name, DType dt, Shape shape, const void *data,
                const char *source, Loc loc) {
  Value *v = new_value(g, name, dt, shape);
  if (!v) return NULL;
  v->is_const = true;
  v->data = data;
  v->source = source ? arena_strdup(g->arena, source) : NULL;
  if (source && !v->source) return NULL;
  v->loc = loc;
  return v;
}

void ir_output(Graph *g, Value *v) {
  Value **outputs = arena_alloc(g->arena, sizeof(Value *) * (size_t)(g->n_outputs + 1));
  if (!outputs) return;
  if (g->n_outputs) memcpy(outputs, g->outputs, sizeof(Value *) * (size_t)g->n_outputs);
  outputs[g->n_outputs++] = v;
  g->outputs = outputs;
}

Value *ir_node_typed(Graph *g, Op op, Value **inputs, int n_inputs, const Attrs *attrs,
                     const char *name, Loc loc, DType dt, Shape shape) {
  Node *n = arena_alloc(g->arena, sizeof(Node));
  Value **in = arena_alloc(g->arena, sizeof(Value *) * (size_t)(n_inputs + 1));
  if (!n || !in || !grow(g->arena, (void ***)&g->nodes, g->n_nodes, &g->cap_nodes)) return NULL;
  Value *out = new_value(g, name ? name : ir_op_info[op].name, dt, shape);
  if (!out) return NULL;
  if (n_inputs) memcpy(in, inputs, sizeof(Value *) * (size_t)n_inputs);
  n->id = g->n_nodes;
  n->op = op;
  n->n_inputs = n_inputs;
  n->inputs = in;
  n->out = out;
  if (attrs) n->attrs = *attrs;
  n->loc = loc;
  n->layer = current_layer;
  out->producer = n;
  out->loc = loc;
  g->nodes[g->n_nodes++] = n;
  return out;
}

Value *ir_node(Graph *g, Op op, Value **inputs, int n_inputs, const Attrs *attrs,
               const char *name, Loc loc) {
  DType dt;
  Shape shape;
  Attrs none = {0};
  if (!ir_infer(op, inputs, n_inputs, attrs ? attrs : &none, loc, &dt, &shape)) return NULL;
  return ir_node_typed(g, op, inputs, n_inputs, attrs, name, loc, dt, shape);
}

/* ---- shape and dtype helpers ---- */

int64_t ir_numel(Shape s, int64_t T) {
  int64_t n = 1;
  for (int i = 0; i < s.rank; i++) n *= s.dim[i] == IR_DIM_T ? T : s.dim[i];
  return n;
}

bool ir_shape_eq(Shape a, Shape b) {
  if (a.rank != b.rank) return false;
  for (int i = 0; i < a.rank; i++)
    if (a.dim[i] != b.dim[i]) return false;
  return true;
}

int64_t ir_last_dim(const Value *v) { return v->shape.rank ? v->shape.dim[v->shape.rank - 1] : 1; }

const char *ir_dtype_name(DType dt) {
  static const char *names[DT_COUNT] = {"f32", "f64", "i32", "bool"};
  return dt < DT_COUNT ? names[dt] : "?";
}

size_t ir_dtype_size(DType dt) {
  static const size_t sizes[DT_COUNT] = {4, 8, 4, 1};
  return sizes[dt];
}

int ir_use_count(const Graph *g, const Value *v) {
  int uses = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++) uses += n->inputs[k] == v;
  }
  for (int i = 0; i < g->n_outputs; i++) uses += g->outputs[i] == v;
  return uses;
}

void ir_replace_uses(Graph *g, Value *from, Value *to) {
  for (int i = 0; i < g->n_nodes; i++) {
    Node *n = g->nodes[i];
    for (int k = 0; k < n->n_inputs; k++)
      if (n->inputs[k] == from) n->inputs[k] = to;
  }
  for (int i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == from) g->outputs[i] = to;
}

void ir_compact(Graph *g) {
  int k = 0;
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) g->nodes[k++] = g->nodes[i];
  g->n_nodes = k;
}
