/*
 * json.c — a small strict JSON parser (RFC 8259) for safetensors headers and
 * Hugging Face config.json files, producing the same Doc trees as yaml.c.
 *
 * Strict means: no comments, no trailing commas, no leading zeros, no NaN,
 * no control characters inside strings, valid \u escapes (surrogate pairs
 * joined, lone surrogates rejected), nothing but whitespace after the value,
 * no duplicate keys.  Depth and item counts are capped (FE_DOC_MAX_*) so a
 * hostile header cannot exhaust the stack.  Errors point at line:col for
 * text files, or at the byte offset for a header inside a binary file.
 *
 * The parser is recursive descent; each function carries its production.
 */
#include "frontend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  Arena *arena;
  const char *text, *end;  /* the input */
  const char *p;           /* next character */
  const char *file;
  bool lines;              /* report line:col (text file) or byte offsets */
  const char *what;        /* message prefix, e.g. "safetensors header" */
  int line;                /* line of p, 1-based */
  const char *line_start;  /* first character of that line */
  int depth;
} Parser;

static Doc *value(Parser *ps);

static Loc here(const Parser *ps) {
  if (!ps->lines) return diag_loc(ps->file, 0, 0);
  return diag_loc(ps->file, ps->line, (int)(ps->p - ps->line_start) + 1);
}

/* Reports msg at the current position; always returns NULL. */
static Doc *fail(Parser *ps, const char *msg) {
  const char *what = ps->what ? ps->what : "JSON";
  if (ps->lines)
    diag_error(here(ps), "%s: %s", what, msg);
  else
    diag_error(here(ps), "%s: %s at byte %lld", what, msg, (long long)(ps->p - ps->text));
  return NULL;
}

static Doc *new_doc(Parser *ps, DocKind kind) {
  Doc *d = arena_alloc(ps->arena, sizeof(Doc));
  if (d) d->kind = kind, d->loc = here(ps);
  return d;
}

static void skip_space(Parser *ps) {
  for (; ps->p < ps->end; ps->p++) {
    char c = *ps->p;
    if (c == '\n') {
      ps->line++;
      ps->line_start = ps->p + 1;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      return;
    }
  }
}

static bool at(const Parser *ps, char c) { return ps->p < ps->end && *ps->p == c; }

/* literal = "true" | "false" | "null" */
static Doc *literal(Parser *ps) {
  static const char *const words[] = {"true", "false", "null"};
  for (int i = 0; i < 3; i++) {
    size_t n = strlen(words[i]);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[i], n) == 0) {
      Doc *d = new_doc(ps, i == 2 ? DOC_NULL : DOC_BOOL);
      if (d) d->boolean = i == 0;
      ps->p += n;
      return d;
    }
  }
  return fail(ps, "unexpected character");
}

