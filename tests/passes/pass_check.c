/*
 * pass_check.c — the passes, checked by the reference interpreter.
 *
 *   pass_check CASE
 *
 * Each case builds a small random model (build_models.c), interprets it on
 * fixed random tokens, runs one pass or one -O pipeline with verification
 * after every pass, interprets again and compares:
 *
 *     bitwise                                          (every pass "exact (bitwise)")
 *     rel = max |after - before| / max |before|  <=  the sum of the passes' "rel. X"
 *
 * at the strength the passes that ran declare in passes/passes.def (pass_run_strength),
 * never a tolerance of the test's own.  Passes whose facts only the generated C reads
 * (passes.def's COMPILED: packing, kernels, the memory plan) are compared here on what
 * the interpreter sees; tests/passes/tir_check.c compiles and runs their C.
 * and then checks that the rewrite did (or, for the graphs a pass must
 * refuse, did not) happen, by counting ops and reading the remarks.
 * Prints one line per check; exits 1 on the first failure.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "build_models.h"
#include "passes.h"

enum { N_TOKENS = 9, MAX_OUT = 16 * 1024 };

static int failures;

#define CHECK(cond, ...)                       \
  do {                                         \
    if (!(cond)) {                             \
      printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);                     \
      printf("\n");                            \
      failures++;                              \
      return;                                  \
    }                                          \
  } while (0)

static const int32_t tokens[N_TOKENS] = {3, 17, 0, 60, 42, 5, 5, 29, 11};

static int count_op(const Graph *g, Op op) {
  int c = 0;
  for (int i = 0; i < g->n_nodes; i++) c += !g->nodes[i]->dead && g->nodes[i]->op == op;
  return c;
}

static int live_nodes(const Graph *g) {
  int c = 0;
  for (int i = 0; i < g->n_nodes; i++) c += !g->nodes[i]->dead;
  return c;
}

/* What one case runs and expects. */
typedef struct {
  const char *name;
  ModelKind model;
  const char *passes;     /* --passes list, or NULL to use opt_level */
  int opt_level;
  const char *remark;     /* a phrase the remarks must contain (NULL: none required) */
  void (*expect)(const Graph *before_counts, const Graph *g);
} Case;

/* Op counts of the graph before the passes, kept in a small table. */
static int before_count[OP_COUNT];
static int before_nodes;

static void snapshot(const Graph *g) {
  for (int op = 0; op < OP_COUNT; op++) before_count[op] = count_op(g, (Op)op);
  before_nodes = live_nodes(g);
}

static void expect_ln_gone(const Graph *unused, const Graph *g) {
  (void)unused;
  CHECK(count_op(g, OP_LAYERNORM) == 0, "LayerNorms left: %d", count_op(g, OP_LAYERNORM));
  CHECK(count_op(g, OP_RMSNORM) == before_count[OP_LAYERNORM], "RMSNorms: %d, LayerNorms before: %d",
        count_op(g, OP_RMSNORM), before_count[OP_LAYERNORM]);
}

static void expect_crms(const Graph *unused, const Graph *g) {
  (void)unused;
  CHECK(count_op(g, OP_LAYERNORM) == 0, "LayerNorms left: %d", count_op(g, OP_LAYERNORM));
  CHECK(count_op(g, OP_CRMSNORM) == before_count[OP_LAYERNORM], "CRMSNorms: %d, LayerNorms before: %d",
        count_op(g, OP_CRMSNORM), before_count[OP_LAYERNORM]);
}

static void expect_unchanged(const Graph *unused, const Graph *g) {
  (void)unused;
  CHECK(count_op(g, OP_LAYERNORM) == before_count[OP_LAYERNORM] && count_op(g, OP_RMSNORM) == 0,
        "the graph was rewritten (LN %d -> %d)", before_count[OP_LAYERNORM], count_op(g, OP_LAYERNORM));
  CHECK(live_nodes(g) == before_nodes, "node count %d -> %d", before_nodes, live_nodes(g));
}

