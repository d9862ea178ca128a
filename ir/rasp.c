/*
 * rasp.c — the RASP dialect's pieces that are not execution: expression-tree
 * constructors, operator and kind names, the static kind rules (which
 * operations fail on every input and can be rejected at compile time), and the
 * textual form of rasp nodes used by the IR printer and generated comments.
 */
#include "rasp.h"

#include <stdlib.h>
#include <string.h>

RaspExpr *ir_rasp_expr_new(Arena *a, RaspExprKind kind) {
  RaspExpr *e = arena_alloc(a, sizeof(RaspExpr));
  if (e) e->kind = kind;
  return e;
}

RaspExpr *ir_rasp_expr_arg(Arena *a, int k) {
  RaspExpr *e = ir_rasp_expr_new(a, RX_ARG);
  if (e) e->arg = k;
  return e;
}

RaspExpr *ir_rasp_expr_const(Arena *a, RaspVal v) {
  RaspExpr *e = ir_rasp_expr_new(a, RX_CONST);
  if (e) e->value = v;
  return e;
}

RaspExpr *ir_rasp_expr_unary(Arena *a, RaspOp op, const RaspExpr *x) {
  RaspExpr *e = x ? ir_rasp_expr_new(a, RX_UNARY) : NULL;
  if (e) e->op = op, e->a = x;
  return e;
}

RaspExpr *ir_rasp_expr_binary(Arena *a, RaspOp op, const RaspExpr *x, const RaspExpr *y) {
  RaspExpr *e = x && y ? ir_rasp_expr_new(a, RX_BINARY) : NULL;
  if (e) e->op = op, e->a = x, e->b = y;
  return e;
}

RaspExpr *ir_rasp_expr_remap(Arena *a, const RaspExpr *e, const int *map) {
  if (!e) return NULL;
  RaspExpr *r = arena_alloc(a, sizeof(RaspExpr));
  if (!r) return NULL;
  *r = *e;
  if (e->kind == RX_ARG) r->arg = map[e->arg];
  r->a = ir_rasp_expr_remap(a, e->a, map);
  r->b = ir_rasp_expr_remap(a, e->b, map);
  r->c = ir_rasp_expr_remap(a, e->c, map);
  return r;
}

/* ---- names ---- */

const char *ir_rasp_op_text(RaspOp op) {
  static const char *text[RO_COUNT] = {
      "+", "-", "*", "/", "%", "^", "==", "<", ">", "<=", ">=", "and", "or",
      "not", "-", "+", "round", "indicator", "int", "float", "bool"};
  return text[op];
}

const char *ir_rasp_pred_text(RaspPred p) {
  static const char *text[] = {"==", "!=", "<", ">", "<=", ">="};
  return text[p];
}

const char *ir_rasp_kind_name(RaspKind k) {
  static const char *names[] = {"string", "bool", "int", "float", "number", "any", "selector"};
  return names[k];
}

RaspKind ir_rasp_val_kind(RaspValKind k) {
  static const RaspKind kinds[] = {RK_STR, RK_BOOL, RK_INT, RK_FLOAT};
  return kinds[k];
}

/* ---- static kind rules ---- */

static bool is_numeric(RaspKind k) { return k == RK_BOOL || k == RK_INT || k == RK_FLOAT || k == RK_NUM; }

/* Kind of a number op on two numeric kinds: float wins, then "either". */
static RaspKind numeric_result(RaspKind a, RaspKind b) {
  if (a == RK_FLOAT || b == RK_FLOAT) return RK_FLOAT;
  if (a == RK_NUM || b == RK_NUM) return RK_NUM;
  return RK_INT;
}

RaspKind ir_rasp_join_kind(RaspKind a, RaspKind b) {
  if (a == b) return a;
  if (a != RK_BOOL && b != RK_BOOL && is_numeric(a) && is_numeric(b)) return RK_NUM;
  return RK_ANY;
}

