/*
 * emit_c.c — the C emitter: turns an nn-dialect graph into one readable,
 * self-contained model.c (and model.h) laid out like llama2.c's run.c:
 *
 *   header comment   tfc version, input, command line, passes, memory table
 *   // --- config    NAME_Config: the model's dimensions and the sizes the API checks
 *   // --- weights   NAME_Weights: one pointer per constant, bound by walking the blob
 *   // --- state     NAME_State: one buffer per activation, the KV caches (emit_c_state.c)
 *   // --- kernels   the runtime files the graph needs, copied verbatim
 *   // --- forward   NAME_forward: checks, one commented call per node, in graph order
 *   // --- API       bind_weights, bind_state, NAME_open / _close / _reset / _set_threads
 *   // --- weight data, and // --- main (with --main)
 *
 * This file holds the orchestration and the small text helpers the other
 * emit_c*.c files share; weights live in emit_c_weights.c, the state in
 * emit_c_state.c, per-op calls in emit_c_ops.c and the driver in
 * emit_c_driver.c.  The output depends only
 * on the graph and the options, so two runs give identical bytes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"

/* ---- small text helpers ---- */

/* text with every comment opener and closer defused (and newlines, unless
 * keep_lines), safe inside a C comment. */
static const char *defuse(const CgEmit *e, const char *text, bool keep_lines) {
  char *s = arena_strdup(e->g->arena, text ? text : "");
  if (!s) return "";   /* out of memory: the driver reports it (arena_failed) */
  for (char *p = s; *p; p++) {
    if (!keep_lines && (*p == '\n' || *p == '\r')) *p = ' ';
    if (p[0] == '*' && p[1] == '/') p[1] = '|';
    if (p[0] == '/' && p[1] == '*') p[1] = '|';
  }
  return s;
}

const char *cg_comment(const CgEmit *e, const char *text) { return defuse(e, text, false); }

/* text as the inside of a C string literal: quotes, backslashes and
 * non-printing bytes escaped. */
const char *cg_cstring(const CgEmit *e, const char *text) {
  Buf b = {0};
  buf_puts(&b, "");
  for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
    if (*p == '"' || *p == '\\')
      buf_printf(&b, "\\%c", *p);
    else if (*p < 32 || *p >= 127)
      buf_printf(&b, "\\%03o", *p);
    else
      buf_append(&b, p, 1);
  }
  const char *r = arena_strdup(e->g->arena, b.data);
  buf_free(&b);
  return r;
}

/* The shortest "%.Ng" that reads back as the same float, as a float literal. */
const char *cg_float(const CgEmit *e, double x) {
  char buf[48];
  float f = (float)x;
  for (int prec = 6; prec <= 9; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
    if ((float)strtod(buf, NULL) == f) break;
  }
  if (!strpbrk(buf, ".en")) strcat(buf, ".0");   /* "1" -> "1.0f"; n: inf/nan never get here */
  return arena_printf(e->g->arena, "%sf", buf);
}

/* mult times the product of dims [from, to) of s, as C text: "T*4", "64". */
const char *cg_bytes(const CgEmit *e, Shape s, int from, int to, int64_t mult) {
  int64_t fixed = mult;
  int t = 0;
  for (int i = from; i < to; i++) {
    if (s.dim[i] == IR_DIM_T)
      t++;
    else
      fixed *= s.dim[i];
  }
  Buf b = {0};
  for (int i = 0; i < t; i++) buf_printf(&b, "%sT", i ? "*" : "");
  if (fixed != 1 || t == 0) buf_printf(&b, "%s%lld", t ? "*" : "", (long long)fixed);
  const char *r = arena_strdup(e->g->arena, b.data);
  buf_free(&b);
  return r;
}

const char *cg_dims(const CgEmit *e, Shape s, int from, int to) {
  return cg_bytes(e, s, from, to, 1);
}

int64_t cg_align64(int64_t x) { return (x + 63) & ~(int64_t)63; }

/* How the forward code names a value's data. */
const char *cg_ref(const CgEmit *e, const Value *v) {
  if (v->is_input) return "tokens";
  if (v == e->out_value) return "out";   /* the caller's buffer (ir_caller_output) */
  return arena_printf(e->g->arena, "%s->%s", v->is_const ? "w" : "s", e->cname[v->id]);
}

