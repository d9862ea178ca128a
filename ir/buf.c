/*
 * buf.c — growable byte buffers, and reading a whole file into one.
 *
 * Printers and emitters append to a Buf; tools write it with buf_write_file
 * or buf_write_outputs (output.c), whole or not at all.
 */
#include "ir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void buf_reserve(Buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p) {
    fprintf(stderr, "tfc: out of memory (%zu bytes)\n", cap);
    abort();
  }
  b->data = p;
  b->cap = cap;
}

void buf_append(Buf *b, const void *data, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = 0;
}

void buf_puts(Buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_vprintf(Buf *b, const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  buf_reserve(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void buf_free(Buf *b) {
  free(b->data);
  *b = (Buf){0};
}

int buf_read_file(Buf *b, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(b, chunk, n);
  int err = ferror(f);
  fclose(f);
  if (err) {
    errno = EIO;
    return -1;
  }
  if (!b->data) buf_reserve(b, 0), b->data[0] = 0;
  return 0;
}
