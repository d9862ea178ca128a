/*
 * emit_rasp.c — a RASP graph as readable C: one function per program, one
 * array per s-op named after its source variable with the source line above
 * it, selectors as loops over key positions (never n×n matrices), strings and
 * lists as constant tables, and the value rules copied from
 * runtime/rasp/rasp_values.c.
 *
 * Temporaries (an unnamed element-wise s-op used once, by another element-wise
 * s-op) are folded into their user's expression, so `x = a + b * c;` is one
 * loop.  A temporary whose elements might mix types keeps its own array, as
 * it must be checked like every s-op the reference interpreter builds.
 * Run-time errors (division by zero, averaging strings, a missing dict key, a
 * mixed sequence) stop the program with a message; nothing wrong is printed.
 */
#include "codegen.h"
#include "rasp.h"

#include <stdlib.h>
#include <string.h>

#define INLINE_DEPTH 6   /* temporaries folded into one expression, at most */

typedef struct {
  const Graph *g;
  const char *name;      /* program name: prefix of every symbol */
  Buf *c;
  const char **cname;    /* by value id: the C name of its array */
  int *uses;             /* by value id */
  bool *inlined;         /* by value id: folded into its user */
  int n_tables;
  Buf tables;            /* constant tables, emitted before the program */
  const char **strings;  /* the string table: distinct string constants, in order of use */
  int n_strings, cap_strings;
} Emitter;

static void emit_expr(Emitter *e, const Node *nd, const RaspExpr *x, int depth);

/* ---- names ---- */

static bool is_reserved(const char *s) {
  static const char *words[] = {
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
      "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
      "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
      "union", "unsigned", "void", "volatile", "while", "n", "i", "j", "mean", "count", "input",
      "out", "mem", "main", "bool", "true", "false", "NULL", "errno", "abs", "round", "exp", "log",
      /* what the program function itself uses */
      "print_to", "text", "done", "calloc", "free", "fputs", "size_t", "FILE", "stdout", "stderr",
      "_Bool", "_Static_assert", "asm", "typeof", "fortran"};
  for (size_t k = 0; k < sizeof words / sizeof *words; k++)
    if (strcmp(s, words[k]) == 0) return true;
  return strncmp(s, "rt_", 3) == 0 || strncmp(s, "Rt", 2) == 0 || strncmp(s, "RT_", 3) == 0;
}

/* A C identifier for an IR value name ("map.3" -> "map_3", "int" -> "int_"). */
static const char *c_name(Emitter *e, const char *ir_name) {
  size_t n = strlen(ir_name);
  char *s = arena_alloc(e->g->arena, n + 2);
  if (!s) return "oom";
  for (size_t i = 0; i < n; i++) {
    char ch = ir_name[i];
    s[i] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ? ch : '_';
  }
  size_t k = strlen(e->name);   /* NAME_* are the program's own symbols */
  if (is_reserved(s) || (strncmp(s, e->name, k) == 0 && s[k] == '_')) s[n] = '_';
  return s;
}

/* ---- constants ---- */

/* A C string literal for s: backslashes, '?' (trigraphs) and non-printables escaped. */
static void emit_c_string(Buf *b, const char *s) {
  buf_puts(b, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '\\' || *p == '"' || *p == '?') buf_printf(b, "\\%c", *p);
    else if (*p < 32 || *p > 126) buf_printf(b, "\\%03o", *p);
    else buf_printf(b, "%c", *p);
  }
  buf_puts(b, "\"");
}

/* The index of s in the program's string table (added on first use). */
static int string_index(Emitter *e, const char *s) {
  for (int k = 0; k < e->n_strings; k++)
    if (strcmp(e->strings[k], s) == 0) return k;
  if (e->n_strings == e->cap_strings) {
    int cap = e->cap_strings ? 2 * e->cap_strings : 16;
    const char **p = arena_alloc(e->g->arena, sizeof(char *) * (size_t)cap);
    if (!p) return -1;
    if (e->n_strings) memcpy(p, e->strings, sizeof(char *) * (size_t)e->n_strings);
    e->strings = p, e->cap_strings = cap;
  }
  e->strings[e->n_strings] = s;
  return e->n_strings++;
}

