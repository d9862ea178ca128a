/*
 * parse.c — the textual IR parser (syntax in docs/ir.md; printer in print.c).
 *
 * A hand-written lexer and a recursive-descent parser, one function per
 * grammar rule, with the production as its comment.  The text is line
 * oriented (newlines end statements) and `#` starts a comment, so test files
 * can carry `# args:` lines and expected output blocks around a graph.
 *
 * Nodes are type-checked as they are read (like QBE's typecheck): an nn node's
 * declared type must be the one ir_infer gives.  Values must be defined before
 * they are used, so a parsed graph is in topological order.  Every error is a
 * `file:line:col: error:` diagnostic and a NULL result; no input crashes it.
 */
#include "ir.h"
#include "rasp.h"   /* ir/rasp.h: ir_rasp_parse_attr_text */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum { TK_EOF, TK_NL, TK_WORD, TK_VALUE, TK_STRING, TK_PUNCT } TokKind;

typedef struct {
  TokKind kind;
  const char *text;   /* WORD, VALUE (the name), STRING (unescaped): arena copy */
  char punct;         /* PUNCT: one of { } [ ] , : = @ */
  Loc loc;
} Tok;

typedef struct {
  const char *p;      /* next character */
  Loc at;             /* its location */
  Tok tok;            /* the current token */
  Arena *arena;
  Graph *g;
  IrWeightLookup weights;
  void *ctx;
  const char *layer;  /* the enclosing layer block, or NULL */
} Parser;

/* Reports an error at the current token; returns false so callers can `return error(...)`. */
__attribute__((format(printf, 2, 3))) static bool error(Parser *ps, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  diag_error(ps->tok.loc, "%s", msg);
  return false;
}

/* ---- lexer ---- */

static bool is_word_char(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '+';
}

static void advance(Parser *ps) {
  if (*ps->p == '\n') ps->at.line++, ps->at.col = 1;
  else ps->at.col++;
  ps->p++;
}

