/*
 * tokenizer.c — the llama2.c tokenizer (tokenizer.bin), for generated drivers
 * that take --tokenizer FILE --prompt TEXT.
 *
 * File format: int32 max_token_length, then for each of the model's vocab_size
 * tokens: float32 score, int32 byte length, the bytes (no NUL); little-endian.
 *
 * Encoding, exactly as llama2.c's run.c does it:
 *   1. BOS (id 1) when asked for; for non-empty text the token of " " (the
 *      sentencepiece dummy prefix);
 *   2. one token per UTF-8 character; a character that is not in the
 *      vocabulary becomes one token per byte, id = byte + 3 (the <0xHH>
 *      byte-fallback tokens start at id 3);
 *   3. then, repeatedly, the adjacent pair whose concatenation is a vocabulary
 *      entry with the highest score (the first such pair on ties) is merged,
 *      until no pair merges.
 * Decoding: a piece that follows BOS drops one leading space; a piece
 * "<0xHH>" stands for the raw byte HH.  rt_tok_print writes a piece but skips
 * control bytes other than whitespace (as run.c's safe_printstr does), so a
 * model cannot write escape sequences to a terminal; bytes >= 0x80 are
 * written as they are, so byte-fallback UTF-8 comes out whole.
 *
 * Lookups go through the pieces sorted by (bytes, id): where two tokens have
 * the same piece, the lower id wins.  Like every runtime file this is copied
 * into model.c, so everything is static.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

#define RT_TOK_BOS 1
#define RT_TOK_BYTE0 3   /* id of <0x00>: byte-fallback tokens are byte + 3 */

typedef struct {
  int vocab_size;
  int max_token_length;  /* longest piece, from the file header */
  char **pieces;         /* NUL-terminated piece of each id */
  float *scores;         /* merge priority of each id */
  int *sorted;           /* ids sorted by (piece, id), for binary search */
  char *mem;             /* one allocation holding all of the above */
  char byte_piece[256][2]; /* the one-byte strings "<0xHH>" decodes to */
} RtTokenizer;

static const RtTokenizer *rt_tok_sort_ctx;   /* qsort has no context argument */

static inline int rt_tok_cmp_ids(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  int c = strcmp(rt_tok_sort_ctx->pieces[x], rt_tok_sort_ctx->pieces[y]);
  return c ? c : (x > y) - (x < y);
}

static inline int32_t rt_tok_le32(const unsigned char *p) {
  return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                   (uint32_t)p[3] << 24);
}

/* Reads the whole file; NULL with *err set on failure. */
static inline unsigned char *rt_tok_read_file(const char *path, long *size, const char **err) {
  FILE *f = fopen(path, "rb");
  unsigned char *data = NULL;
  *err = "cannot open tokenizer file";
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (*size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (data = malloc((size_t)*size + 1)) && fread(data, 1, (size_t)*size, f) == (size_t)*size) {
    fclose(f);
    return data;
  }
  *err = "cannot read tokenizer file";
  free(data);
  fclose(f);
  return NULL;
}

/* Splits the file's records into t's tables; the error message or NULL. */
static inline const char *rt_tok_parse(RtTokenizer *t, const unsigned char *p, long size) {
  long at = 4;
  if (size < 4) return "tokenizer file is truncated";
  t->max_token_length = rt_tok_le32(p);
  if (t->max_token_length < 1 || t->max_token_length > 65536)
    return "tokenizer file: max_token_length out of range";
  char *text = (char *)(t->sorted + t->vocab_size);
  for (int i = 0; i < t->vocab_size; i++) {
    if (size - at < 8) return "tokenizer file is truncated (fewer pieces than the vocabulary)";
    memcpy(&t->scores[i], p + at, 4);
    int32_t len = rt_tok_le32(p + at + 4);
    at += 8;
    if (len < 0 || len > t->max_token_length || len > size - at)
      return "tokenizer file: a piece length is out of range";
    memcpy(text, p + at, (size_t)len);
    text[len] = 0;
    t->pieces[i] = text;
    t->sorted[i] = i;
    text += len + 1;
    at += len;
  }
  return NULL;
}

/* Loads path for a model with vocab_size tokens.  0, or -1 with *err set
 * (t is left empty). */
RT_API int rt_tok_load(RtTokenizer *t, const char *path, int vocab_size, const char **err) {
  long size = 0;
  memset(t, 0, sizeof *t);
  unsigned char *data = rt_tok_read_file(path, &size, err);
  if (!data) return -1;
  size_t tables = (size_t)vocab_size * (sizeof(char *) + sizeof(float) + sizeof(int));
  t->vocab_size = vocab_size;
  t->mem = malloc(tables + (size_t)size + (size_t)vocab_size);
  if (!t->mem) *err = "out of memory loading the tokenizer";
  if (t->mem) {
    t->pieces = (char **)t->mem;
    t->scores = (float *)(t->pieces + vocab_size);
    t->sorted = (int *)(t->scores + vocab_size);
    *err = rt_tok_parse(t, data, size);
  }
  free(data);
  if (!t->mem || *err) {
    free(t->mem);
    memset(t, 0, sizeof *t);
    return -1;
  }
  rt_tok_sort_ctx = t;
  qsort(t->sorted, (size_t)vocab_size, sizeof(int), rt_tok_cmp_ids);
  for (int b = 0; b < 256; b++) t->byte_piece[b][0] = (char)b;
  return 0;
}

