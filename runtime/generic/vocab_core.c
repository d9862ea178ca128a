/*
 * vocab_core.c — an embedded tokenizer (RtVocab): its serialized form, the
 * lookup tables built from it when the program starts, and the id list the
 * encoders append to.  vocab_bpe.c and vocab_wordpiece.c encode with it;
 * vocab.c is the entry point (rt_vocab_encode, rt_vocab_decode).
 *
 * The serialized form (written by tfc's codegen/emit_c_tokenizer.c; all
 * integers little-endian 32-bit):
 *
 *   header, 16 words: magic 0x56636674 ("tfcV"), version 1, kind, pre, flags,
 *     n_tokens, n_merges, bos, eos, unk, pad, cls, sep, mask (-1: none),
 *     max_word_chars, text_bytes
 *   end[n_tokens]       token i is text[end[i-1] .. end[i]) (end[-1] = 0)
 *   scores[n_tokens]    float32, only for kind 1 (BPE by scores)
 *   merges[n_merges][2] the left and right id of each merge, best first
 *   types[n_tokens]     one byte each (GGUF's token types: 3 control, 6 byte, ...)
 *   text[text_bytes]    the tokens' bytes: byte-level BPE tokens as raw bytes
 *                       (not GPT-2's printable alphabet), others as spelled
 *
 * Kinds: 0 byte-level BPE (GPT-2), 1 BPE by scores (SentencePiece), 2
 * WordPiece.  Pre-tokenizers: 0 none, 1 gpt2, 2 smollm, 3 bert.  Flags: 1 add
 * BOS, 2 add EOS, 4 [CLS] ... [SEP], 8 space prefix, 16 lowercase, 32 strip
 * accents, 64 clean text, 128 CJK characters apart, 256 byte fallback.  The
 * loader checks every size and id, so a damaged blob fails to load rather
 * than read out of bounds.  Like every runtime file this is copied into
 * model.c, so everything is static.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

enum { RT_VOCAB_MAGIC = 0x56636674, RT_VOCAB_HEADER = 64 };
enum { RT_VOCAB_BPE_BYTES, RT_VOCAB_BPE_SCORES, RT_VOCAB_WORDPIECE };
enum { RT_PRE_NONE, RT_PRE_GPT2, RT_PRE_SMOLLM, RT_PRE_BERT };
enum {
  RT_VOCAB_ADD_BOS = 1, RT_VOCAB_ADD_EOS = 2, RT_VOCAB_CLS_SEP = 4, RT_VOCAB_SPACE_PREFIX = 8,
  RT_VOCAB_LOWERCASE = 16, RT_VOCAB_STRIP_ACCENTS = 32, RT_VOCAB_CLEAN_TEXT = 64,
  RT_VOCAB_CJK = 128, RT_VOCAB_BYTE_FALLBACK = 256, RT_VOCAB_CHATML = 512
};
enum { RT_TYPE_UNKNOWN = 2, RT_TYPE_CONTROL = 3, RT_TYPE_USER = 4, RT_TYPE_BYTE = 6 };

typedef struct {
  int kind, pre;
  unsigned flags;
  int n_tokens, n_merges;
  int bos, eos, unk, pad, cls, sep;   /* special ids, -1 when absent */
  int max_word_chars;                 /* WordPiece: longer words become unk */
  int max_len;                        /* bytes of the longest token */
  const unsigned char *text;          /* all tokens' bytes (in the blob) */
  const unsigned char *types;         /* [n_tokens] token types (in the blob) */
  uint32_t *start;                    /* [n_tokens + 1] token i: text[start[i] .. start[i+1]) */
  float *scores;                      /* [n_tokens] BPE by scores; NULL otherwise */
  int32_t *table;                     /* token bytes -> id, open addressing, -1 empty */
  uint32_t table_mask;
  uint64_t *merge_key;                /* (left << 32 | right) -> merge, open addressing */
  int32_t *merge_rank;                /* its rank (-1: empty slot) */
  int32_t *merge_id;                  /* the token it makes */
  uint32_t merge_mask;
  int32_t byte_id[256];               /* byte-level: each byte's token; scores: <0xNN>; -1 */
  int32_t *special;                   /* unknown, control, user-defined ids: longest first */
  int n_special;
  unsigned char special_first[32];    /* bit set: some special token starts with this byte */
  void *mem;                          /* one allocation holding the tables */
} RtVocab;

