/*
 * tok_tool.c — encodes and decodes lines with tfc's runtime tokenizer, loaded
 * the way a generated program loads it: a frontend reads the tokenizer into a
 * Tokenizer, codegen serializes it (cg_tokenizer_blob, the bytes model.c
 * embeds), and runtime/generic/vocab*.c open those bytes.
 *
 *   tok_tool json tokenizer.json          < cases
 *   tok_tool vocab vocab.txt              < cases
 *   tok_tool bpe vocab.json merges.txt    < cases
 *   tok_tool llama2c tokenizer.bin VOCAB  < cases
 *   tok_tool folder DIR                   < cases
 *   tok_tool gguf model.gguf              < cases
 *
 * Each input line is one case, its bytes in hex (so newlines, tabs and
 * malformed UTF-8 survive).  Each output line is the ids with the
 * tokenizer's own special tokens (BOS, [CLS] ... [SEP]) added, a tab, and
 * the hex of the bytes decoded from the ids encoded without them.  A
 * tokenizer that fails to load exits 1 after its diagnostic.
 */
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "frontend.h"

#include "generic/unicode.c"
#include "generic/vocab_core.c"
#include "generic/vocab_bpe.c"
#include "generic/vocab_wordpiece.c"
#include "generic/vocab.c"

static Tokenizer *load(Arena *a, int argc, char **argv) {
  const char *kind = argv[1];
  if (!strcmp(kind, "json") && argc == 3) return fe_tokenizer_json(a, argv[2]);
  if (!strcmp(kind, "vocab") && argc == 3) return fe_tokenizer_vocab_txt(a, argv[2]);
  if (!strcmp(kind, "bpe") && argc == 4) return fe_tokenizer_bpe_files(a, argv[2], argv[3]);
  if (!strcmp(kind, "llama2c") && argc == 4) return fe_tokenizer_llama2c(a, argv[2], atoi(argv[3]));
  Tokenizer *t = NULL;
  GgufFile *f = !strcmp(kind, "gguf") && argc == 3 ? fe_gguf_open(a, argv[2]) : NULL;
  if (f && fe_tokenizer_gguf(a, f, &t) == 0 && !t) fprintf(stderr, "%s: no tokenizer tfc reads\n", argv[2]);
  if (!strcmp(kind, "folder") && argc == 3 && fe_tokenizer_folder(a, argv[2], &t) == 0 && !t)
    fprintf(stderr, "%s: no tokenizer in this folder\n", argv[2]);
  return t;
}

static int hex_digit(int c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; }

/* One case: encode with specials, decode the encoding without them. */
static int run_case(const RtVocab *v, const char *text, size_t len, char *piece) {
  int cap = (int)(2 * len + 8);
  int32_t *ids = malloc(sizeof(int32_t) * (size_t)cap);
  int n = ids ? rt_vocab_encode(v, text, len, 1, ids, cap) : -2;
  for (int i = 0; i < n; i++) printf("%s%d", i ? " " : "", ids[i]);
  printf("\t");
  n = n < 0 ? n : rt_vocab_encode(v, text, len, 0, ids, cap);
  for (int i = 0, prev = -1; i < n; prev = ids[i++]) {
    int k = rt_vocab_decode(v, prev, ids[i], piece);
    for (int j = 0; j < k; j++) printf("%02x", (unsigned char)piece[j]);
  }
  printf("\n");
  free(ids);
  return n < 0 ? fprintf(stderr, "tok_tool: encoding failed (%d)\n", n), -1 : 0;
}

int main(int argc, char **argv) {
  if (argc < 3) return fprintf(stderr, "usage: tok_tool json|vocab|bpe|llama2c|folder|gguf FILE...\n"), 2;
  Arena *a = arena_new();
  Tokenizer *t = load(a, argc, argv);
  if (!t) return arena_free(a), 1;
  Buf blob = {0};
  cg_tokenizer_blob(t, &blob);
  RtVocab v;
  const char *err = NULL;
  if (rt_vocab_open(&v, (const unsigned char *)blob.data, blob.len, &err))
    return fprintf(stderr, "tok_tool: %s\n", err), 1;
  char *line = NULL, *piece = malloc((size_t)v.max_len * 2 + 2);
  size_t cap = 0;
  ssize_t got;
  int rc = 0;
  while (rc == 0 && (got = getline(&line, &cap, stdin)) >= 0) {
    size_t n = 0;
    for (ssize_t i = 0; i + 1 < got && line[i] != '\n'; i += 2) line[n++] = (char)(hex_digit(line[i]) << 4 | hex_digit(line[i + 1]));
    rc = run_case(&v, line, n, piece);
  }
  free(line), free(piece);
  rt_vocab_close(&v);
  buf_free(&blob);
  arena_free(a);
  return rc ? 1 : 0;
}