static int hex_digit(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* One escaped character after a backslash; -1 when malformed. */
static int lex_escape(Parser *ps) {
  int c = *ps->p;
  if (c == '"' || c == '\\') return advance(ps), c;
  if (c == 'n') return advance(ps), '\n';
  if (c == 't') return advance(ps), '\t';
  if (c != 'x') return -1;
  advance(ps);
  int hi = hex_digit(*ps->p);
  if (hi < 0) return -1;
  advance(ps);
  int lo = hex_digit(*ps->p);
  if (lo < 0) return -1;
  advance(ps);
  return hi * 16 + lo;
}

/* string ::= '"' (char | '\' escape)* '"' */
static bool lex_string(Parser *ps) {
  Buf b = {0};
  advance(ps);
  for (;;) {
    int c = (unsigned char)*ps->p;
    if (c == 0 || c == '\n') {
      buf_free(&b);
      return error(ps, "unterminated string");
    }
    advance(ps);
    if (c == '"') break;
    if (c == '\\' && ((c = lex_escape(ps)) <= 0)) {
      buf_free(&b);
      return error(ps, "bad escape in string");
    }
    char ch = (char)c;
    buf_append(&b, &ch, 1);
  }
  ps->tok.text = b.failed ? NULL : arena_strdup(ps->arena, b.data ? b.data : "");
  buf_free(&b);
  return ps->tok.text != NULL || error(ps, "out of memory");
}

static bool lex_word(Parser *ps) {
  const char *start = ps->p;
  while (is_word_char((unsigned char)*ps->p)) advance(ps);
  size_t n = (size_t)(ps->p - start);
  char *s = arena_alloc(ps->arena, n + 1);
  if (!s) return error(ps, "out of memory");
  memcpy(s, start, n);
  ps->tok.text = s;
  return true;
}

static void skip_blanks(Parser *ps) {
  for (;;) {
    if (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r') advance(ps);
    else if (*ps->p == '#')
      while (*ps->p && *ps->p != '\n') advance(ps);
    else return;
  }
}

/* Reads the next token into ps->tok.  False after a diagnostic. */
static bool next(Parser *ps) {
  skip_blanks(ps);
  Tok *t = &ps->tok;
  *t = (Tok){.loc = ps->at};
  int c = (unsigned char)*ps->p;
  if (c == 0) return t->kind = TK_EOF, true;
  if (c == '\n') return t->kind = TK_NL, advance(ps), true;
  if (c == '"') return t->kind = TK_STRING, lex_string(ps);
  if (is_word_char(c)) return t->kind = TK_WORD, lex_word(ps);
  if (c == '%') {
    advance(ps);
    t->kind = TK_VALUE;
    if (*ps->p == '"') return lex_string(ps);
    if (is_word_char((unsigned char)*ps->p)) return lex_word(ps);
    return error(ps, "expected a value name after '%%'");
  }
  if (strchr("{}[],:=@", c)) return t->kind = TK_PUNCT, t->punct = (char)c, advance(ps), true;
  if (c >= 32 && c < 127) return error(ps, "unexpected character '%c'", c);
  return error(ps, "unexpected byte 0x%02x", c);
}

/* ---- token helpers ---- */

static const char *tok_desc(const Tok *t) {
  static char buf[80];
  switch (t->kind) {
  case TK_EOF: return "end of input";
  case TK_NL: return "end of line";
  case TK_PUNCT: snprintf(buf, sizeof buf, "'%c'", t->punct); return buf;
  case TK_VALUE: snprintf(buf, sizeof buf, "value '%%%.60s'", t->text); return buf;
  case TK_STRING: return "a string";
  case TK_WORD: snprintf(buf, sizeof buf, "'%.60s'", t->text); return buf;
  }
  return "?";
}

static bool is_punct(Parser *ps, char c) { return ps->tok.kind == TK_PUNCT && ps->tok.punct == c; }
static bool is_word(Parser *ps, const char *w) {
  return ps->tok.kind == TK_WORD && strcmp(ps->tok.text, w) == 0;
}

static bool expect_punct(Parser *ps, char c) {
  if (!is_punct(ps, c)) return error(ps, "expected '%c', found %s", c, tok_desc(&ps->tok));
  return next(ps);
}

static bool expect_nl(Parser *ps) {
  if (ps->tok.kind == TK_EOF) return true;
  if (ps->tok.kind != TK_NL) return error(ps, "expected end of line, found %s", tok_desc(&ps->tok));
  return next(ps);
}

static bool skip_nls(Parser *ps) {
  while (ps->tok.kind == TK_NL)
    if (!next(ps)) return false;
  return true;
}

/* The current token as a word (consumed); NULL after a diagnostic. */
static const char *take_word(Parser *ps, const char *what) {
  if (ps->tok.kind != TK_WORD) return error(ps, "expected %s, found %s", what, tok_desc(&ps->tok)), NULL;
  const char *w = ps->tok.text;
  return next(ps) ? w : NULL;
}

static const char *take_string(Parser *ps, const char *what) {
  if (ps->tok.kind != TK_STRING) return error(ps, "expected %s, found %s", what, tok_desc(&ps->tok)), NULL;
  const char *s = ps->tok.text;
  return next(ps) ? s : NULL;
}

/* int ::= WORD spelling a decimal integer in [lo, hi] */
static bool take_int(Parser *ps, int64_t lo, int64_t hi, int64_t *out) {
  Loc loc = ps->tok.loc;
  const char *w = take_word(ps, "an integer");
  if (!w) return false;
  char *end;
  errno = 0;
  long long v = strtoll(w, &end, 10);
  if (*end || errno || v < lo || v > hi) {
    diag_error(loc, "'%s' is not an integer in [%lld, %lld]", w, (long long)lo, (long long)hi);
    return false;
  }
  *out = v;
  return true;
}

/* real ::= WORD that strtod reads whole (inf and nan included) */
static bool take_real(Parser *ps, double *out) {
  Loc loc = ps->tok.loc;
  const char *w = take_word(ps, "a number");
  if (!w) return false;
  char *end;
  *out = strtod(w, &end);
  if (*end || end == w) {
    diag_error(loc, "'%s' is not a number", w);
    return false;
  }
  return true;
}

/* ---- values and types ---- */

static Value *find_value(Graph *g, const char *name) {
  for (int i = 0; i < g->n_values; i++)
    if (strcmp(g->values[i]->name, name) == 0) return g->values[i];
  return NULL;
}

/* A new value's name: must not be taken yet. */
static const char *take_new_name(Parser *ps) {
  if (ps->tok.kind != TK_VALUE)
    return error(ps, "expected a value name, found %s", tok_desc(&ps->tok)), NULL;
  if (find_value(ps->g, ps->tok.text))
    return error(ps, "value '%%%s' is already defined", ps->tok.text), NULL;
  const char *name = ps->tok.text;
  return next(ps) ? name : NULL;
}

/* operand ::= VALUE | '_'   (defined earlier; '_' is an absent optional input) */
static bool take_operand(Parser *ps, Value **out) {
  if (is_word(ps, "_")) return *out = NULL, next(ps);
  if (ps->tok.kind != TK_VALUE) return error(ps, "expected a value, found %s", tok_desc(&ps->tok));
  *out = find_value(ps->g, ps->tok.text);
  if (!*out) return error(ps, "value '%%%s' is not defined (yet)", ps->tok.text);
  return next(ps);
}

/* shape ::= '[' (dim (',' dim)*)? ']'    dim ::= INT | 'T' */
static bool parse_shape(Parser *ps, Shape *s) {
  *s = (Shape){0};
  if (!expect_punct(ps, '[')) return false;
  while (!is_punct(ps, ']')) {
    if (s->rank && !expect_punct(ps, ',')) return false;
    if (s->rank == IR_MAX_RANK) return error(ps, "more than %d dimensions", IR_MAX_RANK);
    int64_t d = IR_DIM_T;
    if (is_word(ps, "T")) {
      if (!next(ps)) return false;
    } else if (!take_int(ps, 1, (int64_t)1 << 40, &d)) {
      return false;
    }
    s->dim[s->rank++] = d;
  }
  return next(ps);
}

static bool parse_dtype(Parser *ps, DType *dt) {
  const char *w = take_word(ps, "a dtype (f32, f64, i32, bool)");
  if (!w) return false;
  for (int i = 0; i < DT_COUNT; i++)
    if (strcmp(w, ir_dtype_name((DType)i)) == 0) return *dt = (DType)i, true;
  diag_error(ps->tok.loc, "unknown dtype '%s'", w);
  return false;
}

typedef struct {
  DType dtype;
  Shape shape;
  bool planned;
  bool plan_out;   /* '@out': the caller's output buffer */
  int64_t offset;
} TypeDecl;

/* type ::= ':' DTYPE shape ('@' (INT | 'out'))? */
static bool parse_type(Parser *ps, TypeDecl *t) {
  *t = (TypeDecl){0};
  if (!expect_punct(ps, ':') || !parse_dtype(ps, &t->dtype) || !parse_shape(ps, &t->shape))
    return false;
  if (!is_punct(ps, '@')) return true;
  if (!next(ps)) return false;
  if (is_word(ps, "out")) return t->plan_out = true, next(ps);
  t->planned = true;
  return take_int(ps, 0, INT64_MAX, &t->offset);
}

static void apply_plan(Value *v, const TypeDecl *t) {
  v->planned = t->planned;
  v->plan_out = t->plan_out;
  v->plan_offset = t->offset;
}

/* ---- constants ---- */

/* Deterministic pseudo-random data for a constant (no weights callback):
 * xorshift64 seeded by a hash of its name.  Floats in [-1, 1), ints in [0, 8). */
static void *random_data(Arena *a, const char *seed_text, DType dt, Shape shape) {
  uint64_t h = 1469598103934665603ull;
  for (const char *p = seed_text; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
  int64_t n = ir_numel(shape, 1);
  unsigned char *data = arena_alloc(a, (size_t)n * ir_dtype_size(dt));
  for (int64_t i = 0; data && i < n; i++) {
    h ^= h << 13, h ^= h >> 7, h ^= h << 17;
    double u = (double)(h >> 11) / 9007199254740992.0 * 2 - 1;
    switch (dt) {
    case DT_F32: ((float *)data)[i] = (float)u; break;
    case DT_F64: ((double *)data)[i] = u; break;
    case DT_I32: ((int32_t *)data)[i] = (int32_t)(h >> 61); break;
    case DT_BOOL: data[i] = (unsigned char)(h >> 63); break;
    default: TFC_UNREACHABLE();
    }
  }
  return data;
}

static const void *const_data(Parser *ps, const char *name, const char *source, const TypeDecl *t,
                              Loc loc) {
  if (!ps->weights) {
    const void *d = random_data(ps->arena, source ? source : name, t->dtype, t->shape);
    if (!d) diag_error(loc, "out of memory for constant '%%%s'", name);
    return d;
  }
  if (!source) {
    diag_error(loc, "constant '%%%s' names no tensor, so its data cannot be found", name);
    return NULL;
  }
  const void *d = ps->weights(ps->ctx, source, t->dtype, t->shape);
  if (!d) diag_error(loc, "constant '%%%s': no data for tensor '%s'", name, source);
  return d;
}

/* const ::= 'const' VALUE type ('=' STRING)? ('packed=' INT)?   ('quant=' ...: reserved) */
static bool parse_const(Parser *ps) {
  Loc loc = ps->tok.loc;
  const char *name, *source = NULL;
  TypeDecl t;
  if (!next(ps) || !(name = take_new_name(ps)) || !parse_type(ps, &t)) return false;
  for (int i = 0; i < t.shape.rank; i++)
    if (t.shape.dim[i] == IR_DIM_T) return error(ps, "constant '%%%s' cannot have a T dimension", name);
  if (is_punct(ps, '=') && (!next(ps) || !(source = take_string(ps, "a tensor name"))))
    return false;
  int64_t nr = 0;
  if (is_word(ps, "packed") && (!next(ps) || !expect_punct(ps, '=') || !take_int(ps, 1, 4096, &nr)))
    return false;
  if (is_word(ps, "quant"))   /* reserved for QuantInfo (docs/ir.md) */
    return error(ps, "quant= is reserved for quantization facts; no pass records them yet");
  const void *data = const_data(ps, name, source, &t, loc);
  if (!data) return false;
  Value *v = ir_const(ps->g, name, t.dtype, t.shape, data, source, loc);
  if (!v) return error(ps, "out of memory");
  apply_plan(v, &t);
  v->pack_nr = (int)nr;
  return expect_nl(ps);
}

/* input ::= 'input' VALUE type */
static bool parse_input(Parser *ps) {
  const char *name;
  TypeDecl t;
  if (!next(ps) || !(name = take_new_name(ps)) || !parse_type(ps, &t)) return false;
  Value *v = ir_input(ps->g, name, t.dtype, t.shape);
  if (!v) return error(ps, "out of memory");
  apply_plan(v, &t);
  return expect_nl(ps);
}

/* output ::= 'output' VALUE (',' VALUE)* */
static bool parse_output(Parser *ps) {
  if (!next(ps)) return false;
  do {
    if (is_punct(ps, ',') && !next(ps)) return false;
    Value *v;
    if (!take_operand(ps, &v)) return false;
    if (!v) return error(ps, "an output cannot be absent");
    int before = ps->g->n_outputs;
    ir_output(ps->g, v);
    if (ps->g->n_outputs == before) return error(ps, "out of memory");
  } while (is_punct(ps, ','));
  return expect_nl(ps);
}

/* ---- attributes ---- */

static const AttrDesc *find_attr(const char *key) {
  for (int i = 0; i < ir_n_attr_desc; i++)
    if (strcmp(ir_attr_desc[i].key, key) == 0) return &ir_attr_desc[i];
  return NULL;
}

/* perm ::= '[' INT (',' INT)* ']' */
static bool parse_perm(Parser *ps, int *perm) {
  if (!expect_punct(ps, '[')) return false;
  for (int i = 0; !is_punct(ps, ']'); i++) {
    int64_t v;
    if (i && !expect_punct(ps, ',')) return false;
    if (i == IR_MAX_RANK) return error(ps, "perm has more than %d entries", IR_MAX_RANK);
    if (!take_int(ps, 0, IR_MAX_RANK - 1, &v)) return false;
    perm[i] = (int)v;
  }
  return next(ps);
}

static bool parse_style(Parser *ps, RopeStyle *style) {
  if (is_word(ps, "halves")) *style = ROPE_HALVES;
  else if (is_word(ps, "interleaved")) *style = ROPE_INTERLEAVED;
  else return error(ps, "expected 'halves' or 'interleaved', found %s", tok_desc(&ps->tok));
  return next(ps);
}

/* The value of one attribute after its '=' (booleans have none). */
static bool parse_attr_value(Parser *ps, const AttrDesc *d, Attrs *at) {
  char *p = (char *)at + d->offset;
  int64_t v;
  switch (d->kind) {
  case AK_REAL: return take_real(ps, (double *)p);
  case AK_INT:
  case AK_PANELS:
    if (!take_int(ps, INT32_MIN, INT32_MAX, &v)) return false;
    *(int *)p = (int)v;
    return true;
  case AK_I64: return take_int(ps, INT64_MIN, INT64_MAX, (int64_t *)p);
  case AK_STYLE: return parse_style(ps, (RopeStyle *)p);
  case AK_SHAPE: return parse_shape(ps, (Shape *)p);
  case AK_PERM: return parse_perm(ps, (int *)p);
  case AK_BOOL: return *(bool *)p = true, true;
  case AK_OP:
    for (int op = 1; op < OP_COUNT; op++)
      if (!strcmp(ps->tok.text, ir_op_info[op].name)) return *(int *)p = op, next(ps);
    return error(ps, "expected an op name, found %s", tok_desc(&ps->tok));
  }
  TFC_UNREACHABLE();
}

/* rasp=STRING: a RASP node's own attributes (expression tree, default, kind),
 * read by the dialect (ir/rasp.c, ir_rasp_parse_attr_text). */
static bool parse_rasp_attr(Parser *ps, Node *n) {
  Loc loc = ps->tok.loc;
  const char *text, *why;
  if (!next(ps) || !expect_punct(ps, '=') || !(text = take_string(ps, "RASP attributes"))) return false;
  const Node *prev = ps->g->n_nodes > 1 ? ps->g->nodes[ps->g->n_nodes - 2] : NULL;
  if (ir_rasp_parse_attr_text(n, prev, text, ps->arena, &why) == 0) return true;
  diag_error(loc, "bad RASP attributes of '%%%s': %s", n->out->name, why);
  return false;
}

/* KERNEL: one of the names ir_set_kernel_names was given. */
static bool take_kernel(Parser *ps, KernelId *k) {
  const char *w = ps->tok.kind == TK_WORD ? ps->tok.text : NULL;
  for (KernelId i = 1; w && ir_kernel_name(i); i++)
    if (strcmp(w, ir_kernel_name(i)) == 0) return *k = i, next(ps);
  return error(ps, "expected a kernel name (target/kernels.def), got %s", tok_desc(&ps->tok));
}

/* The node facts a pass records beside the attributes, and the bit that
 * catches one given twice. */
static unsigned meta_bit(const char *key) {
  return !strcmp(key, "kernel") ? 1u << 29 : !strcmp(key, "act_kernel") ? 1u << 30
         : !strcmp(key, "note") ? 1u << 31 : 0;
}

/* attr ::= KEY '=' value | FLAG | 'kernel=' KERNEL | 'act_kernel=' KERNEL | 'note=' STRING
 * (RASP ops: the RASP dialect parses its own keys, e.g. the expression tree of
 * Attrs.rasp, through ir/rasp.h before this generic table is consulted.) */
static bool parse_attr(Parser *ps, Node *n, unsigned *seen) {
  const char *key = ps->tok.text;
  if (!strcmp(key, "rasp") && ir_op_info[n->op].dialect == RASP) return parse_rasp_attr(ps, n);
  const AttrDesc *d = find_attr(key);
  unsigned meta = meta_bit(key);
  if (!meta && (!d || !(ir_op_attrs(n->op) & d->bit)))
    return error(ps, "%s takes no attribute '%s'", ir_op_info[n->op].name, key);
  unsigned bit = d ? (unsigned)d->bit : meta;
  if (*seen & bit) return error(ps, "attribute '%s' given twice", key);
  *seen |= bit;
  if (!next(ps)) return false;
  if (d && d->kind == AK_BOOL) return parse_attr_value(ps, d, &n->attrs);
  if (!expect_punct(ps, '=')) return false;
  if (!meta) return parse_attr_value(ps, d, &n->attrs);
  if (meta != 1u << 31) return take_kernel(ps, meta == 1u << 29 ? &n->kernel : &n->act_kernel);
  return (n->note = take_string(ps, "a string")) != NULL;
}

/* ---- nodes ---- */

static bool find_op(Parser *ps, Op *op) {
  const char *w = ps->tok.text;
  if (ps->tok.kind == TK_WORD)
    for (int i = 0; i < OP_COUNT; i++)
      if (strcmp(w, ir_op_info[i].name) == 0) return *op = (Op)i, next(ps);
  return error(ps, "expected an op name, found %s", tok_desc(&ps->tok));
}

/* operands ::= (operand (',' operand)*)?   (up to 64) */
static bool parse_operands(Parser *ps, Value **in, int *n) {
  *n = 0;
  if (ps->tok.kind != TK_VALUE && !is_word(ps, "_")) return true;
  for (;;) {
    if (*n == 64) return error(ps, "more than 64 inputs");
    if (!take_operand(ps, &in[(*n)++])) return false;
    if (!is_punct(ps, ',')) return true;
    if (!next(ps)) return false;
  }
}

/* nn ops: the declared type must be what the type rules give. */
static bool check_node_type(Node *n, const TypeDecl *t) {
  if (ir_op_info[n->op].dialect != NN) return true;
  DType dt;
  Shape s;
  if (!ir_infer(n->op, n->inputs, n->n_inputs, &n->attrs, n->loc, &dt, &s)) return false;
  if (dt == t->dtype && ir_shape_eq(s, t->shape)) return true;
  char want[96], got[96];
  diag_error(n->loc, "%s gives %s, but %%%s is declared %s", ir_op_info[n->op].name,
             ir_type_str(dt, s, got, sizeof got), n->out->name,
             ir_type_str(t->dtype, t->shape, want, sizeof want));
  return false;
}

/* node ::= VALUE type '=' OP operands attr* */
static bool parse_node(Parser *ps) {
  Loc loc = ps->tok.loc;
  const char *name;
  TypeDecl t;
  Op op = OP_COUNT;
  Value *in[64];
  int n_in;
  if (!(name = take_new_name(ps)) || !parse_type(ps, &t) || !expect_punct(ps, '=') ||
      !find_op(ps, &op) || !parse_operands(ps, in, &n_in))
    return false;
  int arity = ir_op_info[op].arity;
  if (arity >= 0 && arity != n_in)
    return diag_error(loc, "%s takes %d inputs, found %d", ir_op_info[op].name, arity, n_in), false;
  Value *out = ir_node_typed(ps->g, op, in, n_in, NULL, name, loc, t.dtype, t.shape);
  if (!out) return error(ps, "out of memory");
  Node *n = out->producer;
  n->layer = ps->layer;
  apply_plan(out, &t);
  unsigned seen = 0;
  while (ps->tok.kind == TK_WORD)
    if (!parse_attr(ps, n, &seen)) return false;
  return check_node_type(n, &t) && expect_nl(ps);
}

/* ---- statements and the graph ---- */

static bool parse_stmt(Parser *ps, bool in_layer);

/* layer ::= 'layer' STRING '{' NL (node NL)* '}' */
static bool parse_layer(Parser *ps) {
  if (ps->layer) return error(ps, "layer blocks do not nest");
  if (!next(ps) || !(ps->layer = take_string(ps, "a layer name")) || !expect_punct(ps, '{'))
    return false;
  for (;;) {
    if (!skip_nls(ps)) return false;
    if (is_punct(ps, '}')) break;
    if (!parse_stmt(ps, true)) return false;
  }
  ps->layer = NULL;
  return next(ps) && expect_nl(ps);
}

/* passes ::= 'passes' WORD (',' WORD)* */
static bool parse_passes(Parser *ps) {
  Graph *g = ps->g;
  if (!next(ps)) return false;
  for (;;) {
    const char *name = take_word(ps, "a pass name");
    const char **list = arena_alloc(ps->arena, sizeof(char *) * (size_t)(g->n_passes_run + 1));
    if (!name) return false;
    if (!list) return error(ps, "out of memory");
    if (g->n_passes_run) memcpy(list, g->passes_run, sizeof(char *) * (size_t)g->n_passes_run);
    list[g->n_passes_run++] = name;
    g->passes_run = list;
    if (!is_punct(ps, ',')) return expect_nl(ps);
    if (!next(ps)) return false;
  }
}

/* stmt ::= input | const | node | layer | output | passes   (each ends a line) */
static bool parse_stmt(Parser *ps, bool in_layer) {
  if (ps->tok.kind == TK_VALUE) return parse_node(ps);
  if (ps->tok.kind == TK_EOF) return error(ps, "graph is not closed (missing '}')");
  if (!in_layer) {
    if (is_word(ps, "input")) return parse_input(ps);
    if (is_word(ps, "const")) return parse_const(ps);
    if (is_word(ps, "output")) return parse_output(ps);
    if (is_word(ps, "passes")) return parse_passes(ps);
  }
  if (is_word(ps, "layer")) return parse_layer(ps);
  return error(ps, "expected a statement, found %s", tok_desc(&ps->tok));
}

/* The family is the frontend's label, kept as written: the IR never reads it. */
static bool parse_family(Parser *ps, const char **family) {
  if (ps->tok.kind != TK_WORD) return error(ps, "expected a family name, found %s", tok_desc(&ps->tok));
  *family = arena_strdup(ps->arena, ps->tok.text);
  return *family ? next(ps) : error(ps, "out of memory");
}

/* A graph holding RASP ops is in the RASP dialect (its interpreter and emitter). */
static void set_dialect(Graph *g) {
  for (int i = 0; i < g->n_nodes; i++)
    if (ir_op_info[g->nodes[i]->op].dialect == RASP) g->dialect = RASP;
}

/* gattr ::= 'family=' WORD | 'max_seq=' INT | 'vocab=' INT | 'decoder'
 *         | 'source=' STRING | 'plan=' INT */
static bool parse_graph_attr(Parser *ps, Graph *g) {
  const char *key = ps->tok.text;
  if (!strcmp(key, "decoder")) return g->is_decoder = true, next(ps);
  if (!next(ps) || !expect_punct(ps, '=')) return false;
  if (!strcmp(key, "family")) return parse_family(ps, &g->family);
  if (!strcmp(key, "max_seq")) return take_int(ps, 0, INT32_MAX, &g->max_seq);
  if (!strcmp(key, "vocab")) return take_int(ps, 0, INT32_MAX, &g->vocab_size);
  if (!strcmp(key, "plan")) return take_int(ps, 0, INT64_MAX, &g->plan_bytes);
  if (!strcmp(key, "source")) return (g->source = take_string(ps, "a file name")) != NULL;
  return error(ps, "unknown graph attribute '%s'", key);
}

/* graph ::= 'graph' NAME gattr* '{' NL stmt* '}' */
static Graph *parse_graph(Parser *ps) {
  if (!skip_nls(ps)) return NULL;
  if (!is_word(ps, "graph")) return error(ps, "expected 'graph', found %s", tok_desc(&ps->tok)), NULL;
  if (!next(ps)) return NULL;
  if (ps->tok.kind != TK_WORD && ps->tok.kind != TK_STRING)
    return error(ps, "expected a graph name, found %s", tok_desc(&ps->tok)), NULL;
  Graph *g = ps->g = ir_graph_new(ps->arena, ps->tok.text, NN);
  if (!g) return error(ps, "out of memory"), NULL;
  if (!next(ps)) return NULL;
  while (ps->tok.kind == TK_WORD)
    if (!parse_graph_attr(ps, g)) return NULL;
  if (!expect_punct(ps, '{')) return NULL;
  for (;;) {
    if (!skip_nls(ps)) return NULL;
    if (is_punct(ps, '}')) break;
    if (!parse_stmt(ps, false)) return NULL;
  }
  if (!next(ps) || !skip_nls(ps)) return NULL;
  if (ps->tok.kind != TK_EOF) return error(ps, "unexpected %s after the graph", tok_desc(&ps->tok)), NULL;
  set_dialect(g);
  return g;
}

Graph *ir_parse(Arena *a, const char *text, const char *file, IrWeightLookup weights, void *ctx) {
  Parser ps = {.p = text, .at = diag_loc(file, 1, 1), .arena = a, .weights = weights, .ctx = ctx};
  if (!next(&ps)) return NULL;
  Graph *g = parse_graph(&ps);
  return g && ir_verify_packing(g) == 0 ? g : NULL;   /* "invalid IR: ..." at the line */
}