/* The ids an encoder appends; n counts past cap, so the caller sees overflow. */
typedef struct {
  int32_t *ids;
  int n, cap;
} RtIds;

static inline void rt_ids_push(RtIds *o, int32_t id) {
  if (o->n < o->cap) o->ids[o->n] = id;
  o->n++;
}

static inline uint32_t rt_vocab_get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t rt_vocab_hash(const unsigned char *s, size_t n) {
  uint32_t h = 2166136261u;   /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
  return h;
}

/* The lowest id whose bytes are s[0..n), or -1. */
RT_API int rt_vocab_find(const RtVocab *v, const void *s, size_t n) {
  for (uint32_t h = rt_vocab_hash(s, n) & v->table_mask; v->table[h] >= 0; h = (h + 1) & v->table_mask) {
    int id = v->table[h];
    if (v->start[id + 1] - v->start[id] == n && memcmp(v->text + v->start[id], s, n) == 0) return id;
  }
  return -1;
}

static inline size_t rt_vocab_len(const RtVocab *v, int id) { return v->start[id + 1] - v->start[id]; }
static inline const unsigned char *rt_vocab_bytes(const RtVocab *v, int id) {
  return v->text + v->start[id];
}

static inline uint64_t rt_merge_key(int left, int right) {
  return (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
}

/* The merge of left and right: its rank, with *id the token it makes; -1 if none. */
RT_API int rt_vocab_merge_rank(const RtVocab *v, int left, int right, int *id) {
  uint64_t key = rt_merge_key(left, right);
  for (uint32_t h = (uint32_t)(key * 0x9E3779B97F4A7C15ull >> 32) & v->merge_mask; v->merge_rank[h] >= 0;
       h = (h + 1) & v->merge_mask)
    if (v->merge_key[h] == key) return *id = v->merge_id[h], v->merge_rank[h];
  return -1;
}

/* Reads the header into v; the error or NULL.  *need gets the blob's size. */
static inline const char *rt_vocab_header(RtVocab *v, const unsigned char *b, size_t size, size_t *need) {
  if (size < RT_VOCAB_HEADER || rt_vocab_get32(b) != RT_VOCAB_MAGIC) return "not a tfc tokenizer";
  if (rt_vocab_get32(b + 4) != 1) return "unknown tokenizer version";
  int32_t f[14];
  for (int i = 0; i < 14; i++) f[i] = (int32_t)rt_vocab_get32(b + 8 + 4 * i);
  v->kind = f[0], v->pre = f[1], v->flags = (unsigned)f[2], v->n_tokens = f[3], v->n_merges = f[4];
  v->bos = f[5], v->eos = f[6], v->unk = f[7], v->pad = f[8], v->cls = f[9], v->sep = f[10];
  v->max_word_chars = f[12];
  uint32_t text_bytes = (uint32_t)f[13];
  if (v->kind < 0 || v->kind > 2 || v->pre < 0 || v->pre > 3) return "unknown tokenizer kind";
  if (v->n_tokens < 1 || v->n_tokens > (1 << 24) || v->n_merges < 0 || v->n_merges > (1 << 24))
    return "tokenizer sizes out of range";
  int32_t *ids[] = {&v->bos, &v->eos, &v->unk, &v->pad, &v->cls, &v->sep};
  for (int i = 0; i < 6; i++)
    if (*ids[i] < -1 || *ids[i] >= v->n_tokens) return "special token id out of range";
  size_t n = (size_t)v->n_tokens;
  *need = RT_VOCAB_HEADER + 4 * n + (v->kind == RT_VOCAB_BPE_SCORES ? 4 * n : 0) +
          8 * (size_t)v->n_merges + n + text_bytes;
  return *need > size ? "tokenizer data is truncated" : NULL;
}

/* Fills the token offsets and the text hash; the error or NULL. */
static inline const char *rt_vocab_tokens(RtVocab *v, const unsigned char *ends, size_t text_bytes) {
  v->start[0] = 0;
  for (int i = 0; i < v->n_tokens; i++) {
    v->start[i + 1] = rt_vocab_get32(ends + 4 * (size_t)i);
    if (v->start[i + 1] < v->start[i] || v->start[i + 1] > text_bytes) return "token offsets out of order";
    if (v->start[i + 1] - v->start[i] > (uint32_t)v->max_len) v->max_len = (int)(v->start[i + 1] - v->start[i]);
  }
  memset(v->table, 0xff, sizeof(int32_t) * (v->table_mask + 1));
  for (int id = 0; id < v->n_tokens; id++) {
    if (rt_vocab_find(v, rt_vocab_bytes(v, id), rt_vocab_len(v, id)) >= 0) continue;
    uint32_t h = rt_vocab_hash(rt_vocab_bytes(v, id), rt_vocab_len(v, id)) & v->table_mask;
    while (v->table[h] >= 0) h = (h + 1) & v->table_mask;
    v->table[h] = id;
  }
  return NULL;
}

/* Fills the merge table; the error or NULL.  A merge's token is the
 * concatenation of its two tokens' bytes, which must be a token too. */
static inline const char *rt_vocab_merges(RtVocab *v, const unsigned char *m, unsigned char *scratch) {
  for (uint32_t i = 0; i <= v->merge_mask; i++) v->merge_rank[i] = -1;
  for (int r = 0; r < v->n_merges; r++) {
    int32_t a = (int32_t)rt_vocab_get32(m + 8 * (size_t)r), b = (int32_t)rt_vocab_get32(m + 8 * (size_t)r + 4);
    if (a < 0 || b < 0 || a >= v->n_tokens || b >= v->n_tokens) return "merge id out of range";
    size_t la = rt_vocab_len(v, a), lb = rt_vocab_len(v, b);
    memcpy(scratch, rt_vocab_bytes(v, a), la);
    memcpy(scratch + la, rt_vocab_bytes(v, b), lb);
    int id = rt_vocab_find(v, scratch, la + lb), old;
    if (id < 0) return "a merge makes no token";
    if (rt_vocab_merge_rank(v, a, b, &old) >= 0) continue;   /* the first (best) rank stays */
    uint64_t key = rt_merge_key(a, b);
    uint32_t h = (uint32_t)(key * 0x9E3779B97F4A7C15ull >> 32) & v->merge_mask;
    while (v->merge_rank[h] >= 0) h = (h + 1) & v->merge_mask;
    v->merge_key[h] = key, v->merge_rank[h] = r, v->merge_id[h] = id;
  }
  return NULL;
}

static inline int rt_vocab_cmp_len(const void *a, const void *b, void *v_) {
  const RtVocab *v = v_;
  size_t la = rt_vocab_len(v, *(const int32_t *)a), lb = rt_vocab_len(v, *(const int32_t *)b);
  return la != lb ? (la < lb) - (la > lb) : (*(const int32_t *)a > *(const int32_t *)b) - (*(const int32_t *)a < *(const int32_t *)b);
}

/* The byte ids and the special tokens (longest first, for leftmost-longest matching). */
static inline void rt_vocab_specials(RtVocab *v) {
  static const char hex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; b++) {
    char piece[7] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>', 0};
    v->byte_id[b] = v->kind == RT_VOCAB_BPE_BYTES ? rt_vocab_find(v, &(unsigned char){(unsigned char)b}, 1)
                                                  : rt_vocab_find(v, piece, 6);
  }
  v->n_special = 0;
  for (int id = 0; id < v->n_tokens; id++)
    if ((v->types[id] == RT_TYPE_UNKNOWN || v->types[id] == RT_TYPE_CONTROL || v->types[id] == RT_TYPE_USER) &&
        rt_vocab_len(v, id) > 0) {
      v->special[v->n_special++] = id;
      unsigned c = rt_vocab_bytes(v, id)[0];
      v->special_first[c >> 3] |= (unsigned char)(1u << (c & 7));
    }
  for (int i = 1; i < v->n_special; i++)   /* insertion sort: few specials */
    for (int j = i; j > 0 && rt_vocab_cmp_len(&v->special[j - 1], &v->special[j], v) > 0; j--) {
      int32_t t = v->special[j];
      v->special[j] = v->special[j - 1], v->special[j - 1] = t;
    }
}