static void expect_un_folded(const Graph *unused, const Graph *g) {
  (void)unused;
  CHECK(count_op(g, OP_MUL) == 0 && count_op(g, OP_ADD) == before_count[OP_ADD] - 5,
        "mul %d, add %d (before: mul %d, add %d)", count_op(g, OP_MUL), count_op(g, OP_ADD),
        before_count[OP_MUL], before_count[OP_ADD]);
}

/* fuse_linears on the 2-layer Llama: per layer q,k,v -> 1 and gate,up -> 1. */
static void expect_linears_fused(const Graph *g) {
  CHECK(count_op(g, OP_LINEAR) == before_count[OP_LINEAR] - 2 * 3, "linears %d -> %d",
        before_count[OP_LINEAR], count_op(g, OP_LINEAR));
}

static void expect_fused(const Graph *unused, const Graph *g) {
  (void)unused;
  expect_linears_fused(g);
  CHECK(count_op(g, OP_SLICE) == 2 * 5, "slices: %d", count_op(g, OP_SLICE));
}

/* As expect_fused, then per layer slice + slice + silu + mul -> one swiglu. */
static void expect_swiglu(const Graph *unused, const Graph *g) {
  (void)unused;
  expect_linears_fused(g);
  CHECK(count_op(g, OP_SLICE) == 2 * 3 && count_op(g, OP_SWIGLU) == 2 &&
            count_op(g, OP_SILU) == 0 && count_op(g, OP_MUL) == 0,
        "slices %d, swiglus %d, silus %d, muls %d", count_op(g, OP_SLICE), count_op(g, OP_SWIGLU),
        count_op(g, OP_SILU), count_op(g, OP_MUL));
}

static void expect_misc_cleaned(const Graph *unused, const Graph *g) {
  (void)unused;
  CHECK(count_op(g, OP_GELU) == 1, "gelus: %d (want 1 after cse)", count_op(g, OP_GELU));
  CHECK(count_op(g, OP_SILU) == 0 && count_op(g, OP_SCALE) == 0 && count_op(g, OP_MUL) == 0,
        "fold left silu %d scale %d mul %d", count_op(g, OP_SILU), count_op(g, OP_SCALE),
        count_op(g, OP_MUL));
  CHECK(count_op(g, OP_LINEAR) == 1, "linears: %d (want 1 after dce)", count_op(g, OP_LINEAR));
}

/* The plan must never give overlapping bytes to values live at the same time;
 * the graph output lives in the caller's buffer (plan_out), not the arena. */
static void expect_valid_plan(const Graph *unused, const Graph *g) {
  (void)unused;
  int *first = malloc(sizeof(int) * (size_t)g->n_values), *last = malloc(sizeof(int) * (size_t)g->n_values);
  ir_live_ranges(g, first, last);
  const Value *caller = ir_caller_output(g);
  CHECK(caller && caller == g->outputs[0] && caller->plan_out && !caller->planned,
        "the output is not in the caller's buffer");
  int64_t sum = 0;
  for (int i = 0; i < g->n_values; i++) {
    Value *a = g->values[i];
    if (first[i] < 0 || a == caller) continue;
    sum += ir_value_bytes(g, a);
    CHECK(a->planned && !a->plan_out && a->plan_offset + ir_value_bytes(g, a) <= g->plan_bytes,
          "value '%s' not placed inside the arena", a->name);
    for (int j = 0; j < i; j++) {
      Value *b = g->values[j];
      if (b == caller) continue;
      bool overlap_time = first[j] >= 0 && first[i] <= last[j] && first[j] <= last[i];
      bool overlap_bytes = a->plan_offset < b->plan_offset + ir_value_bytes(g, b) &&
                           b->plan_offset < a->plan_offset + ir_value_bytes(g, a);
      CHECK(!(overlap_time && overlap_bytes), "'%s' and '%s' share bytes while both live", a->name,
            b->name);
    }
  }
  printf("plan: %lld bytes for %lld bytes of activations (%.1f%%)\n", (long long)g->plan_bytes,
         (long long)sum, 100.0 * (double)g->plan_bytes / (double)sum);
  CHECK(g->plan_bytes < sum, "no reuse at all");
  free(first), free(last);
}