static const char *arith_kind(RaspOp op, RaspKind a, RaspKind b, RaspKind *out) {
  if (op == RO_ADD && a == RK_STR && b == RK_STR) return *out = RK_STR, NULL;
  if ((a == RK_STR && b != RK_ANY) || (b == RK_STR && a != RK_ANY)) return "string";
  if (a == RK_ANY || b == RK_ANY) *out = op == RO_DIV ? RK_FLOAT : RK_ANY;
  else if (op == RO_DIV) *out = RK_FLOAT;
  else if (op == RO_POW && numeric_result(a, b) == RK_INT) *out = RK_NUM;   /* 2^-1 = 0.5 */
  else *out = numeric_result(a, b);
  return NULL;
}

const char *ir_rasp_op_kind(RaspOp op, RaspKind a, RaspKind b, RaspKind *out) {
  static char msg[128];
  const char *bad = NULL;
  switch (op) {
  case RO_ADD: case RO_SUB: case RO_MUL: case RO_DIV: case RO_MOD: case RO_POW:
    bad = arith_kind(op, a, b, out);
    break;
  case RO_LT: case RO_GT: case RO_LE: case RO_GE:
    if (a != RK_ANY && b != RK_ANY && (a == RK_STR) != (b == RK_STR)) bad = "order";
    *out = RK_BOOL;
    break;
  case RO_EQ: case RO_AND: case RO_OR: case RO_NOT: case RO_TO_BOOL: *out = RK_BOOL; break;
  case RO_NEG: case RO_POS:
    if (a == RK_STR) bad = "string";
    *out = a == RK_BOOL ? RK_INT : a;
    break;
  case RO_ROUND:
    if (a == RK_STR) bad = "string";
    *out = RK_INT;
    break;
  case RO_INDICATOR: case RO_TO_INT: *out = RK_INT; break;
  case RO_TO_FLOAT: *out = RK_FLOAT; break;
  default: TFC_UNREACHABLE();
  }
  if (!bad) return NULL;
  if (op >= RO_NOT)
    snprintf(msg, sizeof msg, "cannot apply '%s' to a %s", ir_rasp_op_text(op),
             ir_rasp_kind_name(a));
  else
    snprintf(msg, sizeof msg, "cannot apply '%s' to %s and %s", ir_rasp_op_text(op),
             ir_rasp_kind_name(a), ir_rasp_kind_name(b));
  return msg;
}

/* Kind of the list items / dict values an RX_LOOKUP can return. */
static RaspKind items_kind(const RaspExpr *e) {
  RaspKind k = e->n_items ? ir_rasp_val_kind(e->items[0].kind) : RK_ANY;
  for (int i = 1; i < e->n_items; i++) k = ir_rasp_join_kind(k, ir_rasp_val_kind(e->items[i].kind));
  return k;
}

RaspKind ir_rasp_expr_kind(const RaspExpr *e, const RaspKind *args) {
  RaspKind out = RK_ANY;
  switch (e->kind) {
  case RX_ARG: return args[e->arg];
  case RX_CONST: return ir_rasp_val_kind(e->value.kind);
  case RX_UNARY: ir_rasp_op_kind(e->op, ir_rasp_expr_kind(e->a, args), RK_ANY, &out); return out;
  case RX_BINARY:
    ir_rasp_op_kind(e->op, ir_rasp_expr_kind(e->a, args), ir_rasp_expr_kind(e->b, args), &out);
    return out;
  case RX_IF:
    return ir_rasp_join_kind(ir_rasp_expr_kind(e->a, args), ir_rasp_expr_kind(e->c, args));
  case RX_IN: return RK_BOOL;
  case RX_LOOKUP: return items_kind(e);
  }
  TFC_UNREACHABLE();
}

/* ---- printing ---- */

void ir_rasp_val_print(RaspVal v, Buf *out) {
  switch (v.kind) {
  case RV_STR: buf_puts(out, v.str); break;
  case RV_BOOL: buf_puts(out, v.num ? "True" : "False"); break;
  case RV_INT: buf_printf(out, "%.0f", v.num); break;
  case RV_FLOAT: buf_printf(out, "%.17g", v.num); break;
  }
}

