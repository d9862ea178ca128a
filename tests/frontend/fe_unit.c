/*
 * fe_unit.c — unit tests of the model frontend's pieces:
 *
 *   json     strict JSON: what parses (escapes, surrogate pairs, integers vs
 *            floats) and what is rejected, with the message
 *   yaml     scalar typing by YAML 1.2's core schema, quoted scalars stay strings
 *   halves   F16 and BF16 to f32, including subnormals, infinities and -0
 *   oom      fe_load_model on a real model with the arena failing at every
 *            allocation in turn: a clean error each time, never a crash or a
 *            half graph (and no leak under ASan)
 *
 *   fe_unit CASE WORK_DIR [MODEL]
 */
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

static int failures;

#define EXPECT(cond, ...)                                    \
  do {                                                       \
    if (!(cond)) {                                           \
      fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);  \
      fprintf(stderr, __VA_ARGS__);                          \
      fputc('\n', stderr);                                   \
      failures++;                                            \
    }                                                        \
  } while (0)

/* Parses text as JSON; captures the diagnostic into msg. */
static Doc *parse(Arena *a, const char *text, char *msg, size_t cap) {
  FILE *f = tmpfile();
  diag_set_stream(f);
  Doc *d = fe_json_parse(a, text, strlen(text), "t.json", true, NULL);
  diag_set_stream(NULL);
  rewind(f);
  size_t n = fread(msg, 1, cap - 1, f);
  msg[n] = 0;
  fclose(f);
  return d;
}

static void json_rejects(Arena *a, const char *text, const char *message) {
  char msg[512];
  Doc *d = parse(a, text, msg, sizeof msg);
  EXPECT(!d && strstr(msg, message), "JSON %s: expected error '%s', got '%s'", text, message, msg);
}

static void test_json(Arena *a) {
  char msg[512];
  Doc *d = parse(a, "{\"a\": [1, -2.5e1, true, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\"}", msg,
                 sizeof msg);
  EXPECT(d && d->kind == DOC_OBJECT && d->n == 2, "object: %s", msg);
  if (!d) return;
  Doc *arr = fe_doc_get(d, "a"), *s = fe_doc_get(d, "s");
  EXPECT(arr && arr->n == 4 && arr->items[0]->is_integer && arr->items[0]->integer == 1, "int");
  EXPECT(arr && !arr->items[1]->is_integer && arr->items[1]->number == -25.0, "float");
  EXPECT(arr && arr->items[2]->kind == DOC_BOOL && arr->items[2]->boolean, "true");
  EXPECT(arr && arr->items[3]->kind == DOC_NULL, "null");
  EXPECT(s && strcmp(s->string, "x\xc3\xa9\xf0\x9f\x98\x80\n") == 0, "escapes: '%s'", s->string);
  d = parse(a, "99999999999999999999", msg, sizeof msg);
  EXPECT(d && !d->is_integer && d->number > 9e19, "an integer too large for int64 is a float");
  json_rejects(a, "[1, 2,]", "unexpected character");
  json_rejects(a, "{\"a\": 1,}", "expected a string key");
  json_rejects(a, "012", "leading zeros");
  json_rejects(a, "\"a\tb\"", "control character");
  json_rejects(a, "\"\\ud800x\"", "invalid \\u escape");
  json_rejects(a, "\"\\u0000\"", "\\u0000 is not allowed");
  json_rejects(a, "\"abc", "unterminated string");
  json_rejects(a, "{} x", "unexpected text after the value");
  json_rejects(a, "{\"k\": 1, \"k\": 2}", "t.json:1:10: error: JSON: duplicate key 'k'");
  json_rejects(a, "\n  [1 2]", "t.json:2:6: error: JSON: expected ',' or ']'");
  json_rejects(a, "NaN", "unexpected character");
  json_rejects(a, "1.", "expected a digit after '.'");
  char deep[200];
  memset(deep, '[', 65);
  memset(deep + 65, ']', 65);
  deep[130] = 0;
  json_rejects(a, deep, "nesting too deep");
  deep[64] = ']', deep[129] = 0;   /* 64 levels: allowed */
  memmove(deep + 64, deep + 65, 65);
  EXPECT(parse(a, deep, msg, sizeof msg) != NULL, "64 levels of nesting: %s", msg);
}

