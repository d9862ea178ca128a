/*
 * elab.c — elaboration: runs the compile-time part of a RASP program and
 * lowers the rest into rasp-dialect IR.
 *
 * RASP functions and loops are macros (docs/rasp.md, "Statements"): a call
 * binds its arguments and runs the body; `for`, comprehensions, range, zip and
 * len run over compile-time lists.  So the elaborator is a small tree-walking
 * evaluator whose values (EVal) are either compile-time things — atoms, lists,
 * dicts, functions — or graph values: s-ops and selectors.  Operations on
 * atoms fold (with the run-time rules, ir/interp_rasp.c); operations touching
 * an s-op add a node.  A temporary node takes the name of the variable it is
 * first assigned to, so the graph (and the generated C) reads like the source.
 *
 * Checks here: undefined names, arity, selector/s-op mixing, operations that
 * fail on every input (a string plus a number), limits on nesting and size.
 */
#include "rasp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 300        /* nested expressions / statements */
#define MAX_CALLS 100        /* nested function calls (recursion) */
#define MAX_NODES 10000      /* nodes in one program (ir_node_typed names in linear time) */
#define MAX_LIST 1000000     /* items in a list made by range() */

typedef enum { EV_ATOM, EV_LIST, EV_DICT, EV_FUNC, EV_BUILTIN, EV_SOP, EV_SEL } EvKind;

typedef struct Env Env;
typedef struct EVal EVal;

struct EVal {
  EvKind kind;
  RaspVal atom;          /* EV_ATOM */
  EVal **items;          /* EV_LIST items, EV_DICT values */
  RaspVal *keys;         /* EV_DICT keys */
  int n;                 /* EV_LIST, EV_DICT */
  const Ast *def;        /* EV_FUNC */
  Env *closure;          /* EV_FUNC: where it was defined */
  Value *v;              /* EV_SOP, EV_SEL */
};

struct Env {
  Env *parent;
  const char **names;
  EVal **vals;
  int n, cap;
};

typedef struct {
  const char *file;      /* as in Loc.file */
  const char *text;
  size_t len;
} Source;

/* The names given to graph values, hashed, each with the next free suffix. */
typedef struct {
  const char **keys;
  int *next;             /* for a taken name: the next "name.k" to try */
  int cap, n;
} NameSet;

typedef struct {
  Arena *a;
  Graph *g;
  NameSet names;
  Env *globals;
  Source sources[2];     /* the prelude and the program, for comments */
  bool in_main;          /* elaborating the user's file (not the prelude) */
  const char *last_assigned;   /* last top-level assignment in the user's file */
  const char *stmt_src;  /* source line of the statement being elaborated */
  int stmt_line;         /* and its number */
  const char *stmt_var;  /* the variable it assigns, for naming temporaries */
  int depth, calls;
  Value *indices, *length;
} Elab;

static EVal *eval(Elab *E, Env *env, const Ast *x);
static int exec_list(Elab *E, Env *env, AstList stmts, bool top);

/* ---- values and environments ---- */

static EVal *ev_new(Elab *E, EvKind kind) {
  EVal *v = arena_alloc(E->a, sizeof(EVal));
  if (v) v->kind = kind;
  return v;
}

static EVal *ev_atom(Elab *E, RaspVal atom) {
  EVal *v = ev_new(E, EV_ATOM);
  if (v) v->atom = atom;
  return v;
}

static EVal *ev_graph(Elab *E, Value *val) {
  EVal *v = val ? ev_new(E, val->shape.rank == 2 ? EV_SEL : EV_SOP) : NULL;
  if (v) v->v = val;
  return v;
}

static EVal *ev_list(Elab *E, int n) {
  EVal *v = ev_new(E, EV_LIST);
  if (v && n) v->items = arena_alloc(E->a, sizeof(EVal *) * (size_t)n);
  if (v && n && !v->items) return NULL;
  if (v) v->n = n;
  return v;
}

static RaspVal atom_num(RaspValKind kind, double x) { return (RaspVal){kind, x, NULL}; }

static const char *ev_kind_name(const EVal *v) {
  switch (v->kind) {
  case EV_ATOM: return "a constant";
  case EV_LIST: return "a list";
  case EV_DICT: return "a dict";
  case EV_FUNC: case EV_BUILTIN: return "a function";
  case EV_SOP: return "an s-op";
  case EV_SEL: return "a selector";
  }
  TFC_UNREACHABLE();
}

static Env *env_new(Elab *E, Env *parent) {
  Env *env = arena_alloc(E->a, sizeof(Env));
  if (env) env->parent = parent;
  return env;
}

static EVal *env_lookup(Env *env, const char *name) {
  for (; env; env = env->parent)
    for (int i = env->n - 1; i >= 0; i--)
      if (strcmp(env->names[i], name) == 0) return env->vals[i];
  return NULL;
}

static int env_set(Elab *E, Env *env, const char *name, EVal *v) {
  for (int i = 0; i < env->n; i++)
    if (strcmp(env->names[i], name) == 0) return env->vals[i] = v, 0;
  if (env->n == env->cap) {
    int cap = env->cap ? 2 * env->cap : 16;
    const char **names = arena_alloc(E->a, sizeof(char *) * (size_t)cap);
    EVal **vals = arena_alloc(E->a, sizeof(EVal *) * (size_t)cap);
    if (!names || !vals) return -1;
    if (env->n) {
      memcpy(names, env->names, sizeof(char *) * (size_t)env->n);
      memcpy(vals, env->vals, sizeof(EVal *) * (size_t)env->n);
    }
    env->names = names, env->vals = vals, env->cap = cap;
  }
  env->names[env->n] = name;
  env->vals[env->n++] = v;
  return 0;
}

