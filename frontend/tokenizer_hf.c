/*
 * tokenizer_hf.c — Hugging Face tokenizers into a Tokenizer (ir/tokenizer.h):
 *
 *   tokenizer.json          model BPE with a ByteLevel pre-tokenizer (GPT-2;
 *                           Sequence[Digits(individual_digits), ByteLevel] is
 *                           SmolLM2's "smollm"), or WordPiece with
 *                           BertNormalizer / BertPreTokenizer (BERT);
 *                           added_tokens become control (special) or
 *                           user-defined tokens
 *   vocab.json + merges.txt GPT-2 byte-level BPE
 *   vocab.txt               WordPiece, one token per line (id = line - 1)
 *
 * and, in a model folder, tokenizer_config.json's bos/eos/unk/pad tokens,
 * add_bos_token and do_lower_case when it is there.  Every error points at
 * the file, line and column (a merge naming an unknown token, a byte-level
 * token outside GPT-2's alphabet, an id written twice, a kind tfc does not
 * implement) and the loader returns NULL.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "tokenizer.h"

/* ---- checks shared by the loaders ---- */

/* A byte-level token must spell bytes in GPT-2's alphabet; error at loc otherwise. */
static int check_byte_level(const char *token, Loc loc) {
  if (ir_is_byte_level(token)) return 0;
  diag_error(loc, "token '%s' is not spelled in GPT-2's byte alphabet", token);
  return -1;
}

/* Stores token text as id; an id out of range or given twice is an error. */
static int set_token(Tokenizer *t, int64_t id, const char *text, uint8_t type, Loc loc) {
  if (id < 0 || id >= t->n_tokens) return diag_error(loc, "token id %lld is out of range", (long long)id), -1;
  if (t->tokens[id][0] && strcmp(t->tokens[id], text) != 0)
    return diag_error(loc, "token id %lld given twice ('%s' and '%s')", (long long)id, t->tokens[id], text), -1;
  t->tokens[id] = text;
  t->types[id] = type;
  return 0;
}

/* Resolves LEFT and RIGHT to token ids as merge rank r. */
static int set_merge(Arena *a, Tokenizer *t, int r, const char *left, const char *right, Loc loc) {
  int l = ir_tokenizer_find(a, t, left), rr = ir_tokenizer_find(a, t, right);
  if (l == -2 || rr == -2) return -1;   /* out of memory */
  if (l < 0 || rr < 0) {
    diag_error(loc, "merge '%s %s': '%s' is not in the vocabulary", left, right, l < 0 ? left : right);
    return -1;
  }
  char *both = arena_printf(a, "%s%s", left, right);
  int id = both ? ir_tokenizer_find(a, t, both) : -2;
  if (id == -2) return -1;
  if (id < 0) return diag_error(loc, "merge '%s %s': '%s' is not in the vocabulary", left, right, both), -1;
  t->merges[r][0] = l, t->merges[r][1] = rr;
  return 0;
}

int fe_tokenizer_merge(Arena *a, Tokenizer *t, int r, const char *line, size_t len, Loc loc) {
  const char *space = memchr(line, ' ', len);
  if (!space || space == line || space + 1 == line + len || memchr(space + 1, ' ', (size_t)(line + len - space - 1))) {
    diag_error(loc, "a merge is two tokens separated by one space");
    return -1;
  }
  char *left = arena_printf(a, "%.*s", (int)(space - line), line);
  char *right = arena_printf(a, "%.*s", (int)(line + len - space - 1), space + 1);
  return left && right ? set_merge(a, t, r, left, right, loc) : -1;
}

/* ---- tokenizer.json ---- */

static Doc *read_json(Arena *a, const char *path) {
  Buf text = {0};
  if (buf_read_file(&text, path)) {
    diag_error(diag_loc(path, 0, 0), "cannot read tokenizer: %s", strerror(errno));
    return NULL;
  }
  Doc *d = fe_json_parse(a, text.data ? text.data : "", text.len, path, true, NULL);
  buf_free(&text);
  if (d && d->kind != DOC_OBJECT) return diag_error(d->loc, "expected a JSON object"), NULL;
  return d;
}

static const char *string_at(const Doc *obj, const char *key) {
  const Doc *d = fe_doc_get(obj, key);
  return d && d->kind == DOC_STRING ? d->string : NULL;
}

