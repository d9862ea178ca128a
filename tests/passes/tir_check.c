/*
 * tir_check.c — runs one pass test written in textual IR (docs/style.md, habit 12):
 *
 *   # args: --passes=cse            (or -O2; several words allowed)
 *   graph ... { ... }               the input
 *   # >>> expect
 *   graph ... { ... }               what --emit=ir must print after the passes
 *
 * Constants get the parser's deterministic pseudo-random data.  Besides the
 * printed result, the runner compares the graph's first output before and
 * after the passes on fixed tokens, at the strength the passes that ran declare
 * in passes/passes.def (pass_run_strength: bitwise, or the sum of their "rel. X"),
 * so an expectation can never bless a wrong rewrite:
 *   - by the reference interpreter, always;
 *   - and, when a pass that ran is COMPILED in passes.def (it records facts only
 *     the emitter reads: packing, kernels, the memory plan), by the generated C:
 *     `tfc FILE -O0` and `tfc FILE ARGS`, each with --main and embedded weights,
 *     compiled with CC and run.
 * A comparison that cannot run is a failure (exit 1), never a silent pass; where
 * this machine cannot run the target's code, --cannot-run REASON says so and the
 * compiled comparison exits 77 (CTest: skipped, with the reason).
 *
 *   tir_check FILE.tir [--tfc TFC --cc CC --cflags FLAGS --work DIR | --cannot-run REASON]
 *   tir_check FILE.tir --update   print the actual result in place of the expect block
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "passes.h"

static const char marker[] = "# >>> expect\n";

/* Fills opt from the words after "# args:". */
static int parse_args(const char *text, PassOptions *opt) {
  const char *p = strstr(text, "# args:");
  if (!p) return fprintf(stderr, "tir_check: no '# args:' line\n"), -1;
  p += 7;
  char line[256];
  size_t n = strcspn(p, "\n");
  snprintf(line, sizeof line, "%.*s", (int)n, p);
  for (char *w = strtok(line, " \t"); w; w = strtok(NULL, " \t")) {
    if (w[0] == '-' && w[1] == 'O' && w[2] >= '0' && w[2] <= '3' && !w[3])
      opt->opt_level = w[2] - '0';
    else if (!strncmp(w, "--passes=", 9))
      opt->pass_list = strdup(w + 9);
    else if (!strncmp(w, "--target=", 9) && tg_parse_target(w + 9, &opt->target) == 0)
      continue;   /* kernel selection and pre-packing depend on it */
    else
      return fprintf(stderr, "tir_check: unknown argument '%s'\n", w), -1;
  }
  return 0;
}

static const int32_t tokens[] = {1, 0, 3, 2, 1, 4, 0};
#define N_TOKENS 7
#define TOKENS_TEXT "1 0 3 2 1 4 0"

/* How to build and run the generated C (the compiled comparison). */
typedef struct {
  const char *tfc, *cc, *cflags, *work, *cannot_run;
} Compiled;

/* Interprets g on fixed tokens into out (malloc'd); NULL when it cannot run. */
static float *interpret(const Graph *g, int *count) {
  int64_t width = g->n_outputs ? ir_last_dim(g->outputs[0]) : 0;
  float *out = calloc((size_t)(N_TOKENS * width + 1), sizeof(float));
  if (!out || ir_interpret(g, tokens, N_TOKENS, out) != 0) return free(out), NULL;
  *count = (int)(N_TOKENS * width);
  return out;
}

/* Compares after with before at strength s; prints the result; 0 or 1. */
static int compare(const char *how, const float *before, const float *after, int n,
                   PassStrength s) {
  double err = 0, scale = 1e-30;
  for (int i = 0; i < n; i++)
    err = fmax(err, fabs((double)after[i] - before[i])), scale = fmax(scale, fabs(before[i]));
  bool same = memcmp(before, after, sizeof(float) * (size_t)n) == 0;
  printf("%s before/after: relative max difference %.3g, %s (declared: %s %.1e)\n", how,
         err / scale, same ? "same bits" : "bits differ", s.bitwise ? "bitwise" : "rel.", s.rel);
  if (s.bitwise && !same) return printf("FAIL: declared bitwise\n"), 1;
  if (!(err / scale <= s.rel)) return printf("FAIL: above the declared %.1e\n", s.rel), 1;
  return 0;
}

/* Runs a shell command; its exit status (128 when it died). */
static int sh(const char *cmd) {
  int rc = system(cmd);
  return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* Emits, compiles and runs FILE with `args` as WORK/STEM; its n outputs (malloc'd) or NULL. */
static float *run_compiled(const Compiled *cp, const char *file, const char *stem,
                           const char *args, int n) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "cd '%s' && '%s' '%s' %s --main --weights=embed -o %s.c && "
           "%s %s %s.c -o %s -lm -lpthread && ./%s --tokens '%s' --logits %s.out",
           cp->work, cp->tfc, file, args, stem, cp->cc, cp->cflags, stem, stem, stem,
           TOKENS_TEXT, stem);
  if (sh(cmd) != 0) return printf("FAIL: cannot build or run the C of '%s'\n", args), NULL;
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.out", cp->work, stem);
  Buf b = {0};
  if (buf_read_file(&b, path) || b.len != sizeof(float) * (size_t)n) {
    printf("FAIL: %s: expected %d floats, found %zu bytes\n", path, n, b.len);
    return buf_free(&b), NULL;
  }
  return (float *)b.data;
}

