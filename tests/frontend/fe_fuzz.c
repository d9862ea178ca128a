/*
 * fe_fuzz.c — a deterministic mutation fuzzer for the frontend's parsers
 * (SQLite/Lua habit: every parser has a fuzz target).
 *
 * It starts from a real model (model.yaml + safetensors, or an HF folder's
 * config.json), flips, inserts, deletes and overwrites bytes with a seeded
 * xorshift generator, and loads each mutant through fe_load_model.  Every
 * load must either succeed or fail with a diagnostic; under the ASan/UBSan
 * build any out-of-bounds read, overflow or leak fails the test.
 *
 *   fe_fuzz yaml|safetensors|json MODEL_DIR WORK_DIR ITERATIONS SEED
 *
 * fe_fuzz_one() is the single-input entry point, usable from libFuzzer too.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontend.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next_random(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return rng;
}

/* Writes data to path; false on an I/O error. */
static bool write_file(const char *path, const char *data, size_t n) {
  FILE *f = fopen(path, "wb");
  bool ok = f && fwrite(data, 1, n, f) == n;
  if (f && fclose(f)) ok = false;
  return ok;
}

/* Loads `model`; returns false only when the load failed without a diagnostic. */
static bool fe_fuzz_one(const char *model) {
  Arena *a = arena_new();
  int errors = diag_error_count();
  Graph *g = fe_load_model(a, model);
  bool clean = g || diag_error_count() > errors;
  arena_free(a);
  return clean;
}

/* One random edit of b within its first `span` bytes (a safetensors file's
 * header; the whole of a text file): flip a bit, overwrite, insert or delete
 * a few bytes, or put an interesting byte (digit, quote, bracket, 0xFF). */
static void mutate(Buf *b, size_t span) {
  static const char interesting[] = "0123456789\"[]{}:,-e.\\ \n\xff\x00";
  span = span < b->len ? span : b->len;
  size_t at = span ? (size_t)(next_random() % span) : 0;
  switch (next_random() % 5) {
  case 0:
    if (b->len) b->data[at] ^= (char)(1u << (next_random() % 8));
    break;
  case 1:
    if (b->len) b->data[at] = interesting[next_random() % (sizeof interesting - 1)];
    break;
  case 2: {
    size_t n = 1 + next_random() % 8;
    if (at + n <= b->len) memmove(b->data + at, b->data + at + n, b->len - at - n), b->len -= n;
    break;
  }
  case 3: {
    char c = interesting[next_random() % (sizeof interesting - 1)];
    buf_append(b, "", 1);   /* grow by one */
    memmove(b->data + at + 1, b->data + at, b->len - at - 1);
    b->data[at] = c;
    break;
  }
  default:
    if (b->len > 8) b->data[next_random() % 8] = (char)next_random();   /* header length */
  }
}

int main(int argc, char **argv) {
  if (argc != 6) return fprintf(stderr, "usage: fe_fuzz KIND MODEL_DIR WORK ITER SEED\n"), 2;
  const char *kind = argv[1], *model = argv[2], *work = argv[3];
  long iterations = atol(argv[4]);
  rng ^= (uint64_t)atol(argv[5]) * 0x9E3779B97F4A7C15ull;
  bool json = !strcmp(kind, "json");
  const char *target = !strcmp(kind, "yaml") ? "model.yaml"
                       : json                ? "config.json"
                                             : "weights.safetensors";
  char src[4096], dst[4096], input[4096];
  snprintf(src, sizeof src, "%s/%s%s", model, json ? "hf/" : "", target);
  Buf orig = {0};
  if (buf_read_file(&orig, src)) return fprintf(stderr, "fe_fuzz: cannot read %s\n", src), 2;
  /* The work folder mirrors the model: the mutated file plus the others copied once. */
  const char *others[] = {"model.yaml", "weights.safetensors", "hf/config.json",
                          "hf/model.safetensors"};
  snprintf(dst, sizeof dst, "%s/hf", work);
  mkdir(work, 0755), mkdir(dst, 0755);
  for (int i = 0; i < 4; i++) {
    Buf other = {0};
    snprintf(src, sizeof src, "%s/%s", model, others[i]);
    snprintf(dst, sizeof dst, "%s/%s", work, others[i]);
    if (!buf_read_file(&other, src)) write_file(dst, other.data, other.len);
    buf_free(&other);
  }
  snprintf(dst, sizeof dst, "%s/%s%s", work, json ? "hf/" : "", target);
  snprintf(input, sizeof input, "%s/%s", work, json ? "hf" : "model.yaml");
  size_t span = orig.len;   /* safetensors: mutate the length and the JSON header */
  if (!strcmp(kind, "safetensors") && orig.len >= 8) {
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | (unsigned char)orig.data[i];
    span = n < orig.len - 8 ? (size_t)n + 8 : orig.len;
  }
  FILE *sink = fopen("/dev/null", "w");
  diag_set_stream(sink);
  int bad = 0;
  for (long it = 0; it < iterations && !bad; it++) {
    Buf b = {0};
    buf_append(&b, orig.data, orig.len);
    for (int k = 1 + (int)(next_random() % 4); k > 0; k--) mutate(&b, span);
    if (!write_file(dst, b.data, b.len)) bad = 1;
    else if (!fe_fuzz_one(input))
      bad = 1, fprintf(stderr, "iteration %ld: failed without a diagnostic\n", it);
    buf_free(&b);
  }
  diag_set_stream(NULL);
  fclose(sink);
  buf_free(&orig);
  printf("%s: %ld mutants, %s\n", kind, iterations,
         bad ? "FAILED" : "each loaded or cleanly rejected");
  return bad;
}
