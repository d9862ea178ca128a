/*
 * vocab_bpe.c — the two BPE encoders of an embedded tokenizer (vocab_core.c):
 *
 *   byte-level BPE (GPT-2, SmolLM2): the text is split by the pre-tokenizer
 *     (GPT-2's regex, written out by hand below; "smollm" first puts every
 *     digit in a piece of its own), each piece starts as one token per byte,
 *     and the adjacent pair with the best (lowest) merge rank is merged, the
 *     leftmost first on ties, until no pair has a merge — as Hugging Face's
 *     BPE model does.
 *   BPE by scores (SentencePiece, llama): spaces become U+2581 ("▁"), one is
 *     put in front when the tokenizer says so, the text starts as one token
 *     per UTF-8 character (unknown characters as <0xNN> byte tokens), and the
 *     adjacent pair whose concatenation is the token with the highest score is
 *     merged, leftmost first, as llama.cpp's SPM tokenizer does.
 *
 * Both merge through one priority queue of candidate pairs (a binary heap,
 * stale entries skipped when popped), so a piece of n bytes costs O(n log n)
 * hash lookups, not O(n^2) scans.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* ---- the merge queue ---- */

typedef struct {
  double key;        /* lower merges first: the rank, or minus the score */
  int pos;           /* the left symbol; ties go to the leftmost */
  int32_t left, right, result;
} RtMergeCand;

typedef struct {
  int32_t id;
  int prev, next;    /* neighbours in the piece, -1 at the ends */
} RtSymbol;

typedef struct {
  const RtVocab *v;
  RtSymbol *sym;
  RtMergeCand *heap;
  int n_heap;
  unsigned char *scratch;   /* two tokens' bytes (scores: concatenations) */
} RtMerger;

static inline int rt_cand_before(const RtMergeCand *a, const RtMergeCand *b) {
  return a->key < b->key || (a->key == b->key && a->pos < b->pos);
}