static bool bool_at(const Doc *obj, const char *key, bool def) {
  const Doc *d = fe_doc_get(obj, key);
  return d && d->kind == DOC_BOOL ? d->boolean : def;
}

/* The largest id in a {token: id} object and added_tokens, + 1; -1 after a diagnostic. */
static int64_t count_ids(const Doc *vocab, const Doc *added) {
  int64_t n = 0;
  for (int i = 0; i < vocab->n; i++) {
    const Doc *id = vocab->items[i];
    if (id->kind != DOC_NUMBER || !id->is_integer || id->integer < 0 || id->integer >= FE_MAX_DIM)
      return diag_error(id->loc, "token id must be an integer in [0, %lld)", (long long)FE_MAX_DIM), -1;
    if (id->integer >= n) n = id->integer + 1;
  }
  for (int i = 0; added && i < added->n; i++) {
    const Doc *id = fe_doc_get(added->items[i], "id");
    if (!id || id->kind != DOC_NUMBER || !id->is_integer || id->integer < 0 || id->integer >= FE_MAX_DIM)
      return diag_error(added->items[i]->loc, "an added token needs an integer 'id' in [0, %lld)",
                        (long long)FE_MAX_DIM), -1;
    if (id->integer >= n) n = id->integer + 1;
  }
  return n;
}

/* Fills tokens from a {token: id} object, then added_tokens over them. */
static int fill_vocab(Tokenizer *t, const Doc *vocab, const Doc *added) {
  for (int i = 0; i < vocab->n; i++)
    if (set_token(t, vocab->items[i]->integer, vocab->keys[i], TOK_TYPE_NORMAL, vocab->key_locs[i])) return -1;
  for (int i = 0; added && i < added->n; i++) {
    const Doc *item = added->items[i];
    const char *content = string_at(item, "content");
    if (!content || !content[0]) return diag_error(item->loc, "an added token needs a 'content' string"), -1;
    t->tokens[fe_doc_get(item, "id")->integer] = "";   /* the added token replaces the vocab's */
    uint8_t type = bool_at(item, "special", false) ? TOK_TYPE_CONTROL : TOK_TYPE_USER_DEFINED;
    if (set_token(t, fe_doc_get(item, "id")->integer, content, type, item->loc)) return -1;
  }
  for (int i = 0; i < t->n_tokens; i++)
    if (!t->tokens[i][0]) t->types[i] = TOK_TYPE_UNUSED;
  return 0;
}

/* The pre-tokenizer of a BPE tokenizer.json: ByteLevel, or Digits + ByteLevel. */
static int bpe_pre(Tokenizer *t, const Doc *pre, Loc loc) {
  const char *type = pre ? string_at(pre, "type") : NULL;
  if (type && !strcmp(type, "ByteLevel")) return t->pre = TOK_PRE_GPT2, 0;
  const Doc *seq = type && !strcmp(type, "Sequence") ? fe_doc_get(pre, "pretokenizers") : NULL;
  if (seq && seq->kind == DOC_ARRAY && seq->n == 2) {
    const char *a = string_at(seq->items[0], "type"), *b = string_at(seq->items[1], "type");
    if (a && b && !strcmp(a, "Digits") && bool_at(seq->items[0], "individual_digits", false) &&
        !strcmp(b, "ByteLevel"))
      return t->pre = TOK_PRE_SMOLLM, 0;
  }
  diag_error(pre ? pre->loc : loc, "BPE tokenizer: tfc implements the ByteLevel pre-tokenizer "
                                   "(GPT-2) and Digits(individual_digits) + ByteLevel (SmolLM2)");
  return -1;
}

static int json_merges(Arena *a, Tokenizer *t, const Doc *merges) {
  t->n_merges = merges->n;
  t->merges = arena_alloc(a, sizeof *t->merges * (size_t)(merges->n ? merges->n : 1));
  if (!t->merges) return -1;
  for (int r = 0; r < merges->n; r++) {
    const Doc *m = merges->items[r];
    int rc = -1;
    if (m->kind == DOC_STRING)
      rc = fe_tokenizer_merge(a, t, r, m->string, strlen(m->string), m->loc);
    else if (m->kind == DOC_ARRAY && m->n == 2 && m->items[0]->kind == DOC_STRING && m->items[1]->kind == DOC_STRING)
      rc = set_merge(a, t, r, m->items[0]->string, m->items[1]->string, m->loc);
    else
      diag_error(m->loc, "a merge is a string \"LEFT RIGHT\" or a list of two strings");
    if (rc) return -1;
  }
  return 0;
}

