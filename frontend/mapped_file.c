/*
 * mapped_file.c — a whole file mapped read-only for as long as the arena
 * lives, for the readers of binary weights (safetensors.c, llama2c.c).
 *
 * Weights are read in place: F32 tensors point straight into the mapping, so
 * it must outlive every graph built from it.  The arena unmaps it when it is
 * freed (arena_on_free), which is also when those graphs go.  Each reader
 * names its file its own way in the errors (FeFileErrors), and the tests of
 * the corpus check those words.
 */
#include "frontend.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  void *base;
  size_t size;
} Mapping;

static void unmap(void *ctx) {
  Mapping *m = ctx;
  munmap(m->base, m->size);
}

/* Opens path read-only and checks that it is a regular file (a folder opens
 * but cannot be mapped): the descriptor, with its length in *size, or -1
 * after the diagnostic "CANNOT_OPEN: reason". */
static int open_regular(const char *path, const FeFileErrors *err, size_t *size) {
  int fd = open(path, O_RDONLY);
  struct stat st;
  const char *why = fd < 0 || fstat(fd, &st) != 0 ? strerror(errno)
                    : !S_ISREG(st.st_mode)        ? "not a regular file"
                                                  : NULL;
  if (why) {
    diag_error(diag_loc(path, 0, 0), "%s: %s", err->cannot_open, why);
    if (fd >= 0) close(fd);
    return -1;
  }
  *size = (size_t)st.st_size;
  return fd;
}

const unsigned char *fe_map_file(Arena *a, const char *path, size_t min_bytes,
                                 const FeFileErrors *err, size_t *size) {
  int fd = open_regular(path, err, size);
  if (fd < 0) return NULL;
  if (*size < min_bytes) {
    close(fd);
    diag_error(diag_loc(path, 0, 0), err->too_short, *size, min_bytes);
    return NULL;
  }
  void *p = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED)
    return diag_error(diag_loc(path, 0, 0), "%s: %s", err->cannot_map, strerror(errno)), NULL;
  Mapping *m = arena_alloc(a, sizeof *m);
  if (!m || arena_on_free(a, unmap, m)) {
    munmap(p, *size);
    return NULL;
  }
  *m = (Mapping){p, *size};
  return p;
}
