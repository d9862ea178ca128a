/*
 * tir_check.c — runs one pass test written in textual IR (STYLE habit 12):
 *
 *   # args: --passes=cse            (or -O2; several words allowed)
 *   graph ... { ... }               the input
 *   # >>> expect
 *   graph ... { ... }               what --emit=ir must print after the passes
 *
 * Constants get the parser's deterministic pseudo-random data.  Besides the
 * printed result, the runner interprets the graph before and after on fixed
 * tokens and fails when the first output moves by more than 1e-5 relative,
 * so an expectation can never bless a wrong rewrite.
 *
 *   tir_check FILE.tir            check
 *   tir_check FILE.tir --update   print the actual result in place of the expect block
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* Interprets g on fixed tokens into out (malloc'd); NULL when it cannot run. */
static float *interpret(const Graph *g, int *count) {
  static const int32_t tokens[] = {1, 0, 3, 2, 1, 4, 0};
  int n = 7;
  int64_t width = g->n_outputs ? ir_last_dim(g->outputs[0]) : 0;
  float *out = calloc((size_t)(n * width + 1), sizeof(float));
  if (!out || ir_interpret(g, tokens, n, out) != 0) return free(out), NULL;
  *count = (int)(n * width);
  return out;
}

int main(int argc, char **argv) {
  if (argc < 2) return fprintf(stderr, "usage: tir_check FILE.tir [--update]\n"), 2;
  bool update = argc > 2 && !strcmp(argv[2], "--update");
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
  Buf printed = {0};
  ir_print(g, &printed);
  int rc = 0;
  if (before && after && n_before == n_after) {
    double err = 0, scale = 1e-30;
    for (int i = 0; i < n_before; i++)
      err = fmax(err, fabs((double)after[i] - before[i])), scale = fmax(scale, fabs(before[i]));
    printf("interpreted before/after: relative max difference %.3g\n", err / scale);
    if (err / scale > 1e-5) rc = 1, printf("FAIL: above 1e-5\n");
  } else if (before || after) {
    rc = 1, printf("FAIL: the graph ran before the passes but not after (or changed its output)\n");
  }
  if (update) {
    printf("%s%s%s", file.data, marker, printed.data);
  } else if (strcmp(printed.data, expect) != 0) {
    printf("FAIL: printed IR differs from the expect block; got:\n%s", printed.data);
    rc = 1;
  }
  free(before), free(after), buf_free(&printed), buf_free(&file);
  free((char *)opt.pass_list);
  arena_free(a);
  return rc;
}