/* BertNormalizer's flags (strip_accents null: as lowercase). */
static int bert_flags(Tokenizer *t, const Doc *norm, Loc loc) {
  const char *type = norm ? string_at(norm, "type") : NULL;
  if (!type || strcmp(type, "BertNormalizer") != 0)
    return diag_error(norm ? norm->loc : loc, "WordPiece tokenizer: tfc implements the BertNormalizer"), -1;
  bool lower = bool_at(norm, "lowercase", true);
  t->flags |= (lower ? TOK_LOWERCASE : 0) | (bool_at(norm, "strip_accents", lower) ? TOK_STRIP_ACCENTS : 0) |
              (bool_at(norm, "clean_text", true) ? TOK_CLEAN_TEXT : 0) |
              (bool_at(norm, "handle_chinese_chars", true) ? TOK_CJK_CHARS : 0);
  return 0;
}

/* The id of token text, or -1 (names from the model section or BERT's defaults). */
static int id_of(Arena *a, Tokenizer *t, const char *text) {
  int id = text ? ir_tokenizer_find(a, t, text) : -1;
  return id < 0 ? -1 : id;
}

static void bert_specials(Arena *a, Tokenizer *t, const Doc *model, bool post) {
  const char *unk = model ? string_at(model, "unk_token") : NULL;
  t->unk = id_of(a, t, unk ? unk : "[UNK]");
  t->cls = id_of(a, t, "[CLS]"), t->sep = id_of(a, t, "[SEP]");
  t->pad = id_of(a, t, "[PAD]"), t->mask = id_of(a, t, "[MASK]");
  int ids[] = {t->unk, t->cls, t->sep, t->pad, t->mask};
  for (int i = 0; i < 5; i++)
    if (ids[i] >= 0) t->types[ids[i]] = ids[i] == t->unk ? TOK_TYPE_UNKNOWN : TOK_TYPE_CONTROL;
  if (post && t->cls >= 0 && t->sep >= 0) t->flags |= TOK_ADD_CLS_SEP;
}

static Tokenizer *json_tokenizer(Arena *a, const Doc *root, const char *path) {
  const Doc *model = fe_doc_get(root, "model"), *added = fe_doc_get(root, "added_tokens");
  const Doc *vocab = model ? fe_doc_get(model, "vocab") : NULL;
  const char *type = model ? string_at(model, "type") : NULL;
  if (!type || (strcmp(type, "BPE") && strcmp(type, "WordPiece"))) {
    diag_error(model ? model->loc : root->loc, "tokenizer model must be BPE or WordPiece%s%s",
               type ? ", not " : "", type ? type : "");
    return NULL;
  }
  if (!vocab || vocab->kind != DOC_OBJECT) return diag_error(model->loc, "tokenizer model has no 'vocab' mapping"), NULL;
  if (added && added->kind != DOC_ARRAY) return diag_error(added->loc, "'added_tokens' must be a list"), NULL;
  int64_t n = count_ids(vocab, added);
  bool bpe = !strcmp(type, "BPE");
  Tokenizer *t = n > 0 ? ir_tokenizer_new(a, bpe ? TOK_BPE_BYTES : TOK_WORDPIECE, (int)n) : NULL;
  if (n == 0) diag_error(vocab->loc, "the vocabulary is empty");
  if (!t || fill_vocab(t, vocab, added)) return NULL;
  t->source = path;
  if (bpe) {
    const Doc *merges = fe_doc_get(model, "merges");
    if (bpe_pre(t, fe_doc_get(root, "pre_tokenizer"), model->loc)) return NULL;
    for (int i = 0; i < vocab->n; i++)
      if (t->types[vocab->items[i]->integer] == TOK_TYPE_NORMAL && check_byte_level(vocab->keys[i], vocab->key_locs[i]))
        return NULL;
    if (!merges || merges->kind != DOC_ARRAY) return diag_error(model->loc, "BPE model has no 'merges' list"), NULL;
    return json_merges(a, t, merges) ? NULL : t;
  }
  const char *prefix = string_at(model, "continuing_subword_prefix");
  if (prefix && strcmp(prefix, "##") != 0)
    return diag_error(model->loc, "WordPiece: tfc implements the continuing_subword_prefix '##'"), NULL;
  const Doc *max = fe_doc_get(model, "max_input_chars_per_word");
  if (max && max->kind == DOC_NUMBER && max->is_integer && max->integer > 0 && max->integer < (1 << 20))
    t->max_word_chars = (int)max->integer;
  if (bert_flags(t, fe_doc_get(root, "normalizer"), model->loc)) return NULL;
  const Doc *pre = fe_doc_get(root, "pre_tokenizer");
  const char *pre_type = pre ? string_at(pre, "type") : NULL;
  if (!pre_type || strcmp(pre_type, "BertPreTokenizer") != 0)
    return diag_error(pre ? pre->loc : model->loc, "WordPiece tokenizer: tfc implements the BertPreTokenizer"), NULL;
  bert_specials(a, t, model, fe_doc_get(root, "post_processor") && fe_doc_get(root, "post_processor")->kind == DOC_OBJECT);
  return t;
}

