/*
 * gguf.c — llama.cpp's GGUF files, versions 2 and 3, mapped and validated
 * before anything reads them, and the metadata API the model builder
 * (gguf_model.c) and the tokenizer use.
 *
 *   magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
 *   n_kv x      { string key | u32 value type | value }
 *   n_tensors x { string name | u32 n_dims | u64 ne[n_dims] | u32 type | u64 offset }
 *   padding to general.alignment (default 32) | data area
 *
 * Strings are a u64 length and that many bytes; arrays are a u32 element
 * type, a u64 count and the elements (nested arrays are rejected, as
 * llama.cpp does).  All little-endian.  Each count and length is checked
 * against the bytes left before anything is allocated or read, so a hostile
 * file can neither overflow a size nor make tfc allocate more than a small
 * multiple of its own size.  Errors are "FILE: error: MESSAGE at byte N".
 */
#include "frontend.h"

#include <stdlib.h>
#include <string.h>

#define GGUF_MAX_DIMS 4
#define GGUF_DEFAULT_ALIGNMENT 32
#define GGUF_MAX_NUMEL ((int64_t)1 << 48)   /* elements in one tensor */

/* A read position in the mapped file. */
typedef struct {
  const GgufFile *f;
  size_t pos;
} Cursor;

static void error_at(const GgufFile *f, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void error_at(const GgufFile *f, size_t offset, const char *fmt, ...) {
  va_list ap;
  Buf b = {0};
  va_start(ap, fmt);
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  diag_error(diag_loc(f->path, 0, 0), "%s at byte %zu", b.data ? b.data : "bad GGUF file", offset);
  buf_free(&b);
}

static size_t left(const Cursor *c) { return c->f->size - c->pos; }

/* n more bytes for `what`, or an error. */
static bool need(Cursor *c, uint64_t n, const char *what) {
  if (n <= left(c)) return true;
  error_at(c->f, c->pos, "truncated GGUF file: %s needs %llu bytes, %zu left", what,
           (unsigned long long)n, left(c));
  return false;
}

static uint64_t le(const unsigned char *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static bool read_u32(Cursor *c, const char *what, uint32_t *out) {
  if (!need(c, 4, what)) return false;
  *out = (uint32_t)le(c->f->map + c->pos, 4);
  c->pos += 4;
  return true;
}

static bool read_u64(Cursor *c, const char *what, uint64_t *out) {
  if (!need(c, 8, what)) return false;
  *out = le(c->f->map + c->pos, 8);
  c->pos += 8;
  return true;
}

static bool read_str(Cursor *c, const char *what, GgufStr *s) {
  uint64_t n;
  if (!read_u64(c, what, &n)) return false;
  if (n > left(c)) {
    error_at(c->f, c->pos - 8, "%s: string length %llu runs past the end of the file "
             "(%zu bytes left)", what, (unsigned long long)n, left(c));
    return false;
  }
  *s = (GgufStr){(const char *)c->f->map + c->pos, (size_t)n};
  c->pos += (size_t)n;
  return true;
}

/* A NUL-terminated copy of a key or tensor name (which may not hold NUL). */
static const char *name_copy(Cursor *c, GgufStr s, size_t at, const char *what) {
  if (memchr(s.s, 0, s.len)) return error_at(c->f, at, "%s contains a NUL byte", what), NULL;
  return arena_printf(c->f->arena, "%.*s", (int)s.len, s.s);
}

/* ---- metadata values ---- */

static const struct {
  const char *name;
  int size;   /* bytes of a scalar; 0 for string and array */
} value_types[GGUF_N_VALUE_TYPES] = {
    {"u8", 1},  {"i8", 1},       {"u16", 2},  {"i16", 2}, {"u32", 4}, {"i32", 4}, {"f32", 4},
    {"bool", 1}, {"string", 0}, {"array", 0}, {"u64", 8}, {"i64", 8}, {"f64", 8},
};

const char *fe_gguf_type_name(GgufType t) {
  return (unsigned)t < GGUF_N_VALUE_TYPES ? value_types[t].name : "unknown";
}

static bool is_int_type(GgufType t) {
  return t <= GGUF_I32 || t == GGUF_U64 || t == GGUF_I64;
}

static bool is_signed(GgufType t) {
  return t == GGUF_I8 || t == GGUF_I16 || t == GGUF_I32 || t == GGUF_I64;
}

static float f32_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static double f64_bits(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}

/* Fills the scalar fields of v from the size bytes at p. */
static void scalar(GgufValue *v, GgufType t, const unsigned char *p) {
  int size = value_types[t].size;
  uint64_t u = le(p, size);
  if (t == GGUF_F32) v->f = f32_bits((uint32_t)u);
  else if (t == GGUF_F64) v->f = f64_bits(u);
  else if (t == GGUF_BOOL) v->b = u != 0;
  else if (is_signed(t) && size < 8 && u >> (8 * size - 1)) v->i = (int64_t)(u - ((uint64_t)1 << (8 * size)));
  else if (is_signed(t)) v->i = (int64_t)u;
  else v->u = u, v->i = u > INT64_MAX ? INT64_MAX : (int64_t)u;
}

static bool read_value_type(Cursor *c, const char *what, GgufType *t) {
  uint32_t raw;
  size_t at = c->pos;
  if (!read_u32(c, what, &raw)) return false;
  if (raw >= GGUF_N_VALUE_TYPES)
    return error_at(c->f, at, "%s: unknown metadata value type %u", what, raw), false;
  *t = (GgufType)raw;
  return true;
}

static bool read_array(Cursor *c, GgufValue *v, const char *key) {
  size_t at = c->pos;
  if (!read_value_type(c, "array element type", &v->elem) || !read_u64(c, "array length", &v->n))
    return false;
  if (v->elem == GGUF_ARRAY)
    return error_at(c->f, at, "metadata key '%s': nested arrays are not supported", key), false;
  uint64_t least = v->elem == GGUF_STRING ? 8 : (uint64_t)value_types[v->elem].size;
  if (v->n > left(c) / least)
    return error_at(c->f, at + 4, "metadata key '%s': array of %llu %s elements runs past the "
                    "end of the file (%zu bytes left)", key, (unsigned long long)v->n,
                    value_types[v->elem].name, left(c)), false;
  if (v->elem != GGUF_STRING) {
    v->raw = c->f->map + c->pos;
    c->pos += (size_t)(v->n * least);
    return true;
  }
  v->strs = arena_alloc(c->f->arena, sizeof(GgufStr) * (size_t)(v->n ? v->n : 1));
  if (!v->strs) return false;
  for (uint64_t i = 0; i < v->n; i++)
    if (!read_str(c, "array string", &v->strs[i])) return false;
  return true;
}

static bool read_value(Cursor *c, GgufValue *v, const char *key) {
  v->offset = c->pos;
  if (v->type == GGUF_STRING) return read_str(c, "string value", &v->str);
  if (v->type == GGUF_ARRAY) return read_array(c, v, key);
  if (!need(c, (uint64_t)value_types[v->type].size, "metadata value")) return false;
  scalar(v, v->type, c->f->map + c->pos);
  c->pos += (size_t)value_types[v->type].size;
  return true;
}

static int by_key(const void *a, const void *b) {
  return strcmp((*(GgufKv *const *)a)->key, (*(GgufKv *const *)b)->key);
}

/* general.alignment, when given: a u32 power of two. */
static bool read_alignment(GgufFile *f) {
  const GgufValue *v = fe_gguf_get(f, "general.alignment");
  f->alignment = GGUF_DEFAULT_ALIGNMENT;
  if (!v) return true;
  if (v->type != GGUF_U32 || v->u == 0 || (v->u & (v->u - 1)))
    return error_at(f, v->offset, "general.alignment must be a u32 power of two"), false;
  f->alignment = v->u;
  return true;
}

static bool read_kvs(Cursor *c, GgufFile *f) {
  f->kvs = arena_alloc(f->arena, sizeof(GgufKv) * (size_t)(f->n_kvs + 1));
  f->kv_sorted = arena_alloc(f->arena, sizeof(GgufKv *) * (size_t)(f->n_kvs + 1));
  if (!f->kvs || !f->kv_sorted) return false;
  for (int64_t i = 0; i < f->n_kvs; i++) {
    GgufKv *kv = &f->kvs[i];
    GgufStr key;
    kv->offset = c->pos;
    if (!read_str(c, "metadata key", &key) ||
        !(kv->key = name_copy(c, key, kv->offset, "metadata key")) ||
        !read_value_type(c, kv->key, &kv->v.type) || !read_value(c, &kv->v, kv->key))
      return false;
    kv->end = c->pos;
    f->kv_sorted[i] = kv;
  }
  if (f->n_kvs) qsort(f->kv_sorted, (size_t)f->n_kvs, sizeof(GgufKv *), by_key);
  for (int64_t i = 1; i < f->n_kvs; i++)
    if (!strcmp(f->kv_sorted[i - 1]->key, f->kv_sorted[i]->key))
      return error_at(f, f->kv_sorted[i]->offset, "duplicate metadata key '%s'",
                      f->kv_sorted[i]->key), false;
  return read_alignment(f);
}

/* ---- tensor infos ---- */

/* Checks one tensor's dims and type and computes its byte size. */
static bool tensor_size(const GgufFile *f, GgufTensor *t) {
  int64_t numel = 1;
  for (int d = 0; d < t->n_dims; d++) {
    if (t->ne[d] < 1 || t->ne[d] > GGUF_MAX_NUMEL / numel)
      return error_at(f, t->info_offset, "tensor '%s': dimension %d is %lld (each must be >= 1, "
                      "and at most 2^48 elements in all)", t->name, d, (long long)t->ne[d]), false;
    numel *= t->ne[d];
  }
  const GgufTypeInfo *ti = fe_gguf_type(t->type);
  if (!ti) return error_at(f, t->info_offset, "tensor '%s': unknown tensor type %d", t->name,
                           t->type), false;
  if (t->ne[0] % ti->block)
    return error_at(f, t->info_offset, "tensor '%s': rows of %lld elements are not a whole "
                    "number of %s blocks (%d)", t->name, (long long)t->ne[0], ti->name,
                    ti->block), false;
  t->bytes = (size_t)(numel / ti->block * ti->bytes);
  return true;
}

static bool read_tensor_info(Cursor *c, GgufTensor *t) {
  GgufStr name;
  uint32_t n_dims, type;
  t->info_offset = c->pos;
  if (!read_str(c, "tensor name", &name) ||
      !(t->name = name_copy(c, name, t->info_offset, "tensor name")))
    return false;
  size_t dims_at = c->pos;
  if (!read_u32(c, "tensor dimension count", &n_dims)) return false;
  if (n_dims < 1 || n_dims > GGUF_MAX_DIMS)
    return error_at(c->f, dims_at, "tensor '%s': %u dimensions (tfc reads 1 to %d)", t->name,
                    n_dims, GGUF_MAX_DIMS), false;
  t->n_dims = (int)n_dims;
  for (int d = 0; d < t->n_dims; d++) {
    uint64_t ne;
    if (!read_u64(c, "tensor dimension", &ne)) return false;
    t->ne[d] = ne > (uint64_t)GGUF_MAX_NUMEL ? -1 : (int64_t)ne;
  }
  if (!read_u32(c, "tensor type", &type) || !read_u64(c, "tensor offset", &t->offset))
    return false;
  t->type = type > 1000 ? -1 : (int)type;
  if (t->offset % c->f->alignment)
    return error_at(c->f, c->pos - 8, "tensor '%s': data offset %llu is not a multiple of the "
                    "alignment %llu", t->name, (unsigned long long)t->offset,
                    (unsigned long long)c->f->alignment), false;
  return tensor_size(c->f, t);
}

typedef struct {
  GgufTensor *t;
} TensorRef;

static int by_offset(const void *a, const void *b) {
  const GgufTensor *x = ((const TensorRef *)a)->t, *y = ((const TensorRef *)b)->t;
  return (x->offset > y->offset) - (x->offset < y->offset);
}

static int by_tensor_name(const void *a, const void *b) {
  return strcmp(((const TensorRef *)a)->t->name, ((const TensorRef *)b)->t->name);
}

/* Every tensor inside the data area, none overlapping, names unique. */
static bool place_tensors(GgufFile *f, TensorRef *refs) {
  size_t data_len = f->size - f->data_offset;
  for (int64_t i = 0; i < f->n_tensors; i++) {
    GgufTensor *t = &f->tensors[i];
    if (t->offset > data_len || t->bytes > data_len - t->offset)
      return error_at(f, t->info_offset, "tensor '%s': %zu bytes at data offset %llu are "
                      "outside the data area (%zu bytes)", t->name, t->bytes,
                      (unsigned long long)t->offset, data_len), false;
    t->data = f->map + f->data_offset + t->offset;
    refs[i].t = t;
  }
  qsort(refs, (size_t)f->n_tensors, sizeof *refs, by_offset);
  for (int64_t i = 1; i < f->n_tensors; i++)
    if (refs[i].t->offset < refs[i - 1].t->offset + refs[i - 1].t->bytes)
      return error_at(f, refs[i].t->info_offset, "tensors '%s' and '%s' overlap in the data area",
                      refs[i - 1].t->name, refs[i].t->name), false;
  qsort(refs, (size_t)f->n_tensors, sizeof *refs, by_tensor_name);
  for (int64_t i = 1; i < f->n_tensors; i++)
    if (!strcmp(refs[i].t->name, refs[i - 1].t->name))
      return error_at(f, refs[i].t->info_offset, "duplicate tensor name '%s'", refs[i].t->name),
             false;
  return true;
}

static bool read_tensors(Cursor *c, GgufFile *f) {
  f->tensors = arena_alloc(f->arena, sizeof(GgufTensor) * (size_t)(f->n_tensors + 1));
  if (!f->tensors) return false;
  for (int64_t i = 0; i < f->n_tensors; i++)
    if (!read_tensor_info(c, &f->tensors[i])) return false;
  uint64_t pad = (f->alignment - c->pos % f->alignment) % f->alignment;
  if (pad > left(c) && f->n_tensors)
    return error_at(f, c->pos, "truncated GGUF file: the data area should start %llu bytes "
                    "further, %zu left", (unsigned long long)pad, left(c)), false;
  f->data_offset = pad > left(c) ? f->size : c->pos + (size_t)pad;
  TensorRef *refs = malloc(sizeof(TensorRef) * (size_t)(f->n_tensors + 1));
  bool ok = refs && place_tensors(f, refs);
  free(refs);
  return ok;
}

/* ---- the header ---- */

static bool read_header(Cursor *c, GgufFile *f) {
  uint64_t n_tensors, n_kvs;
  if (memcmp(f->map, "GGUF", 4))
    return error_at(f, 0, "not a GGUF file (the magic is not \"GGUF\")"), false;
  c->pos = 4;
  if (!read_u32(c, "version", &f->version)) return false;
  if (f->version != 2 && f->version != 3)
    return error_at(f, 4, "GGUF version %u is not supported (tfc reads versions 2 and 3)",
                    f->version), false;
  if (!read_u64(c, "tensor count", &n_tensors) || !read_u64(c, "metadata count", &n_kvs))
    return false;
  /* a key-value pair takes at least 12 bytes (key length, type), a tensor info 24 */
  if (n_kvs > left(c) / 12)
    return error_at(f, 16, "metadata count %llu cannot fit in the %zu bytes left",
                    (unsigned long long)n_kvs, left(c)), false;
  if (n_tensors > left(c) / 24)
    return error_at(f, 8, "tensor count %llu cannot fit in the %zu bytes left",
                    (unsigned long long)n_tensors, left(c)), false;
  f->n_kvs = (int64_t)n_kvs, f->n_tensors = (int64_t)n_tensors;
  return true;
}

GgufFile *fe_gguf_open(Arena *a, const char *path) {
  static const FeFileErrors errors = {"cannot read GGUF file",
                                      "truncated GGUF file: the header needs %2$zu bytes at byte %1$zu",
                                      "cannot map GGUF file"};
  GgufFile *f = arena_alloc(a, sizeof *f);
  if (!f) return NULL;
  f->path = path;
  f->arena = a;
  f->map = fe_map_file(a, path, 24, &errors, &f->size);
  Cursor c = {f, 0};
  if (!f->map || !read_header(&c, f) || !read_kvs(&c, f) || !read_tensors(&c, f)) return NULL;
  return f;
}

/* ---- lookups ---- */

const GgufValue *fe_gguf_get(const GgufFile *f, const char *key) {
  GgufKv probe = {.key = key}, *pp = &probe;
  if (!f->n_kvs) return NULL;
  GgufKv **hit = bsearch(&pp, f->kv_sorted, (size_t)f->n_kvs, sizeof(GgufKv *), by_key);
  return hit ? &(*hit)->v : NULL;
}

const GgufTensor *fe_gguf_tensor(const GgufFile *f, const char *name) {
  for (int64_t i = 0; i < f->n_tensors; i++)
    if (!strcmp(f->tensors[i].name, name)) return &f->tensors[i];
  return NULL;
}

static int missing(const GgufFile *f, const char *key) {
  diag_error(diag_loc(f->path, 0, 0), "missing metadata key '%s'", key);
  return -1;
}

int fe_gguf_int(const GgufFile *f, const char *key, int64_t def, int64_t min, int64_t max,
                int64_t *out) {
  const GgufValue *v = fe_gguf_get(f, key);
  if (!v) return def == FE_REQUIRED ? missing(f, key) : (*out = def, 0);
  bool fits = is_int_type(v->type) && !(v->type == GGUF_U64 && v->u > INT64_MAX) &&
              v->i >= min && v->i <= max;
  char value[32];
  if (is_signed(v->type) || v->u <= INT64_MAX) snprintf(value, sizeof value, "%lld", (long long)v->i);
  else snprintf(value, sizeof value, "%llu", (unsigned long long)v->u);
  if (!fits && is_int_type(v->type))
    error_at(f, v->offset, "metadata key '%s' must be an integer in [%lld, %lld] (it is %s)", key,
             (long long)min, (long long)max, value);
  else if (!fits)
    error_at(f, v->offset, "metadata key '%s' must be an integer in [%lld, %lld] (it is a %s)",
             key, (long long)min, (long long)max, fe_gguf_type_name(v->type));
  if (!fits) return -1;
  *out = v->i;
  return 0;
}

int fe_gguf_float(const GgufFile *f, const char *key, double def, double min, double max,
                  double *out) {
  const GgufValue *v = fe_gguf_get(f, key);
  if (!v) return def == FE_REQUIRED_F ? missing(f, key) : (*out = def, 0);
  double x = v->type == GGUF_F32 || v->type == GGUF_F64 ? v->f
             : is_int_type(v->type) ? (is_signed(v->type) ? (double)v->i : (double)v->u)
                                    : NAN;
  if (!(x >= min && x <= max)) {
    if (x == x)
      error_at(f, v->offset, "metadata key '%s' must be a number in [%g, %g] (it is %g)", key, min,
               max, x);
    else
      error_at(f, v->offset, "metadata key '%s' must be a number in [%g, %g] (it is a %s)", key,
               min, max, fe_gguf_type_name(v->type));
    return -1;
  }
  *out = x;
  return 0;
}

int fe_gguf_string(const GgufFile *f, const char *key, const char *def, const char **out) {
  const GgufValue *v = fe_gguf_get(f, key);
  if (!v) return !def ? missing(f, key) : (*out = def, 0);
  if (v->type != GGUF_STRING || memchr(v->str.s, 0, v->str.len)) {
    error_at(f, v->offset, "metadata key '%s' must be a string without NUL bytes (it is a %s)",
             key, fe_gguf_type_name(v->type));
    return -1;
  }
  *out = arena_printf(f->arena, "%.*s", (int)v->str.len, v->str.s);
  return *out ? 0 : -1;
}

/* Integers and floats read each other's arrays; strings and bools only their own. */
static bool elem_fits(GgufType want, GgufType have) {
  bool numeric_want = want != GGUF_STRING && want != GGUF_BOOL;
  bool numeric_have = have != GGUF_STRING && have != GGUF_BOOL;
  return want == have || (numeric_want && numeric_have);
}

int fe_gguf_array(const GgufFile *f, const char *key, GgufType elem, bool required,
                  const GgufValue **out) {
  const GgufValue *v = fe_gguf_get(f, key);
  *out = NULL;
  if (!v) return required ? missing(f, key) : 0;
  if (v->type != GGUF_ARRAY || !elem_fits(elem, v->elem)) {
    error_at(f, v->offset, "metadata key '%s' must be an array of %s (it is %s%s)", key,
             fe_gguf_type_name(elem), v->type == GGUF_ARRAY ? "an array of " : "a ",
             fe_gguf_type_name(v->type == GGUF_ARRAY ? v->elem : v->type));
    return -1;
  }
  *out = v;
  return 0;
}

/* Element i of a numeric or bool array as a scalar value. */
static GgufValue element(const GgufValue *v, uint64_t i) {
  GgufValue e = {.type = v->elem};
  int size = value_types[v->elem].size;
  if (size && i < v->n) scalar(&e, v->elem, v->raw + i * (uint64_t)size);
  return e;
}

int64_t fe_gguf_array_i64(const GgufValue *v, uint64_t i) {
  GgufValue e = element(v, i);
  if (e.type == GGUF_F32 || e.type == GGUF_F64)
    return e.f >= -9.2e18 && e.f <= 9.2e18 ? (int64_t)e.f : 0;
  return e.type == GGUF_BOOL ? e.b : e.i;
}

double fe_gguf_array_f64(const GgufValue *v, uint64_t i) {
  GgufValue e = element(v, i);
  if (e.type == GGUF_F32 || e.type == GGUF_F64) return e.f;
  if (e.type == GGUF_BOOL) return e.b;
  return is_signed(e.type) ? (double)e.i : (double)e.u;
}
