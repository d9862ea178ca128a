/*
 * safetensors.c — weights files in Hugging Face's safetensors format,
 * mapped and validated before anything reads them.
 *
 *   [8 bytes: header length N, little-endian u64][N bytes: JSON header][data]
 *
 * The header maps each tensor name to {"dtype", "shape", "data_offsets":
 * [begin, end]} with offsets relative to the data area; "__metadata__" is
 * ignored.  Everything a hostile file could get wrong is checked here, once:
 * the header fits the file and is not huge, the JSON is strict, dtypes are
 * known, shapes are non-negative and their byte sizes cannot overflow, every
 * tensor lies inside the data area with exactly numel x dtype-size bytes, and
 * no two tensors overlap.  Errors are reported at the file (no line: it is
 * binary).
 *
 * The file is mmap'd read-only (fe_map_file) and stays mapped until the
 * arena is freed, so F32 constants point straight into it.  F16 and BF16
 * tensors are converted to f32 into the arena when first looked up, as are
 * F32 tensors that the header placed at an address not aligned for float.
 */
#include "frontend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADER_BYTES 100000000   /* the limit the safetensors format sets */

/* dtype name -> byte size and whether tfc reads it. */
static int dtype_size(const char *name, WeightType *type) {
  static const struct {
    const char *name;
    int size;
    WeightType type;
  } table[] = {
      {"F32", 4, WT_F32},   {"F16", 2, WT_F16},  {"BF16", 2, WT_BF16}, {"F64", 8, WT_OTHER},
      {"I64", 8, WT_OTHER}, {"I32", 4, WT_OTHER}, {"I16", 2, WT_OTHER}, {"I8", 1, WT_OTHER},
      {"U64", 8, WT_OTHER}, {"U32", 4, WT_OTHER}, {"U16", 2, WT_OTHER}, {"U8", 1, WT_OTHER},
      {"BOOL", 1, WT_OTHER}, {"F8_E4M3", 1, WT_OTHER}, {"F8_E5M2", 1, WT_OTHER},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(name, table[i].name) == 0) return *type = table[i].type, table[i].size;
  return 0;
}

/* ---- validating one header entry ---- */

static bool is_count(const Doc *d) {
  return d && d->kind == DOC_NUMBER && d->is_integer && d->integer >= 0;
}

/* Reads "shape" into t and returns the tensor's byte size, or -1 after a diagnostic. */
static int64_t read_shape(const char *file, FeTensor *t, const Doc *shape, int elem_size) {
  if (!shape || shape->kind != DOC_ARRAY)
    return diag_error(diag_loc(file, 0, 0), "tensor '%s': 'shape' must be a list", t->name), -1;
  if (shape->n > FE_MAX_RANK)
    return diag_error(diag_loc(file, 0, 0), "tensor '%s': rank %d (limit is %d)", t->name,
                      shape->n, FE_MAX_RANK), -1;
  int64_t bytes = elem_size;
  t->rank = shape->n;
  for (int i = 0; i < shape->n; i++) {
    const Doc *d = shape->items[i];
    if (!is_count(d))
      return diag_error(diag_loc(file, 0, 0), "tensor '%s': shape sizes must be integers >= 0",
                        t->name), -1;
    t->dim[i] = d->integer;
    if (d->integer && bytes > INT64_MAX / d->integer)
      return diag_error(diag_loc(file, 0, 0), "tensor '%s': shape is too large", t->name), -1;
    bytes *= d->integer;
  }
  return bytes;
}

/* Checks one header entry {"dtype","shape","data_offsets"} and fills t.
 * begin/end are the offsets, for the overlap check. */