static void emit_value(Emitter *e, Buf *b, RaspVal v) {
  int k;
  switch (v.kind) {
  case RV_STR:
    if ((k = string_index(e, v.str)) < 0) emit_c_string(b, v.str);
    else if (strlen(v.str) <= 16 && !strpbrk(v.str, "*/\\?\"") && strspn(v.str, " !#$%&'()+,-.0123456789:;<=>@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~") == strlen(v.str))
      buf_printf(b, "rt_str(%s_strings[%d] /* \"%s\" */)", e->name, k, v.str);
    else buf_printf(b, "rt_str(%s_strings[%d])", e->name, k);
    break;
  case RV_BOOL: buf_printf(b, "rt_bool(%d)", v.num != 0); break;
  case RV_INT: buf_printf(b, "rt_int(%.0f)", v.num); break;
  case RV_FLOAT: {
    char text[40];
    snprintf(text, sizeof text, "%.17g", v.num);
    buf_printf(b, "rt_float(%s%s)", text, strpbrk(text, ".eni") ? "" : ".0");
    break;
  }
  }
}

/* A table entry: the same value as a constant initializer. */
static void emit_initializer(Buf *b, RaspVal v) {
  static const char *kinds[] = {"RT_STR", "RT_BOOL", "RT_INT", "RT_FLOAT"};
  char text[40];
  snprintf(text, sizeof text, "%.17g", v.kind == RV_STR ? 0.0 : v.num);
  buf_printf(b, "{%s, %s%s, ", kinds[v.kind], text, strpbrk(text, ".eni") ? "" : ".0");   /* -0.0 stays -0.0 */
  if (v.kind == RV_STR) emit_c_string(b, v.str);
  else buf_puts(b, "NULL");
  buf_puts(b, "}");
}

/* Emits `static const RtVal NAME_tableK[] = {...};` and returns K. */
static int add_table(Emitter *e, const RaspVal *items, int n, const char *what) {
  int k = e->n_tables++;
  buf_printf(&e->tables, "/* %s */\nstatic const RtVal %s_table%d[%d] = {", what, e->name, k, n ? n : 1);
  for (int i = 0; i < n; i++) {
    buf_puts(&e->tables, i == 0 ? "\n    " : i % 4 ? ", " : ",\n    ");
    emit_initializer(&e->tables, items[i]);
  }
  if (n == 0) buf_puts(&e->tables, "{RT_INT, 0, NULL}");
  buf_puts(&e->tables, "\n};\n");
  return k;
}

/* ---- element-wise expressions ---- */

static const char *op_function(RaspOp op) {
  static const char *fn[RO_COUNT] = {
      "rt_add", "rt_sub", "rt_mul", "rt_div", "rt_mod", "rt_pow", "rt_eq", "rt_lt", "rt_gt",
      "rt_le", "rt_ge", "rt_and", "rt_or", "rt_not", "rt_neg", "rt_pos", "rt_round",
      "rt_indicator", "rt_to_int", "rt_to_float", "rt_to_bool"};
  return fn[op];
}

/* s-op v at position pos ("i" or "j"): its array, or its folded expression. */
static void emit_ref(Emitter *e, const Value *v, const char *pos, int depth) {
  if (e->inlined[v->id]) emit_expr(e, v->producer, v->producer->attrs.rasp, depth + 1);
  else buf_printf(e->c, "%s[%s]", e->cname[v->id], pos);
}

static void emit_arg(Emitter *e, const Node *nd, int k, int depth) {
  emit_ref(e, nd->inputs[k], "i", depth);
}

static void emit_lookup(Emitter *e, const Node *nd, const RaspExpr *x, int depth) {
  if (x->kind == RX_IN) {
    int t = add_table(e, x->items, x->n_items, "list for 'in'");
    buf_printf(e->c, "rt_in(%s_table%d, %d, ", e->name, t, x->n_items);
  } else if (x->keys) {
    int tk = add_table(e, x->keys, x->n_items, "dict keys");
    int tv = add_table(e, x->items, x->n_items, "dict values");
    buf_printf(e->c, "rt_dict_get(%s_table%d, %s_table%d, %d, ", e->name, tk, e->name, tv, x->n_items);
  } else {
    int t = add_table(e, x->items, x->n_items, "list");
    buf_printf(e->c, "rt_list_get(%s_table%d, %d, ", e->name, t, x->n_items);
  }
  emit_expr(e, nd, x->a, depth);
  buf_puts(e->c, ")");
}

