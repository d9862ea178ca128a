/*
 * fuzz_tokenizer.c — libFuzzer targets for the tokenizer readers (STYLE habit
 * 15), the bytes becoming one file each:
 *
 *   TFC_FUZZ_TOKENIZER  the file          read by
 *   json                tokenizer.json    fe_tokenizer_json
 *   vocab_txt           vocab.txt         fe_tokenizer_vocab_txt
 *   merges_txt          merges.txt        fe_tokenizer_bpe_files (with a fixed vocab.json)
 *   llama2c             tokenizer.bin     fe_tokenizer_llama2c (vocabulary of 16)
 *
 * Every input must load or fail with a diagnostic.  One that loads is then
 * serialized (cg_tokenizer_blob), opened by the runtime (runtime/generic/
 * vocab*.c) and made to encode and decode a few texts, so tokenizers the
 * readers accept never crash the generated program either.
 *
 * Built with -DTFC_LIBFUZZER (cmake -DTFC_FUZZ=ON with clang) it is a
 * libFuzzer target; otherwise main() replays each file named on the command
 * line (CTest: tokenizers.fuzz_replay.<kind> over tests/fuzz/corpus/tok_<kind>/).
 *
 * As run (clang 14, 30 s each from the seeds on a loaded 2-core machine):
 * json 10,458 inputs, llama2c 11,109, vocab_txt 11,380, merges_txt 9,866; the
 * first runs found a merges.txt of only a #version line (n_merges lines, no
 * merges: a NULL read; kept as crash-version-only), a shift by -1 on a byte
 * 0xF8..0xFF in vocab.txt, and the runtime's 8-byte merge keys misaligned
 * in its tables; none after their fixes.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codegen.h"
#include "frontend.h"

#include "generic/unicode.c"
#include "generic/vocab_core.c"
#include "generic/vocab_bpe.c"
#include "generic/vocab_wordpiece.c"
#include "generic/vocab.c"

#ifndef TFC_FUZZ_TOKENIZER
#error "define TFC_FUZZ_TOKENIZER (json, vocab_txt, merges_txt or llama2c)"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

static char work[1024];

static int write_file(const char *name, const void *data, size_t size) {
  char path[1200];
  snprintf(path, sizeof path, "%s/%s", work, name);
  FILE *f = fopen(path, "wb");
  return !f || fwrite(data, 1, size, f) != size || fclose(f) ? -1 : 0;
}

static int set_up(void) {
  snprintf(work, sizeof work, "%s/fuzz_tok_%s_%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
           STR(TFC_FUZZ_TOKENIZER), (int)getpid());
  mkdir(work, 0755);
  static const char vocab[] = "{\"a\": 0, \"b\": 1, \"ab\": 2, \"\\u0120\": 3, \"\\u0120a\": 4, \"c\": 5}";
  return write_file("vocab.json", vocab, sizeof vocab - 1);
}

/* Encodes and decodes a few texts with t as a generated program would. */
static void exercise(const Tokenizer *t) {
  static const char *const texts[] = {"ab a b", "<s>[CLS] \xe2\x96\x81x\xff", "Hello, 123 W\xc3\xb6rld!\n\t ", ""};
  Buf blob = {0};
  cg_tokenizer_blob(t, &blob);
  RtVocab v;
  const char *err;
  if (rt_vocab_open(&v, (const unsigned char *)blob.data, blob.len, &err) == 0) {
    char *piece = malloc((size_t)v.max_len * 2 + 2);
    for (size_t i = 0; piece && i < sizeof texts / sizeof texts[0]; i++) {
      int32_t ids[128];
      int n = rt_vocab_encode(&v, texts[i], strlen(texts[i]), 1, ids, 128);
      for (int k = 0; k < n; k++) rt_vocab_decode(&v, k ? ids[k - 1] : -1, ids[k], piece);
    }
    free(piece);
    rt_vocab_close(&v);
  }
  buf_free(&blob);
}

static Tokenizer *load(Arena *a) {
  char path[1200], vocab[1200];
  const char *kind = STR(TFC_FUZZ_TOKENIZER);
  snprintf(vocab, sizeof vocab, "%s/vocab.json", work);
  if (!strcmp(kind, "json")) return snprintf(path, sizeof path, "%s/tokenizer.json", work), fe_tokenizer_json(a, path);
  if (!strcmp(kind, "vocab_txt")) return snprintf(path, sizeof path, "%s/vocab.txt", work), fe_tokenizer_vocab_txt(a, path);
  if (!strcmp(kind, "merges_txt"))
    return snprintf(path, sizeof path, "%s/merges.txt", work), fe_tokenizer_bpe_files(a, vocab, path);
  return snprintf(path, sizeof path, "%s/tokenizer.bin", work), fe_tokenizer_llama2c(a, path, 16);
}

static const char *file_name(void) {
  const char *kind = STR(TFC_FUZZ_TOKENIZER);
  return !strcmp(kind, "json") ? "tokenizer.json" : !strcmp(kind, "vocab_txt") ? "vocab.txt"
       : !strcmp(kind, "merges_txt") ? "merges.txt" : "tokenizer.bin";
}

static int run_one(const unsigned char *data, size_t size) {
  if (write_file(file_name(), data, size)) return fprintf(stderr, "fuzz: cannot write\n"), -1;
  Arena *a = arena_new();
  int errors = diag_error_count();
  Tokenizer *t = load(a);
  if (t) exercise(t);
  int rc = t || diag_error_count() > errors ? 0 : -1;
  arena_free(a);
  return rc;
}

#define FUZZ_NAME "tokenizer " STR(TFC_FUZZ_TOKENIZER)
#include "fuzz_harness.h"
