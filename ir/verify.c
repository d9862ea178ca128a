/*
 * verify.c — the IR verifier: structural invariants and type rules.
 *
 * Tests and debug builds run it after every pass, so a pass that breaks the
 * graph fails at that pass and not later in codegen.  It checks:
 *   - values: ids match Graph.values, names are unique, types are well formed,
 *     constants carry data and have no T dimension;
 *   - nodes in topological order: every input is a graph input, a constant of
 *     this graph, or the output of a live node earlier in Graph.nodes; no dead
 *     node's output is read; each output value is produced by its node only;
 *   - nn nodes: ir_infer on the inputs gives the recorded dtype and shape, the
 *     float ops read f32, and the attributes they read are sane;
 *   - the graph has outputs, and they are defined.
 * A failure prints one error naming the pass (`after`) and returns -1.  RASP
 * ops get the RASP dialect's checks (ir_rasp_verify_node, ir/rasp.c): their types
 * come from the RASP frontend.
 */
#include "ir.h"
#include "rasp.h"   /* ir/rasp.h: the RASP dialect's own node checks */

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const Graph *g;
  const char *after;    /* pass that just ran, or NULL */
  unsigned char *state; /* per value id: 0 unseen, DEFINED, or DEAD */
} Verifier;

enum { DEFINED = 1, DEAD = 2 };

/* Reports what is wrong, prefixed by the pass that ran; always returns false. */
__attribute__((format(printf, 3, 4))) static bool fail(const Verifier *vf, Loc loc,
                                                        const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (vf->after) diag_error(loc, "after pass '%s': %s", vf->after, msg);
  else diag_error(loc, "invalid IR: %s", msg);
  return false;
}

/* ---- values ---- */

static bool check_type(const Verifier *vf, const Value *v) {
  if (v->dtype < 0 || v->dtype >= DT_COUNT)
    return fail(vf, v->loc, "value %%%s has no valid dtype", v->name);
  if (v->shape.rank < 0 || v->shape.rank > IR_MAX_RANK)
    return fail(vf, v->loc, "value %%%s has rank %d", v->name, v->shape.rank);
  for (int i = 0; i < v->shape.rank; i++) {
    int64_t d = v->shape.dim[i];
    if (d < 1 && d != IR_DIM_T)
      return fail(vf, v->loc, "value %%%s has dimension %d of size %lld", v->name, i, (long long)d);
    if (d == IR_DIM_T && v->is_const)
      return fail(vf, v->loc, "constant %%%s has a T dimension", v->name);
  }
  return true;
}

static int by_name(const void *a, const void *b) {
  return strcmp((*(const Value *const *)a)->name, (*(const Value *const *)b)->name);
}

/* Names are unique: sort a copy of the value list and compare neighbours. */
static bool check_names(const Verifier *vf) {
  const Graph *g = vf->g;
  const Value **sorted = malloc(sizeof(Value *) * (size_t)(g->n_values + 1));
  if (!sorted) return fail(vf, LOC_NONE, "out of memory");
  if (g->n_values)   /* an empty graph has values == NULL: no memcpy from NULL */
    memcpy(sorted, g->values, sizeof(Value *) * (size_t)g->n_values);
  qsort(sorted, (size_t)g->n_values, sizeof(Value *), by_name);
  const Value *dup = NULL;
  for (int i = 1; i < g->n_values && !dup; i++)
    if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) dup = sorted[i];
  free(sorted);
  return !dup || fail(vf, dup->loc, "two values are named %%%s", dup->name);
}

/* Ids, names and types of all values; inputs and constants are defined up front. */
static bool check_values(Verifier *vf) {
  const Graph *g = vf->g;
  for (int i = 0; i < g->n_values; i++) {
    const Value *v = g->values[i];
    if (!v || v->id != i) return fail(vf, LOC_NONE, "value #%d has id %d", i, v ? v->id : -1);
    if (!v->name) return fail(vf, v->loc, "value #%d has no name", i);
    if (!check_type(vf, v)) return false;
    if (v->is_const && !v->data) return fail(vf, v->loc, "constant %%%s has no data", v->name);
    if (v->is_const && v->producer)
      return fail(vf, v->loc, "constant %%%s has a producer node", v->name);
    if (v->is_const) vf->state[i] = DEFINED;
  }
  for (int i = 0; i < g->n_inputs; i++) {
    const Value *v = g->inputs[i];
    if (!v || v->id < 0 || v->id >= g->n_values || g->values[v->id] != v || !v->is_input)
      return fail(vf, LOC_NONE, "graph input #%d is not a value of this graph", i);
    vf->state[v->id] = DEFINED;
  }
  return check_names(vf);
}

static bool is_own_value(const Graph *g, const Value *v) {
  return v && v->id >= 0 && v->id < g->n_values && g->values[v->id] == v;
}

/* ---- nodes ---- */