static void expect_cse(const Graph *u, const Graph *g) {
  (void)u;
  CHECK(count_op(g, OP_GELU) == 1, "gelus: %d (want 1)", count_op(g, OP_GELU));
}

static void expect_fold(const Graph *u, const Graph *g) {
  (void)u;
  CHECK(count_op(g, OP_SILU) == 0 && count_op(g, OP_SCALE) == 0 && count_op(g, OP_MUL) == 0,
        "left: silu %d scale %d mul %d", count_op(g, OP_SILU), count_op(g, OP_SCALE),
        count_op(g, OP_MUL));
}

static void expect_dce(const Graph *u, const Graph *g) {
  (void)u;
  CHECK(count_op(g, OP_LINEAR) == 1, "linears: %d (want 1)", count_op(g, OP_LINEAR));
}

static void expect_un_final_only(const Graph *u, const Graph *g) {
  (void)u;
  CHECK(count_op(g, OP_MUL) == before_count[OP_MUL] - 4,
        "mul %d -> %d: only the last two norms (read by the head alone) may fold", before_count[OP_MUL],
        count_op(g, OP_MUL));
}

static void expect_epilogue(const Graph *u, const Graph *g) {
  (void)u;
  CHECK(count_op(g, OP_GELU_TANH) == 0, "gelu_tanh left: %d", count_op(g, OP_GELU_TANH));
  CHECK(count_op(g, OP_ADD) == before_count[OP_ADD] - 4, "adds %d -> %d (want the 4 residual adds fused)",
        before_count[OP_ADD], count_op(g, OP_ADD));
}

/* The number after `key` in a --stats table, or -1 when the key is absent. */
static long long stat_value(const char *table, const char *key) {
  const char *p = strstr(table, key);
  return p ? atoll(p + strlen(key)) : -1;
}

/* --stats on the tied GPT, against the formulas in ir/stats.c written out by hand. */
static void expect_stats(const Graph *u, const Graph *g) {
  (void)u;
  long long d = 16, L = 2, V = 61, ctx = 16, heads = 4;
  long long lin = 3 * (2 * d * d + d) + (2 * d * d + d) + (8 * d * d + 4 * d) + (8 * d * d + d);
  long long other = d + 1 + d + d + L * (d + d + d + 4 * d + d) + d;
  long long flops = L * (lin + 4 * d * ctx) + 2 * d * V + other;
  long long wbytes = 4 * (V * d + ctx * d + L * (4 * d + 3 * (d * d + d) + d * d + d + 4 * d * d +
                                                   4 * d + 4 * d * d + d) + 2 * d);
  long long kv = L * 2 * ctx * d * 4;
  long long peak = (d + 4 * d + 4 * d) * ctx * 4;   /* in the MLP: stream, fc, gelu */
  (void)heads;
  Buf b = {0};
  ir_format_stats(g, "", &b);
  printf("%s", b.data);
  long long f = stat_value(b.data, "FLOPs per token"), w = stat_value(b.data, "weight bytes");
  long long k = stat_value(b.data, "KV-cache bytes"), p = stat_value(b.data, "peak activation bytes");
  long long o = stat_value(b.data, "output bytes");
  buf_free(&b);
  CHECK(f == flops, "FLOPs per token %lld, expected %lld", f, flops);
  CHECK(w == wbytes, "weight bytes %lld, expected %lld", w, wbytes);
  CHECK(k == kv, "KV-cache bytes %lld, expected %lld", k, kv);
  CHECK(p == peak, "peak activation bytes %lld, expected %lld", p, peak);
  CHECK(o == ctx * V * 4, "output bytes %lld, expected %lld", o, ctx * V * 4);
}

/* --stats after plan_memory on the misc model, whose logits [T,61] outweigh
 * everything else live: they are in the caller's buffer, so neither the peak
 * nor the arena holds them, and the arena is at least the peak (once the peak
 * counted them and exceeded the arena).  The peak is at `sum`: g1, g2 and sum
 * [T,16] with c_silu [16]. */