Tokenizer *fe_tokenizer_json(Arena *a, const char *path) {
  const Doc *root = read_json(a, path);
  return root ? json_tokenizer(a, root, path) : NULL;
}

/* ---- vocab.json + merges.txt, vocab.txt ---- */

/* Calls fn for each line of a text file (without its newline): 1-based line numbers. */
typedef int (*LineFn)(Arena *a, Tokenizer *t, int line_no, const char *line, size_t len, Loc loc);

static int each_line(Arena *a, Tokenizer *t, const char *path, LineFn fn) {
  Buf text = {0};
  if (buf_read_file(&text, path)) {
    diag_error(diag_loc(path, 0, 0), "cannot read tokenizer: %s", strerror(errno));
    return -1;
  }
  int rc = 0, line = 1;
  for (size_t at = 0; rc == 0 && at < text.len; line++) {
    const char *s = text.data + at, *nl = memchr(s, '\n', text.len - at);
    size_t len = nl ? (size_t)(nl - s) : text.len - at;
    at += len + 1;
    if (len && s[len - 1] == '\r') len--;
    rc = fn(a, t, line, s, len, diag_loc(path, line, 1));
  }
  buf_free(&text);
  return rc;
}

static int count_line(Arena *a, Tokenizer *t, int line_no, const char *s, size_t len, Loc loc) {
  t->n_tokens = line_no;
  return 0;
}

/* Checks that s[0..len) is UTF-8 without NUL; error at its line and column otherwise. */
static int check_text(const char *s, size_t len, Loc loc) {
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    int n = s[i] ? ir_utf8_char(s + i, &cp) : 0;
    if (n == 0 || i + (size_t)n > len)
      return diag_error(diag_loc(loc.file, loc.line, (int)i + 1), "byte 0x%02x: not UTF-8 text (or a NUL)", (unsigned char)s[i]), -1;
    i += (size_t)n;
  }
  return 0;
}

static int vocab_line(Arena *a, Tokenizer *t, int line_no, const char *s, size_t len, Loc loc) {
  if (len == 0) return diag_error(loc, "empty token (one token per line)"), -1;
  if (check_text(s, len, loc)) return -1;
  char *text = arena_printf(a, "%.*s", (int)len, s);
  if (!text) return -1;
  t->tokens[line_no - 1] = text;
  return 0;
}

static int merges_line(Arena *a, Tokenizer *t, int line_no, const char *s, size_t len, Loc loc) {
  if ((line_no == 1 && len >= 8 && !memcmp(s, "#version", 8)) || len == 0) return 0;
  if (check_text(s, len, loc)) return -1;
  if (!t->merges) {
    t->merges = arena_alloc(a, sizeof *t->merges * (size_t)t->n_merges);
    if (!t->merges) return -1;
    t->n_merges = 0;
  }
  return fe_tokenizer_merge(a, t, t->n_merges++, s, len, loc);
}