/* ---- unique value names ---- */

static unsigned hash_name(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* The slot of name (NULL key: free), growing the table when half full. */
static int name_slot(NameSet *ns, const char *name) {
  unsigned mask = (unsigned)ns->cap - 1, i = hash_name(name) & mask;
  while (ns->keys[i] && strcmp(ns->keys[i], name) != 0) i = (i + 1) & mask;
  return (int)i;
}

/* Grows the table when half full; on out of memory it is left as it was. */
static bool names_grow(Elab *E) {
  NameSet *ns = &E->names, old = *ns;
  if (ns->cap && ns->n * 2 < ns->cap) return true;
  int cap = old.cap ? 2 * old.cap : 256;
  const char **keys = arena_alloc(E->a, sizeof(char *) * (size_t)cap);
  int *next = arena_alloc(E->a, sizeof(int) * (size_t)cap);
  if (!keys || !next) return false;
  ns->cap = cap, ns->keys = keys, ns->next = next;
  for (int i = 0; i < old.cap; i++)
    if (old.keys[i]) {
      int k = name_slot(ns, old.keys[i]);
      ns->keys[k] = old.keys[i], ns->next[k] = old.next[i];
    }
  return true;
}

static bool name_taken(Elab *E, const char *name) {
  return E->names.cap && E->names.keys[name_slot(&E->names, name)] != NULL;
}

static bool name_claim(Elab *E, const char *name) {
  if (!names_grow(E)) return false;
  int k = name_slot(&E->names, name);
  if (!E->names.keys[k]) E->names.keys[k] = name, E->names.next[k] = 1, E->names.n++;
  return true;
}

/* base, or base.1, base.2, ... — the first one not given yet (claimed);
 * NULL when out of memory. */
static const char *unique_name(Elab *E, const char *base) {
  const char *name = base;
  while (name && name_taken(E, name)) {
    int *next = &E->names.next[name_slot(&E->names, base)];
    name = arena_printf(E->a, "%s.%d", base, (*next)++);
  }
  return name && name_claim(E, name) ? name : NULL;
}

/* ---- graph nodes ---- */

static DType kind_dtype(RaspKind k) {
  switch (k) {
  case RK_STR: return DT_I32;
  case RK_BOOL: case RK_SELECTOR: return DT_BOOL;
  default: return DT_F64;
  }
}

/* The source line a node came from, for comments in the generated C. */
static const char *source_line(Elab *E, Loc loc) {
  for (int s = 0; s < 2; s++) {
    const Source *src = &E->sources[s];
    if (!src->text || src->file != loc.file) continue;
    const char *p = src->text, *end = src->text + src->len;
    for (int line = 1; line < loc.line && p < end; p++)
      if (*p == '\n') line++;
    const char *q = p;
    while (q < end && *q != '\n' && q - p < 160) q++;
    char *text = arena_alloc(E->a, (size_t)(q - p) + 1);
    if (!text) return NULL;
    for (size_t i = 0; i < (size_t)(q - p); i++) {
      char c = p[i];
      text[i] = (c < 32 || c > 126 || (c == '/' && i && p[i - 1] == '*')) ? ' ' : c;
    }
    return text;
  }
  return NULL;
}

static Value *new_node(Elab *E, Op op, Value **in, int n, const Attrs *attrs, RaspKind kind,
                       Loc loc) {
  if (E->g->n_nodes >= MAX_NODES) {
    diag_error(loc, "program too large: more than %d operations after unrolling", MAX_NODES);
    return NULL;
  }
  Shape shape = kind == RK_SELECTOR ? ir_shape(2, (int64_t)IR_DIM_T, (int64_t)IR_DIM_T)
                                    : ir_shape(1, (int64_t)IR_DIM_T);
  RaspType *t = arena_alloc(E->a, sizeof(RaspType));
  /* a fresh name, so ir_unique_name's search ends at once: after the variable
   * being assigned ("_opens_agg"), or the op and a number ("map7") */
  static const char *short_names[OP_COUNT] = {
      [OP_MAP] = "map", [OP_ZIPMAP] = "map", [OP_SELECT] = "sel", [OP_SELECTOR_COMBINE] = "sel",
      [OP_AGGREGATE] = "agg", [OP_SELECTOR_WIDTH] = "width"};
  const char *base = E->stmt_var && short_names[op]
                         ? arena_printf(E->a, "%s_%s", E->stmt_var, short_names[op])
                         : arena_printf(E->a, "%s%d", ir_op_info[op].name, E->g->n_nodes);
  const char *name = base ? unique_name(E, base) : NULL;
  Value *v = t && name ? ir_node_typed(E->g, op, in, n, attrs, name, loc, kind_dtype(kind), shape) : NULL;
  if (!v) return diag_error(loc, "out of memory"), NULL;
  t->kind = kind;
  t->src = E->stmt_src;
  t->src_line = E->stmt_line;
  v->rasp = t;
  return v;
}

/* Gives a temporary node the name of the variable it is assigned to. */
static void name_value(Elab *E, Value *v, const char *name) {
  RaspType *t = (RaspType *)v->rasp;
  if (t->named || v->producer == NULL) return;
  const char *unique = unique_name(E, name);
  if (unique) v->name = unique, t->named = true;
}

/* An s-op for x: itself, or a constant broadcast to every position. */
static Value *as_sop(Elab *E, EVal *x, Loc loc, const char *what) {
  if (x->kind == EV_SOP) return x->v;
  if (x->kind != EV_ATOM) {
    diag_error(loc, "%s must be an s-op or a constant, not %s", what, ev_kind_name(x));
    return NULL;
  }
  Attrs at = {0};
  at.rasp = ir_rasp_expr_const(E->a, x->atom);
  return at.rasp ? new_node(E, OP_ZIPMAP, NULL, 0, &at, ir_rasp_val_kind(x->atom.kind), loc) : NULL;
}

/* The expression for operand x of an element-wise node: a constant, or an
 * argument (inputs are shared when the same s-op appears twice). */
static const RaspExpr *operand(Elab *E, EVal *x, Value **in, int *n_in) {
  if (x->kind == EV_ATOM) return ir_rasp_expr_const(E->a, x->atom);
  for (int k = 0; k < *n_in; k++)
    if (in[k] == x->v) return ir_rasp_expr_arg(E->a, k);
  in[*n_in] = x->v;
  return ir_rasp_expr_arg(E->a, (*n_in)++);
}

/* Adds the map/zipmap node computing e over inputs in[0..n). */
static EVal *elementwise_node(Elab *E, const RaspExpr *e, Value **in, int n, Loc loc) {
  if (!e) return NULL;
  RaspKind kinds[4];
  for (int k = 0; k < n; k++) kinds[k] = in[k]->rasp->kind;
  Attrs at = {0};
  at.rasp = e;
  return ev_graph(
      E, new_node(E, n == 1 ? OP_MAP : OP_ZIPMAP, in, n, &at, ir_rasp_expr_kind(e, kinds), loc));
}

static bool is_value(const EVal *x) { return x->kind == EV_ATOM || x->kind == EV_SOP; }

/* a OP b (b NULL for unary ops) on atoms, s-ops or selectors. */
static EVal *apply_op(Elab *E, RaspOp op, EVal *a, EVal *b, Loc loc) {
  bool unary = b == NULL;
  char err[256];
  if (a->kind == EV_ATOM && (unary || b->kind == EV_ATOM)) {
    RaspVal r;
    int rc = unary ? ir_rasp_eval_unary(op, a->atom, &r, E->a, err, sizeof err)
                   : ir_rasp_eval_binary(op, a->atom, b->atom, &r, E->a, err, sizeof err);
    if (rc) return diag_error(loc, "%s", err), NULL;
    return ev_atom(E, r);
  }
  if (a->kind == EV_SEL || (!unary && b->kind == EV_SEL)) {
    bool logical = op == RO_AND || op == RO_OR || op == RO_NOT;
    if (!logical)
      return diag_error(loc, "'%s' cannot be applied to a selector", ir_rasp_op_text(op)), NULL;
    if (!unary && a->kind != b->kind)
      return diag_error(loc, "cannot combine a selector and %s with '%s'",
                        ev_kind_name(a->kind == EV_SEL ? b : a), ir_rasp_op_text(op)), NULL;
    Value *in[2] = {a->v, unary ? NULL : b->v};
    Attrs at = {0};
    at.rasp =
        unary ? ir_rasp_expr_unary(E->a, op, ir_rasp_expr_arg(E->a, 0))
              : ir_rasp_expr_binary(E->a, op, ir_rasp_expr_arg(E->a, 0), ir_rasp_expr_arg(E->a, 1));
    return ev_graph(E, new_node(E, OP_SELECTOR_COMBINE, in, unary ? 1 : 2, &at, RK_SELECTOR, loc));
  }
  if (!is_value(a) || (!unary && !is_value(b)))
    return diag_error(loc, "'%s' cannot be applied to %s", ir_rasp_op_text(op),
                      ev_kind_name(is_value(a) ? b : a)), NULL;
  RaspKind ka = a->kind == EV_SOP ? a->v->rasp->kind : ir_rasp_val_kind(a->atom.kind), kb = RK_ANY,
           out;
  if (!unary) kb = b->kind == EV_SOP ? b->v->rasp->kind : ir_rasp_val_kind(b->atom.kind);
  const char *msg = ir_rasp_op_kind(op, ka, kb, &out);
  if (msg) return diag_error(loc, "%s", msg), NULL;
  Value *in[2];
  int n = 0;
  const RaspExpr *x = operand(E, a, in, &n);
  const RaspExpr *e = unary ? ir_rasp_expr_unary(E->a, op, x)
                            : ir_rasp_expr_binary(E->a, op, x, operand(E, b, in, &n));
  return elementwise_node(E, e, in, n, loc);
}

/* ---- selectors and aggregation ---- */

static Value *select_node(Elab *E, EVal *keys, EVal *queries, RaspPred pred, Loc loc) {
  Value *in[2] = {as_sop(E, keys, loc, "the keys of select"), NULL};
  if (in[0]) in[1] = as_sop(E, queries, loc, "the queries of select");
  if (!in[1]) return NULL;
  RaspKind kk = in[0]->rasp->kind, kq = in[1]->rasp->kind;
  if (pred > RP_NE && kk != RK_ANY && kq != RK_ANY && (kk == RK_STR) != (kq == RK_STR))
    return diag_error(loc, "select cannot order %s keys against %s queries", ir_rasp_kind_name(kk),
                      ir_rasp_kind_name(kq)), NULL;
  Attrs at = {0};
  at.predicate = (int)pred;
  return new_node(E, OP_SELECT, in, 2, &at, RK_SELECTOR, loc);
}

static RaspKind aggregate_kind(RaspKind values, RaspKind dflt) {
  RaspKind k = values == RK_INT ? RK_NUM : values;   /* a mean of ints is a float */
  return ir_rasp_join_kind(k, dflt == RK_INT && k == RK_FLOAT ? RK_NUM : dflt);
}

static Value *aggregate_node(Elab *E, EVal *sel, EVal *vals, RaspVal dflt, Loc loc) {
  if (sel->kind != EV_SEL)
    return diag_error(loc, "aggregate needs a selector first, not %s", ev_kind_name(sel)), NULL;
  Value *in[2] = {sel->v, as_sop(E, vals, loc, "the values of aggregate")};
  if (!in[1]) return NULL;
  Attrs at = {0};
  at.rasp = ir_rasp_expr_const(E->a, dflt);
  at.default_value = dflt.kind == RV_STR ? 0 : dflt.num;
  RaspKind k = aggregate_kind(in[1]->rasp->kind, ir_rasp_val_kind(dflt.kind));
  return new_node(E, OP_AGGREGATE, in, 2, &at, k, loc);
}

static Value *width_node(Elab *E, EVal *sel, Loc loc) {
  if (sel->kind != EV_SEL)
    return diag_error(loc, "selector_width needs a selector, not %s", ev_kind_name(sel)), NULL;
  return new_node(E, OP_SELECTOR_WIDTH, &sel->v, 1, NULL, RK_INT, loc);
}

/* "x in s" for an s-op s: true where x occurs anywhere in s. */
static EVal *in_sop(Elab *E, EVal *x, EVal *s, Loc loc) {
  Value *sel = select_node(E, s, x, RP_EQ, loc);
  EVal *w = sel ? ev_graph(E, width_node(E, ev_graph(E, sel), loc)) : NULL;
  EVal *zero = ev_atom(E, atom_num(RV_INT, 0));
  return w && zero ? apply_op(E, RO_GT, w, zero, loc) : NULL;
}

/* ---- expressions ---- */

static bool atoms_only(Elab *E, EVal **items, int n, Loc loc, const char *what) {
  for (int i = 0; i < n; i++)
    if (items[i]->kind != EV_ATOM)
      return diag_error(loc, "%s used with an s-op must hold constants only (item %d is %s)", what,
                        i, ev_kind_name(items[i])), false;
  return true;
}

static RaspVal *atoms_of(Elab *E, EVal **items, int n) {
  RaspVal *v = arena_alloc(E->a, sizeof(RaspVal) * (size_t)(n + 1));
  for (int i = 0; v && i < n; i++) v[i] = items[i]->atom;
  return v;
}

/* A string constant as the list of its characters (Python: "abc"[1], for c in "abc"). */
static EVal *string_as_list(Elab *E, EVal *v) {
  if (v->kind != EV_ATOM || v->atom.kind != RV_STR) return v;
  int n = 0;
  const char **chars = rasp_split_chars(E->a, v->atom.str, &n);
  EVal *l = chars ? ev_list(E, n) : NULL;
  for (int i = 0; l && i < n; i++)
    if (!(l->items[i] = ev_atom(E, (RaspVal){RV_STR, 0, chars[i]}))) return NULL;
  return l;
}

static EVal *eval_in(Elab *E, EVal *x, EVal *c, Loc loc) {
  if (c->kind == EV_SOP && !is_value(x))
    return diag_error(loc, "'in' cannot look for %s in an s-op", ev_kind_name(x)), NULL;
  if (c->kind == EV_SOP) return in_sop(E, x, c, loc);
  if (c->kind == EV_ATOM && c->atom.kind == RV_STR && x->kind == EV_ATOM && x->atom.kind == RV_STR)
    return ev_atom(E, atom_num(RV_BOOL, strstr(c->atom.str, x->atom.str) != NULL));   /* substring */
  if (!(c = string_as_list(E, c))) return NULL;
  if (c->kind != EV_LIST && c->kind != EV_DICT)
    return diag_error(loc, "'in' needs a list, dict or s-op on its right, not %s", ev_kind_name(c)), NULL;
  bool dict = c->kind == EV_DICT;
  if (x->kind == EV_ATOM) {
    for (int i = 0; i < c->n; i++) {
      EVal *item = c->items[i];
      if (dict ? ir_rasp_val_equal(c->keys[i], x->atom)
               : item->kind == EV_ATOM && ir_rasp_val_equal(item->atom, x->atom))
        return ev_atom(E, atom_num(RV_BOOL, 1));
    }
    return ev_atom(E, atom_num(RV_BOOL, 0));
  }
  if (x->kind != EV_SOP) return diag_error(loc, "'in' cannot test %s", ev_kind_name(x)), NULL;
  if (!dict && !atoms_only(E, c->items, c->n, loc, "a list")) return NULL;
  RaspExpr *e = ir_rasp_expr_new(E->a, RX_IN);
  if (!e) return NULL;
  e->a = ir_rasp_expr_arg(E->a, 0);
  e->items = dict ? c->keys : atoms_of(E, c->items, c->n);
  e->n_items = c->n;
  return elementwise_node(E, e, &x->v, 1, loc);
}

/* list[i], dict[k] (constant or per element), or s-op[k] (element k everywhere). */
static EVal *eval_index(Elab *E, EVal *c, EVal *i, Loc loc) {
  if (c->kind == EV_SOP) {
    if (i->kind != EV_ATOM || i->atom.kind != RV_INT)
      return diag_error(loc, "an s-op can only be indexed by an integer constant"), NULL;
    EVal idx = {.kind = EV_SOP, .v = E->indices}, len = {.kind = EV_SOP, .v = E->length};
    EVal *q = i->atom.num >= 0 ? i : apply_op(E, RO_ADD, &len, i, loc);
    Value *sel = q ? select_node(E, &idx, q, RP_EQ, loc) : NULL;
    return sel ? ev_graph(E, aggregate_node(E, ev_graph(E, sel), c, atom_num(RV_INT, 0), loc)) : NULL;
  }
  if (!(c = string_as_list(E, c))) return NULL;
  if (c->kind != EV_LIST && c->kind != EV_DICT)
    return diag_error(loc, "%s cannot be indexed", ev_kind_name(c)), NULL;
  bool dict = c->kind == EV_DICT;
  if (i->kind == EV_ATOM) {
    if (dict) {
      for (int k = 0; k < c->n; k++)
        if (ir_rasp_val_equal(c->keys[k], i->atom)) return c->items[k];
      return diag_error(loc, "key not in the dict"), NULL;
    }
    if (i->atom.kind != RV_INT && i->atom.kind != RV_BOOL)
      return diag_error(loc, "list index must be an int"), NULL;
    double k = i->atom.num < 0 ? i->atom.num + c->n : i->atom.num;
    if (k < 0 || k >= c->n) return diag_error(loc, "list index %.0f out of range (list of %d)", i->atom.num, c->n), NULL;
    return c->items[(int)k];
  }
  if (i->kind != EV_SOP) return diag_error(loc, "cannot index with %s", ev_kind_name(i)), NULL;
  if (!atoms_only(E, c->items, c->n, loc, dict ? "a dict" : "a list")) return NULL;
  RaspExpr *e = ir_rasp_expr_new(E->a, RX_LOOKUP);
  if (!e) return NULL;
  e->a = ir_rasp_expr_arg(E->a, 0);
  e->items = atoms_of(E, c->items, c->n);
  e->keys = dict ? c->keys : NULL;
  e->n_items = c->n;
  return elementwise_node(E, e, &i->v, 1, loc);
}

static EVal *eval_if(Elab *E, EVal *x, EVal *c, EVal *y, Loc loc) {
  if (c->kind == EV_ATOM) return ir_rasp_truthy(c->atom) ? x : y;
  if (c->kind != EV_SOP || !is_value(x) || !is_value(y))
    return diag_error(loc, "'if' chooses between s-ops or constants by an s-op condition"), NULL;
  Value *in[3];
  int n = 0;
  RaspExpr *e = ir_rasp_expr_new(E->a, RX_IF);
  if (!e) return NULL;
  e->a = operand(E, x, in, &n);
  e->b = operand(E, c, in, &n);
  e->c = operand(E, y, in, &n);
  return elementwise_node(E, e, in, n, loc);
}

static EVal **eval_items(Elab *E, Env *env, AstList l) {
  EVal **v = arena_alloc(E->a, sizeof(EVal *) * (size_t)(l.n + 1));
  for (int i = 0; v && i < l.n; i++)
    if (!(v[i] = eval(E, env, l.items[i]))) return NULL;
  return v;
}

static EVal *make_list(Elab *E, EVal **items, int n) {
  EVal *l = ev_new(E, EV_LIST);
  if (l) l->items = items, l->n = n;
  return l;
}

static EVal *eval_dict(Elab *E, Env *env, const Ast *x) {
  EVal **keys = eval_items(E, env, x->items), **vals = keys ? eval_items(E, env, x->items2) : NULL;
  if (!vals) return NULL;
  EVal *d = ev_new(E, EV_DICT);
  if (!d || !atoms_only(E, keys, x->items.n, x->loc, "dict keys")) return NULL;
  d->keys = atoms_of(E, keys, x->items.n), d->items = vals, d->n = x->items.n;
  return d;
}

static bool int_atom(const EVal *v) { return v->kind == EV_ATOM && v->atom.kind == RV_INT; }

static EVal *eval_range(Elab *E, EVal **a, int n, Loc loc) {
  if (n < 1 || n > 3) return diag_error(loc, "range takes 1 to 3 arguments, %d given", n), NULL;
  for (int i = 0; i < n; i++)
    if (!int_atom(a[i])) return diag_error(loc, "range takes integer constants"), NULL;
  double start = n > 1 ? a[0]->atom.num : 0, stop = n > 1 ? a[1]->atom.num : a[0]->atom.num;
  double step = n > 2 ? a[2]->atom.num : 1;
  if (step == 0) return diag_error(loc, "range step must not be zero"), NULL;
  double count = ceil((stop - start) / step);
  if (count < 0) count = 0;
  if (count > MAX_LIST) return diag_error(loc, "range of %.0f items is too long (limit %d)", count, MAX_LIST), NULL;
  EVal *l = ev_list(E, (int)count);
  for (int i = 0; l && i < l->n; i++)
    if (!(l->items[i] = ev_atom(E, atom_num(RV_INT, start + i * step)))) return NULL;
  return l;
}

static EVal *eval_zip(Elab *E, EVal **a, int n, Loc loc) {
  int m = MAX_LIST;
  for (int i = 0; i < n; i++) {
    if (a[i]->kind != EV_LIST) return diag_error(loc, "zip takes lists, not %s", ev_kind_name(a[i])), NULL;
    if (a[i]->n < m) m = a[i]->n;
  }
  if (n == 0) m = 0;
  EVal *l = ev_list(E, m);
  for (int k = 0; l && k < m; k++) {
    EVal *t = ev_list(E, n);
    if (!t) return NULL;
    for (int i = 0; i < n; i++) t->items[i] = a[i]->items[k];
    l->items[k] = t;
  }
  return l;
}

static EVal *eval_len(Elab *E, EVal *x, Loc loc) {
  if (x->kind == EV_LIST || x->kind == EV_DICT) return ev_atom(E, atom_num(RV_INT, x->n));
  if (x->kind == EV_ATOM && x->atom.kind == RV_STR)
    return ev_atom(E, atom_num(RV_INT, (double)strlen(x->atom.str)));
  return diag_error(loc, "len takes a list or dict, not %s (use length for s-ops)", ev_kind_name(x)), NULL;
}

/* Binds names to v: one name takes v, several unpack a list of as many. */
static int bind(Elab *E, Env *env, NameList names, EVal *v, Loc loc) {
  if (names.n == 1) return env_set(E, env, names.items[0], v);
  if (v->kind != EV_LIST || v->n != names.n)
    return diag_error(loc, "cannot unpack %s into %d names", v->kind == EV_LIST ? "a list of another length" : ev_kind_name(v), names.n), -1;
  for (int i = 0; i < names.n; i++)
    if (env_set(E, env, names.items[i], v->items[i])) return -1;
  return 0;
}

/* The items a for loop or comprehension runs over: a list, or a dict's keys. */
static EVal *iterable(Elab *E, EVal *v, Loc loc) {
  if (!(v = string_as_list(E, v))) return NULL;
  if (v->kind == EV_LIST) return v;
  if (v->kind != EV_DICT) return diag_error(loc, "cannot iterate over %s", ev_kind_name(v)), NULL;
  EVal *l = ev_list(E, v->n);
  for (int i = 0; l && i < v->n; i++)
    if (!(l->items[i] = ev_atom(E, v->keys[i]))) return NULL;
  return l;
}

static EVal *eval_comp(Elab *E, Env *env, const Ast *x) {
  EVal *it = eval(E, env, x->c);
  if (!it || !(it = iterable(E, it, x->loc))) return NULL;
  Env *scope = env_new(E, env);
  EVal **vals = arena_alloc(E->a, sizeof(EVal *) * (size_t)(it->n + 1));
  EVal **keys = arena_alloc(E->a, sizeof(EVal *) * (size_t)(it->n + 1));
  if (!scope || !vals || !keys) return NULL;
  for (int i = 0; i < it->n; i++) {
    if (bind(E, scope, x->names, it->items[i], x->loc)) return NULL;
    if (!(vals[i] = eval(E, scope, x->a))) return NULL;
    if (x->kind == AST_DICTCOMP && !(keys[i] = eval(E, scope, x->b))) return NULL;
  }
  if (x->kind == AST_LISTCOMP) return make_list(E, vals, it->n);
  EVal *d = ev_new(E, EV_DICT);
  if (!d || !atoms_only(E, keys, it->n, x->loc, "dict keys")) return NULL;
  d->keys = atoms_of(E, keys, it->n), d->items = vals, d->n = it->n;
  return d;
}

/* f(args): a RASP function runs its body in a new scope inside its definition's. */
static EVal *call(Elab *E, EVal *f, EVal **args, int n, Loc loc) {
  if (f->kind == EV_BUILTIN) {
    if (n != 1) return diag_error(loc, "selector_width takes 1 argument, %d given", n), NULL;
    return ev_graph(E, width_node(E, args[0], loc));
  }
  if (f->kind != EV_FUNC) return diag_error(loc, "%s is not a function", ev_kind_name(f)), NULL;
  const Ast *def = f->def;
  if (n != def->names.n)
    return diag_error(loc, "function '%s' takes %d argument%s, %d given", def->str, def->names.n,
                      def->names.n == 1 ? "" : "s", n), NULL;
  if (E->calls >= MAX_CALLS)
    return diag_error(loc, "function calls nested too deeply (limit %d): recursion?", MAX_CALLS), NULL;
  Env *scope = env_new(E, f->closure);
  for (int i = 0; scope && i < n; i++)
    if (env_set(E, scope, def->names.items[i], args[i])) return NULL;
  if (!scope) return NULL;
  E->calls++;
  const char *saved_src = E->stmt_src, *saved_var = E->stmt_var;
  int saved_line = E->stmt_line;
  bool saved_main = E->in_main;
  E->in_main = false;
  int rc = exec_list(E, scope, def->body, false);
  Loc ret_loc = def->items.items[0]->loc;   /* return values: named for the caller's variable */
  E->stmt_src = source_line(E, ret_loc), E->stmt_line = ret_loc.line, E->stmt_var = saved_var;
  EVal **ret = rc ? NULL : eval_items(E, scope, def->items);
  E->calls--, E->stmt_src = saved_src, E->stmt_line = saved_line, E->in_main = saved_main;
  if (!ret) return NULL;
  return def->items.n == 1 ? ret[0] : make_list(E, ret, def->items.n);
}

static EVal *eval_call(Elab *E, Env *env, const Ast *x) {
  EVal *f = eval(E, env, x->a);
  EVal **args = f ? eval_items(E, env, x->items) : NULL;
  return args ? call(E, f, args, x->items.n, x->loc) : NULL;
}

static EVal *eval_name(Elab *E, Env *env, const Ast *x) {
  EVal *v = env_lookup(env, x->str);
  if (!v) diag_error(x->loc, "undefined name '%s'", x->str);
  return v;
}

static EVal *eval_aggregate(Elab *E, Env *env, const Ast *x) {
  EVal *sel = eval(E, env, x->a), *vals = sel ? eval(E, env, x->b) : NULL;
  EVal *dflt = x->c && vals ? eval(E, env, x->c) : NULL;
  if (!vals || (x->c && !dflt)) return NULL;
  if (dflt && dflt->kind != EV_ATOM)
    return diag_error(x->c->loc, "the default of aggregate must be a constant, not %s", ev_kind_name(dflt)), NULL;
  return ev_graph(E, aggregate_node(E, sel, vals, dflt ? dflt->atom : atom_num(RV_INT, 0), x->loc));
}

/* a op b op c ...: the left spine of a long chain is walked in a loop, not
 * by recursion, so `x = a + 1 + 1 + ... + 1` of any length cannot overflow
 * the stack. */
static EVal *eval_chain(Elab *E, Env *env, const Ast *x) {
  int n = 0;
  for (const Ast *p = x; p->kind == AST_BINARY; p = p->a) n++;
  const Ast **spine = arena_alloc(E->a, sizeof(Ast *) * (size_t)n);
  if (!spine) return NULL;
  const Ast *p = x;
  for (int k = n - 1; k >= 0; k--, p = p->a) spine[k] = p;
  EVal *acc = eval(E, env, p);
  for (int k = 0; acc && k < n; k++) {
    EVal *b = eval(E, env, spine[k]->b);
    acc = b ? apply_op(E, spine[k]->op, acc, b, spine[k]->loc) : NULL;
  }
  return acc;
}

static EVal *eval_inner(Elab *E, Env *env, const Ast *x) {
  EVal *a, *b, *c;
  switch (x->kind) {
  case AST_INT:
    if (x->num > 9007199254740992.0)
      return diag_error(x->loc, "integer literal too large (limit 2^53)"), NULL;
    return ev_atom(E, atom_num(RV_INT, x->num));
  case AST_FLOAT: return ev_atom(E, atom_num(RV_FLOAT, x->num));
  case AST_STR: return ev_atom(E, (RaspVal){RV_STR, 0, x->str});
  case AST_NAME: return eval_name(E, env, x);
  case AST_LIST: {
    EVal **items = eval_items(E, env, x->items);
    return items ? make_list(E, items, x->items.n) : NULL;
  }
  case AST_DICT: return eval_dict(E, env, x);
  case AST_LISTCOMP: case AST_DICTCOMP: return eval_comp(E, env, x);
  case AST_INDEX:
    a = eval(E, env, x->a), b = a ? eval(E, env, x->b) : NULL;
    return b ? eval_index(E, a, b, x->loc) : NULL;
  case AST_CALL: return eval_call(E, env, x);
  case AST_UNARY:
    a = eval(E, env, x->a);
    return a ? apply_op(E, x->op, a, NULL, x->loc) : NULL;
  case AST_BINARY: return eval_chain(E, env, x);
  case AST_SELECT:
    a = eval(E, env, x->a), b = a ? eval(E, env, x->b) : NULL;
    return b ? ev_graph(E, select_node(E, a, b, x->pred, x->loc)) : NULL;
  case AST_AGGREGATE: return eval_aggregate(E, env, x);
  case AST_IF:
    a = eval(E, env, x->a), b = a ? eval(E, env, x->b) : NULL, c = b ? eval(E, env, x->c) : NULL;
    return c ? eval_if(E, a, b, c, x->loc) : NULL;
  case AST_IN:
    a = eval(E, env, x->a), b = a ? eval(E, env, x->b) : NULL;
    return b ? eval_in(E, a, b, x->loc) : NULL;
  case AST_RANGE: case AST_ZIP: {
    EVal **items = eval_items(E, env, x->items);
    if (!items) return NULL;
    return x->kind == AST_RANGE ? eval_range(E, items, x->items.n, x->loc)
                                : eval_zip(E, items, x->items.n, x->loc);
  }
  case AST_LEN:
    a = eval(E, env, x->a);
    return a ? eval_len(E, a, x->loc) : NULL;
  default: TFC_UNREACHABLE();
  }
}

static EVal *eval(Elab *E, Env *env, const Ast *x) {
  if (E->depth >= MAX_DEPTH)
    return diag_error(x->loc, "expression nested too deeply (limit %d)", MAX_DEPTH), NULL;
  E->depth++;
  EVal *v = eval_inner(E, env, x);
  E->depth--;
  return v;
}

/* ---- statements ---- */

static int exec_assign(Elab *E, Env *env, const Ast *s, bool top) {
  EVal **vals = eval_items(E, env, s->items);
  if (!vals) return -1;
  EVal *v = s->items.n == 1 ? vals[0] : make_list(E, vals, s->items.n);
  if (!v || bind(E, env, s->names, v, s->loc)) return -1;
  for (int i = 0; i < s->names.n; i++) {
    EVal *bound = env_lookup(env, s->names.items[i]);
    if (bound->kind == EV_SOP || bound->kind == EV_SEL) name_value(E, bound->v, s->names.items[i]);
    if (top && E->in_main) E->last_assigned = s->names.items[i];
  }
  return 0;
}

/* A loop at top level assigns top-level variables (its last one can be the output). */
static int exec_for(Elab *E, Env *env, const Ast *s, bool top) {
  EVal *it = eval(E, env, s->a);
  if (!it || !(it = iterable(E, it, s->loc))) return -1;
  for (int i = 0; i < it->n; i++)
    if (bind(E, env, s->names, it->items[i], s->loc) || exec_list(E, env, s->body, top)) return -1;
  return 0;
}

static int exec(Elab *E, Env *env, const Ast *s, bool top) {
  E->stmt_src = source_line(E, s->loc);
  E->stmt_line = s->loc.line;
  E->stmt_var = s->kind == AST_ASSIGN ? s->names.items[0] : NULL;
  switch (s->kind) {
  case AST_EXPR_STMT: return eval(E, env, s->a) ? 0 : -1;
  case AST_ASSIGN: return exec_assign(E, env, s, top);
  case AST_DEF: {
    EVal *f = ev_new(E, EV_FUNC);
    if (!f) return -1;
    f->def = s, f->closure = env;
    return env_set(E, env, s->str, f);
  }
  case AST_FOR: return exec_for(E, env, s, top);
  default: TFC_UNREACHABLE();
  }
}

static int exec_list(Elab *E, Env *env, AstList stmts, bool top) {
  if (E->depth >= MAX_DEPTH)
    return diag_error(stmts.n ? stmts.items[0]->loc : LOC_NONE, "statements nested too deeply (limit %d)", MAX_DEPTH), -1;
  E->depth++;
  int rc = 0;
  for (int i = 0; i < stmts.n && rc == 0; i++) rc = exec(E, env, stmts.items[i], top);
  E->depth--;
  return rc;
}

/* ---- the program ---- */

static int add_global(Elab *E, const char *name, EVal *v) {
  return v ? env_set(E, E->globals, name, v) : -1;
}

/* The built-in s-ops: tokens and its typed readings, indices, length. */
static int add_builtins(Elab *E) {
  Loc loc = diag_loc(E->sources[1].file, 0, 0);   /* errors here concern the input */
  Value *tokens = new_node(E, OP_TOKENS, NULL, 0, NULL, RK_STR, loc);
  if (!tokens) return -1;
  name_value(E, tokens, "tokens");
  static const struct { const char *name; RaspOp op; } typed[] = {
      {"tokens_int", RO_TO_INT}, {"tokens_float", RO_TO_FLOAT}, {"tokens_bool", RO_TO_BOOL}};
  EVal *t = ev_graph(E, tokens);
  if (add_global(E, "tokens", t) || add_global(E, "tokens_str", t)) return -1;
  for (int i = 0; i < 3; i++) {
    EVal *v = apply_op(E, typed[i].op, t, NULL, loc);
    if (!v || add_global(E, typed[i].name, v)) return -1;
    name_value(E, v->v, typed[i].name);
  }
  E->indices = new_node(E, OP_INDICES, NULL, 0, NULL, RK_INT, loc);
  E->length = new_node(E, OP_LENGTH, NULL, 0, NULL, RK_INT, loc);
  if (!E->indices || !E->length) return -1;
  name_value(E, E->indices, "indices"), name_value(E, E->length, "length");
  EVal *sw = ev_new(E, EV_BUILTIN);
  return add_global(E, "indices", ev_graph(E, E->indices)) ||
         add_global(E, "length", ev_graph(E, E->length)) ||
         add_global(E, "True", ev_atom(E, atom_num(RV_BOOL, 1))) ||
         add_global(E, "False", ev_atom(E, atom_num(RV_BOOL, 0))) ||
         add_global(E, "selector_width", sw);
}

static int run_source(Elab *E, int which) {
  RaspParser p = {.arena = E->a, .file = E->sources[which].file};
  if (rasp_parse_text(&p, E->sources[which].text, E->sources[which].len)) return -1;
  E->in_main = which == 1;
  return exec_list(E, E->globals, p.program, true);
}

/* Marks every node the output does not depend on as dead, and drops it. */
static void keep_only_output(Graph *g) {
  bool *live = calloc((size_t)g->n_values, 1);
  if (!live) return;
  live[g->outputs[0]->id] = true;
  for (int i = g->n_nodes - 1; i >= 0; i--) {
    Node *n = g->nodes[i];
    n->dead = !live[n->out->id];
    for (int k = 0; !n->dead && k < n->n_inputs; k++)
      if (n->inputs[k]) live[n->inputs[k]->id] = true;
  }
  free(live);
  ir_compact(g);
}

static int choose_output(Elab *E, const RaspOptions *opt) {
  const char *name = opt && opt->output ? opt->output : E->last_assigned;
  Loc loc = diag_loc(E->sources[1].file, 0, 0);
  if (!name) return diag_error(loc, "the program assigns nothing, so it has no output s-op"), -1;
  EVal *v = env_lookup(E->globals, name);
  if (!v) return diag_error(loc, "--output: the program has no variable '%s'", name), -1;
  Value *out = is_value(v) ? as_sop(E, v, loc, "the output") : NULL;
  if (!out) return diag_error(loc, "the output '%s' is %s, not an s-op", name, ev_kind_name(v)), -1;
  name_value(E, out, name);
  ir_output(E->g, out);
  if (E->g->n_outputs != 1) return diag_error(loc, "out of memory"), -1;
  keep_only_output(E->g);
  return 0;
}

/* Elaborates the prelude and then the program; the graph's output is chosen
 * by opt->output or the program's last top-level assignment. */
int rasp_elaborate(Graph *g, const char *prelude, const char *prelude_name, const char *text,
                   size_t len, const char *file, const RaspOptions *opt) {
  Elab E = {.a = g->arena, .g = g};
  E.sources[0] = (Source){prelude_name, prelude, strlen(prelude)};
  E.sources[1] = (Source){file, text, len};
  E.globals = env_new(&E, NULL);
  if (!E.globals || add_builtins(&E)) return -1;
  if (run_source(&E, 0) || run_source(&E, 1)) return -1;
  return choose_output(&E, opt);
}
