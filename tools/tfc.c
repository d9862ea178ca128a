/*
 * tfc.c — the command-line driver: parse options, then
 *
 *     frontend (fe_load_model / rasp_load) -> passes -> codegen -> files
 *
 * This is the only place that chooses an exit status: 0 on success, 1 when the
 * input is bad (a diagnostic has been printed), 2 for usage errors.  Output
 * files are written whole or not at all, and replaced as a set
 * (buf_write_outputs, ir/output.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codegen.h"
#include "frontend.h"
#include "passes.h"
#include "rasp/rasp.h"   /* frontend/rasp/rasp.h (ir/rasp.h is the IR dialect) */

typedef enum { EMIT_C, EMIT_IR, EMIT_YAML, EMIT_GGUF } EmitKind;   /* set_emit's table spells them */

typedef struct {
  const char *input;
  const char *output;        /* -o: NULL = stdout for --emit=ir, model name + .c otherwise */
  EmitKind emit;
  bool target_given;
  CgOptions cg;
  PassOptions passes;
  RaspOptions rasp;
  bool stats;
  bool interpret;            /* --interpret: run a RASP program on the tokens that follow */
  const char **run_tokens;
  int n_run_tokens;
  bool run_chars;            /* --chars: one string split into characters */
  int32_t *model_tokens;     /* models, --interpret --tokens "1 2 3": the ids */
  int n_model_tokens;
  const char *tokens_arg;    /* --tokens: the list as given */
  const char *logits_path;   /* --logits OUT: raw little-endian f32, n x last dim */
} Options;

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "tfc: error: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(run 'tfc --help' for usage)\n");
  return 2;
}

/* A backend or target tfc names but does not have yet: a usage error (exit 2),
 * before any input is read. */