Tokenizer *fe_tokenizer_vocab_txt(Arena *a, const char *path) {
  Tokenizer probe = {0};
  if (each_line(a, &probe, path, count_line)) return NULL;
  if (probe.n_tokens < 1 || probe.n_tokens > FE_MAX_DIM) {
    diag_error(diag_loc(path, 0, 0), "vocabulary of %d tokens (expected 1 to %lld)", probe.n_tokens,
               (long long)FE_MAX_DIM);
    return NULL;
  }
  Tokenizer *t = ir_tokenizer_new(a, TOK_WORDPIECE, probe.n_tokens);
  if (!t || each_line(a, t, path, vocab_line)) return NULL;
  t->source = path;
  t->flags = TOK_LOWERCASE | TOK_STRIP_ACCENTS | TOK_CLEAN_TEXT | TOK_CJK_CHARS;
  bert_specials(a, t, NULL, true);
  return t;
}

Tokenizer *fe_tokenizer_bpe_files(Arena *a, const char *vocab_path, const char *merges_path) {
  const Doc *vocab = read_json(a, vocab_path);
  if (!vocab) return NULL;
  int64_t n = count_ids(vocab, NULL);
  if (n == 0) diag_error(vocab->loc, "the vocabulary is empty");
  Tokenizer *t = n > 0 ? ir_tokenizer_new(a, TOK_BPE_BYTES, (int)n) : NULL;
  if (!t || fill_vocab(t, vocab, NULL)) return NULL;
  for (int i = 0; i < vocab->n; i++)
    if (check_byte_level(vocab->keys[i], vocab->key_locs[i])) return NULL;
  Tokenizer probe = {0};
  if (each_line(a, &probe, merges_path, count_line)) return NULL;
  t->n_merges = probe.n_tokens;   /* lines: at least the merges */
  t->source = vocab_path;
  if (each_line(a, t, merges_path, merges_line)) return NULL;
  if (!t->merges) t->n_merges = 0;   /* only the #version line, or nothing */
  return t;
}

/* ---- model folders ---- */

/* A token named in tokenizer_config.json: a string, or {"content": ...}. */
static int config_token(Arena *a, Tokenizer *t, const Doc *cfg, const char *key, int def) {
  const Doc *d = fe_doc_get(cfg, key);
  const char *text = d && d->kind == DOC_STRING ? d->string : d && d->kind == DOC_OBJECT ? string_at(d, "content") : NULL;
  int id = text ? id_of(a, t, text) : -1;
  return id >= 0 ? id : def;
}

static int folder_config(Arena *a, Tokenizer *t, const char *path) {
  if (access(path, F_OK) != 0) return 0;
  const Doc *cfg = read_json(a, path);
  if (!cfg) return -1;
  t->bos = config_token(a, t, cfg, "bos_token", t->bos), t->eos = config_token(a, t, cfg, "eos_token", t->eos);
  t->unk = config_token(a, t, cfg, "unk_token", t->unk), t->pad = config_token(a, t, cfg, "pad_token", t->pad);
  if (bool_at(cfg, "add_bos_token", false) && t->bos >= 0) t->flags |= TOK_ADD_BOS;
  const Doc *chat = fe_doc_get(cfg, "chat_template");
  fe_tokenizer_chat_template(a, t, chat && chat->kind == DOC_STRING ? chat->string : NULL);
  if (t->kind == TOK_WORDPIECE && !bool_at(cfg, "do_lower_case", true)) t->flags &= ~(unsigned)(TOK_LOWERCASE | TOK_STRIP_ACCENTS);
  return 0;
}

static bool exists(Arena *a, const char *dir, const char *name, const char **path) {
  *path = arena_printf(a, "%s/%s", dir, name);
  return *path && access(*path, F_OK) == 0;
}

int fe_tokenizer_folder(Arena *a, const char *dir, Tokenizer **out) {
  const char *json, *vocab, *merges, *txt, *cfg;
  *out = NULL;
  if (exists(a, dir, "tokenizer.json", &json))
    *out = fe_tokenizer_json(a, json);
  else if (exists(a, dir, "vocab.json", &vocab) && exists(a, dir, "merges.txt", &merges))
    *out = fe_tokenizer_bpe_files(a, vocab, merges);
  else if (exists(a, dir, "vocab.txt", &txt))
    *out = fe_tokenizer_vocab_txt(a, txt);
  else
    return 0;
  if (!*out) return -1;
  cfg = arena_printf(a, "%s/tokenizer_config.json", dir);
  return cfg ? folder_config(a, *out, cfg) : -1;
}
