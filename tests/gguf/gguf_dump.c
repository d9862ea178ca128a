/*
 * gguf_dump.c — prints what frontend/gguf.c reads from a GGUF file, so the
 * tests can compare it with gguf-py's GGUFReader:
 *
 *   gguf_dump meta FILE            header, every metadata pair, every tensor info
 *   gguf_dump sums FILE            per tensor: its f32 values' checksum (below)
 *   gguf_dump values FILE NAME OUT one tensor dequantized to raw little-endian f32
 *
 * meta lines:  version N / alignment N / data_offset N
 *              kv KEY TYPE VALUE           (arrays: KEY array ELEM N v0 v1 ...)
 *              tensor NAME TYPE ne0,ne1,.. OFFSET BYTES
 * Strings print with every byte outside 0x21..0x7e (and backslash) as \xNN.
 * The checksum is sum over i of bits(x[i]) * (2654435761 i + 1) mod 2^64, which
 * numpy computes the same way (tests/gguf/check_dequant.py).  Exit 1 after a
 * diagnostic.
 */
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

static void print_str(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c > 0x20 && c < 0x7f && c != '\\') putchar(c);
    else printf("\\x%02x", c);
  }
}

static void print_scalar(const GgufValue *v) {
  switch (v->type) {
  case GGUF_F32: case GGUF_F64: printf("%.17g", v->f); break;
  case GGUF_BOOL: printf("%s", v->b ? "true" : "false"); break;
  case GGUF_STRING: print_str(v->str.s, v->str.len); break;
  case GGUF_U8: case GGUF_U16: case GGUF_U32: case GGUF_U64:
    printf("%llu", (unsigned long long)v->u); break;
  default: printf("%lld", (long long)v->i); break;
  }
}

/* The API saturates u64 above INT64_MAX; print the raw little-endian value. */
static uint64_t u64_at(const unsigned char *p) {
  uint64_t v = 0;
  for (int k = 7; k >= 0; k--) v = v << 8 | p[k];
  return v;
}

static void print_array(const GgufValue *v) {
  printf("%s %llu", fe_gguf_type_name(v->elem), (unsigned long long)v->n);
  for (uint64_t i = 0; i < v->n; i++) {
    putchar(' ');
    if (v->elem == GGUF_STRING) print_str(v->strs[i].s, v->strs[i].len);
    else if (v->elem == GGUF_F32 || v->elem == GGUF_F64) printf("%.17g", fe_gguf_array_f64(v, i));
    else if (v->elem == GGUF_BOOL) printf("%s", fe_gguf_array_i64(v, i) ? "true" : "false");
    else if (v->elem == GGUF_U64) printf("%llu", (unsigned long long)u64_at(v->raw + 8 * i));
    else printf("%lld", (long long)fe_gguf_array_i64(v, i));
  }
}

static void meta(const GgufFile *f) {
  printf("version %u\nalignment %llu\ndata_offset %zu\n", f->version,
         (unsigned long long)f->alignment, f->data_offset);
  for (int64_t i = 0; i < f->n_kvs; i++) {
    const GgufKv *kv = &f->kvs[i];
    printf("kv %s %s ", kv->key, fe_gguf_type_name(kv->v.type));
    if (kv->v.type == GGUF_ARRAY) print_array(&kv->v);
    else print_scalar(&kv->v);
    putchar('\n');
  }
  for (int64_t i = 0; i < f->n_tensors; i++) {
    const GgufTensor *t = &f->tensors[i];
    printf("tensor %s %s ", t->name, fe_gguf_type(t->type)->name);
    for (int d = 0; d < t->n_dims; d++) printf("%s%lld", d ? "," : "", (long long)t->ne[d]);
    printf(" %llu %zu\n", (unsigned long long)t->offset, t->bytes);
  }
}

/* The tensor's values as f32 (malloc'd), or NULL for a type tfc cannot read. */
static float *values(const GgufTensor *t, int64_t *n) {
  *n = 1;
  for (int d = 0; d < t->n_dims; d++) *n *= t->ne[d];
  float *x = malloc(sizeof(float) * (size_t)*n);
  if (x && fe_gguf_dequantize(t->type, t->data, *n, x) == 0) return x;
  free(x);
  return NULL;
}

static void sums(const GgufFile *f) {
  for (int64_t i = 0; i < f->n_tensors; i++) {
    int64_t n;
    float *x = values(&f->tensors[i], &n);
    uint64_t h = 0;
    for (int64_t k = 0; x && k < n; k++) {
      uint32_t bits;
      memcpy(&bits, &x[k], 4);
      h += (uint64_t)bits * (2654435761u * (uint64_t)k + 1);
    }
    printf("%s %s %016llx\n", f->tensors[i].name, x ? "ok" : "unreadable", (unsigned long long)h);
    free(x);
  }
}

static int write_values(const GgufFile *f, const char *name, const char *out) {
  const GgufTensor *t = fe_gguf_tensor(f, name);
  int64_t n;
  float *x = t ? values(t, &n) : NULL;
  if (!x) return fprintf(stderr, "gguf_dump: no readable tensor '%s'\n", name), 1;
  FILE *o = fopen(out, "wb");
  int rc = o && fwrite(x, sizeof(float), (size_t)n, o) == (size_t)n ? 0 : 1;
  if (o) fclose(o);
  free(x);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 3) return fprintf(stderr, "usage: gguf_dump meta|sums|values FILE [NAME OUT]\n"), 2;
  Arena *a = arena_new();
  GgufFile *f = fe_gguf_open(a, argv[2]);
  int rc = 1;
  if (f && !strcmp(argv[1], "meta")) meta(f), rc = 0;
  else if (f && !strcmp(argv[1], "sums")) sums(f), rc = 0;
  else if (f && !strcmp(argv[1], "values") && argc == 5) rc = write_values(f, argv[3], argv[4]);
  arena_free(a);
  return rc;
}