static void expect_stats_planned(const Graph *u, const Graph *g) {
  (void)u;
  long long d = 16, V = 61, ctx = 16, peak = 3 * ctx * d * 4 + d * 4;
  Buf b = {0};
  ir_format_stats(g, "", &b);
  printf("%s", b.data);
  long long p = stat_value(b.data, "peak activation bytes");
  long long a = stat_value(b.data, "activation arena bytes"), o = stat_value(b.data, "output bytes");
  buf_free(&b);
  CHECK(p == peak, "peak activation bytes %lld, expected %lld", p, peak);
  CHECK(a == g->plan_bytes && a >= p, "arena bytes %lld: the plan's %lld, at least the peak %lld", a,
        (long long)g->plan_bytes, p);
  CHECK(o == ctx * V * 4, "output bytes %lld, expected %lld", o, ctx * V * 4);
}

static const Case cases[] = {
    {"ln_to_rmsnorm.gpt", M_GPT, "ln_to_rmsnorm", 0, "row-mean column", expect_ln_gone},
    {"ln_to_rmsnorm.gpt_untied", M_GPT_UNTIED, "ln_to_rmsnorm", 0, "is now RMSNorm", expect_ln_gone},
    {"ln_to_rmsnorm.refuses_post_ln", M_POST_LN, "ln_to_rmsnorm", 0, "not applied: post-LN", expect_unchanged},
    {"ln_to_rmsnorm.refuses_sandwich", M_SANDWICH, "ln_to_rmsnorm", 0, "not applied: sandwich norm", expect_unchanged},
    {"ln_to_rmsnorm.refuses_no_final_ln", M_NO_FINAL_LN, "ln_to_rmsnorm", 0, "read by an op other than LayerNorm", expect_unchanged},
    {"ln_to_rmsnorm.refuses_exposed", M_EXPOSED, "ln_to_rmsnorm", 0, "exposes the raw residual stream", expect_unchanged},
    {"crmsnorm.gpt", M_GPT, "crmsnorm", 0, "is now CRMSNorm on 15 of 16", expect_crms},
    {"crmsnorm.gpt_untied", M_GPT_UNTIED, "crmsnorm", 0, "is now CRMSNorm", expect_crms},
    {"crmsnorm.refuses_post_ln", M_POST_LN, "crmsnorm", 0, "crmsnorm: not applied: post-LN", expect_unchanged},
    {"un_fold.un", M_UN, "un_fold", 0, "un_fold: folded 3-step", expect_un_folded},
    {"un_fold.keeps_residual_norm", M_UN_RESIDUAL, "un_fold", 0, "also feeds something other than linears; kept", expect_un_final_only},
    {"fuse_linears.llama", M_LLAMA, "fuse_linears", 0, "fused 3 linears", expect_fused},
    {"fuse_epilogue.gpt", M_GPT, "fuse_epilogue", 0, "residual add", expect_epilogue},
    {"fuse_epilogue.llama", M_LLAMA, "fuse_epilogue", 0, "residual add", NULL},
    {"fold.misc", M_MISC, "fold", 0, "is an identity", expect_fold},
    {"cse.misc", M_MISC, "cse", 0, "is the same as", expect_cse},
    {"dce.misc", M_MISC, "dce", 0, "dce: removed", expect_dce},
    {"plan_memory.gpt", M_GPT, "plan_memory", 0, "plan_memory:", expect_valid_plan},
    {"plan_memory.llama_O2", M_LLAMA, NULL, 2, "plan_memory:", expect_valid_plan},
    {"stats.gpt", M_GPT, "", 0, NULL, expect_stats},
    {"stats.misc_planned", M_MISC, "plan_memory", 0, "lives in the caller's buffer", expect_stats_planned},
    {"O1.gpt", M_GPT, NULL, 1, NULL, NULL},
    {"O2.gpt", M_GPT, NULL, 2, NULL, expect_ln_gone},
    {"O3.gpt_untied", M_GPT_UNTIED, NULL, 3, "is now RMSNorm", expect_ln_gone},
    {"crmsnorm.pipeline", M_GPT_UNTIED, "un_fold,fold,crmsnorm,ln_to_rmsnorm,cse,fuse_linears,fuse_epilogue,dce,plan_memory", 0, "is now CRMSNorm", expect_crms},
    {"fuse_swiglu.llama", M_LLAMA, "fuse_linears,fuse_swiglu", 0, "= swiglu", expect_swiglu},
    {"O2.llama", M_LLAMA, NULL, 2, NULL, expect_swiglu},
    {"O2.post_ln", M_POST_LN, NULL, 2, "not applied: post-LN", NULL},
    {"O2.un", M_UN, NULL, 2, NULL, NULL},
    {"O2.un_residual", M_UN_RESIDUAL, NULL, 2, NULL, NULL},
    {"O2.misc", M_MISC, NULL, 2, NULL, expect_misc_cleaned},
};
enum { N_CASES = sizeof cases / sizeof cases[0] };

