/*
 * tokenizer.c — the Tokenizer description (tokenizer.h): construction, lookup
 * by token text (an open-addressing hash built once, in the arena), names, and
 * GPT-2's byte-to-unicode alphabet.
 */
#include <string.h>

#include "tokenizer.h"

Tokenizer *ir_tokenizer_new(Arena *a, TokKind kind, int n_tokens) {
  Tokenizer *t = arena_alloc(a, sizeof *t);
  if (!t) return NULL;
  t->kind = kind;
  t->pre = kind == TOK_BPE_BYTES ? TOK_PRE_GPT2 : kind == TOK_WORDPIECE ? TOK_PRE_BERT : TOK_PRE_NONE;
  t->n_tokens = n_tokens;
  t->tokens = arena_alloc(a, sizeof *t->tokens * (size_t)(n_tokens ? n_tokens : 1));
  t->types = arena_alloc(a, (size_t)(n_tokens ? n_tokens : 1));
  if (!t->tokens || !t->types) return NULL;
  for (int i = 0; i < n_tokens; i++) t->tokens[i] = "", t->types[i] = TOK_TYPE_NORMAL;
  t->bos = t->eos = t->unk = t->pad = t->cls = t->sep = t->mask = -1;
  t->max_word_chars = 100;
  return t;
}

static uint32_t hash_text(const char *s) {
  uint32_t h = 2166136261u;   /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* Fills t->index: a power-of-two table at most half full; the lowest id wins. */
static int build_index(Arena *a, Tokenizer *t) {
  uint32_t size = 16;
  while (size < 2u * (uint32_t)t->n_tokens) size *= 2;
  t->index = arena_alloc(a, sizeof(int32_t) * size);
  if (!t->index) return -1;
  memset(t->index, 0xff, sizeof(int32_t) * size);
  t->index_mask = size - 1;
  for (int id = 0; id < t->n_tokens; id++) {
    uint32_t h = hash_text(t->tokens[id]) & t->index_mask;
    while (t->index[h] >= 0 && strcmp(t->tokens[t->index[h]], t->tokens[id]) != 0)
      h = (h + 1) & t->index_mask;
    if (t->index[h] < 0) t->index[h] = id;
  }
  return 0;
}

int ir_tokenizer_find(Arena *a, Tokenizer *t, const char *text) {
  if (!t->index && build_index(a, t)) return -2;
  for (uint32_t h = hash_text(text) & t->index_mask; t->index[h] >= 0; h = (h + 1) & t->index_mask)
    if (strcmp(t->tokens[t->index[h]], text) == 0) return t->index[h];
  return -1;
}

const char *ir_tokenizer_kind_name(TokKind kind) {
  static const char *const names[] = {"byte-level BPE (GPT-2)", "BPE by scores (SentencePiece)",
                                      "WordPiece (BERT)"};
  return names[kind];
}

const char *ir_tokenizer_pre_name(TokPre pre) {
  static const char *const names[] = {"none", "gpt2", "smollm", "bert"};
  return names[pre];
}

/* GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the
 * other 68 bytes for U+0100, U+0101, ... in byte order. */
static bool is_printable_byte(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

uint32_t ir_byte_to_unicode(uint8_t b) {
  if (is_printable_byte(b)) return b;
  uint32_t n = 0;
  for (int i = 0; i < b; i++) n += !is_printable_byte(i);
  return 0x100 + n;
}

int ir_unicode_to_byte(uint32_t cp) {
  if (cp < 0x100) return is_printable_byte((int)cp) ? (int)cp : -1;
  for (int b = 0; b < 256; b++)
    if (!is_printable_byte(b) && ir_byte_to_unicode((uint8_t)b) == cp) return b;
  return -1;
}

int ir_utf8_char(const char *str, uint32_t *cp) {
  const unsigned char *s = (const unsigned char *)str;
  int len = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
          : s[0] >= 0xF0 && s[0] < 0xF5 ? 4 : 0;
  if (len == 0) return 0;
  uint32_t v = len == 1 ? s[0] : s[0] & (0x3F >> (len - 1));
  for (int i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = v << 6 | (s[i] & 0x3F);
  }
  if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v < 0xE000))) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
    return 0;
  *cp = v;
  return len;
}

bool ir_is_byte_level(const char *token) {
  for (const char *s = token; *s;) {
    uint32_t cp = 0;
    int len = ir_utf8_char(s, &cp);
    if (len == 0 || ir_unicode_to_byte(cp) < 0) return false;
    s += len;
  }
  return true;
}
