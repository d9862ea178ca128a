/*
 * interp_rasp.c — the reference interpreter of the RASP dialect: runs a graph
 * of rasp ops on one input, plainly.  Selectors are materialised as n×n byte
 * matrices and every element goes through the run-time value rules of
 * runtime/rasp/rasp_values.c (included here, and copied by the emitter into
 * generated programs), so the interpreter and the compiled C share one
 * definition of RASP's arithmetic, comparisons, aggregation and printing.
 *
 * Also the constant folder of the frontend: ir_rasp_eval_unary/binary apply the
 * same rules to compile-time atoms.
 */
#include "rasp.h"

#include "../runtime/rasp/rasp_values.c"   /* shared with generated programs */

_Static_assert((int)RV_STR == (int)RT_STR && (int)RV_FLOAT == (int)RT_FLOAT,
               "RaspValKind and RtKind must agree");

static RtVal to_rt(RaspVal v) {
  RtVal r = {(RtKind)v.kind, v.num, v.str};
  return r;
}

static RaspVal from_rt(RtVal v) {
  RaspVal r = {(RaspValKind)v.kind, v.num, v.str};
  return r;
}

static RtVal apply_unary(RaspOp op, RtVal a) {
  switch (op) {
  case RO_NOT: return rt_not(a);
  case RO_NEG: return rt_neg(a);
  case RO_POS: return rt_pos(a);
  case RO_ROUND: return rt_round(a);
  case RO_INDICATOR: return rt_indicator(a);
  case RO_TO_INT: return rt_to_int(a);
  case RO_TO_FLOAT: return rt_to_float(a);
  case RO_TO_BOOL: return rt_to_bool(a);
  default: TFC_UNREACHABLE();
  }
}

static RtVal apply_binary(RaspOp op, RtVal a, RtVal b) {
  switch (op) {
  case RO_ADD: return rt_add(a, b);
  case RO_SUB: return rt_sub(a, b);
  case RO_MUL: return rt_mul(a, b);
  case RO_DIV: return rt_div(a, b);
  case RO_MOD: return rt_mod(a, b);
  case RO_POW: return rt_pow(a, b);
  case RO_EQ: return rt_bool(rt_eq(a, b));
  case RO_LT: return rt_bool(rt_lt(a, b));
  case RO_GT: return rt_bool(rt_gt(a, b));
  case RO_LE: return rt_bool(rt_le(a, b));
  case RO_GE: return rt_bool(rt_ge(a, b));
  case RO_AND: return rt_and(a, b);
  case RO_OR: return rt_or(a, b);
  default: TFC_UNREACHABLE();
  }
}

/* Moves a run-time error (and strings made at run time) out of the runtime:
 * copies the result's string into the arena.  0, or -1 with the message. */
static int finish_fold(RtVal r, RaspVal *out, Arena *arena, char *err, size_t n) {
  if (rt_error[0]) {
    snprintf(err, n, "%s", rt_error);
    rt_error[0] = 0;
    rt_release();
    return -1;
  }
  *out = from_rt(r);
  if (r.kind == RT_STR) out->str = arena_strdup(arena, r.str);
  rt_release();
  return out->kind == RV_STR && !out->str ? -1 : 0;
}

int ir_rasp_eval_unary(RaspOp op, RaspVal a, RaspVal *out, Arena *arena, char *err, size_t n) {
  return finish_fold(apply_unary(op, to_rt(a)), out, arena, err, n);
}

int ir_rasp_eval_binary(RaspOp op, RaspVal a, RaspVal b, RaspVal *out, Arena *arena, char *err,
                     size_t n) {
  return finish_fold(apply_binary(op, to_rt(a), to_rt(b)), out, arena, err, n);
}

bool ir_rasp_truthy(RaspVal v) { return rt_truthy(to_rt(v)); }
bool ir_rasp_val_equal(RaspVal a, RaspVal b) { return rt_eq(to_rt(a), to_rt(b)); }

/* ---- evaluation of expression trees, one element at a time ---- */