static void emit_expr(Emitter *e, const Node *nd, const RaspExpr *x, int depth) {
  Buf *c = e->c;
  switch (x->kind) {
  case RX_ARG: emit_arg(e, nd, x->arg, depth); break;
  case RX_CONST: emit_value(e, c, x->value); break;
  case RX_UNARY:
    buf_printf(c, "%s(", op_function(x->op));
    emit_expr(e, nd, x->a, depth);
    buf_puts(c, ")");
    break;
  case RX_BINARY: {
    bool compare = x->op >= RO_EQ && x->op <= RO_GE;
    buf_printf(c, "%s%s(", compare ? "rt_bool(" : "", op_function(x->op));
    emit_expr(e, nd, x->a, depth);
    buf_puts(c, ", ");
    emit_expr(e, nd, x->b, depth);
    buf_puts(c, compare ? "))" : ")");
    break;
  }
  case RX_IF:
    buf_puts(c, "rt_if(");
    emit_expr(e, nd, x->b, depth);
    buf_puts(c, ", ");
    emit_expr(e, nd, x->a, depth);
    buf_puts(c, ", ");
    emit_expr(e, nd, x->c, depth);
    buf_puts(c, ")");
    break;
  case RX_IN: case RX_LOOKUP: emit_lookup(e, nd, x, depth); break;
  }
}

/* ---- selectors: a C condition on query i and key j ---- */

static void emit_selector(Emitter *e, const Value *sel) {
  const Node *nd = sel->producer;
  if (nd->op == OP_SELECT) {
    static const char *pred_fn[] = {"rt_eq", "rt_ne", "rt_lt", "rt_gt", "rt_le", "rt_ge"};
    buf_printf(e->c, "%s(", pred_fn[nd->attrs.predicate]);
    emit_ref(e, nd->inputs[0], "j", 0);
    buf_puts(e->c, ", ");
    emit_ref(e, nd->inputs[1], "i", 0);
    buf_puts(e->c, ")");
    return;
  }
  const RaspExpr *x = nd->attrs.rasp;   /* and / or / not of input selectors */
  if (x->kind == RX_UNARY) {
    buf_puts(e->c, "!");
    emit_selector(e, nd->inputs[x->a->arg]);
    return;
  }
  buf_puts(e->c, "(");
  emit_selector(e, nd->inputs[x->a->arg]);
  buf_puts(e->c, x->op == RO_AND ? " & " : " | ");   /* both sides, as the reference does */
  emit_selector(e, nd->inputs[x->b->arg]);
  buf_puts(e->c, ")");
}

/* A comment naming the selector, when it is a variable of the program. */
static void emit_selector_note(Emitter *e, const Value *sel) {
  if (sel->rasp->named) buf_printf(e->c, "  /* selector %s (line %d) */\n", sel->name, sel->rasp->src_line);
}

/* ---- one node ---- */

static void emit_node_body(Emitter *e, const Node *nd, const char *out) {
  Buf *c = e->c;
  switch (nd->op) {
  case OP_TOKENS:
    buf_printf(c, "  for (int i = 0; i < n; i++) %s[i] = rt_str(input[i]);\n", out);
    break;
  case OP_INDICES: buf_printf(c, "  for (int i = 0; i < n; i++) %s[i] = rt_int(i);\n", out); break;
  case OP_LENGTH: buf_printf(c, "  for (int i = 0; i < n; i++) %s[i] = rt_int(n);\n", out); break;
  case OP_MAP: case OP_ZIPMAP:
    buf_printf(c, "  for (int i = 0; i < n; i++) %s[i] = ", out);
    emit_expr(e, nd, nd->attrs.rasp, 0);
    buf_puts(c, ";\n");
    break;
  case OP_AGGREGATE:
    emit_selector_note(e, nd->inputs[0]);
    buf_puts(c, "  for (int i = 0; i < n; i++) {\n    RtMean mean = {0};\n"
                "    for (int j = 0; j < n; j++)\n      if (");
    emit_selector(e, nd->inputs[0]);
    buf_puts(c, ") rt_mean_add(&mean, ");
    emit_ref(e, nd->inputs[1], "j", 0);
    buf_printf(c, ");\n    %s[i] = rt_mean_end(&mean, ", out);
    emit_value(e, c, nd->attrs.rasp->value);
    buf_puts(c, ");\n  }\n");
    break;
  case OP_SELECTOR_WIDTH:
    emit_selector_note(e, nd->inputs[0]);
    buf_puts(c, "  for (int i = 0; i < n; i++) {\n    int count = 0;\n"
                "    for (int j = 0; j < n; j++) count += ");
    emit_selector(e, nd->inputs[0]);
    buf_printf(c, ";\n    %s[i] = rt_int(count);\n  }\n", out);
    break;
  default: TFC_UNREACHABLE();
  }
}