RT_API void rt_tok_free(RtTokenizer *t) {
  free(t->mem);
  memset(t, 0, sizeof *t);
}

/* The id whose piece is s (the lowest such id), or -1. */
static inline int rt_tok_lookup(const RtTokenizer *t, const char *s) {
  int lo = 0, hi = t->vocab_size;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (strcmp(t->pieces[t->sorted[mid]], s) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < t->vocab_size && strcmp(t->pieces[t->sorted[lo]], s) == 0 ? t->sorted[lo] : -1;
}

/* Step 2: one token per UTF-8 character (at most 4 bytes), or its bytes + 3. */
static inline int rt_tok_characters(const RtTokenizer *t, const char *text, int32_t *out, int n) {
  char ch[5];
  int len = 0;
  for (const char *c = text; *c; c++) {
    if ((*c & 0xC0) != 0x80) len = 0;   /* a new character starts */
    ch[len++] = *c;
    ch[len] = 0;
    if ((c[1] & 0xC0) == 0x80 && len < 4) continue;
    int id = rt_tok_lookup(t, ch);
    if (id >= 0)
      out[n++] = id;
    else
      for (int i = 0; i < len; i++) out[n++] = (unsigned char)ch[i] + RT_TOK_BYTE0;
    len = 0;
  }
  return n;
}

/* Step 3: merges the best-scoring adjacent pair until none merges. */
static inline int rt_tok_merge(const RtTokenizer *t, int32_t *ids, int n, char *buf) {
  for (;;) {
    float best = -1e10f;
    int best_id = -1, best_at = -1;
    for (int i = 0; i + 1 < n; i++) {
      snprintf(buf, (size_t)t->max_token_length * 2 + 1, "%s%s", t->pieces[ids[i]],
               t->pieces[ids[i + 1]]);
      int id = rt_tok_lookup(t, buf);
      if (id >= 0 && t->scores[id] > best) best = t->scores[id], best_id = id, best_at = i;
    }
    if (best_at < 0) return n;
    ids[best_at] = best_id;
    memmove(ids + best_at + 1, ids + best_at + 2, sizeof(int32_t) * (size_t)(n - best_at - 2));
    n--;
  }
}

/* Encodes text into out (room for strlen(text) + 2 ids), with BOS first when
 * bos is set.  Returns the number of ids, or -1 when out of memory or an id
 * falls outside the vocabulary (a byte-fallback id of a small vocabulary). */
RT_API int rt_tok_encode(const RtTokenizer *t, const char *text, int bos, int32_t *out) {
  int n = 0;
  if (bos) out[n++] = RT_TOK_BOS;
  if (text[0]) {
    int space = rt_tok_lookup(t, " ");
    if (space < 0) return -1;
    out[n++] = space;
  }
  n = rt_tok_characters(t, text, out, n);
  for (int i = 0; i < n; i++)
    if (out[i] < 0 || out[i] >= t->vocab_size) return -1;
  char *buf = malloc((size_t)t->max_token_length * 2 + 3);
  if (!buf) return -1;
  n = rt_tok_merge(t, out, n, buf);   /* BOS takes part, as in run.c ("<s>" never merges) */
  free(buf);
  return n;
}

/* The text of token after prev: no leading space after BOS; "<0xHH>" -> byte HH. */
RT_API const char *rt_tok_decode(const RtTokenizer *t, int prev, int token) {
  const char *piece = t->pieces[token];
  if (prev == RT_TOK_BOS && piece[0] == ' ') piece++;
  static const char hex[] = "0123456789ABCDEF";
  if (strlen(piece) == 6 && !strncmp(piece, "<0x", 3) && piece[5] == '>') {
    const char *hi = strchr(hex, piece[3]), *lo = strchr(hex, piece[4]);
    if (hi && lo && *hi && *lo) return t->byte_piece[(hi - hex) * 16 + (lo - hex)];
  }
  return piece;
}

/* Writes a decoded piece, dropping control bytes other than whitespace. */
RT_API void rt_tok_print(FILE *out, const char *piece) {
  for (const unsigned char *p = (const unsigned char *)piece; *p; p++)
    if (*p >= 0x20 ? *p != 0x7F : (*p >= '\t' && *p <= '\r')) fputc(*p, out);
}