void ir_rasp_val_print_literal(RaspVal v, Buf *out) {
  if (v.kind == RV_FLOAT) {   /* always visibly a float: 1.0, not 1 */
    char text[40];
    snprintf(text, sizeof text, "%.17g", v.num);
    buf_printf(out, "%s%s", text, strpbrk(text, ".eni") ? "" : ".0");
    return;
  }
  if (v.kind != RV_STR) return ir_rasp_val_print(v, out);
  buf_puts(out, "\"");
  buf_puts(out, v.str);
  buf_puts(out, "\"");
}

static void print_items(const RaspVal *items, int n, Buf *out) {
  for (int i = 0; i < n; i++) {
    if (i) buf_puts(out, ", ");
    ir_rasp_val_print_literal(items[i], out);
  }
}

static void print_lookup(const RaspExpr *e, Buf *out) {
  if (e->keys) {
    buf_puts(out, "{");
    for (int i = 0; i < e->n_items; i++) {
      if (i) buf_puts(out, ", ");
      ir_rasp_val_print_literal(e->keys[i], out);
      buf_puts(out, ": ");
      ir_rasp_val_print_literal(e->items[i], out);
    }
    buf_puts(out, "}[");
  } else {
    buf_puts(out, "[");
    print_items(e->items, e->n_items, out);
    buf_puts(out, "][");
  }
  ir_rasp_expr_print(e->a, out);
  buf_puts(out, "]");
}

void ir_rasp_expr_print(const RaspExpr *e, Buf *out) {
  switch (e->kind) {
  case RX_ARG: buf_printf(out, "$%d", e->arg); break;
  case RX_CONST: ir_rasp_val_print_literal(e->value, out); break;
  case RX_UNARY:
    buf_printf(out, "%s(", ir_rasp_op_text(e->op));
    ir_rasp_expr_print(e->a, out);
    buf_puts(out, ")");
    break;
  case RX_BINARY:
    buf_puts(out, "(");
    ir_rasp_expr_print(e->a, out);
    buf_printf(out, " %s ", ir_rasp_op_text(e->op));
    ir_rasp_expr_print(e->b, out);
    buf_puts(out, ")");
    break;
  case RX_IF:
    buf_puts(out, "(");
    ir_rasp_expr_print(e->a, out);
    buf_puts(out, " if ");
    ir_rasp_expr_print(e->b, out);
    buf_puts(out, " else ");
    ir_rasp_expr_print(e->c, out);
    buf_puts(out, ")");
    break;
  case RX_IN:
    buf_puts(out, "(");
    ir_rasp_expr_print(e->a, out);
    buf_puts(out, " in [");
    print_items(e->items, e->n_items, out);
    buf_puts(out, "])");
    break;
  case RX_LOOKUP: print_lookup(e, out); break;
  }
}

/* The dialect's attributes of n as one line of text (the textual IR prints it
 * as rasp="..."):  f=EXPR (map, zipmap, selector_combine), default=LITERAL
 * (aggregate), kind=KIND of the output, and `named` for a source variable. */
void ir_rasp_attr_text(const Node *n, const Node *prev, Buf *out) {
  const char *sep = "";
  if (n->attrs.rasp) {
    buf_puts(out, n->op == OP_AGGREGATE ? "default=" : "f=");
    ir_rasp_expr_print(n->attrs.rasp, out);
    sep = " ";
  }
  if (n->out->rasp) {
    buf_printf(out, "%skind=%s", sep, ir_rasp_kind_name(n->out->rasp->kind));
    if (n->out->rasp->named) buf_puts(out, " named");
    const RaspType *t = n->out->rasp, *p = prev && prev->out->rasp ? prev->out->rasp : NULL;
    if (t->src && p && p->src == t->src) buf_puts(out, " src=^");
    else if (t->src)   /* last: the statement runs to the end of the text */
      buf_printf(out, " src=%s:%d: %s", ir_rasp_src_file(n), t->src_line, t->src);
  }
}

const char *ir_rasp_src_file(const Node *n) {
  const char *file = n->out->rasp && n->out->rasp->src_file ? n->out->rasp->src_file
                     : n->loc.file                          ? n->loc.file
                                                            : "?";
  return strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
}

