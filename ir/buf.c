/*
 * buf.c — growable byte buffers, and reading a whole file into one.
 *
 * Printers and emitters append to a Buf; tools write it with buf_write_file
 * or buf_write_outputs (output.c), whole or not at all.
 *
 * Out of memory is a state, not an abort (like the arena's): when a Buf cannot
 * grow it is marked failed and emptied (data "", len 0: readers never see NULL
 * or a partial text), ignores later appends, and buf_write_outputs refuses to
 * write it with an "out of memory" diagnostic; buf_any_failed tells the driver
 * it happened.  Growing counts as an allocation for the arena_fail_at test hook.
 */
#include "ir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool any_failed;   /* some Buf could not grow (buf_any_failed) */

bool buf_any_failed(void) { return any_failed; }

/* Room for extra more bytes and a NUL; false (b marked failed) when there is none. */
static bool buf_reserve(Buf *b, size_t extra) {
  if (b->failed) return false;
  size_t need = extra <= SIZE_MAX / 4 - b->len ? b->len + extra + 1 : 0;   /* 0: too big */
  if (need && need <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 256;
  while (need && cap < need) cap *= 2;
  char *p = need && !arena_fail_now() ? realloc(b->data, cap) : NULL;
  if (!p) {
    b->failed = any_failed = true;
    static char empty[1];   /* a failed Buf holds "": readers never see NULL */
    free(b->data);
    b->data = empty, b->len = b->cap = 0;
    return false;
  }
  b->data = p;
  b->cap = cap;
  return true;
}

void buf_append(Buf *b, const void *data, size_t n) {
  if (!buf_reserve(b, n)) return;
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
  if (n < 0 || !buf_reserve(b, (size_t)n)) return;
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
  if (b->cap) free(b->data);   /* cap 0: NULL, or a failed Buf's static "" */
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
  if (err || b->failed) {
    errno = err ? EIO : ENOMEM;
    return -1;
  }
  if (!b->data && !buf_reserve(b, 0)) return errno = ENOMEM, -1;
  b->data[b->len] = 0;
  return 0;
}