static bool read_entry(const char *file, const Doc *e, FeTensor *t, const char *data,
                       uint64_t data_len, int64_t *begin, int64_t *end) {
  Loc loc = diag_loc(file, 0, 0);
  if (e->kind != DOC_OBJECT)
    return diag_error(loc, "tensor '%s': expected an object in the header", t->name), false;
  for (int i = 0; i < e->n; i++)
    if (strcmp(e->keys[i], "dtype") && strcmp(e->keys[i], "shape") &&
        strcmp(e->keys[i], "data_offsets"))
      return diag_error(loc, "tensor '%s': unknown field '%s'", t->name, e->keys[i]), false;
  const Doc *dt = fe_doc_get(e, "dtype"), *off = fe_doc_get(e, "data_offsets");
  if (!dt || dt->kind != DOC_STRING)
    return diag_error(loc, "tensor '%s': 'dtype' must be a string", t->name), false;
  int size = dtype_size(dt->string, &t->type);
  if (!size) return diag_error(loc, "tensor '%s': unknown dtype '%s'", t->name, dt->string), false;
  t->type_name = dt->string;
  int64_t bytes = read_shape(file, t, fe_doc_get(e, "shape"), size);
  if (bytes < 0) return false;
  if (!off || off->kind != DOC_ARRAY || off->n != 2 || !is_count(off->items[0]) ||
      !is_count(off->items[1]))
    return diag_error(loc, "tensor '%s': 'data_offsets' must be [begin, end]", t->name), false;
  *begin = off->items[0]->integer, *end = off->items[1]->integer;
  if (*begin > *end || (uint64_t)*end > data_len)
    return diag_error(loc, "tensor '%s': data_offsets [%lld, %lld] are outside the data area "
                      "(%llu bytes)", t->name, (long long)*begin, (long long)*end,
                      (unsigned long long)data_len), false;
  if (*end - *begin != bytes)
    return diag_error(loc, "tensor '%s': %lld bytes of data, but dtype %s and its shape need %lld",
                      t->name, (long long)(*end - *begin), t->type_name, (long long)bytes), false;
  t->raw = data + *begin;
  return true;
}

/* ---- the whole header ---- */

static int by_name(const void *a, const void *b) {
  return strcmp(((const FeTensor *)a)->name, ((const FeTensor *)b)->name);
}

typedef struct {
  int64_t begin, end;
  const char *name;
} Span;

static int by_begin(const void *a, const void *b) {
  const Span *x = a, *y = b;
  return x->begin != y->begin ? (x->begin > y->begin) - (x->begin < y->begin)
                              : (x->end > y->end) - (x->end < y->end);
}

/* Sorted by offset, each non-empty tensor must start at or after the previous end. */
static bool check_overlaps(const char *file, Span *spans, int n) {
  qsort(spans, (size_t)n, sizeof *spans, by_begin);
  int64_t end = 0;
  const char *last = NULL;
  for (int i = 0; i < n; i++) {
    if (spans[i].begin == spans[i].end) continue;
    if (last && spans[i].begin < end)
      return diag_error(diag_loc(file, 0, 0), "tensors '%s' and '%s' overlap in the data area",
                        last, spans[i].name), false;
    end = spans[i].end, last = spans[i].name;
  }
  return true;
}

/* Fills w from the parsed header. */
static bool read_header(Arena *a, FeWeights *w, const Doc *h, const char *data, uint64_t data_len) {
  if (h->kind != DOC_OBJECT)
    return diag_error(diag_loc(w->file, 0, 0), "safetensors header: expected a JSON object"), false;
  w->tensors = arena_alloc(a, sizeof(FeTensor) * (size_t)(h->n + 1));
  Span *spans = malloc(sizeof(Span) * (size_t)(h->n + 1));
  bool ok = w->tensors && spans;
  for (int i = 0; ok && i < h->n; i++) {
    if (strcmp(h->keys[i], "__metadata__") == 0) continue;
    FeTensor *t = &w->tensors[w->n_tensors];
    t->name = h->keys[i];
    t->file = w->file;
    Span *s = &spans[w->n_tensors++];
    s->name = t->name;
    ok = read_entry(w->file, h->items[i], t, data, data_len, &s->begin, &s->end);
  }
  ok = ok && check_overlaps(w->file, spans, w->n_tensors);
  free(spans);
  if (ok) fe_weights_sort(w);
  return ok;
}

