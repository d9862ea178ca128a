/*
 * vocab.c — text to ids and back with an embedded tokenizer (vocab_core.c):
 *
 *   rt_vocab_encode  special tokens (control, unknown and user-defined ones:
 *                    <|im_start|>, [CLS], <s>, <unk>) written in the text become their own ids,
 *                    leftmost and longest first; the text between them goes
 *                    through the model's encoder (vocab_bpe.c,
 *                    vocab_wordpiece.c); BOS / [CLS] ... [SEP] / EOS are
 *                    added when the tokenizer asks for them and the caller
 *                    wants them (add_special).
 *   rt_vocab_decode  the bytes of one token: byte-level tokens as they are;
 *                    SentencePiece "▁" as a space, <0xNN> as byte NN, no
 *                    leading space on the first token; WordPiece "##" glued
 *                    to the previous piece, other words after a space.
 *                    Control tokens decode to their text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* The special token that starts at s[0..len), longest first, or -1. */
static inline int rt_vocab_special_at(const RtVocab *v, const unsigned char *s, size_t len) {
  if (!(v->special_first[s[0] >> 3] & (1u << (s[0] & 7)))) return -1;
  for (int i = 0; i < v->n_special; i++) {
    int id = v->special[i];
    size_t n = rt_vocab_len(v, id);
    if (n <= len && memcmp(rt_vocab_bytes(v, id), s, n) == 0) return id;
  }
  return -1;
}

static inline int rt_vocab_segment(const RtVocab *v, const unsigned char *s, size_t len, RtIds *out) {
  if (len == 0) return 0;
  return v->kind == RT_VOCAB_WORDPIECE ? rt_wordpiece_encode(v, s, len, out) : rt_bpe_encode(v, s, len, out);
}

/* Encodes text[0..len) into out[0..cap).  Returns the number of ids, -1 when
 * they do not fit in cap (2 * len + 4 always suffices), -2 when out of memory. */
RT_API int rt_vocab_encode(const RtVocab *v, const char *text, size_t len, int add_special, int32_t *out,
                           int cap) {
  const unsigned char *s = (const unsigned char *)text;
  RtIds ids = {out, 0, cap};
  if (add_special && (v->flags & RT_VOCAB_ADD_BOS) && v->bos >= 0) rt_ids_push(&ids, v->bos);
  if (add_special && (v->flags & RT_VOCAB_CLS_SEP) && v->cls >= 0) rt_ids_push(&ids, v->cls);
  size_t from = 0;
  for (size_t i = 0; i <= len; i++) {
    int id = i < len ? rt_vocab_special_at(v, s + i, len - i) : -1;
    if (id < 0 && i < len) continue;
    if (rt_vocab_segment(v, s + from, i - from, &ids)) return -2;
    if (id < 0) break;
    rt_ids_push(&ids, id);
    i += rt_vocab_len(v, id) - 1;
    from = i + 1;
  }
  if (add_special && (v->flags & RT_VOCAB_CLS_SEP) && v->sep >= 0) rt_ids_push(&ids, v->sep);
  if (add_special && (v->flags & RT_VOCAB_ADD_EOS) && v->eos >= 0) rt_ids_push(&ids, v->eos);
  return ids.n > cap ? -1 : ids.n;
}

/* The bytes of token id after token prev (-1: the first) into buf, which
 * holds 2 * v->max_len + 2 bytes; returns their number (0 for an id out of
 * range). */
RT_API int rt_vocab_decode(const RtVocab *v, int prev, int id, char *buf) {
  if (id < 0 || id >= v->n_tokens) return 0;
  const unsigned char *p = rt_vocab_bytes(v, id);
  size_t n = rt_vocab_len(v, id), k = 0;
  int first = prev < 0 || (v->kind == RT_VOCAB_BPE_SCORES && prev < v->n_tokens &&
                           v->types[prev] == RT_TYPE_CONTROL);
  if (v->kind == RT_VOCAB_WORDPIECE) {   /* words apart, "##" glued on */
    int glue = v->types[id] != RT_TYPE_CONTROL && n >= 2 && p[0] == '#' && p[1] == '#';
    if (!glue && !first) buf[k++] = ' ';
    memcpy(buf + k, p + (glue ? 2 : 0), n - (glue ? 2 : 0));
    return (int)(k + n - (glue ? 2 : 0));
  }
  if (v->types[id] == RT_TYPE_CONTROL || v->kind == RT_VOCAB_BPE_BYTES) {
    memcpy(buf, p, n);
    return (int)n;
  }
  for (int b = 0; b < 256; b++)   /* byte fallback: <0xNN> */
    if (v->types[id] == RT_TYPE_BYTE && v->byte_id[b] == id) return buf[0] = (char)b, 1;
  for (size_t i = 0; i < n; i++)
    if (i + 2 < n && p[i] == 0xE2 && p[i + 1] == 0x96 && p[i + 2] == 0x81)
      buf[k++] = ' ', i += 2;
    else
      buf[k++] = (char)p[i];
  if (first && (v->flags & RT_VOCAB_SPACE_PREFIX) && k && buf[0] == ' ') memmove(buf, buf + 1, --k);
  return (int)k;
}
