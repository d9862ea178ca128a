/*
 * fe_run.c — the frontend and the reference interpreter alone, without the
 * driver or any pass: loads a model, runs ir_interpret on the tokens and
 * writes the logits (raw little-endian f32, n x vocab).  The reference tests
 * use it so the frontend is checked against PyTorch even where the driver's
 * --interpret mode or the passes change.
 *
 *   fe_run MODEL "1 2 3" OUT.f32
 */
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

/* "1 2 3" -> ids; returns the count, or -1 when the text is not a list of ids. */
static int parse_tokens(char *text, int32_t *ids, int cap) {
  int n = 0;
  for (char *p = strtok(text, " "); p; p = strtok(NULL, " ")) {
    char *end;
    long v = strtol(p, &end, 10);
    if (*end || n == cap || v < 0 || v > INT32_MAX) return -1;
    ids[n++] = (int32_t)v;
  }
  return n;
}

static int run(Arena *a, char **argv) {
  Graph *g = fe_load_model(a, argv[1]);
  int32_t ids[1024];
  int n = g ? parse_tokens(argv[2], ids, 1024) : -1;
  if (n <= 0 || g->n_outputs != 1) return fprintf(stderr, "fe_run: bad model or tokens\n"), 1;
  size_t count = (size_t)n * (size_t)ir_last_dim(g->outputs[0]);
  float *out = malloc(sizeof(float) * count);
  FILE *f = NULL;
  int rc = !out || ir_interpret(g, ids, n, out) || !(f = fopen(argv[3], "wb")) ||
           fwrite(out, sizeof(float), count, f) != count;
  if (f && fclose(f)) rc = 1;
  free(out);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 4) return fprintf(stderr, "usage: fe_run MODEL TOKENS OUT.f32\n"), 2;
  Arena *a = arena_new();
  int rc = a ? run(a, argv) : 1;
  arena_free(a);
  return rc;
}