/* src=FILE:LINE: STATEMENT (the rest of the text), as ir_rasp_attr_text prints it. */
static bool parse_src(const char *text, RaspType *t, Arena *a) {
  for (const char *p = strchr(text, ':'); p; p = strchr(p + 1, ':')) {
    char *end;
    long line = strtol(p + 1, &end, 10);
    if (end == p + 1 || end[0] != ':' || end[1] != ' ' || line < 0 || line > INT32_MAX) continue;
    char *file = arena_strdup(a, text);
    if (!file || !(t->src = arena_strdup(a, end + 2))) return false;
    file[p - text] = 0;
    t->src_file = file, t->src_line = (int)line;
    return true;
  }
  return false;
}

/* ---- reading the attribute text back (ir/parse.c) ---- */

typedef struct {
  const char *p;
  Arena *a;
  int depth;
  const char *error;
} TextParser;

static bool eat(TextParser *tp, const char *s) {
  size_t n = strlen(s);
  if (strncmp(tp->p, s, n) != 0) return false;
  tp->p += n;
  return true;
}

static const RaspExpr *fail_text(TextParser *tp, const char *what) {
  if (!tp->error) tp->error = what;
  return NULL;
}

/* LITERAL: "text" | True | False | number (a float has '.', 'e', inf or nan) */
static bool parse_literal(TextParser *tp, RaspVal *v) {
  if (*tp->p == '"') {
    const char *end = strchr(tp->p + 1, '"');
    char *s = end ? arena_alloc(tp->a, (size_t)(end - tp->p)) : NULL;
    if (!s) return fail_text(tp, "unterminated string"), false;
    memcpy(s, tp->p + 1, (size_t)(end - tp->p - 1));
    *v = (RaspVal){RV_STR, 0, s};
    tp->p = end + 1;
    return true;
  }
  if (eat(tp, "True")) return *v = (RaspVal){RV_BOOL, 1, NULL}, true;
  if (eat(tp, "False")) return *v = (RaspVal){RV_BOOL, 0, NULL}, true;
  char *end;
  double x = strtod(tp->p, &end);
  if (end == tp->p) return fail_text(tp, "expected a value"), false;
  bool is_float = strpbrk(tp->p, ".eEni") && strpbrk(tp->p, ".eEni") < end;
  *v = (RaspVal){is_float ? RV_FLOAT : RV_INT, x, NULL};
  tp->p = end;
  return true;
}

/* LITERAL (', ' LITERAL)* up to `close`; keys too for a dict. */
static int parse_items(TextParser *tp, char close, RaspVal **items, RaspVal **keys) {
  int n = 0, cap = 0;
  *items = NULL;
  if (keys) *keys = NULL;
  while (*tp->p != close) {
    if (n && !eat(tp, ", ")) return fail_text(tp, "expected ', '"), -1;
    if (n == cap) {
      cap = cap ? 2 * cap : 8;
      RaspVal *ni = arena_alloc(tp->a, sizeof(RaspVal) * (size_t)cap);
      RaspVal *nk = keys ? arena_alloc(tp->a, sizeof(RaspVal) * (size_t)cap) : NULL;
      if (!ni || (keys && !nk)) return fail_text(tp, "out of memory"), -1;
      if (n) memcpy(ni, *items, sizeof(RaspVal) * (size_t)n);
      if (n && keys) memcpy(nk, *keys, sizeof(RaspVal) * (size_t)n);
      *items = ni;
      if (keys) *keys = nk;
    }
    if (keys && (!parse_literal(tp, &(*keys)[n]) || !eat(tp, ": "))) return fail_text(tp, "expected KEY: VALUE"), -1;
    if (!parse_literal(tp, &(*items)[n++])) return -1;
  }
  tp->p++;
  return n;
}

static const RaspExpr *parse_text_expr(TextParser *tp);

/* '[' items '][' EXPR ']'  |  '{' pairs '}[' EXPR ']' */
static const RaspExpr *parse_lookup(TextParser *tp, bool dict) {
  RaspExpr *e = ir_rasp_expr_new(tp->a, RX_LOOKUP);
  RaspVal *items, *keys;
  int n = e ? parse_items(tp, dict ? '}' : ']', &items, dict ? &keys : NULL) : -1;
  if (n < 0 || !eat(tp, "[") || !(e->a = parse_text_expr(tp)) || !eat(tp, "]"))
    return fail_text(tp, "bad lookup");
  e->items = items, e->keys = dict ? keys : NULL, e->n_items = n;
  return e;
}

