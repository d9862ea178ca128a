/*
 * emit_c_tokenizer.c — the model's tokenizer (ir/tokenizer.h) in the
 * generated program: cg_tokenizer_blob serializes it in the layout that
 * runtime/generic/vocab_core.c reads (documented there), and cg_emit_tokenizer
 * writes those bytes into model.c as data, with the runtime encoders and the
 * driver's glue (runtime/generic/vocab_driver.c).  The bytes depend on the
 * Tokenizer alone, so the output is deterministic.
 *
 * Byte-level BPE tokens are written as the raw bytes they stand for (GPT-2's
 * printable alphabet undone), so the runtime merges bytes; control and
 * user-defined tokens ("<|im_start|>") are written as spelled.
 */
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "tokenizer.h"

static void put32(Buf *b, uint32_t x) {
  unsigned char p[4] = {(unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16),
                        (unsigned char)(x >> 24)};
  buf_append(b, p, 4);
}

/* The runtime's bytes of token id: byte-level tokens decoded to raw bytes. */
static void token_bytes(const Tokenizer *t, int id, Buf *text) {
  const unsigned char *s = (const unsigned char *)t->tokens[id];
  bool raw = t->kind != TOK_BPE_BYTES || t->types[id] == TOK_TYPE_CONTROL ||
             t->types[id] == TOK_TYPE_USER_DEFINED;
  while (*s) {
    uint32_t cp = 0;
    int len = raw ? 0 : ir_utf8_char((const char *)s, &cp), b = len ? ir_unicode_to_byte(cp) : -1;
    len = len ? len : 1;   /* raw, or malformed: one byte as written */
    if (b >= 0)
      buf_append(text, &(unsigned char){(unsigned char)b}, 1);
    else
      buf_append(text, s, (size_t)len);   /* not in the alphabet: kept as written */
    s += len;
  }
}

void cg_tokenizer_blob(const Tokenizer *t, Buf *out) {
  Buf text = {0};
  int n = t->n_tokens;
  uint32_t *ends = malloc(sizeof(uint32_t) * (size_t)(n ? n : 1));
  for (int i = 0; i < n; i++) {
    token_bytes(t, i, &text);
    if (ends) ends[i] = (uint32_t)text.len;
  }
  uint32_t header[16] = {0x56636674, 1, t->kind, t->pre, t->flags, (uint32_t)n, (uint32_t)t->n_merges,
                         (uint32_t)t->bos, (uint32_t)t->eos, (uint32_t)t->unk, (uint32_t)t->pad,
                         (uint32_t)t->cls, (uint32_t)t->sep, (uint32_t)t->mask,
                         (uint32_t)t->max_word_chars, (uint32_t)text.len};
  for (int i = 0; i < 16; i++) put32(out, header[i]);
  for (int i = 0; i < n; i++) put32(out, ends ? ends[i] : 0);
  for (int i = 0; t->kind == TOK_BPE_SCORES && i < n; i++) {
    uint32_t bits;
    memcpy(&bits, &t->scores[i], 4);
    put32(out, bits);
  }
  for (int i = 0; i < t->n_merges; i++) put32(out, (uint32_t)t->merges[i][0]), put32(out, (uint32_t)t->merges[i][1]);
  buf_append(out, t->types, (size_t)n);
  if (text.len) buf_append(out, text.data, text.len);
  while (out->len % 4) buf_append(out, "", 1);
  free(ends);
  buf_free(&text);
}

int cg_emit_tokenizer(CgEmit *e) {
  const Tokenizer *t = e->g->tokenizer;
  Buf blob = {0};
  if (cg_copy_runtime(e, "generic/vocab_driver.c")) return -1;
  cg_tokenizer_blob(t, &blob);
  const unsigned char *p = (const unsigned char *)blob.data;
  size_t words = blob.len / 4;
  buf_printf(e->c,
             "// --- tokenizer: %s, %d tokens, %d merges, pre-tokenizer %s, from %s\n"
             "// (the layout is runtime/generic/vocab_core.c's; %zu bytes as little-endian words)\n\n"
             "static const uint32_t tokenizer_data[%zu] = {\n",
             ir_tokenizer_kind_name(t->kind), t->n_tokens, t->n_merges, ir_tokenizer_pre_name(t->pre),
             cg_comment(e, t->source ? t->source : "?"), blob.len, words);
  for (size_t i = 0; i < words; i++) {
    uint32_t x = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
                 (uint32_t)p[4 * i + 3] << 24;
    buf_printf(e->c, x ? "%s0x%x," : "%s0,", i % 10 ? "" : "  ", x);
    if (i % 10 == 9 || i + 1 == words) buf_puts(e->c, "\n");
  }
  buf_printf(e->c, "};\n\n"
                   "static int api_open_text(RtTextCodec *c, const char **err) {\n"
                   "  return rt_vocab_codec_open(c, (const unsigned char *)tokenizer_data, sizeof tokenizer_data, err);\n"
                   "}\n\n");
  buf_free(&blob);
  return 0;
}