static double max_abs(const float *x, int n) {
  double m = 0;
  for (int i = 0; i < n; i++) m = fmax(m, fabs(x[i]));
  return m;
}

/* Reads the whole of f (the captured remarks) into a malloc'd string. */
static char *slurp(FILE *f) {
  long n = ftell(f);
  char *s = calloc((size_t)n + 1, 1);
  rewind(f);
  if (fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = 0;
  return s;
}

static void run_case(const Case *c) {
  static float before[MAX_OUT], after[MAX_OUT];
  Arena *a = arena_new();
  Graph *g = test_build_model(a, c->model);
  CHECK(g && ir_verify(g, "build") == 0, "the test model does not verify");
  int width = (int)ir_last_dim(g->outputs[0]), n = N_TOKENS * width;
  CHECK(ir_interpret(g, tokens, N_TOKENS, before) == 0, "interpreter failed before the passes");
  snapshot(g);
  FILE *remarks = tmpfile();
  diag_set_stream(remarks);
  PassOptions opt = {.opt_level = c->opt_level, .pass_list = c->passes, .remarks = true,
                     .verify_each = true};
  int rc = pass_run_pipeline(g, &opt);
  diag_set_stream(NULL);
  char *text = slurp(remarks);
  fclose(remarks);
  printf("%s", text);
  bool said = !c->remark || strstr(text, c->remark);
  free(text);
  CHECK(rc == 0, "the pipeline failed");
  CHECK(said, "no remark containing '%s'", c->remark);
  CHECK(ir_interpret(g, tokens, N_TOKENS, after) == 0, "interpreter failed after the passes");
  PassStrength want = pass_run_strength(g);
  double err = 0;
  for (int i = 0; i < n; i++) err = fmax(err, fabs((double)after[i] - before[i]));
  double rel = err / fmax(max_abs(before, n), 1e-30);
  bool same_bits = memcmp(before, after, sizeof(float) * (size_t)n) == 0;
  printf("%s: max|diff| %.3g, relative %.3g (declared: %s %.1e), nodes %d -> %d\n", c->name, err,
         rel, want.bitwise ? "bitwise" : "rel.", want.rel, before_nodes, live_nodes(g));
  if (want.bitwise) CHECK(same_bits, "declared bitwise, but the outputs differ (relative %.3g)", rel);
  CHECK(rel <= want.rel, "relative error %.3g above the declared %.1e", rel, want.rel);
  if (c->expect) c->expect(NULL, g);
  arena_free(a);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    for (int i = 0; i < N_CASES; i++) printf("%s\n", cases[i].name);
    return 2;
  }
  for (int i = 0; i < N_CASES; i++)
    if (!strcmp(argv[1], cases[i].name) || !strcmp(argv[1], "all")) {
      run_case(&cases[i]);
      if (failures) return 1;
      if (strcmp(argv[1], "all")) return 0;
    }
  if (strcmp(argv[1], "all")) {
    fprintf(stderr, "pass_check: no case '%s'\n", argv[1]);
    return 2;
  }
  return 0;
}