static void test_yaml(Arena *a, const char *work) {
  const char *path = arena_printf(a, "%s/typing.yaml", work);
  FILE *f = fopen(path, "w");
  fputs("i: 42\nh: 0x1F\nf: 1.0e-5\ng: .5\nn: ~\ne:\nb: True\ns: '42'\nw: 42abc\n"
        "inf: -.inf\nl: [1, two]\n", f);
  fclose(f);
  Doc *d = fe_yaml_load(a, path);
  EXPECT(d && d->kind == DOC_OBJECT && d->n == 11, "yaml mapping");
  if (!d) return;
  Doc *i = fe_doc_get(d, "i"), *h = fe_doc_get(d, "h"), *fl = fe_doc_get(d, "f");
  EXPECT(i->kind == DOC_NUMBER && i->is_integer && i->integer == 42, "int");
  EXPECT(i->loc.line == 1 && i->loc.col == 4, "loc %d:%d", i->loc.line, i->loc.col);
  EXPECT(h->is_integer && h->integer == 31, "hex");
  EXPECT(fl->kind == DOC_NUMBER && !fl->is_integer && fl->number == 1e-5, "float");
  EXPECT(fe_doc_get(d, "g")->number == 0.5, ".5");
  EXPECT(fe_doc_get(d, "n")->kind == DOC_NULL && fe_doc_get(d, "e")->kind == DOC_NULL, "nulls");
  EXPECT(fe_doc_get(d, "b")->kind == DOC_BOOL && fe_doc_get(d, "b")->boolean, "bool");
  EXPECT(fe_doc_get(d, "s")->kind == DOC_STRING, "quoted 42 is a string");
  EXPECT(fe_doc_get(d, "w")->kind == DOC_STRING, "42abc is a string");
  EXPECT(fe_doc_get(d, "inf")->number < -1e308, "-.inf");
  Doc *l = fe_doc_get(d, "l");
  EXPECT(l->kind == DOC_ARRAY && l->n == 2 && l->items[1]->kind == DOC_STRING, "list");
}

static float convert(Arena *a, WeightType type, uint16_t bits) {
  FeTensor t = {.name = "t", .type = type, .rank = 1, .dim = {1}, .raw = &bits};
  const float *f = fe_tensor_f32(a, &t);
  return f ? f[0] : -12345.0f;
}

static void test_halves(Arena *a) {
  static const struct {
    uint16_t bits;
    float value;
  } f16[] = {{0x3C00, 1.0f}, {0xC000, -2.0f}, {0x0001, 5.9604644775390625e-8f},
             {0x03FF, 6.097555160522461e-5f}, {0x0400, 6.103515625e-5f}, {0x7BFF, 65504.0f},
             {0x3555, 0.333251953125f}, {0x0000, 0.0f}};
  for (size_t i = 0; i < sizeof f16 / sizeof f16[0]; i++) {
    float got = convert(a, WT_F16, f16[i].bits);
    EXPECT(got == f16[i].value, "f16 %04x: %.10g, expected %.10g", f16[i].bits, got, f16[i].value);
  }
  float neg_zero = convert(a, WT_F16, 0x8000), inf = convert(a, WT_F16, 0xFC00);
  EXPECT(neg_zero == 0 && signbit(neg_zero), "f16 -0");
  EXPECT(isinf(inf) && inf < 0, "f16 -inf");
  EXPECT(isnan(convert(a, WT_F16, 0x7E00)), "f16 nan");
  EXPECT(convert(a, WT_BF16, 0x3F80) == 1.0f, "bf16 1");
  EXPECT(convert(a, WT_BF16, 0xC0A0) == -5.0f, "bf16 -5");
  EXPECT(convert(a, WT_BF16, 0x0001) > 0 && convert(a, WT_BF16, 0x0001) < 1e-38f, "bf16 subnormal");
}

/* Every allocation failing in turn: NULL with a diagnostic, until one succeeds. */
static void test_oom(const char *model) {
  FILE *sink = fopen("/dev/null", "w");
  diag_set_stream(sink);
  long n = 1;
  for (;; n++) {
    Arena *a = arena_new();
    int errors = diag_error_count();
    arena_fail_at(n);
    Graph *g = fe_load_model(a, model);
    arena_fail_at(0);
    EXPECT(g || diag_error_count() > errors, "allocation %ld failed without a diagnostic", n);
    arena_free(a);
    if (g || failures) break;
  }
  diag_set_stream(NULL);
  fclose(sink);
  printf("oom: %ld allocation failures, each a clean error\n", n - 1);
  EXPECT(n > 10, "the model loaded with only %ld allocations", n);
}

int main(int argc, char **argv) {
  if (argc < 3) return fprintf(stderr, "usage: fe_unit CASE WORK_DIR [MODEL]\n"), 2;
  Arena *a = arena_new();
  const char *c = argv[1];
  if (!strcmp(c, "json")) test_json(a);
  else if (!strcmp(c, "yaml")) test_yaml(a, argv[2]);
  else if (!strcmp(c, "halves")) test_halves(a);
  else if (!strcmp(c, "oom") && argc == 4) test_oom(argv[3]);
  else return fprintf(stderr, "fe_unit: unknown case '%s'\n", c), 2;
  arena_free(a);
  if (!failures) printf("%s: ok\n", c);
  return failures ? 1 : 0;
}
