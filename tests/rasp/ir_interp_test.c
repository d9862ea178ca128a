/*
 * ir_interp_test.c — RASP graphs through the generic entry point ir_interpret
 * (ir/interp.c hands them to ir_rasp_interpret_ids): token ids in, numbers
 * out.  Checks the sort example and the shared hist program on fixed inputs,
 * and that a string output is refused with a diagnostic.
 *
 *   ir_interp_test SOURCE_DIR SPECS_DIR
 */
#include <stdio.h>
#include <string.h>

#include "ir.h"
#include "rasp/rasp.h"

static int check(const char *path, const int32_t *ids, int n, const float *want) {
  Arena *a = arena_new();
  Graph *g = rasp_load(a, path, NULL);
  float out[16] = {0};
  int rc = g ? ir_interpret(g, ids, n, out) : -1;
  for (int i = 0; rc == 0 && i < n; i++)
    if (out[i] != want[i]) rc = -1, fprintf(stderr, "%s: out[%d] = %g, want %g\n", path, i, out[i], want[i]);
  printf("%s %s\n", rc ? "FAIL" : "ok  ", path);
  arena_free(a);
  return rc ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  char sort[512], hist[512], reverse[512];
  snprintf(sort, sizeof sort, "%s/examples/rasp/sort.rasp", argv[1]);
  snprintf(hist, sizeof hist, "%s/programs/hist.rasp", argv[2]);
  snprintf(reverse, sizeof reverse, "%s/programs/reverse.rasp", argv[2]);
  int fails = 0;
  fails += check(sort, (const int32_t[]){3, 1, 2, 2, 0}, 5, (const float[]){0, 1, 2, 2, 3});
  fails += check(hist, (const int32_t[]){7, 5, 7, 7}, 4, (const float[]){3, 1, 3, 3});
  /* reverse returns strings: ir_interpret must refuse them, not invent numbers */
  diag_set_stream(stdout);
  Arena *a = arena_new();
  Graph *g = rasp_load(a, reverse, NULL);
  float out[4];
  int rc = g ? ir_interpret(g, (const int32_t[]){1, 2}, 2, out) : 0;
  printf("%s string output refused\n", rc == -1 ? "ok  " : "FAIL");
  fails += rc != -1;
  arena_free(a);
  return fails ? 1 : 0;
}