FeWeights *fe_safetensors_open(Arena *a, const char *path) {
  static const FeFileErrors errors = {"cannot read weights file",
                                      "file too short for a safetensors header (%zu bytes)",
                                      "cannot map"};
  size_t size;
  const unsigned char *p = fe_map_file(a, path, 8, &errors, &size);
  FeWeights *w = p ? fe_weights_new(a, path) : NULL;
  if (!w) return NULL;
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--) n = n << 8 | p[i];
  if (n > MAX_HEADER_BYTES)
    return diag_error(diag_loc(path, 0, 0), "safetensors header length %llu exceeds the limit "
                      "of %d bytes", (unsigned long long)n, MAX_HEADER_BYTES), NULL;
  if (n > size - 8)
    return diag_error(diag_loc(path, 0, 0), "safetensors header length %llu is larger than "
                      "the file (%zu bytes)", (unsigned long long)n, size), NULL;
  Doc *h = fe_json_parse(a, (const char *)p + 8, (size_t)n, path, false, "safetensors header");
  const char *data = (const char *)p + 8 + n;
  return h && read_header(a, w, h, data, size - 8 - n) ? w : NULL;
}

/* ---- sharded checkpoints: model.safetensors.index.json ---- */

/* A shard name from the index: a relative path that stays in the folder. */
static bool safe_shard_name(const char *s) {
  size_t n = strlen(s);
  return n && s[0] != '/' && strcmp(s, "..") && strncmp(s, "../", 3) && !strstr(s, "/../") &&
         !(n >= 3 && !strcmp(s + n - 3, "/.."));
}

/* Appends every tensor of shard to w. */
static bool merge(Arena *a, FeWeights *w, const FeWeights *shard) {
  FeTensor *t = arena_alloc(a, sizeof(FeTensor) * (size_t)(w->n_tensors + shard->n_tensors + 1));
  if (!t) return false;
  if (w->n_tensors) memcpy(t, w->tensors, sizeof(FeTensor) * (size_t)w->n_tensors);
  memcpy(t + w->n_tensors, shard->tensors, sizeof(FeTensor) * (size_t)shard->n_tensors);
  w->tensors = t;
  w->n_tensors += shard->n_tensors;
  return true;
}

/* Opens the shard named by weight_map entry i unless an earlier entry did. */
static bool open_shard(Arena *a, FeWeights *w, const Doc *map, int i, const char *dir) {
  const Doc *f = map->items[i];
  if (f->kind != DOC_STRING || !safe_shard_name(f->string))
    return diag_error(f->loc, "tensor '%s': shard must be a file name in this folder",
                      map->keys[i]), false;
  for (int k = 0; k < i; k++)
    if (!strcmp(map->items[k]->string, f->string)) return true;
  const char *path = arena_printf(a, "%s/%s", dir, f->string);
  FeWeights *shard = path ? fe_safetensors_open(a, path) : NULL;
  return shard && merge(a, w, shard);
}

/* Each tensor once, in the shard the index names for it. */
static bool check_shards(Arena *a, const FeWeights *w, const Doc *map, const char *dir) {
  for (int i = 1; i < w->n_tensors; i++)
    if (!strcmp(w->tensors[i - 1].name, w->tensors[i].name))
      return diag_error(diag_loc(w->tensors[i].file, 0, 0), "tensor '%s' is also in '%s'",
                        w->tensors[i].name, w->tensors[i - 1].file), false;
  for (int i = 0; i < map->n; i++) {
    const FeTensor *t = fe_weights_find(w, map->keys[i]);
    const char *shard = arena_printf(a, "%s/%s", dir, map->items[i]->string);
    if (!shard) return false;
    if (!t || strcmp(t->file, shard))
      return diag_error(map->key_locs[i], "tensor '%s' is not in shard '%s'", map->keys[i],
                        map->items[i]->string), false;
  }
  return true;
}