const char *cg_shape_text(const CgEmit *e, Shape s) {
  Buf b = {0};
  buf_puts(&b, "[");
  for (int i = 0; i < s.rank; i++) {
    if (s.dim[i] == IR_DIM_T)
      buf_printf(&b, "%sT", i ? "," : "");
    else
      buf_printf(&b, "%s%lld", i ? "," : "", (long long)s.dim[i]);
  }
  buf_puts(&b, "]");
  const char *r = arena_strdup(e->g->arena, b.data);
  buf_free(&b);
  return r;
}

const char *cg_c_type(DType dt) {
  static const char *names[DT_COUNT] = {"float", "double", "int32_t", "uint8_t"};
  return names[dt];
}

/* ---- analysis: which values are used, and their C names ---- */

static bool is_c_keyword(const char *s) {
  static const char *words[] = {"auto", "break", "case", "char", "const", "continue", "default",
                                "do", "double", "else", "enum", "extern", "float", "for", "goto",
                                "if", "inline", "int", "long", "register", "restrict", "return",
                                "short", "signed", "sizeof", "static", "struct", "switch",
                                "typedef", "union", "unsigned", "void", "volatile", "while",
                                "att", "unused_", NULL};   /* struct members of our own */
  for (int i = 0; words[i]; i++)
    if (strcmp(s, words[i]) == 0) return true;
  return false;
}

/* A C identifier for v's debug name: "h.0.ln_1" -> "h_0_ln_1", unique in the
 * model: a clash takes a suffix, the later value in model order (the first `k`
 * of e->order are named). */
static const char *c_name(CgEmit *e, const Value *v, int k) {
  Buf b = {0};
  if (!isalpha((unsigned char)v->name[0]) && v->name[0] != '_') buf_puts(&b, "v_");
  for (const char *p = v->name; *p; p++) {
    char ch = isalnum((unsigned char)*p) ? *p : '_';
    if (ch != '_' || !b.len || b.data[b.len - 1] != '_') buf_append(&b, &ch, 1);
  }
  if (is_c_keyword(b.data) || strncmp(b.data, "k_cache_", 8) == 0 ||
      strncmp(b.data, "v_cache_", 8) == 0 || strncmp(b.data, "rope_table_", 11) == 0)
    buf_puts(&b, "_");
  const char *base = arena_strdup(e->g->arena, b.data), *name = base;
  buf_free(&b);
  for (int suffix = 2; name; suffix++) {   /* NULL: out of memory */
    bool taken = false;
    for (int i = 0; i < k && !taken; i++) taken = strcmp(e->cname[e->order[i]->id], name) == 0;
    if (!taken) return name;
    name = arena_printf(e->g->arena, "%s_%d", base, suffix);
  }
  return NULL;
}

/* Appends v to e->order unless it is there (seen: by value id). */
static void add_in_order(CgEmit *e, const Value *v, bool *seen) {
  if (v && !seen[v->id]) seen[v->id] = true, e->order[e->n_order++] = v;
}

/* e->order: the values as the forward pass meets them (CgEmit.order), so the
 * weights, the state and the names follow the model, not the order in which
 * the frontend and the passes happened to create values. */
static int order_values(CgEmit *e) {
  const Graph *g = e->g;
  bool *seen = arena_alloc(g->arena, sizeof(bool) * ((size_t)g->n_values + 1));
  e->order = arena_alloc(g->arena, sizeof(Value *) * ((size_t)g->n_values + 1));
  if (!seen || !e->order) return -1;
  for (int i = 0; i < g->n_inputs; i++) add_in_order(e, g->inputs[i], seen);
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_inputs; k++) add_in_order(e, n->inputs[k], seen);
    add_in_order(e, n->out, seen);
  }
  for (int i = 0; i < g->n_outputs; i++) add_in_order(e, g->outputs[i], seen);
  for (int i = 0; i < g->n_values; i++) add_in_order(e, g->values[i], seen);
  return 0;
}

/* Marks values read by live nodes or outputs, names every value, and checks
 * that the graph is one the C emitter can run.  Returns 0, or -1. */
