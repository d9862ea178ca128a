/*
 * pass_manager.c — the pipeline: a flat list of passes from passes.def (like
 * QBE's func()).  -O0 runs nothing; -On runs every pass whose level is 1..n in
 * the table's order; --passes=a,b,c runs exactly the named ones.  After each
 * pass the name is recorded in g->passes_run (the emitter prints the list),
 * the IR is verified when asked (tests, debug builds), and printed to stderr
 * after the pass --print-after names.
 *
 * Kind: exact (bitwise): the manager rewrites nothing itself.
 * Requires: a verified graph.  Invalidates: nothing beyond what each pass says.
 * Reference: QBE main.c (flat pass list), LLVM -print-after / -pass-remarks.
 */
#include "passes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *name;
  int (*run)(Graph *g, const PassOptions *opt);
  int level;            /* lowest -O level that runs it; 0: only by name */
  const char *kind;
  PassCheck check;
  const char *summary;
} PassInfo;

static const PassInfo pass_table[] = {
#define PASS(name, level, kind, check, summary) \
  {#name, pass_##name, level, kind, PASS_CHECK_##check, summary},
#include "passes.def"
#undef PASS
};
enum { N_PASSES = sizeof pass_table / sizeof pass_table[0] };

static const PassInfo *find_pass(const char *name, size_t len) {
  for (int i = 0; i < N_PASSES; i++)
    if (strlen(pass_table[i].name) == len && strncmp(pass_table[i].name, name, len) == 0)
      return &pass_table[i];
  return NULL;
}

const char *pass_kind(const char *name) {
  const PassInfo *p = find_pass(name, strlen(name));
  return p ? p->kind : NULL;
}

bool pass_strength(const char *name, PassStrength *s) {
  const PassInfo *p = find_pass(name, strlen(name));
  if (!p) return false;
  *s = (PassStrength){.compiled = p->check == PASS_CHECK_COMPILED, .rel = INFINITY};
  if (!strcmp(p->kind, "exact (bitwise)")) s->bitwise = true, s->rel = 0;
  else if (!strncmp(p->kind, "exact (rel. ", 12)) s->rel = strtod(p->kind + 12, NULL);
  return true;
}

PassStrength pass_run_strength(const Graph *g) {
  PassStrength all = {.bitwise = true}, one;
  for (int i = 0; i < g->n_passes_run; i++) {
    if (!pass_strength(g->passes_run[i], &one)) one = (PassStrength){.rel = INFINITY};
    all.bitwise &= one.bitwise;
    all.rel += one.rel;
    all.compiled |= one.compiled;
  }
  return all;
}

void pass_print_help(FILE *out) {
  fprintf(out, "  %-15s %-6s %-19s %s\n", "name", "-O", "kind", "what it does");
  for (int i = 0; i < N_PASSES; i++) {
    const PassInfo *p = &pass_table[i];
    char level[8] = "name";
    if (p->level) snprintf(level, sizeof level, ">=%d", p->level);
    fprintf(out, "  %-15s %-6s %-19s %s\n", p->name, level, p->kind, p->summary);
  }
}

/* Records that `name` ran, for the generated header. */
static int record(Graph *g, const char *name) {
  const char **list = arena_alloc(g->arena, sizeof(char *) * (size_t)(g->n_passes_run + 1));
  if (!list) {
    diag_error(LOC_NONE, "out of memory");
    return -1;
  }
  if (g->n_passes_run) memcpy(list, g->passes_run, sizeof(char *) * (size_t)g->n_passes_run);
  list[g->n_passes_run++] = name;
  g->passes_run = list;
  return 0;
}

static bool want_print(const PassOptions *opt, const char *name) {
  const char *p = opt->print_after;
  return p && (strcmp(p, "all") == 0 || strcmp(p, name) == 0);
}

/* Runs one pass with its bookkeeping: record, verify, print. */
static int run_one(Graph *g, const PassInfo *p, const PassOptions *opt) {
  if (p->run(g, opt)) return -1;
  ir_compact(g);
  if (record(g, p->name)) return -1;
  bool verify = opt->verify_each;
#ifndef NDEBUG
  verify = true;   /* debug builds always check every pass */
#endif
  if (verify && ir_verify(g, p->name)) return -1;
  if (want_print(opt, p->name)) {
    Buf b = {0};
    ir_print(g, &b);
    fprintf(stderr, "; IR after %s\n%s", p->name, b.data ? b.data : "");
    buf_free(&b);
  }
  return 0;
}

/* Checks every name in --passes=a,b,c (and --print-after) before anything runs. */
static int check_names(const PassOptions *opt) {
  for (const char *s = opt->pass_list; s && *s;) {
    size_t len = strcspn(s, ",");
    if (len && !find_pass(s, len)) {
      diag_error(LOC_NONE, "unknown pass '%.*s' in --passes (tfc --help lists them)", (int)len, s);
      return -1;
    }
    s += len + (s[len] == ',');
  }
  const char *pa = opt->print_after;
  if (pa && strcmp(pa, "all") != 0 && !find_pass(pa, strlen(pa))) {
    diag_error(LOC_NONE, "unknown pass '%s' in --print-after (tfc --help lists them)", pa);
    return -1;
  }
  return 0;
}

int pass_run_pipeline(Graph *g, const PassOptions *opt) {
  if (opt->remarks) diag_set_remarks(true);
  if (check_names(opt)) return -1;
  if (opt->pass_list) {
    for (const char *s = opt->pass_list; *s;) {
      size_t len = strcspn(s, ",");
      if (len && run_one(g, find_pass(s, len), opt)) return -1;
      s += len + (s[len] == ',');
    }
    return 0;
  }
  for (int i = 0; i < N_PASSES; i++) {
    const PassInfo *p = &pass_table[i];
    if (p->level >= 1 && p->level <= opt->opt_level && run_one(g, p, opt)) return -1;
  }
  return 0;
}
