/*
 * vocab_wordpiece.c — BERT's tokenizer for an embedded vocabulary
 * (vocab_core.c), as Hugging Face's BertNormalizer, BertPreTokenizer and
 * WordPiece model do it:
 *
 *   1. normalize, character by character: drop NUL, U+FFFD, malformed bytes
 *      and other control characters (whitespace becomes ' '); put spaces
 *      around CJK ideographs; strip accents (NFD without nonspacing marks);
 *      lowercase — each step when the tokenizer's flags ask for it;
 *   2. split into words at whitespace, every punctuation character a word
 *      of its own (ASCII punctuation and Unicode P*);
 *   3. each word: longest vocabulary match from the left, then "##" + the
 *      longest match of the rest, ...; a word with no complete match, or
 *      longer than max_word_chars characters, is one [UNK].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

static inline int rt_is_cjk(uint32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

static inline int rt_is_bert_space(uint32_t c) { return !(c & RT_UNI_BAD) && rt_uni_is_space(c); }

static inline int rt_is_bert_punct(uint32_t c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126) ||
         (!(c & RT_UNI_BAD) && c >= 128 && rt_uni_is_punct(c));
}

/* Step 1 for one character: appends what it becomes to out, returns the count. */
static inline int rt_bert_normalize(const RtVocab *v, uint32_t c, uint32_t *out) {
  unsigned f = v->flags;
  if (f & RT_VOCAB_CLEAN_TEXT) {
    if (c == 0 || c == 0xFFFD || (c & RT_UNI_BAD)) return 0;
    if (c == '\t' || c == '\n' || c == '\r' || rt_uni_is_space(c)) return out[0] = ' ', 1;
    if (rt_uni_is_other(c)) return 0;
  }
  if ((f & RT_VOCAB_CJK) && rt_is_cjk(c)) return out[0] = ' ', out[1] = c, out[2] = ' ', 3;
  uint32_t stripped[16];
  int n = (f & RT_VOCAB_STRIP_ACCENTS) ? rt_uni_strip_accents(c, stripped) : (stripped[0] = c, 1), k = 0;
  for (int i = 0; i < n; i++)
    k += (f & RT_VOCAB_LOWERCASE) ? rt_uni_lower(stripped[i], out + k) : (out[k] = stripped[i], 1);
  return k;
}

/* Step 3 for the word w[0..len) of `chars` characters (buf: room for "##" + len). */
static inline void rt_wordpiece_word(const RtVocab *v, const unsigned char *w, size_t len, int chars,
                                     unsigned char *buf, RtIds *out) {
  int first = out->n;
  if (chars > v->max_word_chars) goto unknown;
  for (size_t start = 0; start < len;) {
    size_t pre = start ? 2 : 0;
    int id = -1;
    size_t end = len;
    memcpy(buf, "##", 2);
    memcpy(buf + pre, w + start, len - start);
    for (; end > start; end--) {
      if (end < len && (w[end] & 0xC0) == 0x80) continue;   /* inside a character */
      if ((id = rt_vocab_find(v, buf, pre + end - start)) >= 0) break;
    }
    if (id < 0) goto unknown;
    rt_ids_push(out, id);
    start = end;
  }
  return;
unknown:
  out->n = first;
  if (v->unk >= 0) rt_ids_push(out, v->unk);
}

/* Encodes one segment (no special tokens inside).  0, or -1 when out of memory. */
RT_API int rt_wordpiece_encode(const RtVocab *v, const unsigned char *s, size_t len, RtIds *out) {
  size_t cap = len * 8 + 16;   /* a byte becomes at most 3 code points (CJK spacing, lowercase) */
  uint32_t *cps = malloc(sizeof(uint32_t) * cap);
  unsigned char *word = malloc(cap * 4 + 2), *buf = malloc(cap * 4 + 2);
  if (!cps || !word || !buf) return free(cps), free(word), free(buf), -1;
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    uint32_t c, norm[48];
    i += (size_t)rt_utf8_next(s + i, len - i, &c);
    int k = rt_bert_normalize(v, c, norm);
    for (int j = 0; j < k; j++) cps[n++] = norm[j];
  }
  size_t wlen = 0;
  int chars = 0;
  for (size_t i = 0; i <= n; i++) {
    int space = i < n && rt_is_bert_space(cps[i]), punct = i < n && rt_is_bert_punct(cps[i]);
    if ((i == n || space || punct) && chars) rt_wordpiece_word(v, word, wlen, chars, buf, out), wlen = 0, chars = 0;
    if (i == n || space) continue;
    wlen += (size_t)rt_utf8_put(cps[i], word + wlen), chars++;
    if (punct) rt_wordpiece_word(v, word, wlen, chars, buf, out), wlen = 0, chars = 0;
  }
  free(cps), free(word), free(buf);
  return 0;
}
