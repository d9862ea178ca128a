/*
 * buf.c — growable byte buffers, and output files written whole or not at all.
 *
 * Printers and emitters append to a Buf; tools write it with buf_write_file,
 * which goes through a temporary file in the same folder and renames it into
 * place, so an error never leaves a partial output behind.
 */
#include "ir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int buf_write_file(const Buf *b, const char *path) {
  size_t n = strlen(path);
  char *tmp = malloc(n + 16);
  if (!tmp) return -1;
  snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    diag_error(diag_loc(path, 0, 0), "cannot create output file: %s", strerror(errno));
    free(tmp);
    return -1;
  }
  size_t done = 0;
  while (done < b->len) {
    ssize_t w = write(fd, b->data + done, b->len - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  int ok = done == b->len && fchmod(fd, 0644) == 0 && close(fd) == 0;
  if (!ok || rename(tmp, path) != 0) {
    diag_error(diag_loc(path, 0, 0), "cannot write output file: %s", strerror(errno));
    unlink(tmp);
    free(tmp);
    return -1;
  }
  free(tmp);
  return 0;
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
