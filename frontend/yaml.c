/*
 * yaml.c — model.yaml through libyaml's event parser into a Doc tree (the
 * same tree json.c builds), so model.c and the families read one structure.
 *
 * Plain scalars are typed as YAML 1.2's core schema says: null/~/empty,
 * true/false, integers (decimal, 0x, 0o), floats (1.5, 1e-5, .inf); anything
 * else, and every quoted scalar, is a string.  A model description needs no
 * anchors, aliases or tags, so they are errors, as are duplicate keys and
 * more than one document.  Every error is at FILE:LINE:COL from libyaml's
 * marks (problem_mark for malformed YAML).
 */
#include "frontend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
  Arena *arena;
  const char *file;
  yaml_parser_t parser;
  yaml_event_t event;      /* the current event (valid while has_event) */
  bool has_event;
  int depth;
} Reader;

static Loc mark_loc(const Reader *r, yaml_mark_t m) {
  return diag_loc(r->file, (int)m.line + 1, (int)m.column + 1);
}

static Loc event_loc(const Reader *r) { return mark_loc(r, r->event.start_mark); }

/* Advances to the next event; false after a diagnostic (malformed YAML). */
static bool next(Reader *r) {
  if (r->has_event) yaml_event_delete(&r->event);
  r->has_event = false;
  if (!yaml_parser_parse(&r->parser, &r->event)) {
    const char *problem = r->parser.problem ? r->parser.problem : "malformed YAML";
    if (r->parser.context)
      diag_error(mark_loc(r, r->parser.problem_mark), "%s %s", problem, r->parser.context);
    else
      diag_error(mark_loc(r, r->parser.problem_mark), "%s", problem);
    return false;
  }
  r->has_event = true;
  return true;
}

static bool matches_any(const char *s, const char *const *words) {
  for (; *words; words++)
    if (strcmp(s, *words) == 0) return true;
  return false;
}

/* Integer per the core schema: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static bool read_integer(const char *s, Doc *d) {
  int base = 10;
  const char *digits = s + (*s == '-' || *s == '+');
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) base = s[1] == 'x' ? 16 : 8, digits = s + 2;
  if (!*digits) return false;
  for (const char *p = digits; *p; p++)
    if (!(base == 16 ? strchr("0123456789abcdefABCDEF", *p) != NULL : *p >= '0' && *p < '0' + base))
      return false;
  errno = 0;
  long long v = strtoll(base == 10 ? s : digits, NULL, base);
  d->kind = DOC_NUMBER;
  d->is_integer = errno == 0;
  d->integer = v;
  d->number = base == 10 ? strtod(s, NULL) : (double)v;
  return true;
}

/* Float per the core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? and .inf/.nan */
static bool read_float(const char *s, Doc *d) {
  static const char *const inf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
  static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
  static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
  const char *p = s + (*s == '-' || *s == '+');
  int before = 0, after = 0;
  d->kind = DOC_NUMBER;
  if (matches_any(s, inf) || matches_any(s, ninf) || matches_any(s, nans)) {
    d->number = matches_any(s, nans) ? NAN : matches_any(s, inf) ? INFINITY : -INFINITY;
    return true;
  }
  while (*p >= '0' && *p <= '9') p++, before++;
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++) after++;
  if (!before && !after) return false;
  if (*p == 'e' || *p == 'E') {
    p += 1 + (p[1] == '-' || p[1] == '+');
    if (!(*p >= '0' && *p <= '9')) return false;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (*p) return false;
  d->number = strtod(s, NULL);
  return true;
}

/* Gives a scalar its type: quoted scalars are strings; plain ones follow the core schema. */
static void type_scalar(const char *s, bool plain, Doc *d) {
  static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
  static const char *const trues[] = {"true", "True", "TRUE", NULL};
  static const char *const falses[] = {"false", "False", "FALSE", NULL};
  d->kind = DOC_STRING;
  d->string = s;
  if (!plain) return;
  if (matches_any(s, nulls)) d->kind = DOC_NULL;
  else if (matches_any(s, trues) || matches_any(s, falses))
    d->kind = DOC_BOOL, d->boolean = *s == 't' || *s == 'T';
  else if (!read_integer(s, d) && !read_float(s, d)) d->kind = DOC_STRING;
}

static Doc *node(Reader *r);

/* Rejects what a model description never needs: anchors and tags. */
static bool plain_node(Reader *r, const yaml_char_t *anchor, const yaml_char_t *tag,
                       bool implicit) {
  if (anchor) return diag_error(event_loc(r), "YAML anchors are not supported here"), false;
  if (tag && !implicit) return diag_error(event_loc(r), "YAML tags are not supported here"), false;
  return true;
}

static Doc *scalar(Reader *r) {
  yaml_event_t *e = &r->event;
  if (!plain_node(r, e->data.scalar.anchor, e->data.scalar.tag,
                  e->data.scalar.plain_implicit || e->data.scalar.quoted_implicit))
    return NULL;
  if (strlen((const char *)e->data.scalar.value) != e->data.scalar.length)
    return diag_error(event_loc(r), "NUL character in a YAML scalar"), NULL;
  Doc *d = arena_alloc(r->arena, sizeof(Doc));
  const char *s = arena_strdup(r->arena, (const char *)e->data.scalar.value);
  if (!d || !s) return NULL;
  d->loc = event_loc(r);
  type_scalar(s, e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE, d);
  return next(r) ? d : NULL;
}

