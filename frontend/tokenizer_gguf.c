/*
 * tokenizer_gguf.c — a GGUF file's tokenizer.ggml.* keys into a Tokenizer
 * (ir/tokenizer.h), as llama.cpp reads them:
 *
 *   model       "gpt2": byte-level BPE (tokens + merges); "llama": SentencePiece
 *               BPE by scores (tokens + scores, <0xNN> byte tokens)
 *   pre         gpt2's pre-tokenizer: "gpt2" or "default" (GPT-2's regex),
 *               "smollm" (digits alone, then GPT-2's regex)
 *   tokens, token_type, merges, scores
 *   bos/eos/unknown/padding/seperator/cls/mask_token_id
 *   add_bos_token, add_eos_token, add_space_prefix (llama: default true)
 *
 * A model or pre-tokenizer tfc does not implement ("bert", "llama-bpe", ...)
 * is a warning, not an error: the model compiles without its tokenizer.
 */
#include <string.h>

#include "frontend.h"

static Loc at_file(const GgufFile *f) { return diag_loc(f->path, 0, 0); }

/* The special ids, flags and token types. */
static int read_specials(const GgufFile *f, Tokenizer *t) {
  static const char *const keys[] = {"bos", "eos", "unknown", "padding", "seperator", "cls", "mask"};
  int *ids[] = {&t->bos, &t->eos, &t->unk, &t->pad, &t->sep, &t->cls, &t->mask};
  for (int i = 0; i < 7; i++) {
    char key[64];
    int64_t v;
    snprintf(key, sizeof key, "tokenizer.ggml.%s_token_id", keys[i]);
    if (fe_gguf_int(f, key, -1, -1, t->n_tokens - 1, &v)) return -1;
    *ids[i] = (int)v;
  }
  const GgufValue *b;
  bool bos = t->kind == TOK_BPE_SCORES, eos = false, space = t->kind == TOK_BPE_SCORES;
  if ((b = fe_gguf_get(f, "tokenizer.ggml.add_bos_token")) && b->type == GGUF_BOOL) bos = b->b;
  if ((b = fe_gguf_get(f, "tokenizer.ggml.add_eos_token")) && b->type == GGUF_BOOL) eos = b->b;
  if ((b = fe_gguf_get(f, "tokenizer.ggml.add_space_prefix")) && b->type == GGUF_BOOL) space = b->b;
  t->flags |= (bos && t->bos >= 0 ? TOK_ADD_BOS : 0) | (eos && t->eos >= 0 ? TOK_ADD_EOS : 0) |
              (space && t->kind == TOK_BPE_SCORES ? TOK_SPACE_PREFIX : 0) |
              (t->kind == TOK_BPE_SCORES ? TOK_BYTE_FALLBACK : 0);
  const GgufValue *types;
  if (fe_gguf_array(f, "tokenizer.ggml.token_type", GGUF_I32, false, &types)) return -1;
  if (types && types->n != (uint64_t)t->n_tokens) {
    diag_error(at_file(f), "tokenizer.ggml.token_type holds %llu types for %d tokens at byte %zu",
               (unsigned long long)types->n, t->n_tokens, types->offset);
    return -1;
  }
  for (int i = 0; types && i < t->n_tokens; i++) {
    int64_t ty = fe_gguf_array_i64(types, (uint64_t)i);
    t->types[i] = (uint8_t)(ty >= TOK_TYPE_UNDEFINED && ty <= TOK_TYPE_BYTE ? ty : TOK_TYPE_NORMAL);
  }
  return 0;
}

/* Tokens as NUL-terminated copies; byte-level ones spelled in GPT-2's alphabet. */
static int read_tokens(Arena *a, const GgufFile *f, const GgufValue *tokens, Tokenizer *t) {
  for (int i = 0; i < t->n_tokens; i++) {
    GgufStr s = tokens->strs[i];
    if (memchr(s.s, 0, s.len)) {
      diag_error(at_file(f), "token %d holds a NUL byte at byte %zu", i, tokens->offset);
      return -1;
    }
    if (!(t->tokens[i] = arena_printf(a, "%.*s", (int)s.len, s.s))) return -1;
  }
  return 0;
}

static int check_byte_level(const GgufFile *f, const GgufValue *tokens, const Tokenizer *t) {
  for (int i = 0; i < t->n_tokens; i++)
    if ((t->types[i] == TOK_TYPE_NORMAL || t->types[i] == TOK_TYPE_UNUSED) && !ir_is_byte_level(t->tokens[i])) {
      diag_error(at_file(f), "token %d '%s' is not spelled in GPT-2's byte alphabet (tokenizer.ggml.tokens at byte %zu)",
                 i, t->tokens[i], tokens->offset);
      return -1;
    }
  return 0;
}