FeWeights *fe_safetensors_open_index(Arena *a, const char *index_path) {
  Buf text = {0};
  if (buf_read_file(&text, index_path)) {
    diag_error(diag_loc(index_path, 0, 0), "cannot read: %s",
               errno == ENOMEM ? "out of memory" : strerror(errno));
    return buf_free(&text), NULL;
  }
  const Doc *index = fe_json_parse(a, text.data, text.len, index_path, true, NULL);
  buf_free(&text);
  const Doc *map = index ? fe_doc_get(index, "weight_map") : NULL;
  if (index && (!map || map->kind != DOC_OBJECT))
    return diag_error(index->loc, "expected an object with a \"weight_map\" object"), NULL;
  const char *slash = strrchr(index_path, '/');
  const char *dir = slash ? arena_printf(a, "%.*s", (int)(slash - index_path), index_path) : ".";
  FeWeights *w = map && dir ? fe_weights_new(a, index_path) : NULL;
  for (int i = 0; w && i < map->n; i++)
    if (!open_shard(a, w, map, i, dir)) return NULL;
  if (!w) return NULL;
  fe_weights_sort(w);
  return check_shards(a, w, map, dir) ? w : NULL;
}

/* ---- tables of tensors ---- */

FeWeights *fe_weights_new(Arena *a, const char *file) {
  FeWeights *w = arena_alloc(a, sizeof(FeWeights));
  if (w) w->file = arena_strdup(a, file);
  return w && w->file ? w : NULL;
}

int fe_weights_add(Arena *a, FeWeights *w, const char *name, Shape shape, const float *data) {
  FeTensor *t = arena_alloc(a, sizeof(FeTensor) * (size_t)(w->n_tensors + 1));
  if (!t) return -1;
  if (w->n_tensors) memcpy(t, w->tensors, sizeof(FeTensor) * (size_t)w->n_tensors);
  FeTensor *nt = &t[w->n_tensors];
  nt->name = arena_strdup(a, name);
  nt->file = w->file;
  nt->type = WT_F32;
  nt->type_name = "F32";
  nt->rank = shape.rank;
  for (int i = 0; i < shape.rank; i++) nt->dim[i] = shape.dim[i];
  nt->raw = nt->data = data;
  w->tensors = t;
  w->n_tensors++;
  return nt->name ? 0 : -1;
}

void fe_weights_sort(FeWeights *w) {
  if (w->n_tensors) qsort(w->tensors, (size_t)w->n_tensors, sizeof(FeTensor), by_name);
}

FeTensor *fe_weights_find(const FeWeights *w, const char *name) {
  FeTensor key = {.name = name};
  if (!w->n_tensors) return NULL;
  return bsearch(&key, w->tensors, (size_t)w->n_tensors, sizeof(FeTensor), by_name);
}

/* ---- conversion to f32 ---- */

float fe_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, exp = h >> 10 & 31, man = h & 1023, bits;
  if (exp == 31) {
    bits = sign | 0x7F800000u | man << 13;             /* inf, nan */
  } else if (exp) {
    bits = sign | (exp + 112) << 23 | man << 13;       /* normal: rebias 15 -> 127 */
  } else if (man) {
    int shift = 0;                                     /* subnormal: normalise */
    while (!(man & 1024)) man <<= 1, shift++;
    bits = sign | (uint32_t)(113 - shift) << 23 | (man & 1023) << 13;
  } else {
    bits = sign;
  }
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

float fe_bf16_to_f32(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

const float *fe_tensor_f32(Arena *a, FeTensor *t) {
  if (t->data || t->type == WT_OTHER) return t->data;
  int64_t n = 1;
  for (int i = 0; i < t->rank; i++) n *= t->dim[i];
  if (t->type == WT_F32 && (uintptr_t)t->raw % _Alignof(float) == 0) return t->data = t->raw;
  float *out = arena_alloc(a, sizeof(float) * (size_t)(n ? n : 1));
  if (!out) return NULL;
  if (t->type == WT_GGUF)
    return fe_gguf_dequantize(t->gguf_type, t->raw, n, out) ? NULL : (t->data = out);
  const unsigned char *src = t->raw;
  for (int64_t i = 0; i < n; i++) {
    uint16_t h;
    if (t->type == WT_F32) {
      memcpy(&out[i], src + 4 * i, 4);
      continue;
    }
    memcpy(&h, src + 2 * i, 2);   /* little-endian hosts only, like the format */
    out[i] = t->type == WT_F16 ? fe_f16_to_f32(h) : fe_bf16_to_f32(h);
  }
  return t->data = out;
}
