/*
 * test_ir_text.c — the textual IR: print(parse(print(g))) == print(g) byte for
 * byte on several graphs, parse errors point at file:line:col, and truncated
 * or mangled text never crashes the parser.
 */
#include "check.h"
#include "graphs.h"
#include "target.h"   /* the kernel names the text spells */

/* Prints g, parses the text, prints again: both texts must be equal. */
static void check_round_trip(const Graph *g) {
  Buf a = {0}, b = {0};
  ir_print(g, &a);
  Arena *arena = arena_new();
  Graph *p = ir_parse(arena, a.data, "round_trip.tir", NULL, NULL);
  CHECK(p != NULL);
  if (p) {
    ir_print(p, &b);
    CHECK(b.data && strcmp(a.data, b.data) == 0);
    if (b.data && strcmp(a.data, b.data)) fprintf(stderr, "--- first\n%s--- second\n%s", a.data, b.data);
    CHECK(ir_verify(p, "parse") == 0);
  }
  arena_free(arena);
  buf_free(&a), buf_free(&b);
}

static const char every_feature[] =
    "# a comment line\n"
    "graph \"odd name\" family=llama max_seq=32 vocab=16 decoder source=\"m/x.yaml\" plan=4096 {\n"
    "  passes fold, cse\n"
    "  input %tokens : i32[T] @0\n"
    "  const %wte : f32[16,8] = \"model.embed_tokens.weight\"\n"
    "  const %\"w q/\\\"x\\\"\" : f32[8,8] = \"a\\tb\\x01\"\n"
    "  const %nosrc : f32[8]\n"
    "  const %panels : f32[20,8] = \"p.weight\" packed=16\n"
    "  %x : f32[T,8] @128 = embedding %wte, %tokens   # trailing comment\n"
    "  layer \"model.layers.0\" {\n"
    "    %q : f32[T,8] = linear %x, %\"w q/\\\"x\\\"\", %nosrc w_layout=0 kernel=rt_linear_avx2 act_kernel=rt_silu_avx2 note=\"fused, exact\"\n"
    "    %s : f32[T,8] = scale %q scale=0.125\n"
    "  }\n"
    "  layer \"model.layers.1\" {\n"
    "    %a : f32[T,8] = attention %s, %s, %s heads=2 kv_heads=2 head_dim=4 causal window=0 scale=1e-05\n"
    "  }\n"
    "  output %a\n"
    "  output %x\n"
    "}\n";

static void test_round_trips(void) {
  Arena *a = arena_new();
  Graph *g = test_graph_all_ops(a);
  CHECK(g && ir_verify(g, NULL) == 0);
  if (g) check_round_trip(g);
  arena_free(a);

  a = arena_new();
  g = ir_parse(a, every_feature, "every.tir", NULL, NULL);
  CHECK(g != NULL);
  if (g) {
    Buf b = {0};
    ir_print(g, &b);
    CHECK(strstr(b.data, "kernel=rt_linear_avx2 act_kernel=rt_silu_avx2 note=\"fused, exact\""));
    CHECK(strstr(b.data, "const %panels : f32[20,8] = \"p.weight\" packed=16\n"));
    CHECK(strstr(b.data, "%x : f32[T,8] @128 = embedding %wte, %tokens\n"));
    CHECK(strstr(b.data, "causal window=0 scale=1e-05\n"));
    CHECK(g->is_decoder && g->plan_bytes == 4096 && !strcmp(g->family, "llama"));
    CHECK(g->n_passes_run == 2 && g->n_outputs == 2);
    CHECK(strcmp(g->values[2]->name, "w q/\"x\"") == 0 && strcmp(g->values[2]->source, "a\tb\x01") == 0);
    check_round_trip(g);
    buf_free(&b);
  }
  arena_free(a);
}

/* Every float the printer writes reads back exactly. */
static void test_reals(void) {
  double xs[] = {1e-5, 0.1, 1.0 / 3, 10000, 1e300, -2.5e-310, 0, 0.125, 3.14159265358979};
  char buf[32];
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) CHECK(strtod(ir_real_str(xs[i], buf), NULL) == xs[i]);
  CHECK(strcmp(ir_real_str(1e-5, buf), "1e-05") == 0);
}

typedef struct {
  const char *text;
  const char *message;   /* expected in the diagnostic, after "bad.tir:L:C: error: " */
} BadCase;