static RtVal eval(const RaspExpr *e, const RtVal *args) {
  switch (e->kind) {
  case RX_ARG: return args[e->arg];
  case RX_CONST: return to_rt(e->value);
  case RX_UNARY: return apply_unary(e->op, eval(e->a, args));
  case RX_BINARY: return apply_binary(e->op, eval(e->a, args), eval(e->b, args));
  case RX_IF: {
    RtVal x = eval(e->a, args), c = eval(e->b, args), y = eval(e->c, args);
    return rt_if(c, x, y);
  }
  case RX_IN: {
    RtVal x = eval(e->a, args);
    for (int k = 0; k < e->n_items; k++)
      if (rt_eq(to_rt(e->items[k]), x)) return rt_bool(1);
    return rt_bool(0);
  }
  case RX_LOOKUP: {
    RtVal x = eval(e->a, args);
    for (int k = 0; k < e->n_items && e->keys; k++)
      if (rt_eq(to_rt(e->keys[k]), x)) return to_rt(e->items[k]);
    if (e->keys) return rt_fail("key %s%s%s is not in the dict", x.kind == RT_STR ? "\"" : "",
                                x.kind == RT_STR ? x.str : rt_kind_name(x.kind),
                                x.kind == RT_STR ? "\"" : " value");
    RtVal *items = malloc(sizeof(RtVal) * (size_t)(e->n_items + 1));
    if (!items) return rt_fail("out of memory");
    for (int k = 0; k < e->n_items; k++) items[k] = to_rt(e->items[k]);
    RtVal r = rt_list_get(items, e->n_items, x);
    free(items);
    return r;
  }
  }
  TFC_UNREACHABLE();
}

/* ---- one node ---- */

typedef struct {
  int n;             /* sequence length */
  RtVal **seq;       /* by value id: s-op elements, or NULL */
  unsigned char **sel; /* by value id: selector matrix [query i][key j], or NULL */
} Machine;

static bool pred_holds(RaspPred p, RtVal key, RtVal query) {
  switch (p) {
  case RP_EQ: return rt_eq(key, query);
  case RP_NE: return rt_ne(key, query);
  case RP_LT: return rt_lt(key, query);
  case RP_GT: return rt_gt(key, query);
  case RP_LE: return rt_le(key, query);
  case RP_GE: return rt_ge(key, query);
  }
  TFC_UNREACHABLE();
}

static void run_elementwise(Machine *m, const Node *nd, RtVal *out) {
  RtVal args[64];
  int k_max = nd->n_inputs < 64 ? nd->n_inputs : 64;
  for (int i = 0; i < m->n; i++) {
    for (int k = 0; k < k_max; k++) args[k] = m->seq[nd->inputs[k]->id][i];
    out[i] = eval(nd->attrs.rasp, args);
  }
}

static void run_select(Machine *m, const Node *nd, unsigned char *sel) {
  const RtVal *keys = m->seq[nd->inputs[0]->id], *queries = m->seq[nd->inputs[1]->id];
  for (int i = 0; i < m->n; i++)
    for (int j = 0; j < m->n; j++)
      sel[i * m->n + j] = pred_holds((RaspPred)nd->attrs.predicate, keys[j], queries[i]);
}

static void run_combine(Machine *m, const Node *nd, unsigned char *sel) {
  RtVal args[64];
  int k_max = nd->n_inputs < 64 ? nd->n_inputs : 64;
  for (int ij = 0; ij < m->n * m->n; ij++) {
    for (int k = 0; k < k_max; k++) args[k] = rt_bool(m->sel[nd->inputs[k]->id][ij]);
    sel[ij] = (unsigned char)rt_truthy(eval(nd->attrs.rasp, args));
  }
}

static void run_aggregate(Machine *m, const Node *nd, RtVal *out) {
  const unsigned char *sel = m->sel[nd->inputs[0]->id];
  const RtVal *vals = m->seq[nd->inputs[1]->id];
  RtVal dflt = nd->attrs.rasp ? to_rt(nd->attrs.rasp->value) : rt_int(0);
  for (int i = 0; i < m->n; i++) {
    RtMean mean = {0};
    for (int j = 0; j < m->n; j++)
      if (sel[i * m->n + j]) rt_mean_add(&mean, vals[j]);
    out[i] = rt_mean_end(&mean, dflt);
  }
}

static void run_width(Machine *m, const Node *nd, RtVal *out) {
  const unsigned char *sel = m->sel[nd->inputs[0]->id];
  for (int i = 0; i < m->n; i++) {
    int count = 0;
    for (int j = 0; j < m->n; j++) count += sel[i * m->n + j];
    out[i] = rt_int(count);
  }
}