static int not_yet(const char *what) {
  fprintf(stderr, "tfc: error: not yet supported: %s\n", what);
  return 2;
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ---- the options: one table drives parsing, --help and README's table
 *      (tests/cli/check_options.sh compares README.md with `tfc --help`) ---- */

/* Each apply function takes the option's value (NULL for a flag) and returns 0,
 * or an exit status: 2 after a usage error, -1 when it printed and tfc is done. */
typedef int (*ApplyFn)(Options *o, const char *value);

static int set_output(Options *o, const char *v) { return o->output = v, 0; }

static int set_emit(Options *o, const char *v) {
  static const struct { const char *name; EmitKind kind; } kinds[] = {
      {"c", EMIT_C}, {"ir", EMIT_IR}, {"yaml", EMIT_YAML}, {"gguf", EMIT_GGUF}};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (!strcmp(v, kinds[i].name)) return o->emit = kinds[i].kind, 0;
  if (!strcmp(v, "llvm")) return not_yet("--emit=llvm (the LLVM backend)");
  if (!strcmp(v, "cuda")) return not_yet("--emit=cuda (the CUDA backend)");
  if (!strcmp(v, "obj")) return not_yet("--emit=obj (object files: build the C with cc)");
  return usage_error("unknown --emit kind '%s'", v);
}

static int set_target(Options *o, const char *v) {
  if (tg_parse_target(v, &o->cg.target)) return usage_error("unknown target '%s'", v);
  if (o->cg.target == TARGET_CUDA) return not_yet("--target=cuda (the CUDA backend)");
  return o->target_given = true, 0;
}

static int set_weights(Options *o, const char *v) {
  if (!strcmp(v, "auto")) return o->cg.weights = WEIGHTS_AUTO, 0;
  if (!strcmp(v, "embed")) return o->cg.weights = WEIGHTS_EMBED, 0;
  if (!strcmp(v, "file")) return o->cg.weights = WEIGHTS_FILE, 0;
  return usage_error("unknown --weights mode '%s'", v);
}

static int set_passes(Options *o, const char *v) { return o->passes.pass_list = v, 0; }
static int set_print_after(Options *o, const char *v) { return o->passes.print_after = v, 0; }
static int set_rasp_output(Options *o, const char *v) { return o->rasp.output = v, 0; }
static int set_tokens(Options *o, const char *v) { return o->tokens_arg = v, 0; }
static int set_logits(Options *o, const char *v) { return o->logits_path = v, 0; }
static int set_main(Options *o, const char *v) { return o->cg.with_main = true, 0; }
static int set_remarks(Options *o, const char *v) { return o->passes.remarks = true, 0; }
static int set_stats(Options *o, const char *v) { return o->stats = true, 0; }
static int set_verify_each(Options *o, const char *v) { return o->passes.verify_each = true, 0; }
static int set_interpret(Options *o, const char *v) { return o->interpret = true, 0; }

static int set_chars(Options *o, const char *v) {
  o->run_chars = true;
  o->run_tokens[o->n_run_tokens++] = v;
  return 0;
}

static int show_version(Options *o, const char *v) { return printf("tfc %s\n", TFC_VERSION), -1; }
static int show_help(Options *o, const char *v);

/* One row per option.  `name` is what the user types; `arg` names its value
 * (NULL: a flag), spelled NAME=VALUE or NAME VALUE; `meaning` is the one line
 * both --help and README.md's option table print.  -O0..-O3 and INPUT are
 * parsed by hand (parse_args) but listed here for --help. */
typedef struct {
  const char *name, *arg;
  ApplyFn apply;   /* NULL: parsed by hand */
  const char *meaning;
} OptionSpec;

static const OptionSpec options[] = {
    {"-o", "OUT", set_output, "write OUT and its .h beside it (and OUT's .bin weights file when weights are not embedded); files are written whole or not at all, and replaced as a set. Default model.c"},
    {"-O0 .. -O3", NULL, NULL, "optimization level, default -O2 (never lossy); tfc --help lists the passes each level runs and docs/passes.md describes them"},
    {"--emit", "KIND", set_emit, "c (default), ir (textual IR after the passes), yaml (a family: graph model.yaml + .safetensors), gguf (a Llama as a GGUF file for llama.cpp); llvm, cuda and obj are not yet supported (exit 2)"},
    {"--target", "T", set_target, "host (default: what this machine supports), generic, x86-64-avx2, x86-64-avx512, aarch64-neon; cuda is not yet supported (exit 2)"},
    {"--main", NULL, set_main, "add a main() so the output builds into a runnable program"},
    {"--weights", "MODE", set_weights, "auto (default: embed up to 1 MiB of weights in the .c, else a weights file), embed, file"},
    {"--passes", "a,b,c", set_passes, "run exactly these passes instead of the -O list"},
    {"--print-after", "PASS", set_print_after, "print the IR after PASS (or all) to stderr"},
    {"--remarks", NULL, set_remarks, "report which rewrites fired on which nodes, and why a near match did not"},
    {"--stats", NULL, set_stats, "print FLOPs per token, weight bytes, peak activation bytes, the output's bytes, KV-cache bytes"},
    {"--verify-each", NULL, set_verify_each, "run the IR verifier after every pass"},
    {"--interpret", NULL, set_interpret, "run the reference interpreter instead of generating code: --tokens for models, TOK... or --chars for RASP"},
    {"--tokens", "\"1 2 3\"", set_tokens, "models, with --interpret: the token ids to run"},
    {"--logits", "OUT", set_logits, "models, with --interpret: write the outputs to OUT as raw float32, n x last dim (else a summary)"},
    {"--chars", "STRING", set_chars, "RASP, with --interpret: the tokens are the characters of STRING"},
    {"--output", "NAME", set_rasp_output, "RASP: the s-op the program produces (default: the last top-level assignment)"},
    {"--version", NULL, show_version, "print the version"},
    {"--help", NULL, show_help, "print this help and the pass table"},
};
enum { N_OPTIONS = sizeof options / sizeof options[0] };

static int show_help(Options *o, const char *v) {
  printf("usage: tfc INPUT [options]\n\n"
         "INPUT is a model.yaml, a Hugging Face model folder (config.json + model.safetensors),\n"
         "a GGUF file (.gguf), or a .rasp program (or a .tir file of textual IR, with\n"
         "pseudo-random weights).\n\n");
  for (int i = 0; i < N_OPTIONS; i++) {
    const OptionSpec *s = &options[i];
    char left[64];
    snprintf(left, sizeof left, "%s%s%s", s->name, s->arg ? (s->name[1] == '-' ? "=" : " ") : "",
             s->arg ? s->arg : "");
    printf("  %-20s %s\n", left, s->meaning);
  }
  printf("\npasses:\n");
  pass_print_help(stdout);
  return -1;
}

/* The row for argument a ("--emit=c", "--emit", "-o"), with its value in *value;
 * NULL when a is no option of the table. */
static const OptionSpec *find_option(const char *a, const char **value) {
  for (int i = 0; i < N_OPTIONS; i++) {
    const OptionSpec *s = &options[i];
    size_t n = strlen(s->name);
    if (!s->apply || strncmp(a, s->name, n) != 0) continue;
    if (a[n] == 0) return *value = NULL, s;
    if (a[n] == '=' && s->arg) return *value = a + n + 1, s;
  }
  return NULL;
}

/* Applies one table option at argv[*i] (taking its value from the next word when
 * needed); 0, 2 or -1 as the apply functions. */
static int apply_option(const OptionSpec *s, const char *value, int *i, int argc, char **argv,
                        Options *o) {
  if (s->arg && !value) {
    if (*i + 1 >= argc) return usage_error("%s needs a value", s->name);
    value = argv[++*i];
  }
  return s->apply(o, value);
}

/* Parses argv into o.  Returns 0, 2 on a usage error, or -1 when --help/--version printed. */
static int parse_args(int argc, char **argv, Options *o) {
  o->passes.opt_level = 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    const OptionSpec *s;
    int rc;
    if (o->interpret && (a[0] != '-' || (a[1] >= '0' && a[1] <= '9'))) {   /* -3: a token */
      o->run_tokens[o->n_run_tokens++] = a;
    } else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
      o->passes.opt_level = a[2] - '0';
    } else if (!strcmp(a, "-h")) {
      return show_help(o, NULL);
    } else if ((s = find_option(a, &v))) {
      if ((rc = apply_option(s, v, &i, argc, argv, o))) return rc;
    } else if (a[0] == '-' && a[1]) {
      return usage_error("unknown option '%s'", a);
    } else if (o->input) {
      return usage_error("more than one input ('%s')", a);
    } else {
      o->input = a;
    }
  }
  if (!o->input) return usage_error("%s", "no input file");
  return 0;
}