static int analyse(CgEmit *e) {
  const Graph *g = e->g;
  size_t n = (size_t)g->n_values + 1;
  e->cname = arena_alloc(g->arena, sizeof(char *) * n);
  e->used = arena_alloc(g->arena, sizeof(bool) * n);
  e->transposed = arena_alloc(g->arena, sizeof(bool) * n);
  e->offset = arena_alloc(g->arena, sizeof(int64_t) * n);
  if (!e->cname || !e->used || !e->transposed || !e->offset) return -1;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *nd = g->nodes[i];
    if (nd->dead) continue;
    if (ir_op_info[nd->op].dialect != NN) {
      diag_error(nd->loc, "C emitter: %s is a RASP op; RASP programs go through emit_rasp",
                 ir_op_info[nd->op].name);
      return -1;
    }
    const Kernel *row = tg_kernel(nd->kernel);   /* NULL: the portable row, which reads row-major */
    bool reads_panels = row && (row->layout == KL_PANELS || row->layout == KL_ANY);
    if (nd->op == OP_LINEAR && nd->inputs[1]->pack_nr && !reads_panels) {
      diag_error(nd->loc, "C emitter: '%s' is stored pre-packed (prepack) but no kernel reads its "
                 "panels: run select_kernels after prepack", nd->inputs[1]->name);
      return -1;
    }
    e->used[nd->out->id] = true;
    for (int k = 0; k < nd->n_inputs; k++)
      if (nd->inputs[k]) e->used[nd->inputs[k]->id] = true;
  }
  for (int i = 0; i < g->n_outputs; i++) e->used[g->outputs[i]->id] = true;
  if (order_values(e)) return -1;
  for (int k = 0; k < e->n_order; k++)
    if (!(e->cname[e->order[k]->id] = c_name(e, e->order[k], k))) return -1;   /* out of memory */
  if (g->n_inputs != 1 || g->inputs[0]->dtype != DT_I32 || g->inputs[0]->shape.rank != 1 ||
      g->inputs[0]->shape.dim[0] != IR_DIM_T) {
    diag_error(LOC_NONE, "C emitter: graph '%s' must have one input, token ids i32[T]", g->name);
    return -1;
  }
  const char *h = e->opt->header_name;
  if (h && h[strcspn(h, "\"\\\n")]) {
    diag_error(LOC_NONE, "C emitter: a header named '%s' cannot be #included; choose another "
               "output name", h);
    return -1;
  }
  if (g->max_seq <= 0 || g->max_seq > INT32_MAX) {
    diag_error(LOC_NONE, "C emitter: graph '%s' needs a context length (max_seq) of 1 or more",
               g->name);
    return -1;
  }
  const Value *out = g->n_outputs ? g->outputs[0] : NULL;
  if (!out || out->dtype != DT_F32 || out->shape.rank < 1 || out->shape.dim[0] != IR_DIM_T ||
      ir_numel(out->shape, 1) != ir_last_dim(out)) {
    diag_error(LOC_NONE, "C emitter: graph '%s' must have an f32 output [T,D]", g->name);
    return -1;
  }
  e->out_value = ir_caller_output(g);
  return 0;
}

/* ---- runtime files ---- */

/* Copies runtime/<path> into the output once, after the files its PIECE row
 * in target/kernels.def says it needs. */
int cg_copy_runtime(CgEmit *e, const char *path) {
  for (int i = 0; i < e->n_files; i++)
    if (strcmp(e->files[i], path) == 0) return 0;
  const char *full = arena_printf(e->g->arena, "runtime/%s", path);
  if (!full) return -1;   /* out of memory: the driver reports it */
  const char *text = cg_embedded_file(full), *needs = tg_piece_needs(path);
  if (!text || !needs || e->n_files == CG_MAX_FILES) {
    diag_error(LOC_NONE, "C emitter: runtime file '%s' is not built into this tfc", path);
    return -1;
  }
  e->files[e->n_files++] = path;
  while (*needs) {
    size_t len = strcspn(needs, " ");
    char *need = arena_printf(e->g->arena, "%.*s", (int)len, needs);
    if (!need || cg_copy_runtime(e, need)) return -1;   /* out of memory: the driver reports it */
    needs += len + (needs[len] == ' ');
  }
  buf_printf(e->c, "// --- kernels: runtime/%s\n\n%s\n", path, text);
  return 0;
}

/* Marks in isas[] the target of every kernel a live node calls. */
static void kernel_isas(const CgEmit *e, bool isas[TARGET_COUNT]) {
  for (int i = 0; i < e->g->n_nodes; i++) {
    const Node *n = e->g->nodes[i];
    const Kernel *k = tg_kernel(n->kernel), *act = tg_kernel(n->act_kernel);
    if (n->dead) continue;
    if (k) isas[k->isa] = true;
    if (act) isas[act->isa] = true;
  }
}