static inline void rt_heap_push(RtMerger *m, RtMergeCand c) {
  int i = m->n_heap++;
  while (i > 0 && rt_cand_before(&c, &m->heap[(i - 1) / 2])) {
    m->heap[i] = m->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  m->heap[i] = c;
}

static inline RtMergeCand rt_heap_pop(RtMerger *m) {
  RtMergeCand top = m->heap[0], last = m->heap[--m->n_heap];
  int i = 0;
  for (;;) {
    int c = 2 * i + 1;
    if (c >= m->n_heap) break;
    if (c + 1 < m->n_heap && rt_cand_before(&m->heap[c + 1], &m->heap[c])) c++;
    if (!rt_cand_before(&m->heap[c], &last)) break;
    m->heap[i] = m->heap[c];
    i = c;
  }
  if (m->n_heap) m->heap[i] = last;
  return top;
}

/* The token that merging left and right makes, with its key; -1 if none. */
static inline int32_t rt_pair(RtMerger *m, int32_t left, int32_t right, double *key) {
  const RtVocab *v = m->v;
  if (v->kind == RT_VOCAB_BPE_BYTES) {
    int id, rank = rt_vocab_merge_rank(v, left, right, &id);
    return rank < 0 ? -1 : (*key = rank, id);
  }
  size_t la = rt_vocab_len(v, left), lb = rt_vocab_len(v, right);
  memcpy(m->scratch, rt_vocab_bytes(v, left), la);
  memcpy(m->scratch + la, rt_vocab_bytes(v, right), lb);
  int id = rt_vocab_find(v, m->scratch, la + lb);
  return id < 0 ? -1 : (*key = -(double)v->scores[id], id);
}

static inline void rt_try_pair(RtMerger *m, int pos) {
  int next = pos < 0 ? -1 : m->sym[pos].next;
  double key = 0;
  if (next < 0) return;
  int32_t id = rt_pair(m, m->sym[pos].id, m->sym[next].id, &key);
  if (id >= 0) rt_heap_push(m, (RtMergeCand){key, pos, m->sym[pos].id, m->sym[next].id, id});
}

/* Merges m->sym[0..n) (linked in order) and appends the result to out. */
static inline void rt_merge_symbols(RtMerger *m, int n, RtIds *out) {
  m->n_heap = 0;
  for (int i = 0; i + 1 < n; i++) rt_try_pair(m, i);
  while (m->n_heap) {
    RtMergeCand c = rt_heap_pop(m);
    RtSymbol *a = &m->sym[c.pos];
    if (a->id != c.left || a->next < 0 || m->sym[a->next].id != c.right) continue;   /* stale */
    RtSymbol *b = &m->sym[a->next];
    a->id = c.result;
    a->next = b->next;
    if (b->next >= 0) m->sym[b->next].prev = c.pos;
    b->id = -1;
    rt_try_pair(m, a->prev);
    rt_try_pair(m, c.pos);
  }
  for (int i = 0; i >= 0 && n > 0; i = m->sym[i].next) rt_ids_push(out, m->sym[i].id);
}

/* Appends a symbol; ids < 0 (a byte with no token and no unk) are dropped. */
static inline int rt_add_symbol(RtMerger *m, int n, int32_t id) {
  if (id < 0) return n;
  m->sym[n] = (RtSymbol){id, n - 1, -1};
  if (n > 0) m->sym[n - 1].next = n;
  return n + 1;
}

/* ---- byte-level BPE ---- */

enum { RT_CC_SPACE, RT_CC_LETTER, RT_CC_NUMBER, RT_CC_OTHER };

static inline int rt_char_class(uint32_t cp) {
  if (cp & RT_UNI_BAD) return RT_CC_OTHER;
  if (cp < 0x80)   /* fast path for ASCII */
    return cp == ' ' || (cp >= 9 && cp <= 13) ? RT_CC_SPACE
           : ((cp | 32) >= 'a' && (cp | 32) <= 'z') ? RT_CC_LETTER
           : (cp >= '0' && cp <= '9') ? RT_CC_NUMBER : RT_CC_OTHER;
  return rt_uni_is_space(cp) ? RT_CC_SPACE : rt_uni_is_letter(cp) ? RT_CC_LETTER
         : rt_uni_is_number(cp) ? RT_CC_NUMBER : RT_CC_OTHER;
}

/* The length of GPT-2's regex match at cp[i] (of n code points):
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
static inline int rt_gpt2_match(const uint32_t *cp, const unsigned char *cls, int i, int n) {
  if (cp[i] == '\'' && i + 1 < n) {
    uint32_t a = cp[i + 1], b = i + 2 < n ? cp[i + 2] : 0;
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  }
  int k = cp[i] == ' ' && i + 1 < n && cls[i + 1] != RT_CC_SPACE ? i + 1 : i;
  if (cls[k] != RT_CC_SPACE) {
    int j = k + 1;
    while (j < n && cls[j] == cls[k]) j++;
    return j - i;
  }
  int j = i;
  while (j < n && cls[j] == RT_CC_SPACE) j++;
  return j == n || j - i < 2 ? j - i : j - 1 - i;
}

/* Byte-level BPE of one piece s[0..len).  A byte without a token (0xFE and
 * 0xFF in vocabularies learnt from UTF-8) is dropped, as Hugging Face and
 * llama.cpp drop it. */
static inline void rt_bpe_piece(RtMerger *m, const unsigned char *s, size_t len, RtIds *out) {
  int n = 0;
  for (size_t i = 0; i < len; i++) n = rt_add_symbol(m, n, m->v->byte_id[s[i]]);
  rt_merge_symbols(m, n, out);
}

/* Splits cp[0..n) (bytes at off[]) with GPT-2's regex and encodes each piece. */
static inline void rt_bpe_run(RtMerger *m, const unsigned char *s, const uint32_t *cp,
                              const unsigned char *cls, const size_t *off, int n, RtIds *out) {
  for (int i = 0; i < n;) {
    int len = rt_gpt2_match(cp, cls, i, n);
    rt_bpe_piece(m, s + off[i], off[i + len] - off[i], out);
    i += len;
  }
}

/* ---- BPE by scores ---- */

/* SentencePiece's normalization: "▁" for each space, one in front if asked. */
static inline size_t rt_spm_normalize(const RtVocab *v, const unsigned char *s, size_t len, unsigned char *buf) {
  size_t n = 0;
  if (v->flags & RT_VOCAB_SPACE_PREFIX) memcpy(buf, "\xE2\x96\x81", 3), n = 3;
  for (size_t i = 0; i < len; i++)
    if (s[i] == ' ')
      memcpy(buf + n, "\xE2\x96\x81", 3), n += 3;
    else
      buf[n++] = s[i];
  return n;
}

static inline void rt_spm_segment(RtMerger *m, const unsigned char *s, size_t len, unsigned char *buf,
                                  RtIds *out) {
  const RtVocab *v = m->v;
  size_t n = rt_spm_normalize(v, s, len, buf);
  int k = 0;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    int clen = rt_utf8_next(buf + i, n - i, &cp), id = rt_vocab_find(v, buf + i, (size_t)clen);
    if (id >= 0)
      k = rt_add_symbol(m, k, id);
    else
      for (int b = 0; b < clen; b++)
        k = rt_add_symbol(m, k, (v->flags & RT_VOCAB_BYTE_FALLBACK) && v->byte_id[buf[i + b]] >= 0
                                    ? v->byte_id[buf[i + b]] : v->unk);
    i += (size_t)clen;
  }
  rt_merge_symbols(m, k, out);
}