static bool op_named(const char *text, size_t len, bool unary, RaspOp *op) {
  for (int k = unary ? RO_NOT : 0; k < (unary ? RO_COUNT : RO_NOT); k++)
    if (strlen(ir_rasp_op_text((RaspOp)k)) == len &&
        strncmp(ir_rasp_op_text((RaspOp)k), text, len) == 0)
      return *op = (RaspOp)k, true;
  return false;
}

/* '(' EXPR (' OP ' EXPR | ' if ' EXPR ' else ' EXPR | ' in [' items ']') ')' */
static const RaspExpr *parse_paren(TextParser *tp) {
  const RaspExpr *a = parse_text_expr(tp);
  RaspExpr *e = NULL;
  if (!a) return NULL;
  if (eat(tp, " if ")) {
    e = ir_rasp_expr_new(tp->a, RX_IF);
    if (!e || !(e->b = parse_text_expr(tp)) || !eat(tp, " else ") || !(e->c = parse_text_expr(tp))) return fail_text(tp, "bad if");
    e->a = a;
  } else if (eat(tp, " in [")) {
    RaspVal *items;
    e = ir_rasp_expr_new(tp->a, RX_IN);
    if (!e || (e->n_items = parse_items(tp, ']', &items, NULL)) < 0) return fail_text(tp, "bad in");
    e->a = a, e->items = items;
  } else {
    const char *op = tp->p + 1, *end = op;
    while (*end && *end != ' ') end++;
    RaspOp o;
    if (*tp->p != ' ' || !*end || !op_named(op, (size_t)(end - op), false, &o)) return fail_text(tp, "expected an operator");
    tp->p = end + 1;
    const RaspExpr *b = parse_text_expr(tp);
    e = b ? ir_rasp_expr_binary(tp->a, o, a, b) : NULL;
  }
  return e && eat(tp, ")") ? e : fail_text(tp, "expected ')'");
}

/* EXPR: $K | LITERAL | OP '(' EXPR ')' | '(' ... ')' | lookups */
static const RaspExpr *parse_text_expr(TextParser *tp) {
  if (++tp->depth > 200) return fail_text(tp, "expression nested too deeply");
  const RaspExpr *e = NULL;
  const char *paren = strchr(tp->p, '(');
  RaspOp op;
  if (eat(tp, "$")) {
    char *end;
    long k = strtol(tp->p, &end, 10);
    e = end > tp->p && k >= 0 && k < 64 ? ir_rasp_expr_arg(tp->a, (int)k)
                                        : fail_text(tp, "bad argument");
    tp->p = end;
  } else if (eat(tp, "(")) {
    e = parse_paren(tp);
  } else if (eat(tp, "[")) {
    e = parse_lookup(tp, false);
  } else if (eat(tp, "{")) {
    e = parse_lookup(tp, true);
  } else if (paren && paren > tp->p && op_named(tp->p, (size_t)(paren - tp->p), true, &op)) {
    tp->p = paren + 1;
    const RaspExpr *x = parse_text_expr(tp);
    e = x && eat(tp, ")") ? ir_rasp_expr_unary(tp->a, op, x) : fail_text(tp, "bad unary operation");
  } else {
    RaspVal v;
    e = parse_literal(tp, &v) ? ir_rasp_expr_const(tp->a, v) : NULL;
  }
  tp->depth--;
  return e;
}

static bool parse_kind(TextParser *tp, RaspKind *k) {
  for (int i = 0; i <= RK_SELECTOR; i++)
    if (eat(tp, ir_rasp_kind_name((RaspKind)i))) return *k = (RaspKind)i, true;
  return fail_text(tp, "unknown kind"), false;
}