/* The CPU features of the targets whose kernels the model calls (their
 * records' features), each checked once at open. */
static void emit_cpu_checks(CgEmit *e) {
  bool isas[TARGET_COUNT] = {0};
  kernel_isas(e, isas);
  for (int t = 0; t < TARGET_COUNT; t++) {
    for (const char *f = isas[t] ? tg_target(t)->features : ""; *f;) {
      int len = (int)strcspn(f, " ");
      buf_printf(e->c,
                 "  if (!__builtin_cpu_supports(\"%.*s\"))\n"
                 "    return fail_open(m, \"this program was built for %.*s, which this CPU lacks\");\n",
                 len, f, len, f);
      f += len + (f[len] == ' ');
    }
  }
}

/* ---- header comment, config ---- */

/* One line per pass that ran, with its kind from passes.def ("exact (...)"). */
static void emit_passes(CgEmit *e) {
  const Graph *g = e->g;
  buf_printf(e->c, " * -O%d; passes run, in order:%s\n", e->opt->opt_level,
             g->n_passes_run ? "" : " none");
  for (int i = 0; i < g->n_passes_run; i++) {
    const char *kind = e->opt->pass_kind ? e->opt->pass_kind(g->passes_run[i]) : NULL;
    buf_printf(e->c, " *   %-16s %s\n", cg_comment(e, g->passes_run[i]),
               cg_comment(e, kind ? kind : ""));
  }
}

static void emit_header_comment(CgEmit *e) {
  const Graph *g = e->g;
  Buf *c = e->c, stats = {0};
  buf_printf(c, "/*\n * %s.c — generated by tfc %s; do not edit.\n *\n", e->name, TFC_VERSION);
  buf_printf(c, " * input:   %s\n", cg_comment(e, g->source ? g->source : "(built in memory)"));
  buf_printf(c, " * command: %s\n *\n",
             cg_comment(e, e->opt->command_line ? e->opt->command_line : "-"));
  emit_passes(e);
  buf_printf(c, " *\n * memory:  weights %lld bytes (%s),\n"
                " *          state %lld bytes (activations %lld%s, KV cache %lld)\n",
             (long long)e->blob_bytes, e->embed ? "embedded below" : "in a weights file",
             (long long)e->state_bytes, (long long)(e->state_bytes - e->kv_bytes),
             g->plan_bytes ? ", memory plan" : "", (long long)e->kv_bytes);
  if (e->out_value)
    buf_printf(c, " *          output %s %s: the caller's buffer (forward's out), not the state\n",
               cg_comment(e, e->out_value->name), cg_shape_text(e, e->out_value->shape));
  ir_format_stats(g, " *   ", &stats);
  if (stats.len) buf_printf(c, " * stats (as tfc --stats):\n%s", defuse(e, stats.data, true));
  buf_free(&stats);
  const char *h = e->opt->header_name ? e->opt->header_name : "model.h";
  int stem = (int)(strlen(h) > 2 ? strlen(h) - 2 : strlen(h));   /* "t2.h" -> "t2" */
  buf_printf(c, " *\n * API (%s): %s_open, %s_forward, %s_reset, %s_close, %s_last_error.\n"
                " * Build: cc -O2 %.*s.c -lm -lpthread (with its driver or your program).\n */\n",
             h, e->name, e->name, e->name, e->name, e->name, stem, h);
  buf_printf(c, "#define _POSIX_C_SOURCE 200809L\n#include \"%s\"\n\n", h);
  buf_puts(c, "#include <math.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
              "#include <string.h>\n#include <sys/mman.h>\n\n");
}

static int64_t out_dim(const CgEmit *e) { return ir_last_dim(e->g->outputs[0]); }

/* ---- forward ---- */

static void emit_errors(CgEmit *e) {
  buf_printf(e->c,
             "static char last_error[256];\n\n"
             "const char *%s_last_error(void) { return last_error; }\n\n"
             "/* Records what went wrong for %s_last_error(); returns code. */\n"
             "static int fail(int code, const char *fmt, long a, long b, long c) {\n"
             "  snprintf(last_error, sizeof last_error, fmt, a, b, c);\n"
             "  return code;\n}\n\n",
             e->name, e->name);
}

/* Appends one line of the forward pass, broken before column 100: code at
 * the commas between a call's arguments (continued 6 columns in), comments
 * at spaces (continued under their text). */
