/*
 * tokenizer_llama2c.c — llama2.c's tokenizer.bin into a Tokenizer (BPE by
 * scores, ir/tokenizer.h).
 *
 * The format (llama2.c tokenizer.py): int32 max_token_length, then for each
 * of the model's vocab_size tokens a float32 score, an int32 byte length and
 * the bytes; little-endian.  llama2.c wrote SentencePiece's U+2581 as a plain
 * space and BOS/EOS as "\n<s>\n" / "\n</s>\n"; they are given back their
 * SentencePiece spelling ("▁", "<s>", "</s>"), so the tokenizer is the
 * SentencePiece model it came from: BOS added, a space in front, byte fallback
 * through the "<0xNN>" tokens.  Errors: FILE: error: ... at byte N.
 */
#include <string.h>

#include "frontend.h"

static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The piece p[0..len) as SentencePiece spells it: ' ' -> U+2581. */
static char *spm_piece(Arena *a, const unsigned char *p, size_t len) {
  size_t spaces = 0;
  for (size_t i = 0; i < len; i++) spaces += p[i] == ' ';
  char *s = arena_alloc(a, len + 2 * spaces + 1), *o = s;
  for (size_t i = 0; s && i < len; i++)
    if (p[i] == ' ')
      memcpy(o, "\xE2\x96\x81", 3), o += 3;
    else
      *o++ = (char)p[i];
  return s;
}

static void set_types(Tokenizer *t) {
  static const char *const special[3] = {"<unk>", "<s>", "</s>"};
  for (int i = 0; i < t->n_tokens; i++) {
    const char *s = t->tokens[i];
    if (strlen(s) == 6 && !strncmp(s, "<0x", 3) && s[5] == '>') t->types[i] = TOK_TYPE_BYTE;
  }
  for (int i = 0; i < 3 && i < t->n_tokens; i++) {
    t->tokens[i] = special[i];
    t->types[i] = i ? TOK_TYPE_CONTROL : TOK_TYPE_UNKNOWN;
  }
  t->unk = 0, t->bos = t->n_tokens > 1 ? 1 : -1, t->eos = t->n_tokens > 2 ? 2 : -1;
  t->flags = TOK_ADD_BOS | TOK_SPACE_PREFIX | TOK_BYTE_FALLBACK;
}

Tokenizer *fe_tokenizer_llama2c(Arena *a, const char *path, int vocab_size) {
  static const FeFileErrors errors = {"cannot read tokenizer", "file too short for a llama2.c tokenizer (%zu bytes, expected %zu)",
                                      "cannot map tokenizer"};
  size_t size = 0, at = 4;
  const unsigned char *p = fe_map_file(a, path, 4, &errors, &size);
  Tokenizer *t = p ? ir_tokenizer_new(a, TOK_BPE_SCORES, vocab_size) : NULL;
  if (!t || !(t->scores = arena_alloc(a, sizeof(float) * (size_t)(vocab_size ? vocab_size : 1)))) return NULL;
  uint32_t max_len = get32(p);
  if (max_len < 1 || max_len > 65536) {
    diag_error(diag_loc(path, 0, 0), "max_token_length %u out of range [1, 65536] at byte 0", max_len);
    return NULL;
  }
  for (int i = 0; i < vocab_size; i++) {
    if (size - at < 8) return diag_error(diag_loc(path, 0, 0), "truncated: token %d of %d at byte %zu", i, vocab_size, at), NULL;
    memcpy(&t->scores[i], p + at, 4);
    uint32_t len = get32(p + at + 4);
    if (len > max_len || len > size - at - 8 || memchr(p + at + 8, 0, len)) {
      diag_error(diag_loc(path, 0, 0), "token %d: bad length %u (or a NUL byte) at byte %zu", i, len, at + 4);
      return NULL;
    }
    if (!(t->tokens[i] = spm_piece(a, p + at + 8, len))) return NULL;
    at += 8 + len;
  }
  set_types(t);
  t->source = path;
  return t;
}