#define HEAD "graph g family=graph max_seq=8 vocab=4 {\n  input %t : i32[T]\n"
static const BadCase bad_cases[] = {
    {"", "bad.tir:1:1: error: expected 'graph'"},
    {"graph g {\n", "graph is not closed"},
    {"graph g family=\"gpt2\" {\n}\n", "expected a family name"},
    {"graph g max_seq=-3 {\n}\n", "is not an integer in"},
    {"graph g colour=red {\n}\n", "unknown graph attribute 'colour'"},
    {HEAD "  %x : f32[T,4] = embedding %w, %t\n}\n", "bad.tir:3:29: error: value '%w' is not defined"},
    {HEAD "  const %w : f32[4,4] = \"w\"\n  %w : f32[4,4] = relu %w\n}\n", "bad.tir:4:3: error: value '%w' is already defined"},
    {HEAD "  const %w : f32[T,4]\n}\n", "cannot have a T dimension"},
    {HEAD "  const %w : f16[4]\n}\n", "unknown dtype 'f16'"},
    {HEAD "  const %w : f32[4,0]\n}\n", "is not an integer in [1,"},
    {HEAD "  const %w : f32[1,2,3,4,5]\n}\n", "more than 4 dimensions"},
    {HEAD "  const %w : f32[4,4]\n  %y : f32[4,4] = frobnicate %w\n}\n", "expected an op name, found 'frobnicate'"},
    {HEAD "  const %w : f32[4,4]\n  %y : f32[4,4] = relu %w, %w\n}\n", "relu takes 1 inputs, found 2"},
    {HEAD "  const %w : f32[4,4]\n  %y : f32[4,4] = relu %w eps=1\n}\n", "relu takes no attribute 'eps'"},
    {HEAD "  const %w : f32[4,4]\n  %y : f32[4,4] = scale %w scale=1 scale=2\n}\n", "attribute 'scale' given twice"},
    {HEAD "  const %w : f32[4,4]\n  %y : f32[4,4] = scale %w scale=abc\n}\n", "'abc' is not a number"},
    {HEAD "  const %w : f32[4,4]\n  %y : f32[4,5] = relu %w\n}\n", "relu gives f32[4,4], but %y is declared f32[4,5]"},
    {HEAD "  const %w : f32[4,4]\n  %y : f32[4,4] = linear %w, %w, %w\n}\n", "bias [4,4] does not match"},
    {HEAD "  const %w : f32[4,4]\n  %y : f32[4,4] = rope %w heads=1 head_dim=4 rope_style=sideways\n}\n", "expected 'halves' or 'interleaved'"},
    {HEAD "  const %w : f32[4,4]\n  %y : f32[4,4] = transpose %w perm=[0,7]\n}\n", "is not an integer in [0, 3]"},
    {HEAD "  const %w : f32[4,4] = \"abc\n}\n", "unterminated string"},
    {HEAD "  const %w : f32[4,4] = \"a\\qb\"\n}\n", "bad escape in string"},
    {HEAD "  const %w : f32[4,4] $\n}\n", "unexpected character '$'"},
    {HEAD "  const %w : f32[4,4] \x01\n}\n", "unexpected byte 0x01"},
    {HEAD "  layer \"a\" {\n  layer \"b\" {\n  }\n  }\n}\n", "layer blocks do not nest"},
    {HEAD "  layer \"a\" {\n  input %u : i32[T]\n  }\n}\n", "expected a statement, found 'input'"},
    {HEAD "  output %nope\n}\n", "value '%nope' is not defined"},
    {HEAD "  output %t\n}\ngraph h {\n}\n", "unexpected 'graph' after the graph"},
    {HEAD "  % x : f32[4]\n}\n", "expected a value name after '%'"},
    {HEAD "  output %t extra\n}\n", "expected end of line, found 'extra'"},
};

static void test_bad_cases(void) {
  for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
    Arena *a = arena_new();
    capture_begin();
    Graph *g = ir_parse(a, bad_cases[i].text, "bad.tir", NULL, NULL);
    const char *msg = capture_end();
    CHECK(g == NULL);
    CHECK(strncmp(msg, "bad.tir:", 8) == 0);
    CHECK_HAS(msg, bad_cases[i].message);
    arena_free(a);
  }
}

/* Data from a lookup callback; a missing tensor is an error. */
static const void *lookup(void *ctx, const char *source, DType dt, Shape shape) {
  (void)dt, (void)shape;
  return strcmp(source, "known") == 0 ? ctx : NULL;
}

static void test_lookup(void) {
  static float data[4] = {1, 2, 3, 4};
  Arena *a = arena_new();
  Graph *g = ir_parse(a, HEAD "  const %w : f32[4] = \"known\"\n  output %w\n}\n", "l.tir", lookup, data);
  CHECK(g && g->values[1]->data == data);
  capture_begin();
  g = ir_parse(a, HEAD "  const %w : f32[4] = \"unknown\"\n}\n", "l.tir", lookup, data);
  CHECK_HAS(capture_end(), "l.tir:3:3: error: constant '%w': no data for tensor 'unknown'");
  CHECK(g == NULL);
  arena_free(a);
}