static bool is_elementwise(const Node *nd) { return nd->op == OP_MAP || nd->op == OP_ZIPMAP; }

/* Which temporaries fold into their single user (depth-limited). */
static void plan_inlining(Emitter *e) {
  const Graph *g = e->g;
  int *depth = calloc((size_t)g->n_values, sizeof(int));
  if (!depth) return;
  for (int k = 0; k < g->n_nodes; k++) {
    const Node *nd = g->nodes[k];
    int d = 0;
    if (nd->op == OP_ZIPMAP && nd->n_inputs == 0 && nd->out != g->outputs[0])
      e->inlined[nd->out->id] = true;   /* a constant broadcast: written as the constant */
    for (int a = 0; a < nd->n_inputs; a++)
      if (e->inlined[nd->inputs[a]->id] && depth[nd->inputs[a]->id] + 1 > d) d = depth[nd->inputs[a]->id] + 1;
    depth[nd->out->id] = d;
    if (!is_elementwise(nd) || d >= INLINE_DEPTH) continue;
    for (int a = 0; a < nd->n_inputs; a++) {
      const Value *v = nd->inputs[a];
      const Node *p = v->producer;
      if (p && is_elementwise(p) && !v->rasp->named && v->rasp->kind != RK_ANY && e->uses[v->id] == 1 &&
          v != g->outputs[0] && depth[v->id] + 1 < INLINE_DEPTH)
        e->inlined[v->id] = true;
    }
  }
  free(depth);
}

/* Source line of a node, once per statement. */
static void emit_source_comment(Emitter *e, const Node *nd, const char **last) {
  const char *src = nd->out->rasp->src;
  if (!src || src == *last) return;
  *last = src;
  buf_printf(e->c, "\n  /* %s:%d: %s */\n", ir_rasp_src_file(nd), nd->out->rasp->src_line, src);
}

static int array_count(const Emitter *e) {
  int count = 0;
  for (int k = 0; k < e->g->n_nodes; k++) {
    const Node *nd = e->g->nodes[k];
    count += nd->out->shape.rank == 1 && !e->inlined[nd->out->id];
  }
  return count;
}

static void emit_program(Emitter *e) {
  const Graph *g = e->g;
  Buf *c = e->c;
  const char *file = g->source && strrchr(g->source, '/') ? strrchr(g->source, '/') + 1 : g->source;
  buf_printf(c, "/* The program: every s-op of %s, in order, on n input tokens; then prints\n"
                " * the output s-op '%s'.  Returns 0, or -1 with %s_last_error(). */\n",
             file ? file : "the program", g->outputs[0]->name, e->name);
  buf_printf(c, "static int %s_program(int n, const char *const *input, FILE *print_to) {\n", e->name);
  buf_printf(c, "  RtVal *mem = calloc((size_t)n * %d, sizeof(RtVal));   /* one array per s-op */\n"
                "  if (!mem) return %s_fail(\"out of memory\", 0);\n",
             array_count(e), e->name);
  bool reads_tokens = false;
  for (int k = 0; k < g->n_nodes; k++) reads_tokens |= g->nodes[k]->op == OP_TOKENS;
  if (!reads_tokens) buf_puts(c, "  (void)input;   /* the program reads only the length of its input */\n");
  int slot = 0;
  const char *last_src = NULL;
  for (int k = 0; k < g->n_nodes; k++) {
    const Node *nd = g->nodes[k];
    if (nd->out->shape.rank != 1 || e->inlined[nd->out->id]) continue;
    const char *out = e->cname[nd->out->id];
    emit_source_comment(e, nd, &last_src);
    buf_printf(c, "  RtVal *%s = mem + %d * (size_t)n;\n", out, slot++);
    emit_node_body(e, nd, out);
    buf_printf(c, "  if (%s_check(%s, n, \"%s\", %d)) goto done;\n", e->name, out, nd->out->name,
               nd->out->rasp->src_line);
  }
  buf_printf(c, "\n  /* output: %s */\n", g->outputs[0]->name);
  buf_printf(c, "  for (int i = 0; i < n; i++) {\n    char text[48];\n"
                "    fputs(i ? \" \" : \"\", print_to);\n"
                "    fputs(rt_format(%s[i], text), print_to);\n  }\n  fputs(\"\\n\", print_to);\n",
             e->cname[g->outputs[0]->id]);
  buf_puts(c, "done:\n  free(mem);\n  return rt_error[0] ? -1 : 0;\n}\n\n");
}