/* "dir/model.c" -> "dir/model" + suffix, in a static buffer list owned by main. */
static char *replace_extension(const char *path, const char *ext) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  size_t stem = (dot && (!slash || dot > slash)) ? (size_t)(dot - path) : strlen(path);
  char *s = malloc(stem + strlen(ext) + 1);
  memcpy(s, path, stem);
  strcpy(s + stem, ext);
  return s;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* Textual IR (docs/ir.md): constants get deterministic pseudo-random data. */
static Graph *load_tir(Arena *a, const char *path) {
  Buf text = {0};
  if (buf_read_file(&text, path)) {
    diag_error(diag_loc(path, 0, 0), errno == ENOMEM ? "out of memory" : "cannot read the file");
    buf_free(&text);
    return NULL;
  }
  Graph *g = ir_parse(a, text.data, path, NULL, NULL);
  buf_free(&text);
  return g;
}

static Graph *load_input(Arena *a, Options *o) {
  struct stat st;
  if (stat(o->input, &st) != 0) {
    diag_error(diag_loc(o->input, 0, 0), "no such file or folder");
    return NULL;
  }
  if (has_suffix(o->input, ".rasp")) return rasp_load(a, o->input, &o->rasp);
  if (has_suffix(o->input, ".tir")) return load_tir(a, o->input);
  return fe_load_model(a, o->input);
}

/* 0, or -1 (saying "out of memory" unless a diagnostic already explained the
 * failure) when an arena allocation failed, even one its caller survived. */
static int memory_ok(const Graph *g, const char *input) {
  if (!arena_failed(g->arena) && !buf_any_failed()) return 0;
  if (diag_error_count() == 0) diag_error(diag_loc(input, 0, 0), "out of memory");
  return -1;
}

/* Emits C (model.c + model.h + weights) and writes the files. */
static int write_c(const Graph *g, Options *o) {
  const char *out = o->output ? o->output : "model.c";
  char *h_path = replace_extension(out, ".h"), *w_path = replace_extension(out, ".bin");
  o->cg.header_name = base_name(h_path);
  o->cg.weights_name = base_name(w_path);
  Buf c = {0}, h = {0}, w = {0};
  int rc = g->dialect == RASP ? cg_emit_rasp(g, &o->cg, &c, &h)
                                    : cg_emit_c(g, &o->cg, &c, &h, &w);
  if (rc == 0) rc = memory_ok(g, o->input);
  BufOutput files[] = {{w_path, &w}, {h_path, &h}, {out, &c}};   /* model.c last: it names the rest */
  if (rc == 0) rc = w.len ? buf_write_outputs(files, 3) : buf_write_outputs(files + 1, 2);
  buf_free(&c), buf_free(&h), buf_free(&w);
  free(h_path), free(w_path);
  return rc;
}