static void wrap_line(Buf *out, const char *line, size_t len) {
  bool comment = len > 4 && strncmp(line, "  /*", 4) == 0;
  size_t col = 0;
  int depth = 0;
  for (size_t i = 0; i < len; i++) {
    char ch = line[i];
    depth += (ch == '(' || ch == '{' || ch == '[') - (ch == ')' || ch == '}' || ch == ']');
    bool can_break = comment ? ch == ' ' && i > 4 && i + 3 != len   /* keep the closing star-slash */
                             : ch == ' ' && i > 0 && line[i - 1] == ',' && depth == 1;
    size_t next = i + 1;   /* where the next word or argument ends */
    while (next < len && line[next] != ' ') next++;
    if (can_break && col + (next - i) > 99) {
      while (out->len && out->data[out->len - 1] == ' ') out->data[--out->len] = 0;
      buf_puts(out, comment ? "\n     " : "\n      ");
      col = comment ? 5 : 6;
      while (i + 1 < len && line[i + 1] == ' ') i++;
      continue;
    }
    buf_append(out, &ch, 1);
    col++;
  }
  buf_puts(out, "\n");
}

/* Appends text, wrapping each line longer than 100 columns. */
static void wrap_lines(Buf *out, const Buf *text) {
  for (size_t at = 0; at < text->len;) {
    const char *nl = memchr(text->data + at, '\n', text->len - at);
    size_t len = nl ? (size_t)(nl - (text->data + at)) : text->len - at;
    if (len <= 100) {
      buf_append(out, text->data + at, len);
      buf_puts(out, "\n");
    } else {
      wrap_line(out, text->data + at, len);
    }
    at += len + 1;
  }
}

/* NAME_forward: the argument checks, then one commented kernel call per
 * node (a banner where the layer changes).  The output's own step writes
 * into out when it can (CgEmit.out_value); otherwise it is copied out. */
static int emit_forward(CgEmit *e) {
  const Graph *g = e->g;
  const char *N = e->name;
  Buf *c = e->c;
  buf_printf(c, "// --- forward: %s_forward narrates the model, one step per node\n\n", N);
  emit_errors(e);
  buf_printf(c,
             "/* Runs n tokens: decoders append them after the cached ones and write\n"
             " * n x out_dim logits; encoders take them as a whole sequence and write\n"
             " * n x out_dim hidden states.  Returns 0, or a negative code (%s.h) and\n"
             " * writes nothing: every check comes before the first step.  Every buffer\n"
             " * is in m->mem but %s, nothing is allocated. */\n"
             "int %s_forward(%s *m, const int32_t *tokens, int n, float *out) {\n"
             "  if (!m || !tokens || !out || n <= 0)\n"
             "    return fail(-1, \"bad arguments (n = %%ld)\", n, 0, 0);\n"
             "  int pos0 = config.is_decoder ? m->pos : 0;  /* tokens already in the KV cache */\n"
             "  if (n > config.seq_len - pos0)\n"
             "    return fail(-3, \"context full: %%ld cached + %%ld new tokens > %%ld\", pos0, n,\n"
             "                config.seq_len);\n"
             "  for (int t = 0; t < n; t++)\n"
             "    if (tokens[t] < 0 || tokens[t] >= config.vocab_size)\n"
             "      return fail(-2, \"token %%ld (at %%ld) is outside 0..%%ld\", tokens[t], t,\n"
             "                  config.vocab_size - 1);\n"
             "  const int T = n;  /* rows of every [T,...] buffer in this call */\n"
             "  const %s_Weights *w = &m->w;\n  %s_State *s = &m->s;\n  (void)w;\n",
             N, e->out_value ? "out (the output's step writes it)" : "out (copied at the end)", N, N,
             N, N);
  const char *layer = NULL;
  Buf steps = {0};
  e->c = &steps;
  int rc = 0;
  for (int i = 0; i < g->n_nodes && rc == 0; i++) {
    const Node *n = g->nodes[i];
    if (n->dead) continue;
    if (n->layer && (!layer || strcmp(layer, n->layer) != 0))
      buf_printf(&steps, "\n  /* ---- %s ---- */\n", cg_comment(e, n->layer));
    else if (!n->layer && layer)
      buf_puts(&steps, "\n");
    layer = n->layer;
    rc = cg_emit_node(e, n);
  }
  e->c = c;
  cg_emit_size_locals(e);
  wrap_lines(c, &steps);
  buf_free(&steps);
  if (rc) return -1;
  if (e->out_value)
    buf_printf(c, "\n  /* out already holds %s: its step wrote it there */\n",
               cg_comment(e, e->out_value->name));
  else
    buf_printf(c, "\n  memcpy(out, %s, sizeof(float) * (size_t)n * config.out_dim);\n",
               cg_ref(e, g->outputs[0]));
  buf_puts(c, "  if (config.is_decoder) m->pos = pos0 + n;\n  return 0;\n}\n\n");
  return 0;
}