/* ---- the file ---- */

static void emit_prologue(Emitter *e, const CgOptions *opt) {
  Buf *c = e->c;
  buf_printf(c, "/*\n * Generated by tfc %s from %s — do not edit.\n * %s\n *\n"
                " * The RASP program as C: %s_program() computes each s-op as an array (named\n"
                " * after the source variable, the source line above it); selectors are loops\n"
                " * over key positions j for each query position i.\n */\n",
             TFC_VERSION, e->g->source, opt->command_line ? opt->command_line : "tfc", e->name);
  if (e->g->n_passes_run) {   /* passes that ran on the graph (all exact on RASP graphs) */
    buf_puts(c, "/* passes:");
    for (int k = 0; k < e->g->n_passes_run; k++) buf_printf(c, "%s %s", k ? "," : "", e->g->passes_run[k]);
    buf_puts(c, " */\n");
  }
  buf_printf(c, "#include \"%s\"\n\n", opt->header_name ? opt->header_name : "prog.h");
  buf_puts(c, "// ---------------------------------------------------------------------------\n"
              "// RASP values (runtime/rasp/rasp_values.c)\n\n");
  buf_puts(c, cg_embedded_file("runtime/rasp/rasp_values.c"));
  buf_printf(c, "\n// ---------------------------------------------------------------------------\n"
                "// errors\n\nstatic char %s_error[640];\n\n", e->name);
  buf_printf(c, "const char *%s_last_error(void) { return %s_error; }\n\n", e->name, e->name);
  buf_printf(c, "static int %s_fail(const char *what, int line) {\n"
                "  snprintf(%s_error, sizeof %s_error, \"line %%d: %%s\", line, what);\n"
                "  if (!rt_error[0]) snprintf(rt_error, sizeof rt_error, \"%%s\", what);\n  return -1;\n}\n\n",
             e->name, e->name, e->name);
  buf_printf(c, "/* Checks s-op seq (one type; no run-time error so far).  1 when the program must stop. */\n"
                "static int %s_check(const RtVal *seq, int n, const char *name, int line) {\n"
                "  rt_check_seq(seq, n);\n  if (!rt_error[0]) return 0;\n"
                "  if (line) snprintf(%s_error, sizeof %s_error, \"line %%d, s-op '%%s': %%s\", line, name, rt_error);\n"
                "  else snprintf(%s_error, sizeof %s_error, \"s-op '%%s': %%s\", name, rt_error);\n"
                "  return 1;\n}\n\n",
             e->name, e->name, e->name, e->name, e->name);
}

static void emit_api(Emitter *e) {
  buf_printf(e->c, "// ---------------------------------------------------------------------------\n"
                   "// API\n\nint %s_run(const char *const *tokens, int n, FILE *out) {\n"
                   "  rt_error[0] = 0, %s_error[0] = 0;\n"
                   "  if (n < 1) return %s_fail(\"a RASP program needs at least one input token\", 0);\n"
                   "  int rc = %s_program(n, tokens, out);\n  rt_release();\n  return rc;\n}\n",
             e->name, e->name, e->name, e->name);
}