static bool check_inputs(const Verifier *vf, const Node *n) {
  const char *op = ir_op_info[n->op].name;
  for (int k = 0; k < n->n_inputs; k++) {
    const Value *v = n->inputs[k];
    if (!v) continue;  /* an absent optional input; the type rules decide */
    if (!is_own_value(vf->g, v))
      return fail(vf, n->loc, "node %%%s (%s): input %d is not a value of this graph",
                  n->out->name, op, k);
    if (vf->state[v->id] == DEAD)
      return fail(vf, n->loc, "node %%%s (%s) reads %%%s, the output of a dead node",
                  n->out->name, op, v->name);
    if (vf->state[v->id] != DEFINED)
      return fail(vf, n->loc, "node %%%s (%s) reads %%%s before it is defined", n->out->name,
                  op, v->name);
  }
  return true;
}

static bool finite_at_least(double x, double lo) { return isfinite(x) && x >= lo; }

/* The attributes an nn op reads are in range (ir_infer checks the shape ones). */
static bool check_attrs(const Verifier *vf, const Node *n) {
  const Attrs *a = &n->attrs;
  const char *name = n->out->name, *op = ir_op_info[n->op].name;
  unsigned used = ir_op_attrs(n->op);
  if ((used & ATTR_EPS) && !finite_at_least(a->eps, 0))
    return fail(vf, n->loc, "node %%%s (%s): eps %g is not a finite number >= 0", name, op, a->eps);
  if ((used & ATTR_SCALE) && !isfinite(a->scale))
    return fail(vf, n->loc, "node %%%s (%s): scale is not finite", name, op);
  if ((used & ATTR_ROPE_THETA) && !(isfinite(a->rope_theta) && a->rope_theta > 0))
    return fail(vf, n->loc, "node %%%s (%s): rope_theta %g is not positive", name, op, a->rope_theta);
  if ((used & ATTR_ROPE_STYLE) && a->rope_style != ROPE_HALVES && a->rope_style != ROPE_INTERLEAVED)
    return fail(vf, n->loc, "node %%%s (%s): unknown rope_style %d", name, op, (int)a->rope_style);
  if ((used & ATTR_WINDOW) && a->window < 0)
    return fail(vf, n->loc, "node %%%s (%s): window %d is negative", name, op, a->window);
  if ((used & ATTR_TABLE_NR) && a->table_nr < 0)
    return fail(vf, n->loc, "node %%%s (%s): table_nr %d is negative", name, op, a->table_nr);
  if ((used & ATTR_W_LAYOUT) && a->w_layout != 0 && a->w_layout != 1)
    return fail(vf, n->loc, "node %%%s (%s): w_layout %d is not 0 or 1", name, op, a->w_layout);
  if ((used & ATTR_ACT) && a->act && a->act != OP_GELU && a->act != OP_GELU_TANH &&
      a->act != OP_RELU && a->act != OP_SILU)
    return fail(vf, n->loc, "node %%%s (%s): act is not an activation", name, op);
  return true;
}

/* Every input of an nn op is f32, except the i32 ids of embedding. */
static bool check_input_dtypes(const Verifier *vf, const Node *n) {
  for (int k = 0; k < n->n_inputs; k++) {
    DType want = n->op == OP_EMBEDDING && k == 1 ? DT_I32 : DT_F32;
    const Value *v = n->inputs[k];
    if (v && v->dtype != want)
      return fail(vf, n->loc, "node %%%s (%s): input %%%s is %s, expected %s", n->out->name,
                  ir_op_info[n->op].name, v->name, ir_dtype_name(v->dtype), ir_dtype_name(want));
  }
  return true;
}

/* Re-runs the type rules; the recorded output type must be what they give. */
static bool check_nn_type(const Verifier *vf, const Node *n) {
  DType dt;
  Shape s;
  const char *name = n->out->name, *op = ir_op_info[n->op].name;
  if (!ir_infer(n->op, n->inputs, n->n_inputs, &n->attrs, n->loc, &dt, &s))
    return fail(vf, n->loc, "node %%%s (%s) breaks its type rule (above)", name, op);
  char want[96], got[96];
  if (dt != n->out->dtype || !ir_shape_eq(s, n->out->shape))
    return fail(vf, n->loc, "node %%%s (%s) is recorded as %s but its type rule gives %s", name, op,
                ir_type_str(n->out->dtype, n->out->shape, got, sizeof got),
                ir_type_str(dt, s, want, sizeof want));
  return check_input_dtypes(vf, n) && check_attrs(vf, n);
}