/* Encodes one segment of text (no special tokens inside) with either BPE.
 * 0, or -1 when out of memory. */
RT_API int rt_bpe_encode(const RtVocab *v, const unsigned char *s, size_t len, RtIds *out) {
  size_t n = len * 3 + 4;
  RtMerger m = {v, malloc(sizeof(RtSymbol) * n), malloc(sizeof(RtMergeCand) * 3 * n), 0,
                malloc(2 * (size_t)v->max_len + 1)};
  uint32_t *cp = malloc(sizeof(uint32_t) * (len + 1));
  size_t *off = malloc(sizeof(size_t) * (len + 1));
  unsigned char *cls = malloc(len + 1), *buf = malloc(n);
  int rc = m.sym && m.heap && m.scratch && cp && off && cls && buf ? 0 : -1;
  if (rc == 0 && v->kind == RT_VOCAB_BPE_SCORES) rt_spm_segment(&m, s, len, buf, out);
  if (rc == 0 && v->kind == RT_VOCAB_BPE_BYTES) {
    int k = 0;
    for (size_t i = 0; i < len; k++) off[k] = i, i += (size_t)rt_utf8_next(s + i, len - i, &cp[k]);
    off[k] = len;
    for (int i = 0; i < k; i++) cls[i] = (unsigned char)rt_char_class(cp[i]);
    for (int i = 0, j; i < k; i = j) {   /* smollm: each digit a piece of its own */
      j = i;
      if (v->pre == RT_PRE_SMOLLM && cls[i] == RT_CC_NUMBER)
        j = i + 1, rt_bpe_piece(&m, s + off[i], off[j] - off[i], out);
      else if (v->pre == RT_PRE_SMOLLM) {
        while (j < k && cls[j] != RT_CC_NUMBER) j++;
        rt_bpe_run(&m, s, cp + i, cls + i, off + i, j - i, out);
      } else
        j = k, rt_bpe_run(&m, s, cp, cls, off, k, out);
    }
  }
  free(m.sym), free(m.heap), free(m.scratch), free(cp), free(off), free(cls), free(buf);
  return rc;
}
