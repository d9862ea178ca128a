/*
 * test_buf.c — ir/buf.c out of memory: a Buf that cannot grow is marked failed
 * and emptied (data "", len 0), later appends are ignored, buf_write_file refuses
 * it with an "out of memory" diagnostic and leaves no file, and the driver's
 * buf_any_failed says so.  Two ways to fail: a request no machine can meet
 * (2^62 bytes: realloc really returns NULL; the old buf_reserve aborted the
 * process here) and the arena_fail_at test hook, which counts Buf growth too.
 *
 *   test_buf WORKDIR
 */
#include <unistd.h>

#include "check.h"
#include "ir.h"

static void check_failed(Buf *b, const char *path) {
  CHECK(b->failed);
  CHECK(b->data && !strcmp(b->data, "") && b->len == 0);
  buf_puts(b, "more");
  CHECK(!strcmp(b->data, "") && b->len == 0);   /* ignored once failed */
  capture_begin();
  CHECK(buf_write_file(b, path) == -1);
  CHECK_HAS(capture_end(), "out of memory");
  CHECK(access(path, F_OK) != 0);   /* no output, not even a partial one */
  buf_free(b);
}

int main(int argc, char **argv) {
  if (argc != 2) return fprintf(stderr, "usage: test_buf WORKDIR\n"), 2;
  char path[1024];
  snprintf(path, sizeof path, "%s/never_written.c", argv[1]);
  unlink(path);
  CHECK(!buf_any_failed());

  Buf huge = {0};
  buf_puts(&huge, "kept");
  buf_append(&huge, "", (size_t)1 << 62);   /* realloc of 2^62 bytes fails for real */
  CHECK(buf_any_failed());
  check_failed(&huge, path);

  Buf hooked = {0};
  arena_fail_at(1);   /* the next allocation, here this Buf's first growth, fails */
  buf_printf(&hooked, "%d", 42);
  CHECK(!arena_fail_pending());
  check_failed(&hooked, path);

  Buf fine = {0};   /* a later Buf grows normally */
  buf_printf(&fine, "%s %d", "ok", 7);
  CHECK(!fine.failed && strcmp(fine.data, "ok 7") == 0);
  buf_free(&fine);
  return check_report("test_buf");
}