/* ---- API ---- */

static void emit_struct(CgEmit *e) {
  buf_printf(e->c,
             "struct %s {\n"
             "  %s_Weights w;        /* pointers into the blob */\n"
             "  %s_State s;          /* pointers into mem */\n"
             "  int pos;             /* tokens in the KV cache */\n"
             "  unsigned char *mem;  /* %lld bytes of state */\n"
             "  void *map;           /* the mmap'd weights file, or NULL */\n"
             "  size_t map_size;\n"
             "};\n\n",
             e->name, e->name, e->name, (long long)e->state_bytes);
}

static void emit_open(CgEmit *e) {
  const char *N = e->name;
  Buf *c = e->c;
  buf_printf(c,
             "void %s_close(%s *m) {\n"
             "  if (!m) return;\n"
             "  if (m->map) munmap(m->map, m->map_size);\n"
             "  free(m->mem);\n  free(m);\n}\n\n"
             "static %s *fail_open(%s *m, const char *why) {\n"
             "  if (why != last_error) snprintf(last_error, sizeof last_error, \"%%s\", why);\n"
             "  %s_close(m);\n  return NULL;\n}\n\n",
             N, N, N, N, N);
  buf_printf(c,
             "/* Opens the model: weights from the file at weights_path (checked against\n"
             " * this build), or %s when weights_path is NULL. */\n"
             "%s *%s_open(const char *weights_path) {\n"
             "  %s *m = calloc(1, sizeof *m);\n"
             "  if (!m) return fail_open(m, \"out of memory\");\n",
             e->embed ? "the weights embedded below" : "an error (they are not embedded)", N, N,
             N);
  emit_cpu_checks(e);
  buf_printf(c,
             "  const void *blob = %s;\n"
             "  if (weights_path)\n"
             "    blob = rt_weights_map(weights_path, %lldu, 0x%016llxu, \"%s\", &m->map, &m->map_size,\n"
             "                          last_error, sizeof last_error);\n"
             "  else if (!blob)\n"
             "    snprintf(last_error, sizeof last_error, \"no weights path given (this build "
             "reads them from a file such as %s)\");\n"
             "  if (!blob) return fail_open(m, last_error);\n"
             "  m->mem = aligned_alloc(64, %lld);\n"
             "  if (!m->mem) return fail_open(m, \"out of memory\");\n"
             "  memset(m->mem, 0, %lld);\n"
             "  bind_weights(&m->w, blob);\n  bind_state(&m->s, m->mem);\n",
             e->embed ? "weight_data" : "NULL", (long long)e->blob_bytes,
             (unsigned long long)e->blob_checksum, N,
             cg_cstring(e, e->opt->weights_name ? e->opt->weights_name : "model.bin"),
             (long long)(e->state_bytes + 64), (long long)(e->state_bytes + 64));
}

/* NAME_set_threads: the thread pool of runtime/threads.c when a SIMD kernel
 * copied it, else nothing to set (the portable kernels run on one thread). */
static void emit_set_threads(CgEmit *e) {
  bool pool = false;
  for (int i = 0; i < e->n_files; i++) pool |= strcmp(e->files[i], "threads.c") == 0;
  buf_printf(e->c,
             "/* Threads for the big kernels from now on; n <= 0: TFC_NUM_THREADS, else\n"
             " * the online cores.  Not while a forward call runs. */\n"
             "void %s_set_threads(%s *m, int n) {\n  (void)m;\n  %s\n}\n\n",
             e->name, e->name, pool ? "rt_set_threads(n);" : "(void)n;  /* no threaded kernels */");
}

static void emit_reset(CgEmit *e) {
  emit_set_threads(e);
  buf_printf(e->c, "void %s_reset(%s *m) { if (m) m->pos = 0; }\n\n", e->name, e->name);
}