static int write_ir(const Graph *g, const Options *o) {
  Buf b = {0};
  ir_print(g, &b);
  int rc = memory_ok(g, o->input);
  if (rc == 0 && o->output)
    rc = buf_write_file(&b, o->output);
  else if (rc == 0)
    fwrite(b.data, 1, b.len, stdout);
  buf_free(&b);
  return rc;
}

/* --interpret --tokens "1 2 3" for models: the ids, or 2 after a usage error. */
static int parse_model_tokens(Options *o) {
  if (!o->tokens_arg) return usage_error("--interpret on '%s' needs --tokens \"ID ID ...\"", o->input);
  const char *p = o->tokens_arg;
  o->model_tokens = calloc(strlen(p) / 2 + 2, sizeof(int32_t));
  while (*p) {
    char *end;
    if (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n') {
      p++;
      continue;
    }
    long v = strtol(p, &end, 10);
    if (end == p || (*end && !strchr(" ,\t\n", *end)) || v < INT32_MIN || v > INT32_MAX)
      return usage_error("--tokens: '%s' is not a list of integer token ids", o->tokens_arg);
    o->model_tokens[o->n_model_tokens++] = (int32_t)v;
    p = end;
  }
  if (!o->n_model_tokens) return usage_error("--tokens: '%s' holds no token ids", o->tokens_arg);
  return 0;
}

/* Models: passes, then the reference interpreter; the outputs go to --logits
 * (raw float32, n x last dim, written whole or not at all) or a summary. */
static int interpret_model(Graph *g, const Options *o) {
  int n = o->n_model_tokens;
  if (pass_run_pipeline(g, &o->passes) || memory_ok(g, o->input) || g->n_outputs < 1) return -1;
  int64_t width = ir_last_dim(g->outputs[0]), total = ir_numel(g->outputs[0]->shape, n);
  Buf b = {0};
  float *out = calloc((size_t)total + 1, sizeof(float));
  int rc = out ? ir_interpret(g, o->model_tokens, n, out) : -1;
  if (rc == 0 && o->logits_path) {
    buf_append(&b, out, sizeof(float) * (size_t)total);
    rc = buf_write_file(&b, o->logits_path);
  } else if (rc == 0) {
    const float *last = out + total - width;
    int64_t best = 0;
    for (int64_t i = 1; i < width; i++) best = last[i] > last[best] ? i : best;
    printf("%s: %d tokens -> %lld x %lld outputs; last row: argmax %lld (%.6g)\n", g->name, n,
           (long long)(total / width), (long long)width, (long long)best, last[best]);
  }
  free(out);
  buf_free(&b);
  return rc;
}

/* --emit=yaml: OUT (default NAME.yaml) and OUT's .safetensors beside it. */
static int write_yaml(const Graph *g, const Options *o) {
  char *def = o->output ? NULL : malloc(strlen(g->name) + 6);
  if (def) sprintf(def, "%s.yaml", g->name);
  const char *out = o->output ? o->output : def;
  char *w_path = out ? replace_extension(out, ".safetensors") : NULL;
  Buf y = {0}, w = {0};
  int rc = w_path ? cg_emit_yaml(g, base_name(w_path), &y, &w) : -1;
  BufOutput files[] = {{w_path, &w}, {out, &y}};
  if (rc == 0) rc = buf_write_outputs(files, 2);
  buf_free(&y), buf_free(&w);
  free(w_path), free(def);
  return rc;
}

/* --emit=gguf: OUT (default NAME.gguf), one file. */
static int write_gguf(const Graph *g, const Options *o) {
  const char *out = o->output ? o->output : arena_printf(g->arena, "%s.gguf", g->name);
  Buf b = {0};
  int rc = out ? cg_emit_gguf(g, &b) : -1;
  if (rc == 0) rc = buf_write_file(&b, out);
  buf_free(&b);
  return rc;
}

/* The command line, for the generated header comment (no paths beyond argv). */
static char *join_args(int argc, char **argv) {
  Buf b = {0};
  buf_puts(&b, "tfc");
  for (int i = 1; i < argc; i++) buf_printf(&b, " %s", argv[i]);
  return b.failed ? NULL : b.data;   /* NULL: out of memory (the header says "-") */
}