/* Every prefix of a valid text, and texts with one byte replaced, either parse
 * or fail with a diagnostic; none crashes (ASan/UBSan watch the run). */
static void fuzz_text(const char *original) {
  Buf text = {0};
  buf_puts(&text, original);
  char *copy = malloc(text.len + 1);
  const char noise[] = "%\"\\{}[],:=@#\n x9-T\xff";
  int parsed = 0, failed = 0;
  for (size_t cut = 0; cut <= text.len; cut += 1 + cut / 64) {
    for (size_t r = 0; r < sizeof noise; r++) {
      memcpy(copy, text.data, text.len + 1);
      if (r + 1 < sizeof noise && cut < text.len) copy[cut] = noise[r];
      else copy[cut] = 0;
      Arena *a = arena_new();
      capture_begin();
      Graph *g = ir_parse(a, copy, "fuzz.tir", NULL, NULL);
      const char *msg = capture_end();
      if (g) {
        parsed++;
        capture_begin();
        ir_verify(g, NULL);  /* may reject it (no outputs, ...), must not crash */
        capture_end();
      } else {
        failed++;
        CHECK(strstr(msg, "error:") != NULL);
      }
      arena_free(a);
    }
  }
  CHECK(failed > 100);
  printf("fuzz: %d texts parsed, %d rejected with a diagnostic\n", parsed, failed);
  free(copy);
  buf_free(&text);
}

/* Random sentences over the grammar's own words reach deeper states than
 * byte noise: each must parse or fail with a diagnostic. */
static void fuzz_grammar(void) {
  static const char *words[] = {
      "graph", "g", "{", "}", "\n", "\n", "\n", "input", "const", "%x", "%y", "%z", ":", "f32", "i32",
      "bool", "[", "]", "T", ",", ",", "4", "16", "=", "=", "relu", "linear", "attention", "softmax",
      "transpose", "reshape", "layer", "\"h\"", "output", "eps=1", "causal", "perm=[1,0]",
      "to_shape=[T,4]", "@", "8", "_", "kernel=\"k\"", "passes", "-1", "1e400", "nan", "heads=1",
      "head_dim=4", "kv_heads=1", "w_layout=1", "#", "\"", "%", "rope_style=halves"};
  const int n_words = (int)(sizeof words / sizeof words[0]);
  uint32_t seed = 12345;
  int parsed = 0;
  for (int iter = 0; iter < 3000; iter++) {
    Buf text = {0};
    buf_puts(&text, "graph g {\n input %x : f32[T,4]\n const %y : f32[4,4]\n");
    int len = 1 + iter % 24;
    for (int i = 0; i < len; i++) {
      seed = seed * 1664525u + 1013904223u;
      buf_printf(&text, "%s ", words[(seed >> 8) % (uint32_t)n_words]);
    }
    if (iter % 2) buf_puts(&text, "\n output %x\n}\n");
    Arena *a = arena_new();
    capture_begin();
    Graph *g = ir_parse(a, text.data, "grammar.tir", NULL, NULL);
    const char *msg = capture_end();
    if (g) parsed++;
    else CHECK(strstr(msg, "grammar.tir:") == msg);
    arena_free(a);
    buf_free(&text);
  }
  printf("grammar fuzz: %d of 3000 sentences parsed\n", parsed);
}

static void test_fuzz(void) {
  fuzz_grammar();
  Arena *keep = arena_new();
  Buf text = {0};
  ir_print(test_graph_all_ops(keep), &text);
  fuzz_text(text.data);
  fuzz_text(every_feature);
  buf_free(&text);
  arena_free(keep);
}

/* Out of memory at every allocation in turn: a diagnostic and NULL, or a graph
 * that prints the same text; never a crash or a silent half graph. */
static void test_out_of_memory(void) {
  Arena *keep = arena_new();
  Buf text = {0};
  ir_print(test_graph_all_ops(keep), &text);
  int failed = 0;
  for (long n = 1; n < 400; n++) {
    Arena *a = arena_new();
    capture_begin();
    arena_fail_at(n);
    Graph *g = ir_parse(a, text.data, "oom.tir", NULL, NULL);
    arena_fail_at(0);
    const char *msg = capture_end();
    if (g) {
      Buf again = {0};
      ir_print(g, &again);
      CHECK(strcmp(again.data, text.data) == 0);
      buf_free(&again);
    } else {
      failed++;
      CHECK_HAS(msg, "out of memory");
    }
    arena_free(a);
  }
  CHECK(failed > 10);
  buf_free(&text);
  arena_free(keep);
}

int main(void) {
  ir_set_kernel_names(tg_kernel_names(), KERNEL_COUNT);
  test_reals();
  test_round_trips();
  test_bad_cases();
  test_lookup();
  test_fuzz();
  test_out_of_memory();
  return check_report("test_ir_text");
}