/* ---- model.h ---- */

static void emit_header_file(CgEmit *e, Buf *h) {
  const char *N = e->name;
  char *U = arena_strdup(e->g->arena, N);
  for (char *p = U; p && *p; p++) *p = (char)toupper((unsigned char)*p);
  buf_printf(h,
             "/*\n * %s.h — generated by tfc %s; do not edit.  The model's whole API.\n *\n"
             " * %s: %s, context %lld tokens, %lld floats per output row.\n */\n"
             "#ifndef %s_H\n#define %s_H\n\n#include <stdint.h>\n\n"
             "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
             N, TFC_VERSION, N, e->g->is_decoder ? "decoder (KV cache)" : "encoder",
             (long long)e->g->max_seq, (long long)out_dim(e), U, U);
  buf_printf(h,
             "/* Return codes of %s_forward. */\n"
             "#define %s_OK 0\n"
             "#define %s_ERR_ARGS (-1)   /* NULL pointer or n <= 0 */\n"
             "#define %s_ERR_TOKEN (-2)  /* a token id outside 0 .. vocab_size-1 */\n"
             "#define %s_ERR_FULL (-3)   /* cached + new tokens > the context */\n\n"
             "typedef struct %s %s;\n\n",
             N, U, U, U, U, N, N);
  buf_printf(h,
             "/* Opens the model.  weights_path: a weights file written by tfc for this\n"
             " * model; NULL: the embedded weights (an error when there are none).\n"
             " * Returns NULL on error (see %s_last_error). */\n"
             "%s *%s_open(const char *weights_path);\n"
             "/* What the last failing call reported (not thread-safe). */\n"
             "const char *%s_last_error(void);\n"
             "/* Runs n tokens and writes n x %lld floats to out: %s.\n"
             " * Returns 0 or a negative %s_ERR_* code, and then writes nothing. */\n"
             "int %s_forward(%s *m, const int32_t *tokens, int n, float *out);\n"
             "/* Forgets the KV cache. */\n"
             "void %s_reset(%s *m);\n"
             "/* Threads for the big kernels (n <= 0: TFC_NUM_THREADS, else the cores). */\n"
             "void %s_set_threads(%s *m, int n);\n"
             "void %s_close(%s *m);\n\n"
             "#ifdef __cplusplus\n}\n#endif\n#endif\n",
             N, N, N, N, (long long)out_dim(e),
             e->g->is_decoder ? "logits, after the tokens already cached"
                              : "the last hidden state of the sequence",
             U, N, N, N, N, N, N, N, N);
}

/* ---- entry point ---- */

static int emit_kernels(CgEmit *e) {
  if (cg_copy_runtime(e, "generic/weights.c")) return -1;
  for (int i = 0; i < e->g->n_nodes; i++)
    if (!e->g->nodes[i]->dead && cg_op_runtime(e, e->g->nodes[i])) return -1;
  return 0;
}

int cg_emit_c(const Graph *g, const CgOptions *opt, Buf *c, Buf *h, Buf *weights) {
  Buf body = {0}, blob = {0};
  CgEmit e = {.g = g, .opt = opt, .c = &body, .name = g->name};
  int rc = analyse(&e);
  if (rc == 0) rc = cg_plan_weights(&e, &blob);
  if (rc == 0) {
    cg_plan_state(&e);
    cg_plan_config(&e);
    cg_emit_config(&e);
    cg_emit_weights_struct(&e);
    cg_emit_state(&e);
    emit_struct(&e);
    rc = emit_kernels(&e);
  }
  if (rc == 0) rc = emit_forward(&e);
  if (rc == 0) {
    buf_printf(&body, "// --- API\n\n");
    if (e.embed) buf_printf(&body, "static const uint32_t weight_data[%lld];\n\n",
                            (long long)(e.blob_bytes ? e.blob_bytes / 4 : 1));
    cg_emit_bind_weights(&e);
    cg_emit_bind_state(&e);
    emit_open(&e);
    cg_emit_open_tables(&e);
    emit_reset(&e);
    if (e.embed) cg_emit_blob_data(&e, &blob);
    else cg_write_weights_file(&e, &blob, weights);
    if (opt->with_main) cg_emit_main(&e);
    e.c = c;
    emit_header_comment(&e);
    buf_append(c, body.data, body.len);
    emit_header_file(&e, h);
  }
  buf_free(&body), buf_free(&blob);
  return rc;
}