/* ---- the keys of one mapping, hashed, so the duplicate check stays linear ---- */

typedef struct {
  int *slot;   /* open addressing: index + 1 into the mapping's keys; 0 = empty */
  int cap;     /* a power of two, more than twice the keys */
} KeySet;

static unsigned key_hash(const char *s) {   /* FNV-1a */
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* The slot that holds key, or the empty slot where it would go. */
static int *key_slot(const KeySet *ks, const Doc *map, const char *key) {
  unsigned i = key_hash(key) & (unsigned)(ks->cap - 1);
  while (ks->slot[i] && strcmp(map->keys[ks->slot[i] - 1], key) != 0)
    i = (i + 1) & (unsigned)(ks->cap - 1);
  return &ks->slot[i];
}

/* Adds map's last key, growing the table first; false when out of memory. */
static bool key_add(KeySet *ks, const Doc *map) {
  if (2 * map->n >= ks->cap) {
    int n = ks->cap ? ks->cap * 2 : 16;
    KeySet bigger = {calloc((size_t)n, sizeof(int)), n};
    if (!bigger.slot) return false;
    for (int i = 0; i < map->n - 1; i++) *key_slot(&bigger, map, map->keys[i]) = i + 1;
    free(ks->slot);
    *ks = bigger;
  }
  *key_slot(ks, map, map->keys[map->n - 1]) = map->n;
  return true;
}

/* One mapping entry: a scalar key (a string, whatever it looks like) and a node. */
static bool entry(Reader *r, Doc *map, int *cap, KeySet *keys) {
  Loc key_loc = event_loc(r);
  if (r->event.type != YAML_SCALAR_EVENT)
    return diag_error(key_loc, "mapping keys must be plain names"), false;
  Doc *key = scalar(r);
  if (!key) return false;
  if (keys->cap && *key_slot(keys, map, key->string))
    return diag_error(key_loc, "duplicate key '%s'", key->string), false;
  Doc *v = node(r);
  return v && fe_doc_append(r->arena, map, cap, v, key->string, key_loc) && key_add(keys, map);
}

/* A block or flow sequence/mapping, up to its end event. */
static Doc *collection(Reader *r, bool is_map) {
  yaml_event_t *e = &r->event;
  bool ok = is_map ? plain_node(r, e->data.mapping_start.anchor, e->data.mapping_start.tag,
                                e->data.mapping_start.implicit)
                   : plain_node(r, e->data.sequence_start.anchor, e->data.sequence_start.tag,
                                e->data.sequence_start.implicit);
  if (!ok) return NULL;
  if (++r->depth > FE_DOC_MAX_DEPTH)
    return diag_error(event_loc(r), "nesting too deep (limit is %d)", FE_DOC_MAX_DEPTH), NULL;
  Doc *d = arena_alloc(r->arena, sizeof(Doc));
  if (!d) return NULL;
  d->kind = is_map ? DOC_OBJECT : DOC_ARRAY;
  d->loc = event_loc(r);
  yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
  int cap = 0;
  KeySet keys = {0};
  bool good = next(r);
  while (good && r->event.type != end) {
    good = is_map ? entry(r, d, &cap, &keys)
                  : fe_doc_append(r->arena, d, &cap, node(r), NULL, LOC_NONE) && d->items[d->n - 1];
  }
  free(keys.slot);
  r->depth--;
  return good && next(r) ? d : NULL;
}

/* node = scalar | sequence | mapping (aliases are rejected) */
static Doc *node(Reader *r) {
  switch (r->event.type) {
  case YAML_SCALAR_EVENT: return scalar(r);
  case YAML_SEQUENCE_START_EVENT: return collection(r, false);
  case YAML_MAPPING_START_EVENT: return collection(r, true);
  case YAML_ALIAS_EVENT:
    return diag_error(event_loc(r), "YAML aliases are not supported here"), NULL;
  default: return diag_error(event_loc(r), "unexpected YAML event"), NULL;
  }
}

/* stream = STREAM-START DOCUMENT-START node DOCUMENT-END STREAM-END */
static Doc *stream(Reader *r) {
  if (!next(r) || !next(r)) return NULL;   /* stream start, then document start or end */
  if (r->event.type == YAML_STREAM_END_EVENT)
    return diag_error(diag_loc(r->file, 1, 1), "empty file: expected a model description"), NULL;
  if (!next(r)) return NULL;
  Doc *d = node(r);
  if (!d || !next(r)) return NULL;         /* document end */
  if (r->event.type != YAML_STREAM_END_EVENT)
    return diag_error(event_loc(r), "more than one YAML document"), NULL;
  return d;
}

Doc *fe_yaml_load(Arena *a, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return diag_error(diag_loc(path, 0, 0), "cannot open: %s", strerror(errno)), NULL;
  Reader r = {.arena = a, .file = path};
  if (!yaml_parser_initialize(&r.parser)) {
    fclose(f);
    return NULL;
  }
  yaml_parser_set_input_file(&r.parser, f);
  Doc *d = stream(&r);
  if (r.has_event) yaml_event_delete(&r.event);
  yaml_parser_delete(&r.parser);
  fclose(f);
  return d;
}