/* The exit status for rc; a failure that ran out of memory without saying
 * anything gets its diagnostic here.  Frees the arena. */
static int finish(Arena *a, int rc, const char *input) {
  if (rc && ((a && arena_failed(a)) || buf_any_failed()) && diag_error_count() == 0)
    diag_error(diag_loc(input, 0, 0), "out of memory");
  arena_free(a);
  return rc ? 1 : 0;
}

static int compile(Options *o, int argc, char **argv) {
  Arena *a = arena_new();
  Graph *g = a ? load_input(a, o) : NULL;
  int rc = g ? memory_ok(g, o->input) : -1;   /* before the verifier sees a half-built graph */
  if (rc == 0 && o->interpret && g->dialect != RASP)
    return finish(a, interpret_model(g, o), o->input);
  if (rc == 0 && o->interpret) {
    int n = o->n_run_tokens;   /* --chars STRING: one token per character */
    const char **tokens = o->run_chars && n == 1 ? rasp_split_chars(a, o->run_tokens[0], &n)
                                                 : o->run_tokens;
    rc = !tokens || memory_ok(g, o->input) || rasp_run(g, tokens, n, stdout) ? -1 : 0;
    return finish(a, rc, o->input);
  }
  if (rc == 0) rc = pass_run_pipeline(g, &o->passes);
  if (rc == 0) rc = memory_ok(g, o->input);
  if (rc == 0 && o->stats) ir_print_stats(g, stdout);
  char *cmd = join_args(argc, argv);
  o->cg.command_line = cmd;
  o->cg.opt_level = o->passes.opt_level;
  o->cg.pass_kind = pass_kind;
  if (rc == 0) switch (o->emit) {
    case EMIT_C: rc = write_c(g, o); break;
    case EMIT_IR: rc = write_ir(g, o); break;
    case EMIT_YAML: rc = write_yaml(g, o); break;
    case EMIT_GGUF: rc = write_gguf(g, o); break;
    }
  free(cmd);
  return finish(a, rc, o->input);
}

/* Test hooks (docs/style.md, habit 15): TFC_FAIL_ALLOC_AT=N makes the Nth arena
 * allocation fail, so tests/fault.cmake can check that every caller turns
 * out of memory into a clean diagnostic; TFC_FAIL_WRITE_AT=N makes the Nth
 * output step fail (ir/output.c; tests/reliability/outputs.sh).  When the run
 * ends before the Nth, a note on stderr says so (the test's loop stops
 * there).  Not part of the command line. */
static bool set_test_hooks(void) {
  const char *n = getenv("TFC_FAIL_ALLOC_AT"), *w = getenv("TFC_FAIL_WRITE_AT");
  if (n && *n) arena_fail_at(atol(n));
  if (w && *w) buf_fail_write_at(atol(w));   /* ir/output.c: the Nth write or rename fails */
  return (n && *n) || (w && *w);
}

static void report_test_hooks(void) {
  if (arena_fail_pending()) fprintf(stderr, "tfc: note: TFC_FAIL_ALLOC_AT: not reached\n");
  if (buf_fail_write_pending()) fprintf(stderr, "tfc: note: TFC_FAIL_WRITE_AT: not reached\n");
}

int main(int argc, char **argv) {
  Options o = {0};
  bool hooked = set_test_hooks();
  o.run_tokens = calloc((size_t)argc + 1, sizeof(char *));
  int rc = parse_args(argc, argv, &o);
  if (rc) {
    free(o.run_tokens);
    return rc < 0 ? 0 : rc;
  }
  if (o.interpret && !has_suffix(o.input, ".rasp") && (rc = parse_model_tokens(&o))) {
    free(o.run_tokens);
    free(o.model_tokens);
    return rc;
  }
  ir_set_kernel_names(tg_kernel_names(), KERNEL_COUNT);   /* the textual IR spells kernel ids by kernels.def's names */
  if (!o.target_given || o.cg.target == TARGET_HOST) o.cg.target = tg_host();
  o.passes.target = o.cg.target;
  rc = compile(&o, argc, argv);
  if (fflush(stdout) != 0 || ferror(stdout)) {   /* --emit=ir > /dev/full */
    fprintf(stderr, "tfc: error: cannot write to standard output\n");
    rc = 1;
  }
  if (hooked) report_test_hooks();
  free(o.run_tokens);
  free(o.model_tokens);
  return rc;
}