int ir_rasp_parse_attr_text(Node *n, const Node *prev, const char *text, Arena *a,
                            const char **error) {
  const RaspType *p = prev && prev->out->rasp ? prev->out->rasp : NULL;
  TextParser tp = {text, a, 0, NULL};
  RaspType *t = arena_alloc(a, sizeof(RaspType));
  if (!t) return *error = "out of memory", -1;
  t->kind = n->out->shape.rank == 2 ? RK_SELECTOR : RK_ANY;
  while (*tp.p && !tp.error) {
    if (tp.p != text && !eat(&tp, " ")) fail_text(&tp, "expected a space between attributes");
    else if (eat(&tp, "f=") || eat(&tp, "default=")) n->attrs.rasp = parse_text_expr(&tp);
    else if (eat(&tp, "kind=")) parse_kind(&tp, &t->kind);
    else if (eat(&tp, "named")) t->named = true;
    else if (eat(&tp, "src=^")) {
      if (!p || !p->src) fail_text(&tp, "src=^ with no statement before");
      else t->src = p->src, t->src_line = p->src_line, t->src_file = p->src_file;
    } else if (eat(&tp, "src=")) {
      if (!parse_src(tp.p, t, a)) fail_text(&tp, "src= must be FILE:LINE: STATEMENT");
      tp.p += strlen(tp.p);
    } else fail_text(&tp, "unknown RASP attribute");
  }
  if (n->op == OP_AGGREGATE && n->attrs.rasp && n->attrs.rasp->kind != RX_CONST)
    fail_text(&tp, "the default of aggregate must be a value");
  n->out->rasp = t;
  *error = tp.error;
  return tp.error ? -1 : 0;
}

/* Every RX_ARG of e names one of the node's n inputs. */
static bool args_in_range(const RaspExpr *e, int n) {
  if (!e) return true;
  if (e->kind == RX_ARG && (e->arg < 0 || e->arg >= n)) return false;
  return args_in_range(e->a, n) && args_in_range(e->b, n) && args_in_range(e->c, n);
}

/* selector_combine: `not $k`, or `$k and $l` / `$k or $l`, nothing else. */
static bool is_combination(const RaspExpr *e) {
  if (e->kind == RX_UNARY) return e->op == RO_NOT && e->a->kind == RX_ARG;
  return e->kind == RX_BINARY && (e->op == RO_AND || e->op == RO_OR) && e->a->kind == RX_ARG &&
         e->b->kind == RX_ARG;
}

/* Checks a rasp node's inputs: s-ops [T] where s-ops go, selectors [T,T] where
 * selectors go.  Returns 0, or -1 after a diagnostic (a compiler bug). */
int ir_rasp_verify_node(const Node *n) {
  int want_sel = n->op == OP_AGGREGATE || n->op == OP_SELECTOR_WIDTH || n->op == OP_SELECTOR_COMBINE;
  for (int i = 0; i < n->n_inputs; i++) {
    const Value *v = n->inputs[i];
    bool is_sel = v && v->shape.rank == 2;
    bool sel_here = want_sel && (i == 0 || n->op == OP_SELECTOR_COMBINE);
    if (!v || !v->rasp || is_sel != sel_here) {
      diag_error(n->loc, "rasp node '%s' (%s): input %d must be %s", n->out->name,
                 ir_op_info[n->op].name, i, sel_here ? "a selector" : "an s-op");
      return -1;
    }
  }
  bool needs_f = n->op == OP_MAP || n->op == OP_ZIPMAP || n->op == OP_SELECTOR_COMBINE;
  if (n->attrs.rasp && (!args_in_range(n->attrs.rasp, n->n_inputs) ||
                        (n->op == OP_SELECTOR_COMBINE && !is_combination(n->attrs.rasp)))) {
    diag_error(n->loc, "rasp node '%s': its function does not fit its %d input%s", n->out->name,
               n->n_inputs, n->n_inputs == 1 ? "" : "s");
    return -1;
  }
  if (!n->out->rasp || (needs_f && !n->attrs.rasp) ||
      (n->op == OP_AGGREGATE && (!n->attrs.rasp || n->attrs.rasp->kind != RX_CONST))) {
    diag_error(n->loc, "rasp node '%s' lacks its RASP attributes (%s)", n->out->name,
               !n->out->rasp ? "kind" : n->op == OP_AGGREGATE ? "default" : "function");
    return -1;
  }
  return 0;
}