static bool check_node(Verifier *vf, const Node *n, int index) {
  if (!n) return fail(vf, LOC_NONE, "node #%d is NULL", index);
  if (n->op < 0 || n->op >= OP_COUNT) return fail(vf, n->loc, "node #%d has op %d", index, n->op);
  const Value *out = n->out;
  if (!is_own_value(vf->g, out)) return fail(vf, n->loc, "node #%d has no output value", index);
  if (out->producer != n)
    return fail(vf, n->loc, "node %%%s: its output value names another producer", out->name);
  if (n->n_inputs < 0 || (n->n_inputs && !n->inputs))
    return fail(vf, n->loc, "node %%%s has a bad input list", out->name);
  int arity = ir_op_info[n->op].arity;
  if (arity >= 0 && n->n_inputs != arity)
    return fail(vf, n->loc, "node %%%s (%s) has %d inputs; the op takes %d", out->name,
                ir_op_info[n->op].name, n->n_inputs, arity);
  if (n->dead) {
    if (vf->state[out->id] != DEFINED) vf->state[out->id] = DEAD;
    return true;
  }
  if (vf->state[out->id] == DEFINED || out->is_input || out->is_const)
    return fail(vf, n->loc, "node %%%s: value %%%s is defined twice", out->name, out->name);
  if (!check_inputs(vf, n)) return false;
  if (ir_op_info[n->op].dialect == NN && !check_nn_type(vf, n)) return false;
  if (ir_op_info[n->op].dialect == RASP && ir_rasp_verify_node(n))
    return fail(vf, n->loc, "node %%%s (%s) breaks a RASP rule (above)", out->name,
                ir_op_info[n->op].name);
  vf->state[out->id] = DEFINED;
  return true;
}

static bool check_outputs(const Verifier *vf) {
  const Graph *g = vf->g;
  if (g->n_outputs < 1) return fail(vf, LOC_NONE, "graph '%s' has no output", g->name);
  for (int i = 0; i < g->n_outputs; i++) {
    const Value *v = g->outputs[i];
    if (!is_own_value(g, v))
      return fail(vf, LOC_NONE, "graph output #%d is not a value of this graph", i);
    if (vf->state[v->id] != DEFINED)
      return fail(vf, LOC_NONE, "graph output %%%s is not defined by a live node", v->name);
  }
  return true;
}

/* ---- packed weights (prepack's facts, which the C emitter packs from) ---- */

/* How a live node reads the packed constant v: 0 = as a linear's weight in
 * w_layout 0, 1 = in w_layout 1, 2 = as the table of an embedding told its
 * width; -1 = some other way (wrong). */
static int packed_use(const Node *n, int k, const Value *v) {
  if (n->op == OP_LINEAR && k == 1) return n->attrs.w_layout;
  if (n->op == OP_EMBEDDING && k == 0 && n->attrs.table_nr == v->pack_nr) return 2;
  return -1;
}

/* A packed constant (Value.pack_nr) is f32 [N,K] or [K,N], read only as
 * linears' weight in one layout, or as a table ([N,K]: layout 0) by
 * embeddings that know its panel width; an embedding told a panel width
 * reads a table packed in it. */
static bool check_packed(const Verifier *vf, const Value *v) {
  const Graph *g = vf->g;
  int layout = -1;
  if (!v->is_const || v->dtype != DT_F32 || v->shape.rank != 2 || v->pack_nr < 0)
    return fail(vf, v->loc, "%%%s is packed=%d but is no f32 [N,K] constant", v->name, v->pack_nr);
  for (int i = 0; i < g->n_nodes; i++)
    for (int k = 0; !g->nodes[i]->dead && k < g->nodes[i]->n_inputs; k++) {
      if (g->nodes[i]->inputs[k] != v) continue;
      int use = packed_use(g->nodes[i], k, v);
      int as = use == 2 ? 0 : use;
      if (use < 0 || (layout >= 0 && as != layout))
        return fail(vf, g->nodes[i]->loc, "node %%%s reads %%%s, packed=%d, other than as one "
                    "layout of linear weight or a table with table_nr=%d", g->nodes[i]->out->name,
                    v->name, v->pack_nr, v->pack_nr);
      layout = as;
    }
  return true;
}

static bool check_packing(const Verifier *vf) {
  const Graph *g = vf->g;
  for (int i = 0; i < g->n_values; i++)
    if (g->values[i]->pack_nr && !check_packed(vf, g->values[i])) return false;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (!n->dead && n->op == OP_EMBEDDING && n->attrs.table_nr &&
        n->inputs[0]->pack_nr != n->attrs.table_nr)
      return fail(vf, n->loc, "node %%%s reads %%%s as packed in panels of %d rows, but it is "
                  "packed=%d", n->out->name, n->inputs[0]->name, n->attrs.table_nr,
                  n->inputs[0]->pack_nr);
  }
  return true;
}

int ir_verify_packing(const Graph *g) {
  Verifier vf = {g, NULL, NULL};
  return check_packing(&vf) ? 0 : -1;
}

int ir_verify(const Graph *g, const char *after) {
  Verifier vf = {g, after, calloc((size_t)g->n_values + 1, 1)};
  if (!vf.state) return fail(&vf, LOC_NONE, "out of memory"), -1;
  bool ok = check_values(&vf);
  for (int i = 0; ok && i < g->n_nodes; i++) ok = check_node(&vf, g->nodes[i], i);
  ok = ok && check_outputs(&vf) && check_packing(&vf);
  free(vf.state);
  return ok ? 0 : -1;
}