static int read_merges(Arena *a, const GgufFile *f, Tokenizer *t) {
  const GgufValue *m;
  if (fe_gguf_array(f, "tokenizer.ggml.merges", GGUF_STRING, true, &m)) return -1;
  if (m->n > (uint64_t)FE_MAX_DIM * 4) {
    diag_error(at_file(f), "tokenizer.ggml.merges holds %llu merges at byte %zu", (unsigned long long)m->n, m->offset);
    return -1;
  }
  t->n_merges = (int)m->n;
  t->merges = arena_alloc(a, sizeof *t->merges * (size_t)(m->n ? m->n : 1));
  if (!t->merges) return -1;
  for (int r = 0; r < t->n_merges; r++)
    if (fe_tokenizer_merge(a, t, r, m->strs[r].s, m->strs[r].len, at_file(f))) return -1;
  return 0;
}

static int read_scores(Arena *a, const GgufFile *f, Tokenizer *t) {
  const GgufValue *s;
  if (fe_gguf_array(f, "tokenizer.ggml.scores", GGUF_F32, false, &s)) return -1;
  if (s && s->n != (uint64_t)t->n_tokens) {
    diag_error(at_file(f), "tokenizer.ggml.scores holds %llu scores for %d tokens at byte %zu",
               (unsigned long long)s->n, t->n_tokens, s->offset);
    return -1;
  }
  if (!(t->scores = arena_alloc(a, sizeof(float) * (size_t)t->n_tokens))) return -1;
  for (int i = 0; s && i < t->n_tokens; i++) t->scores[i] = (float)fe_gguf_array_f64(s, (uint64_t)i);
  return 0;
}

/* The kind and pre-tokenizer named by the file; -1 (after a warning) when tfc has none. */
static int choose_kind(const GgufFile *f, const char *model, TokKind *kind, TokPre *pre) {
  const char *name = NULL;
  if (fe_gguf_string(f, "tokenizer.ggml.pre", "default", &name)) return -2;
  if (!strcmp(model, "llama")) return *kind = TOK_BPE_SCORES, *pre = TOK_PRE_NONE, 0;
  if (strcmp(model, "gpt2") != 0) {
    diag_warning(at_file(f), "tokenizer model '%s' is not implemented (tfc reads gpt2 and llama); "
                             "the program will not take --prompt", model);
    return -1;
  }
  *kind = TOK_BPE_BYTES;
  if (!strcmp(name, "gpt2") || !strcmp(name, "default")) return *pre = TOK_PRE_GPT2, 0;
  if (!strcmp(name, "smollm")) return *pre = TOK_PRE_SMOLLM, 0;
  diag_warning(at_file(f), "pre-tokenizer '%s' is not implemented (tfc reads gpt2, default and smollm); "
                           "the program will not take --prompt", name);
  return -1;
}

int fe_tokenizer_gguf(Arena *a, const GgufFile *f, Tokenizer **out) {
  const char *model = NULL;
  const GgufValue *tokens = NULL;
  TokKind kind;
  TokPre pre;
  *out = NULL;
  if (!fe_gguf_get(f, "tokenizer.ggml.model")) return 0;
  if (fe_gguf_string(f, "tokenizer.ggml.model", NULL, &model)) return -1;
  int rc = choose_kind(f, model, &kind, &pre);
  if (rc) return rc == -1 ? 0 : -1;
  if (fe_gguf_array(f, "tokenizer.ggml.tokens", GGUF_STRING, true, &tokens)) return -1;
  if (tokens->n < 1 || tokens->n > (uint64_t)FE_MAX_DIM) {
    diag_error(at_file(f), "tokenizer.ggml.tokens holds %llu tokens (expected 1 to %lld) at byte %zu",
               (unsigned long long)tokens->n, (long long)FE_MAX_DIM, tokens->offset);
    return -1;
  }
  Tokenizer *t = ir_tokenizer_new(a, kind, (int)tokens->n);
  if (!t || read_tokens(a, f, tokens, t) || read_specials(f, t)) return -1;
  t->pre = pre;
  t->source = f->path;
  if (kind == TOK_BPE_BYTES && (check_byte_level(f, tokens, t) || read_merges(a, f, t))) return -1;
  if (kind == TOK_BPE_SCORES && read_scores(a, f, t)) return -1;
  const char *chat_template;
  if (fe_gguf_string(f, "tokenizer.chat_template", "", &chat_template)) return -1;
  fe_tokenizer_chat_template(a, t, chat_template);
  *out = t;
  return 0;
}