/* Writes the input part of the case (the text before the expect block) to WORK/input.tir. */
static const char *write_input(const Compiled *cp, const char *input) {
  static char path[1024];
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", cp->work);
  snprintf(path, sizeof path, "%s/input.tir", cp->work);
  FILE *f = sh(cmd) == 0 ? fopen(path, "w") : NULL;
  bool ok = f && fputs(input, f) >= 0;
  if (f && fclose(f)) ok = false;
  return ok ? path : (printf("FAIL: cannot write %s\n", path), NULL);
}

/* The compiled comparison: -O0 against the file's own args, same target. */
static int check_compiled(const Compiled *cp, const char *input, const char *args,
                          const PassOptions *opt, int n, PassStrength s) {
  if (cp->cannot_run) return printf("SKIP: the compiled comparison: %s\n", cp->cannot_run), 77;
  if (!cp->tfc) return printf("FAIL: a COMPILED pass ran, but no --tfc/--cc to compile with\n"), 1;
  const char *file = write_input(cp, input);
  if (!file) return 1;
  char before_args[256];
  snprintf(before_args, sizeof before_args, "-O0 --target=%s", tg_target(opt->target)->name);
  float *before = run_compiled(cp, file, "before", before_args, n);
  float *after = before ? run_compiled(cp, file, "after", args, n) : NULL;
  int rc = before && after ? compare("compiled C", before, after, n, s) : 1;
  free(before), free(after);
  return rc;
}

/* The words after "# args:" (static buffer). */
static const char *args_line(const char *text) {
  static char line[256];
  const char *p = strstr(text, "# args:");
  if (!p) return "";
  p += 7;
  snprintf(line, sizeof line, "%.*s", (int)strcspn(p, "\n"), p);
  return line;
}

/* Reads the options after FILE [--update]. */
static int parse_cli(int argc, char **argv, Compiled *cp) {
  for (int i = 2; i < argc; i++) {
    const char **slot = !strcmp(argv[i], "--tfc")        ? &cp->tfc
                        : !strcmp(argv[i], "--cc")         ? &cp->cc
                        : !strcmp(argv[i], "--cflags")     ? &cp->cflags
                        : !strcmp(argv[i], "--work")       ? &cp->work
                        : !strcmp(argv[i], "--cannot-run") ? &cp->cannot_run
                                                           : NULL;
    if (!strcmp(argv[i], "--update")) continue;
    if (!slot || i + 1 >= argc) return fprintf(stderr, "tir_check: bad argument '%s'\n", argv[i]), -1;
    *slot = argv[++i];
  }
  if (cp->tfc && (!cp->cc || !cp->cflags || !cp->work))
    return fprintf(stderr, "tir_check: --tfc needs --cc, --cflags and --work\n"), -1;
  return 0;
}

/* The interpreter's comparison: both sides must run. */
static int check_interpreted(const float *before, int n_before, const float *after, int n_after,
                             PassStrength s) {
  if (!before || !after || n_before != n_after)
    return printf("FAIL: the interpreter cannot compare: it ran %s the passes%s\n",
                  !before && !after ? "neither before nor after"
                  : !before        ? "after but not before"
                  : !after         ? "before but not after"
                                   : "both sides of",
                  before && after ? ", with outputs of different sizes" : ""),
           1;
  return compare("interpreted", before, after, n_before, s);
}

int main(int argc, char **argv) {
  if (argc < 2) return fprintf(stderr, "usage: tir_check FILE.tir [--update] [options]\n"), 2;
  bool update = argc > 2 && !strcmp(argv[2], "--update");
  Compiled cp = {0};
  if (parse_cli(argc, argv, &cp)) return 2;
  Buf file = {0};
  if (buf_read_file(&file, argv[1])) return fprintf(stderr, "tir_check: cannot read %s\n", argv[1]), 2;
  char *expect = strstr(file.data, marker);
  if (!expect && !update) return fprintf(stderr, "%s: no '%s' block\n", argv[1], "# >>> expect"), 1;
  if (expect) *expect = 0, expect += sizeof marker - 1;
  PassOptions opt = {.verify_each = true, .remarks = true};
  ir_set_kernel_names(tg_kernel_names(), KERNEL_COUNT);
  if (parse_args(file.data, &opt)) return 1;
  Arena *a = arena_new();
  Graph *g = ir_parse(a, file.data, argv[1], NULL, NULL);
  if (!g) return 1;
  int n_before = 0, n_after = 0;
  float *before = interpret(g, &n_before);
  if (pass_run_pipeline(g, &opt)) return 1;
  float *after = interpret(g, &n_after);
  PassStrength s = pass_run_strength(g);
  Buf printed = {0};
  ir_print(g, &printed);
  int rc = update ? 0 : check_interpreted(before, n_before, after, n_after, s);
  if (update) {
    printf("%s%s%s", file.data, marker, printed.data);
  } else if (strcmp(printed.data, expect) != 0) {
    printf("FAIL: printed IR differs from the expect block; got:\n%s", printed.data);
    rc = 1;
  }
  if (!update && rc == 0 && s.compiled)
    rc = check_compiled(&cp, file.data, args_line(file.data), &opt, n_before, s);
  free(before), free(after), buf_free(&printed), buf_free(&file);
  free((char *)opt.pass_list);
  arena_free(a);
  return rc;
}