static int run_node(Machine *m, const Node *nd, const char *const *tokens) {
  bool is_sel = nd->out->shape.rank == 2;
  size_t n = (size_t)m->n;
  void *buf = is_sel ? calloc(n * n, 1) : calloc(n, sizeof(RtVal));
  if (!buf) return diag_error(nd->loc, "out of memory running '%s'", nd->out->name), -1;
  if (is_sel) m->sel[nd->out->id] = buf;
  else m->seq[nd->out->id] = buf;
  RtVal *out = buf;
  switch (nd->op) {
  case OP_TOKENS: for (int i = 0; i < m->n; i++) out[i] = rt_str(tokens[i]); break;
  case OP_INDICES: for (int i = 0; i < m->n; i++) out[i] = rt_int(i); break;
  case OP_LENGTH: for (int i = 0; i < m->n; i++) out[i] = rt_int(m->n); break;
  case OP_MAP: case OP_ZIPMAP: run_elementwise(m, nd, out); break;
  case OP_SELECT: run_select(m, nd, buf); break;
  case OP_SELECTOR_COMBINE: run_combine(m, nd, buf); break;
  case OP_AGGREGATE: run_aggregate(m, nd, out); break;
  case OP_SELECTOR_WIDTH: run_width(m, nd, out); break;
  default:
    diag_error(nd->loc, "the RASP interpreter cannot run '%s' nodes", ir_op_info[nd->op].name);
    return -1;
  }
  if (!is_sel) rt_check_seq(out, m->n);
  if (!rt_error[0]) return 0;
  diag_error(nd->loc, "run-time error in '%s': %s", nd->out->name, rt_error);
  return -1;
}

/* Runs g and hands the output sequence to take(seq, n, ctx) before the run's
 * memory is released.  0, or -1 after a diagnostic. */
typedef int (*TakeOutput)(const Graph *g, const RtVal *seq, int n, void *ctx);

static int run_graph(const Graph *g, const char *const *tokens, int n, TakeOutput take, void *ctx) {
  if (n < 1 || g->n_outputs < 1) {
    diag_error(diag_loc(g->source, 0, 0), "a RASP program needs at least one input token");
    return -1;
  }
  Machine m = {n, calloc((size_t)g->n_values, sizeof(RtVal *)),
               calloc((size_t)g->n_values, sizeof(unsigned char *))};
  int rc = m.seq && m.sel ? 0 : -1;
  rt_error[0] = 0;
  for (int k = 0; k < g->n_nodes && rc == 0; k++)
    if (!g->nodes[k]->dead) rc = run_node(&m, g->nodes[k], tokens);
  if (rc == 0) rc = take(g, m.seq[g->outputs[0]->id], n, ctx);
  for (int v = 0; v < g->n_values && m.seq && m.sel; v++) free(m.seq[v]), free(m.sel[v]);
  free(m.seq), free(m.sel);
  rt_release();
  rt_error[0] = 0;
  return rc;
}

static int format_output(const Graph *g, const RtVal *seq, int n, void *ctx) {
  Buf *out = ctx;
  char buf[48];
  for (int i = 0; i < n; i++) {
    if (i) buf_puts(out, " ");
    buf_puts(out, rt_format(seq[i], buf));
  }
  buf_puts(out, "\n");
  return 0;
}

int ir_rasp_interpret(const Graph *g, const char *const *tokens, int n, Buf *out) {
  return run_graph(g, tokens, n, format_output, out);
}

static int numbers_output(const Graph *g, const RtVal *seq, int n, void *ctx) {
  float *out = ctx;
  for (int i = 0; i < n; i++) {
    if (seq[i].kind == RT_STR) {
      diag_error(diag_loc(g->source, 0, 0), "the output of RASP program '%s' holds strings, not numbers", g->name);
      return -1;
    }
    out[i] = (float)seq[i].num;
  }
  return 0;
}

int ir_rasp_interpret_ids(const Graph *g, const int32_t *ids, int n, float *out) {
  char (*text)[12] = calloc((size_t)n + 1, sizeof *text);
  const char **tokens = calloc((size_t)n + 1, sizeof *tokens);
  int rc = text && tokens ? 0 : -1;
  for (int i = 0; rc == 0 && i < n; i++) snprintf(text[i], sizeof text[i], "%d", (int)ids[i]), tokens[i] = text[i];
  if (rc == 0) rc = run_graph(g, tokens, n, numbers_output, out);
  free(text), free(tokens);
  return rc;
}
