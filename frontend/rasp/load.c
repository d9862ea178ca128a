/*
 * load.c — the RASP frontend's entry points: read a .rasp file, elaborate it
 * after the embedded prelude into a graph (elab.c), and run a graph in tfc's
 * interpreter for `tfc prog.rasp --interpret TOK...`.
 */
#include "rasp.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PRELUDE_PATH "frontend/rasp/prelude.rasp"

/* "dir/sort-ints.rasp" -> "sort_ints": a C identifier for the generated symbols. */
static const char *program_name(Arena *a, const char *path) {
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  size_t n = strlen(base);
  if (n > 5 && strcmp(base + n - 5, ".rasp") == 0) n -= 5;
  char *name = arena_alloc(a, n + 8);
  if (!name) return NULL;
  char *o = name;
  if (n == 0 || isdigit((unsigned char)base[0])) *o++ = '_';
  if ((n == 2 || (n > 2 && base[2] == '_')) && strncmp(base, "rt", 2) == 0)
    o += sprintf(o, "prog_");   /* rt_* belongs to the runtime copied into the C */
  for (size_t i = 0; i < n; i++) *o++ = isalnum((unsigned char)base[i]) ? base[i] : '_';
  return name;
}

Graph *rasp_load(Arena *a, const char *path, const RaspOptions *opt) {
  Buf text = {0};
  if (buf_read_file(&text, path)) {
    diag_error(diag_loc(path, 0, 0), "cannot read the program: %s",
               errno == ENOMEM ? "out of memory" : strerror(errno));
    return buf_free(&text), NULL;
  }
  char *copy = arena_alloc(a, text.len + 1);
  if (copy) memcpy(copy, text.data, text.len);
  size_t len = text.len;
  buf_free(&text);
  const char *prelude = fe_embedded_file(PRELUDE_PATH);
  const char *name = program_name(a, path);
  Graph *g = copy && name ? ir_graph_new(a, name, RASP) : NULL;
  if (!g || !prelude) {
    diag_error(diag_loc(path, 0, 0), g ? "the RASP prelude is missing from this build" : "out of memory");
    return NULL;
  }
  g->source = path;
  g->family = "rasp";
  if (rasp_elaborate(g, prelude, "prelude.rasp", copy, len, path, opt)) return NULL;
  return g;
}

int rasp_run(const Graph *g, const char *const *tokens, int n, FILE *out) {
  Buf line = {0};
  int rc = ir_rasp_interpret(g, tokens, n, &line);
  if (rc == 0 && line.failed) rc = -1, diag_error(LOC_NONE, "out of memory");
  if (rc == 0) fwrite(line.data, 1, line.len, out);
  buf_free(&line);
  return rc ? 1 : 0;
}

const char **rasp_split_chars(Arena *a, const char *s, int *n) {
  size_t len = strlen(s);
  const char **tokens = arena_alloc(a, sizeof(char *) * (len + 1));
  if (!tokens) return NULL;
  *n = 0;
  for (size_t i = 0; i < len;) {
    size_t k = 1;
    while (i + k < len && ((unsigned char)s[i + k] & 0xC0) == 0x80) k++;
    char *t = arena_alloc(a, k + 1);
    if (!t) return NULL;
    memcpy(t, s + i, k);
    tokens[(*n)++] = t;
    i += k;
  }
  return tokens;
}
