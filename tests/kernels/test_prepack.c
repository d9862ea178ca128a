/*
 * test_prepack.c — passes/prepack.c writes the panel layout the kernels read.
 *
 * Parses a small graph (constants get the parser's pseudo-random data), runs
 * the prepack pass for each SIMD target, and checks every element of the
 * panels the C emitter writes (tg_pack_panels) against the row-major weight by the layout's definition (runtime/layout.h,
 * restated here independently): output n, input k of a weight with N outputs
 * lies in panel n0 = n - n % nr, width w = min(nr, N - n0), at
 * n0*K + k*w + (n - n0).  Also: a tied table (the head's [N,K] weight, also an
 * embedding table) is packed once and its embedding learns table_nr; a table
 * a [K,N] linear also reads, and one only embeddings read, stay row-major;
 * generic packs nothing; the pass is idempotent.
 */
#include <stdio.h>
#include <string.h>

#include "passes.h"

static const char graph_text[] =
    "graph pk family=graph max_seq=8 vocab=5 decoder {\n"
    "  input %tokens : i32[T]\n"
    "  const %wte : f32[5,40] = \"wte\"\n"
    "  const %a.weight : f32[40,37] = \"a.weight\"\n"
    "  const %b.weight : f32[40,37] = \"b.weight\"\n"
    "  %emb : f32[T,40] = embedding %wte, %tokens\n"
    "  %a : f32[T,37] = linear %emb, %a.weight w_layout=1\n"
    "  %b : f32[T,40] = linear %a, %b.weight w_layout=0\n"
    "  %logits : f32[T,5] = linear %b, %wte w_layout=0\n"
    "  const %wpe : f32[8,40] = \"wpe\"\n"
    "  %pos : i32[T] = positions\n"
    "  %pe : f32[T,40] = embedding %wpe, %pos\n"
    "  const %kn : f32[5,40] = \"kn\"\n"
    "  %kn_rows : f32[T,40] = embedding %kn, %tokens\n"
    "  %kn_out : f32[T,40] = linear %logits, %kn w_layout=1\n"
    "  output %logits\n"
    "}\n";

static Value *find(Graph *g, const char *name) {
  for (int i = 0; i < g->n_values; i++)
    if (!strcmp(g->values[i]->name, name)) return g->values[i];
  return NULL;
}

/* Mismatches between the panels the emitter writes for v (tg_pack_panels)
 * and v->data read in `layout` with N outputs. */
static int check_packed(const Value *v, int layout, int nr) {
  int64_t K = v->shape.dim[layout ? 0 : 1], N = v->shape.dim[layout ? 1 : 0];
  const float *w = v->data;
  static float packed[64 * 64];
  int bad = 0;
  if (v->pack_nr != nr) return printf("FAIL: '%s' not packed by %d\n", v->name, nr), 1;
  tg_pack_panels(v, layout, v->pack_nr, packed);
  for (int64_t n = 0; n < N; n++)
    for (int64_t k = 0; k < K; k++) {
      int64_t n0 = n - n % nr, width = N - n0 < nr ? N - n0 : nr;
      float want = layout ? w[k * N + n] : w[n * K + k];
      bad += packed[n0 * K + k * width + (n - n0)] != want;
    }
  if (bad) printf("FAIL: '%s' (nr %d): %d elements misplaced\n", v->name, nr, bad);
  return bad != 0;
}

/* The panel width the embedding producing `name` was told its table has. */
static int table_nr(Graph *g, const char *name) { return find(g, name)->producer->attrs.table_nr; }

/* Failures in the tables' treatment: wte packed (when nr) and its embedding
 * told so; wpe and kn row-major and their embeddings told nothing. */
static int check_tables(Graph *g, int nr) {
  int bad = (nr ? check_packed(find(g, "wte"), 0, nr) : find(g, "wte")->pack_nr != 0) +
            (table_nr(g, "emb") != nr) + (find(g, "wpe")->pack_nr != 0) +
            (table_nr(g, "pe") != 0) + (find(g, "kn")->pack_nr != 0) +
            (table_nr(g, "kn_rows") != 0);
  if (bad) printf("FAIL: tables with nr %d: %d checks failed\n", nr, bad);
  return bad;
}

static int run_target(TargetId t, int nr) {
  Arena *a = arena_new();
  Graph *g = ir_parse(a, graph_text, "test_prepack", NULL, NULL);
  PassOptions opt = {.target = t, .pass_list = "prepack"};
  int bad = !g || pass_run_pipeline(g, &opt) != 0;
  if (!bad && nr) {
    bad += check_packed(find(g, "a.weight"), 1, nr) + check_packed(find(g, "b.weight"), 0, nr);
    bad += pass_run_pipeline(g, &opt) != 0 || check_packed(find(g, "a.weight"), 1, nr);  /* idempotent */
  }
  if (!bad && !nr) bad += find(g, "a.weight")->pack_nr != 0;
  if (!bad) bad += check_tables(g, nr);
  arena_free(a);
  return bad;
}

int main(void) {
  int bad = run_target(TARGET_AVX2, 16) + run_target(TARGET_AVX512, 32) +
            run_target(TARGET_NEON, 16) + run_target(TARGET_GENERIC, 0);
  printf("prepack: %s\n", bad ? "FAIL" : "4 targets, packed layouts (tied tables too) match runtime/layout.h");
  return bad != 0;
}