static inline uint32_t rt_pow2_above(uint64_t n) {
  uint32_t s = 16;
  while (s < 2 * n) s *= 2;
  return s;
}

/* Opens the tokenizer serialized in blob[0..size) (which must outlive v).
 * 0, or -1 with *err set and v empty. */
RT_API int rt_vocab_open(RtVocab *v, const unsigned char *blob, size_t size, const char **err) {
  size_t need = 0;
  memset(v, 0, sizeof *v);
  if ((*err = rt_vocab_header(v, blob, size, &need))) return memset(v, 0, sizeof *v), -1;
  size_t n = (size_t)v->n_tokens, text_bytes = rt_vocab_get32(blob + 60);
  const unsigned char *p = blob + RT_VOCAB_HEADER, *ends = p, *scores = p + 4 * n;
  const unsigned char *merges = scores + (v->kind == RT_VOCAB_BPE_SCORES ? 4 * n : 0);
  v->types = merges + 8 * (size_t)v->n_merges;
  v->text = v->types + n;
  uint32_t tsize = rt_pow2_above(n), msize = rt_pow2_above((uint64_t)v->n_merges);
  size_t bytes = 4 * (n + 1) + 4 * n + 4 * (size_t)tsize + 16 * (size_t)msize + 4 * n + 2 * (size_t)text_bytes + 1;
  char *mem = v->mem = malloc(bytes);
  if (!mem) return *err = "out of memory loading the tokenizer", -1;
  v->merge_key = (uint64_t *)mem, mem += 8 * (size_t)msize;   /* first: 8-byte aligned */
  v->start = (uint32_t *)mem, mem += 4 * (n + 1);
  v->scores = (float *)mem, mem += 4 * n;
  v->table = (int32_t *)mem, v->table_mask = tsize - 1, mem += 4 * (size_t)tsize;
  v->merge_rank = (int32_t *)mem, mem += 4 * (size_t)msize;
  v->merge_id = (int32_t *)mem, v->merge_mask = msize - 1, mem += 4 * (size_t)msize;
  v->special = (int32_t *)mem, mem += 4 * n;
  for (size_t i = 0; i < n; i++) v->scores[i] = 0;
  if (v->kind == RT_VOCAB_BPE_SCORES)
    for (size_t i = 0; i < n; i++) {
      uint32_t bits = rt_vocab_get32(scores + 4 * i);
      memcpy(&v->scores[i], &bits, 4);
    }
  *err = rt_vocab_tokens(v, ends, text_bytes);   /* then mem: 2 * text_bytes of scratch */
  if (!*err) *err = rt_vocab_merges(v, merges, (unsigned char *)mem);
  if (*err) return free(v->mem), memset(v, 0, sizeof *v), -1;
  rt_vocab_specials(v);
  return 0;
}

RT_API void rt_vocab_close(RtVocab *v) {
  free(v->mem);
  memset(v, 0, sizeof *v);
}