static void emit_main(Emitter *e) {
  buf_printf(e->c, "\n// ---------------------------------------------------------------------------\n"
                   "// main: ./%s TOK TOK ...  or  ./%s --chars STRING\n\n"
                   "int main(int argc, char **argv) {\n"
                   "  const char **tokens = calloc((size_t)argc + strlen(argc > 2 ? argv[2] : \"\") + 1, sizeof(char *));\n"
                   "  char *chars = NULL;\n  int n = 0;\n  if (!tokens) return 1;\n"
                   "  if (argc == 3 && strcmp(argv[1], \"--chars\") == 0) {\n"
                   "    size_t len = strlen(argv[2]);\n    chars = malloc(2 * len + 1);\n"
                   "    for (size_t i = 0, o = 0; chars && i < len; ) {   /* one token per UTF-8 character */\n"
                   "      tokens[n++] = chars + o;\n"
                   "      do chars[o++] = argv[2][i++]; while (i < len && ((unsigned char)argv[2][i] & 0xC0) == 0x80);\n"
                   "      chars[o++] = 0;\n    }\n"
                   "  } else {\n    for (int k = 1; k < argc; k++) tokens[n++] = argv[k];\n  }\n"
                   "  int rc = %s_run(tokens, n, stdout);\n"
                   "  if (rc) fprintf(stderr, \"%%s: error: %%s\\n\", argv[0], %s_last_error());\n"
                   "  free(chars);\n  free(tokens);\n  return rc ? 1 : 0;\n}\n",
             e->name, e->name, e->name, e->name);
}

static void emit_header(const Emitter *e, Buf *h) {
  buf_printf(h, "/* Generated by tfc %s from %s — do not edit. */\n#ifndef %s_H\n#define %s_H\n\n"
                "#include <stdio.h>\n\n"
                "/* Runs the RASP program on n >= 1 tokens (as typed; tokens_int etc. convert\n"
                " * them) and prints the output s-op to out: one line, values separated by\n"
                " * single spaces.  Returns 0, or -1 after a run-time error, printing nothing. */\n"
                "int %s_run(const char *const *tokens, int n, FILE *out);\n"
                "const char *%s_last_error(void);   /* what went wrong, with the source line */\n\n#endif\n",
             TFC_VERSION, e->g->source, e->name, e->name, e->name, e->name);
}

int cg_emit_rasp(const Graph *g, const CgOptions *opt, Buf *c, Buf *h) {
  if (g->n_outputs != 1 || !cg_embedded_file("runtime/rasp/rasp_values.c")) {
    diag_error(diag_loc(g->source, 0, 0), "RASP emitter: no output s-op, or runtime missing");
    return -1;
  }
  for (int k = 0; k < g->n_nodes; k++)
    if (ir_op_info[g->nodes[k]->op].dialect != RASP || ir_rasp_verify_node(g->nodes[k])) {
      diag_error(g->nodes[k]->loc, "RASP emitter: '%s' is not a well-formed RASP node", g->nodes[k]->out->name);
      return -1;
    }
  Emitter e = {.g = g, .name = g->name, .c = c};
  e.cname = arena_alloc(g->arena, sizeof(char *) * (size_t)g->n_values);
  e.uses = arena_alloc(g->arena, sizeof(int) * (size_t)g->n_values);
  e.inlined = arena_alloc(g->arena, sizeof(bool) * (size_t)g->n_values);
  if (!e.cname || !e.uses || !e.inlined) return diag_error(LOC_NONE, "out of memory"), -1;
  for (int k = 0; k < g->n_nodes; k++) {
    const Node *nd = g->nodes[k];
    e.cname[nd->out->id] = c_name(&e, nd->out->name);
    for (int a = 0; a < nd->n_inputs; a++) e.uses[nd->inputs[a]->id]++;
  }
  e.uses[g->outputs[0]->id]++;
  plan_inlining(&e);
  emit_prologue(&e, opt);
  Buf program = {0};
  e.c = &program;
  emit_program(&e);
  e.c = c;
  buf_puts(c, "// ---------------------------------------------------------------------------\n"
              "// constants: the string table, lists and dicts of the program\n\n");
  if (e.n_strings) {
    buf_printf(c, "/* the program's strings */\nstatic const char *const %s_strings[%d] = {\n", e.name, e.n_strings);
    for (int k = 0; k < e.n_strings; k++) {
      buf_puts(c, "    "), emit_c_string(c, e.strings[k]);
      buf_printf(c, ",   /* %d */\n", k);
    }
    buf_puts(c, "};\n\n");
  }
  if (e.tables.len) buf_puts(c, e.tables.data);
  buf_puts(c, "\n// ---------------------------------------------------------------------------\n"
              "// the program\n\n");
  buf_puts(c, program.data);
  emit_api(&e);
  if (opt->with_main) emit_main(&e);
  emit_header(&e, h);
  buf_free(&program), buf_free(&e.tables);
  return 0;
}
