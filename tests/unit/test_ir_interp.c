/*
 * test_ir_interp.c CASEDIR — the interpreter against PyTorch, op by op.
 *
 * interp_ref.py writes CASEDIR/NAME.tir (a graph) and NAME.bin (its constants,
 * "tokens" and the "expected" output computed in float64 with torch).  Each
 * graph is parsed with the constants from the .bin, verified, run, and its
 * output compared: max |out - expected| <= 2e-5 * max(1, max |expected|).
 * Also checks the interpreter's input errors (token out of range, too long).
 */
#include <math.h>

#include "check.h"
#include "graphs.h"

typedef struct {
  const char *name;
  uint32_t dtype;   /* 0 f32, 2 i32 */
  uint32_t count;
  const void *data;
} Tensor;

typedef struct {
  Tensor t[64];
  int n;
  Buf file;
} Tensors;

/* Splits a .bin file into its records (the data stays in the file buffer). */
static int read_tensors(const char *path, Tensors *ts) {
  if (buf_read_file(&ts->file, path)) return -1;
  size_t at = 0, len = ts->file.len;
  while (at < len && ts->n < 64) {
    Tensor *t = &ts->t[ts->n++];
    t->name = ts->file.data + at;
    at += (strlen(t->name) + 4) & ~(size_t)3;  /* name, NUL, padding to 4 */
    if (at + 8 > len) return -1;
    memcpy(&t->dtype, ts->file.data + at, 4);
    memcpy(&t->count, ts->file.data + at + 4, 4);
    t->data = ts->file.data + at + 8;
    at += 8 + 4 * (size_t)t->count;
  }
  return at == len ? 0 : -1;
}

static const Tensor *find(const Tensors *ts, const char *name) {
  for (int i = 0; i < ts->n; i++)
    if (strcmp(ts->t[i].name, name) == 0) return &ts->t[i];
  return NULL;
}

static const void *lookup(void *ctx, const char *source, DType dt, Shape shape) {
  const Tensor *t = find(ctx, source);
  return t && dt == DT_F32 && t->dtype == 0 && t->count == ir_numel(shape, 1) ? t->data : NULL;
}

/* Runs one case; returns its error relative to the largest expected value. */
static double run_case(const char *dir, const char *name) {
  char path[512];
  Tensors ts = {0};
  Buf text = {0};
  snprintf(path, sizeof path, "%s/%s.bin", dir, name);
  CHECK(read_tensors(path, &ts) == 0);
  snprintf(path, sizeof path, "%s/%s.tir", dir, name);
  CHECK(buf_read_file(&text, path) == 0);
  Arena *a = arena_new();
  Graph *g = text.data ? ir_parse(a, text.data, path, lookup, &ts) : NULL;
  const Tensor *tok = find(&ts, "tokens"), *want = find(&ts, "expected");
  double err = 1e30;
  CHECK(g && tok && want && ir_verify(g, NULL) == 0);
  float *out = want ? calloc(want->count, sizeof(float)) : NULL;
  if (g && tok && want && ir_interpret(g, tok->data, (int)tok->count, out) == 0) {
    double max_err = 0, max_ref = 1;
    for (uint32_t i = 0; i < want->count; i++) {
      double w = ((const float *)want->data)[i], d = fabs(out[i] - w);
      max_err = d > max_err || d != d ? d : max_err;
      max_ref = fabs(w) > max_ref ? fabs(w) : max_ref;
    }
    err = max_err / max_ref;
  }
  free(out);
  arena_free(a);
  buf_free(&text), buf_free(&ts.file);
  return err;
}

static void test_cases(const char *dir) {
  char path[512], name[128];
  snprintf(path, sizeof path, "%s/cases.txt", dir);
  FILE *f = fopen(path, "r");
  CHECK(f != NULL);
  int n = 0;
  while (f && fscanf(f, "%127s", name) == 1) {
    double err = run_case(dir, name);
    printf("%-26s max error %.2e (relative to max |expected|)\n", name, err);
    CHECK(err <= 2e-5);
    n++;
  }
  if (f) fclose(f);
  CHECK(n >= 25);
}

/* Token ids outside [0, vocab) and sequences longer than max_seq are refused. */
static void test_input_errors(void) {
  Arena *a = arena_new();
  Graph *g = test_graph_all_ops(a);
  float out[9 * 16];
  int32_t ok[3] = {0, 15, 3}, bad[3] = {0, 16, 3}, neg[1] = {-1}, many[9] = {0};
  CHECK(ir_interpret(g, ok, 3, out) == 0);
  capture_begin();
  CHECK(ir_interpret(g, bad, 3, out) == -1);
  CHECK(ir_interpret(g, neg, 1, out) == -1);
  CHECK(ir_interpret(g, many, 9, out) == -1);
  CHECK(ir_interpret(g, ok, 0, out) == -1);
  const char *text = capture_end();
  CHECK_HAS(text, "token 16 (at 1) is outside [0, 16)");
  CHECK_HAS(text, "token -1 (at 0) is outside [0, 16)");
  CHECK_HAS(text, "9 tokens do not fit the context of 8");
  CHECK_HAS(text, "no tokens to run");
  arena_free(a);
}

/* Softmax rows of the all-ops graph sum to 1; a prefix of the tokens gives the
 * same first rows (causal attention never looks ahead). */
static void test_all_ops_graph(void) {
  Arena *a = arena_new();
  Graph *g = test_graph_all_ops(a);
  int32_t tok[6] = {1, 5, 2, 15, 0, 7};
  float full[6 * 16], prefix[4 * 16];
  CHECK(ir_interpret(g, tok, 6, full) == 0 && ir_interpret(g, tok, 4, prefix) == 0);
  for (int t = 0; t < 6; t++) {
    double sum = 0;
    for (int i = 0; i < 16; i++) sum += full[t * 16 + i];
    CHECK(fabs(sum - 1) < 1e-5);
  }
  CHECK(memcmp(full, prefix, sizeof prefix) == 0);
  arena_free(a);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_ir_interp CASEDIR\n");
    return 2;
  }
  test_input_errors();
  test_all_ops_graph();
  test_cases(argv[1]);
  return check_report("test_ir_interp");
}
