/*
 * cg_test.c — end-to-end tests of the C emitter.  Each case builds a graph
 * with the IR builder, emits model.c/.h (and weights), compiles the result
 * with the test compiler and flags (TFC_CC, TFC_TEST_CFLAGS, so the ASan
 * build checks generated code too), runs it, and compares its numbers with
 * the reference interpreter (ir_interpret).
 *
 *   cg_test CASE WORKDIR CC CFLAGS [SRCDIR]
 *
 * Cases: all_ops, gpt2, llama, llama_interleaved, bert, shared_kn, fused (numbers, one call
 * and --incremental, determinism, exported symbols); weights (a weights
 * file, a corrupted one, a truncated one, a missing one); api (return
 * codes, with tests/codegen/api_test.c).
 * Tolerance: max |c - ref| <= 1e-5 * max |ref| (same fp32 math, different order).
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "codegen.h"
#include "graphs_cg.h"

static const char *workdir, *cc, *cflags, *srcdir;
static int failures;

#define FAIL(...) (fprintf(stderr, "FAIL: " __VA_ARGS__), fputc('\n', stderr), failures++)

static const int32_t test_tokens[] = {3, 1, 4, 1, 5, 9, 2};
#define N_TOKENS 7
#define TOKENS_TEXT "3 1 4 1 5 9 2"

/* Runs a shell command (printf-style) in the work directory; returns its exit status. */
static int sh(const char *fmt, ...) {
  char cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = snprintf(cmd, sizeof cmd, "cd '%s' && ", workdir);
  vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
  va_end(ap);
  int rc = system(cmd);
  return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static char *path_in(const char *name) {
  static char buf[4][1024];
  static int next;
  char *p = buf[next++ & 3];
  snprintf(p, 1024, "%s/%s", workdir, name);
  return p;
}

/* Emits g as STEM.c / STEM.h / STEM.bin in the work directory. */
static int emit(const Graph *g, const char *stem, WeightsMode wm, bool with_main, Buf *c, Buf *h,
                Buf *w) {
  char hname[256], wname[256];
  snprintf(hname, sizeof hname, "%s.h", stem), snprintf(wname, sizeof wname, "%s.bin", stem);
  CgOptions opt = {.target = TARGET_GENERIC, .weights = wm, .with_main = with_main,
                   .opt_level = 0, .header_name = hname, .weights_name = wname,
                   .command_line = "cg_test"};
  if (cg_emit_c(g, &opt, c, h, w)) return FAIL("%s: cg_emit_c failed", stem), -1;
  char cname[256];
  snprintf(cname, sizeof cname, "%s.c", stem);
  if (buf_write_file(c, path_in(cname)) || buf_write_file(h, path_in(hname)) ||
      (w->len && buf_write_file(w, path_in(wname))))
    return FAIL("%s: cannot write files", stem), -1;
  return 0;
}

static int emit_files(const Graph *g, const char *stem, WeightsMode wm, bool with_main) {
  Buf c = {0}, h = {0}, w = {0};
  int rc = emit(g, stem, wm, with_main, &c, &h, &w);
  buf_free(&c), buf_free(&h), buf_free(&w);
  return rc;
}

static int build(const char *stem) {
  if (sh("%s %s %s.c -o %s -lm -lpthread", cc, cflags, stem, stem) == 0) return 0;
  return FAIL("%s: generated C does not compile", stem), -1;
}

static float *read_floats(const char *name, size_t n) {
  Buf b = {0};
  if (buf_read_file(&b, path_in(name)) || b.len != n * sizeof(float)) {
    FAIL("%s: expected %zu floats, found %zu bytes", name, n, b.len);
    buf_free(&b);
    return NULL;
  }
  return (float *)b.data;
}

/* Compares got with ref: max |got - ref| <= 1e-5 * max |ref|. */
static void compare(const char *what, const float *got, const float *ref, size_t n) {
  double err = 0, scale = 0;
  for (size_t i = 0; i < n; i++) {
    double d = got[i] - ref[i];
    if (isnan(d) || fabs(d) > err) err = isnan(d) ? INFINITY : fabs(d);
    if (fabs(ref[i]) > scale) scale = fabs(ref[i]);
  }
  printf("%s: max abs error %.3g (max |ref| %.3g)\n", what, err, scale);
  if (!(err <= 1e-5 * scale + 1e-7)) FAIL("%s: error %.3g exceeds tolerance", what, err);
}

/* Runs ./STEM ARGS --logits OUT and compares OUT with ref. */
static void run_and_compare(const char *stem, const char *args, const float *ref, size_t n) {
  char what[256];
  snprintf(what, sizeof what, "%s %s", stem, args);
  if (sh("./%s %s --tokens '%s' --logits %s.out", stem, args, TOKENS_TEXT, stem) != 0) {
    FAIL("%s: program failed", what);
    return;
  }
  char out[256];
  snprintf(out, sizeof out, "%s.out", stem);
  float *got = read_floats(out, n);
  if (got) compare(what, got, ref, n);
  free(got);
}

/* Only NAME_* and main may be global in the object. */
static void check_symbols(const Graph *g, const char *stem) {
  if (sh("%s %s -c %s.c -o %s.o && nm -g --defined-only %s.o | awk '{print $3}' > %s.syms", cc,
         cflags, stem, stem, stem, stem)) {
    FAIL("%s: nm failed", stem);
    return;
  }
  char name[256];
  snprintf(name, sizeof name, "%s.syms", stem);
  Buf b = {0};
  buf_read_file(&b, path_in(name));
  int count = 0;
  for (char *line = strtok(b.data, "\n"); line; line = strtok(NULL, "\n"), count++)
    if (strcmp(line, "main") != 0 &&
        (strncmp(line, g->name, strlen(g->name)) != 0 || line[strlen(g->name)] != '_'))
      FAIL("%s: exported symbol '%s' is not %s_*", stem, line, g->name);
  if (count < 6) FAIL("%s: expected the 5 API functions and main, found %d symbols", stem, count);
  buf_free(&b);
}

/* Emitting twice gives the same bytes. */
static void check_deterministic(const Graph *g, const char *stem) {
  Buf c1 = {0}, h1 = {0}, w1 = {0}, c2 = {0}, h2 = {0}, w2 = {0};
  CgOptions opt = {.target = TARGET_GENERIC, .weights = WEIGHTS_FILE, .with_main = true,
                   .header_name = "m.h", .weights_name = "m.bin"};
  if (cg_emit_c(g, &opt, &c1, &h1, &w1) || cg_emit_c(g, &opt, &c2, &h2, &w2) ||
      c1.len != c2.len || memcmp(c1.data, c2.data, c1.len) || h1.len != h2.len ||
      memcmp(h1.data, h2.data, h1.len) || w1.len != w2.len || memcmp(w1.data, w2.data, w1.len))
    FAIL("%s: two emissions differ", stem);
  buf_free(&c1), buf_free(&h1), buf_free(&w1), buf_free(&c2), buf_free(&h2), buf_free(&w2);
}

static Graph *make_graph(Arena *a, const char *name) {
  if (!strcmp(name, "all_ops")) return test_graph_all_ops(a);
  if (!strcmp(name, "gpt2") || !strcmp(name, "weights")) return cg_graph_gpt2(a, "cg_gpt2");
  if (!strcmp(name, "api")) return cg_graph_gpt2(a, "cgapi");
  if (!strcmp(name, "llama")) return cg_graph_llama(a, "cg_llama", ROPE_HALVES);
  if (!strcmp(name, "llama_interleaved")) return cg_graph_llama(a, "cg_llama_il", ROPE_INTERLEAVED);
  if (!strcmp(name, "bert")) return cg_graph_bert(a, "cg_bert");
  if (!strcmp(name, "shared_kn")) return cg_graph_shared_kn(a, "cg_shared_kn");
  if (!strcmp(name, "fused")) return cg_graph_fused(a, "cg_fused");
  return NULL;
}

/* The interpreter's output for the test tokens (n x out_dim floats). */
static float *reference(const Graph *g, size_t *n) {
  *n = (size_t)N_TOKENS * (size_t)ir_last_dim(g->outputs[0]);
  float *ref = calloc(*n, sizeof(float));
  if (ir_interpret(g, test_tokens, N_TOKENS, ref)) {
    FAIL("%s: ir_interpret failed", g->name);
    free(ref);
    return NULL;
  }
  return ref;
}

/* Numbers (one call, and token by token for decoders), symbols, determinism. */
static void test_model(const Graph *g) {
  const char *stem = g->name;
  size_t n;
  float *ref = reference(g, &n);
  if (ref && emit_files(g, stem, WEIGHTS_EMBED, true) == 0 && build(stem) == 0) {
    run_and_compare(stem, "", ref, n);
    if (g->is_decoder) run_and_compare(stem, "--incremental", ref, n);
    check_symbols(g, stem);
  }
  check_deterministic(g, stem);
  free(ref);
}

/* Weights in a file: right file, corrupted, truncated, missing, wrong model. */
static void test_weights(const Graph *g) {
  const char *stem = g->name;
  size_t n;
  float *ref = reference(g, &n);
  if (!ref || emit_files(g, stem, WEIGHTS_FILE, true) || build(stem)) return free(ref);
  run_and_compare(stem, "", ref, n);                        /* default file beside ./stem */
  run_and_compare(stem, "-w cg_gpt2.bin", ref, n);
  static const struct { const char *prepare, *message; } bad[] = {
      {"cp cg_gpt2.bin bad.bin && printf 'X' | dd of=bad.bin bs=1 seek=999 conv=notrunc 2>/dev/null",
       "checksum"},
      {"head -c 5000 cg_gpt2.bin > bad.bin", "truncated"},
      {"printf 'TFCW' > bad.bin", "truncated"},
      {"printf 'hello' > bad.bin", "not a tfc weights file"},
      {"rm -f bad.bin", "cannot open"},
      {"cp cg_gpt2.bin bad.bin && printf 'X' | dd of=bad.bin bs=1 seek=30 conv=notrunc 2>/dev/null",
       "another model"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = sh("%s && ./%s -w bad.bin --tokens '1 2' > bad.out 2> bad.err; test $? -eq 1 && "
                "grep -q '%s' bad.err", bad[i].prepare, stem, bad[i].message);
    if (rc) FAIL("%s: weights case '%s' should fail with '%s'", stem, bad[i].prepare, bad[i].message);
  }
  free(ref);
}

/* The API's return codes, from a C program linked with the model. */
static void test_api(const Graph *g) {
  if (emit_files(g, "model", WEIGHTS_EMBED, false)) return;
  if (sh("%s %s -I. %s/api_test.c model.c -o api_test -lm && ./api_test", cc, cflags, srcdir))
    FAIL("api_test failed");
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: cg_test CASE WORKDIR CC CFLAGS [SRCDIR]\n");
    return 2;
  }
  workdir = argv[2], cc = argv[3], cflags = argv[4], srcdir = argc > 5 ? argv[5] : ".";
  mkdir(workdir, 0777);
  Arena *a = arena_new();
  Graph *g = make_graph(a, argv[1]);
  if (!g) return fprintf(stderr, "unknown case or bad graph '%s'\n", argv[1]), 2;
  if (ir_verify(g, "the test builder")) FAIL("%s: graph does not verify", argv[1]);
  if (!strcmp(argv[1], "weights"))
    test_weights(g);
  else if (!strcmp(argv[1], "api"))
    test_api(g);
  else
    test_model(g);
  arena_free(a);
  if (failures) fprintf(stderr, "%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