static bool is_digit(const Parser *ps) { return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9'; }

static void digits(Parser *ps) {
  while (is_digit(ps)) ps->p++;
}

/* number = [-] int [frac] [exp];  int = 0 | [1-9] digit* */
static Doc *number(Parser *ps) {
  Doc *d = new_doc(ps, DOC_NUMBER);
  const char *start = ps->p;
  if (at(ps, '-')) ps->p++;
  if (!is_digit(ps)) return fail(ps, "expected a digit");
  if (at(ps, '0') && ps->p + 1 < ps->end && ps->p[1] >= '0' && ps->p[1] <= '9')
    return fail(ps, "numbers may not have leading zeros");
  digits(ps);
  bool integer = true;
  if (at(ps, '.')) {
    ps->p++, integer = false;
    if (!is_digit(ps)) return fail(ps, "expected a digit after '.'");
    digits(ps);
  }
  if (at(ps, 'e') || at(ps, 'E')) {
    ps->p++, integer = false;
    if (at(ps, '+') || at(ps, '-')) ps->p++;
    if (!is_digit(ps)) return fail(ps, "expected a digit in the exponent");
    digits(ps);
  }
  if (!d) return NULL;
  size_t n = (size_t)(ps->p - start);
  char *copy = arena_alloc(ps->arena, n + 1);   /* text need not be NUL-terminated */
  if (!copy) return NULL;
  memcpy(copy, start, n);
  d->number = strtod(copy, NULL);
  if (integer) {
    errno = 0;
    d->integer = strtoll(copy, NULL, 10);
    d->is_integer = errno == 0;
  }
  return d;
}

static int hex4(Parser *ps) {
  if (ps->end - ps->p < 4) return -1;
  int v = 0;
  for (int i = 0; i < 4; i++) {
    char c = *ps->p++;
    int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

static void put_utf8(Buf *b, unsigned cp) {
  char s[4];
  int n;
  if (cp < 0x80) s[0] = (char)cp, n = 1;
  else if (cp < 0x800) s[0] = (char)(0xC0 | cp >> 6), s[1] = (char)(0x80 | (cp & 63)), n = 2;
  else if (cp < 0x10000)
    s[0] = (char)(0xE0 | cp >> 12), s[1] = (char)(0x80 | (cp >> 6 & 63)),
    s[2] = (char)(0x80 | (cp & 63)), n = 3;
  else
    s[0] = (char)(0xF0 | cp >> 18), s[1] = (char)(0x80 | (cp >> 12 & 63)),
    s[2] = (char)(0x80 | (cp >> 6 & 63)), s[3] = (char)(0x80 | (cp & 63)), n = 4;
  buf_append(b, s, (size_t)n);
}

/* escape = '\' ( ["\/bfnrt] | 'u' hex4 ); returns false after a diagnostic. */
static bool escape(Parser *ps, Buf *b) {
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  ps->p++;
  if (ps->p >= ps->end) return fail(ps, "unterminated string"), false;
  const char *e = strchr(from, *ps->p);
  if (*ps->p && e) {
    buf_append(b, &to[e - from], 1);
    ps->p++;
    return true;
  }
  if (*ps->p++ != 'u') return ps->p--, fail(ps, "invalid escape"), false;
  int cp = hex4(ps);
  if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 2 && ps->p[0] == '\\' && ps->p[1] == 'u') {
    ps->p += 2;
    int lo = hex4(ps);
    cp = lo >= 0xDC00 && lo < 0xE000 ? 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00) : -1;
  } else if (cp >= 0xD800 && cp < 0xE000) {
    cp = -1;
  }
  if (cp <= 0) return fail(ps, cp ? "invalid \\u escape" : "\\u0000 is not allowed"), false;
  put_utf8(b, (unsigned)cp);
  return true;
}

/* string = '"' ( char | escape )* '"' */
static const char *string_text(Parser *ps) {
  Buf b = {0};
  buf_puts(&b, "");
  ps->p++;
  for (;;) {
    if (ps->p >= ps->end) return buf_free(&b), fail(ps, "unterminated string"), NULL;
    unsigned char c = (unsigned char)*ps->p;
    if (c == '"') break;
    if (c < 0x20) return buf_free(&b), fail(ps, "control character in string"), NULL;
    if (c == '\\') {
      if (!escape(ps, &b)) return buf_free(&b), NULL;
    } else {
      buf_append(&b, ps->p++, 1);
    }
  }
  ps->p++;
  const char *s = b.failed ? NULL : arena_strdup(ps->arena, b.data);
  buf_free(&b);
  if (!s) fail(ps, "out of memory");
  return s;
}

static Doc *string(Parser *ps) {
  Doc *d = new_doc(ps, DOC_STRING);
  const char *s = string_text(ps);
  if (!d || !s) return NULL;
  d->string = s;
  return d;
}

static int compare_keys(const void *x, const void *y) {
  const char *const *a = *(const char *const *const *)x, *const *b = *(const char *const *const *)y;
  int c = strcmp(*a, *b);
  return c ? c : (a > b) - (a < b);
}

/* Reports the first key written twice in obj (sorting, so large headers stay fast). */
static bool has_duplicate(Parser *ps, const Doc *obj) {
  const char **sorted[64], ***keys = sorted;
  if (obj->n > 64) keys = malloc(sizeof(char **) * (size_t)obj->n);
  if (!keys) return true;
  for (int i = 0; i < obj->n; i++) keys[i] = &obj->keys[i];
  qsort(keys, (size_t)obj->n, sizeof *keys, compare_keys);
  int dup = -1;
  for (int i = 1; i < obj->n; i++)
    if (strcmp(*keys[i - 1], *keys[i]) == 0 && (dup < 0 || keys[i] - obj->keys < dup))
      dup = (int)(keys[i] - obj->keys);
  if (keys != sorted) free(keys);
  if (dup < 0) return false;
  diag_error(obj->key_locs[dup], "%s: duplicate key '%s'", ps->what ? ps->what : "JSON",
             obj->keys[dup]);
  return true;
}

/* member = string ':' value */
static bool member(Parser *ps, Doc *obj, int *cap) {
  if (!at(ps, '"')) return fail(ps, "expected a string key"), false;
  Loc key_loc = here(ps);
  const char *key = string_text(ps);
  if (!key) return false;
  skip_space(ps);
  if (!at(ps, ':')) return fail(ps, "expected ':'"), false;
  ps->p++;
  Doc *v = value(ps);
  return v && fe_doc_append(ps->arena, obj, cap, v, key, key_loc);
}

/* object = '{' [ member ( ',' member )* ] '}'
 * array  = '[' [ value ( ',' value )* ] ']' */
static Doc *container(Parser *ps, bool is_object) {
  char close = is_object ? '}' : ']';
  if (++ps->depth > FE_DOC_MAX_DEPTH) return fail(ps, "nesting too deep (limit is 64)");
  Doc *d = new_doc(ps, is_object ? DOC_OBJECT : DOC_ARRAY);
  if (!d) return NULL;
  int cap = 0;
  ps->p++;
  skip_space(ps);
  if (at(ps, close)) return ps->p++, ps->depth--, d;
  for (;;) {
    skip_space(ps);
    if (is_object ? !member(ps, d, &cap)
                  : !fe_doc_append(ps->arena, d, &cap, value(ps), NULL, LOC_NONE))
      return NULL;
    if (!is_object && !d->items[d->n - 1]) return NULL;
    skip_space(ps);
    if (at(ps, close)) break;
    if (!at(ps, ',')) return fail(ps, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    ps->p++;
  }
  ps->p++;
  ps->depth--;
  return is_object && has_duplicate(ps, d) ? NULL : d;
}

/* value = object | array | string | number | literal */
static Doc *value(Parser *ps) {
  skip_space(ps);
  if (ps->p >= ps->end) return fail(ps, "unexpected end of input");
  switch (*ps->p) {
  case '{': return container(ps, true);
  case '[': return container(ps, false);
  case '"': return string(ps);
  case '-': return number(ps);
  default: return is_digit(ps) ? number(ps) : literal(ps);
  }
}

Doc *fe_json_parse(Arena *a, const char *text, size_t len, const char *file, bool lines,
                   const char *what) {
  Parser ps = {a, text, text + len, text, file, lines, what, 1, text, 0};
  Doc *d = value(&ps);
  if (!d) return NULL;
  skip_space(&ps);
  if (ps.p < ps.end) return fail(&ps, "unexpected text after the value");
  return d;
}

bool fe_doc_append(Arena *a, Doc *d, int *cap, Doc *item, const char *key, Loc key_loc) {
  if (d->n >= FE_DOC_MAX_ITEMS)
    return diag_error(d->loc, "too many items (limit is %d)", FE_DOC_MAX_ITEMS), false;
  if (d->n == *cap) {
    int nc = *cap ? *cap * 2 : 8;
    Doc **items = arena_alloc(a, sizeof(Doc *) * (size_t)nc);
    const char **keys = arena_alloc(a, sizeof(char *) * (size_t)nc);
    Loc *locs = arena_alloc(a, sizeof(Loc) * (size_t)nc);
    if (!items || !keys || !locs) return false;
    if (d->n) {
      memcpy(items, d->items, sizeof(Doc *) * (size_t)d->n);
      memcpy(keys, d->keys, sizeof(char *) * (size_t)d->n);
      memcpy(locs, d->key_locs, sizeof(Loc) * (size_t)d->n);
    }
    d->items = items, d->keys = keys, d->key_locs = locs, *cap = nc;
  }
  d->items[d->n] = item;
  d->keys[d->n] = key;
  d->key_locs[d->n++] = key_loc;
  return true;
}

Doc *fe_doc_get(const Doc *obj, const char *key) {
  if (!obj || obj->kind != DOC_OBJECT) return NULL;
  for (int i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0) return obj->items[i];
  return NULL;
}

const char *fe_doc_kind_name(DocKind kind) {
  static const char *const names[] = {"null", "a boolean", "a number", "a string", "a list",
                                      "a mapping"};
  return names[kind];
}
