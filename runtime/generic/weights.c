/*
 * weights.c — the weights file: a 64-byte header, then the blob that the
 * generated code binds its weight pointers into (64-byte aligned constants,
 * in the order of NAME_Weights).
 *
 *   offset  0  "TFCW"                magic
 *           4  u32  format version   (1)
 *           8  u64  blob bytes
 *          16  u64  checksum of the blob (rt_blob_checksum)
 *          24  char name[40]         the model name, NUL-padded (truncated)
 *
 * All integers are little-endian.  tfc writes the header with the same code
 * that the generated program uses to check it (this file is compiled into
 * tfc as well as copied into model.c), so the two cannot drift apart.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

enum { RT_HEADER_BYTES = 64, RT_NAME_BYTES = 40, RT_FORMAT_VERSION = 1 };

RT_API uint64_t rt_get_le(const unsigned char *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

RT_API void rt_put_le(unsigned char *p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* A 64-bit hash of the blob, one little-endian word at a time: each step is
 * a bijection of the running hash, so any change to a single word (one
 * flipped bit, one overwritten value) always changes the result. */
RT_API uint64_t rt_blob_checksum(const unsigned char *p, uint64_t n) {
  uint64_t h = 0xcbf29ce484222325u;
  for (uint64_t i = 0; i < n; i += 8) {
    uint64_t w = rt_get_le(p + i, n - i < 8 ? (int)(n - i) : 8);
    h = (h ^ w) * 0x100000001b3u;
    h ^= h >> 29;
  }
  return h;
}

/* Fills the 64-byte header for a blob of `bytes` bytes. */
RT_API void rt_weights_header(unsigned char *hdr, uint64_t bytes, uint64_t checksum,
                              const char *name) {
  memset(hdr, 0, RT_HEADER_BYTES);
  memcpy(hdr, "TFCW", 4);
  rt_put_le(hdr + 4, RT_FORMAT_VERSION, 4);
  rt_put_le(hdr + 8, bytes, 8);
  rt_put_le(hdr + 16, checksum, 8);
  size_t n = strlen(name);
  memcpy(hdr + 24, name, n < RT_NAME_BYTES - 1 ? n : RT_NAME_BYTES - 1);
}

/* Checks a mapped weights file against what the program was compiled for.
 * Returns NULL, or what is wrong. */
RT_API const char *rt_weights_check(const unsigned char *p, uint64_t size, uint64_t bytes,
                                    uint64_t checksum, const char *name) {
  unsigned char want[RT_HEADER_BYTES];
  rt_weights_header(want, bytes, checksum, name);
  if (size >= 4 && memcmp(p, want, 4) != 0) return "not a tfc weights file";
  if (size < RT_HEADER_BYTES) return "truncated weights file (shorter than its header)";
  if (memcmp(p + 4, want + 4, 4) != 0) return "unsupported weights format version";
  if (memcmp(p + 24, want + 24, RT_NAME_BYTES) != 0) return "weights of another model";
  if (memcmp(p + 8, want + 8, 16) != 0) return "weights of another build of this model";
  if (size != RT_HEADER_BYTES + bytes) return "truncated or oversized weights file";
  if (rt_blob_checksum(p + RT_HEADER_BYTES, bytes) != checksum)
    return "corrupted weights file (checksum mismatch)";
  return NULL;
}

/* Maps the weights file at path read-only and checks it (a FIFO, device or
 * folder is refused without reading from it).  Returns the blob
 * (inside *map, of *map_size bytes: munmap them when done), or NULL with a
 * message in err. */
RT_API const void *rt_weights_map(const char *path, uint64_t bytes, uint64_t checksum,
                                  const char *name, void **map, size_t *map_size, char *err,
                                  size_t err_size) {
  int fd = open(path, O_RDONLY | O_NONBLOCK);   /* a FIFO must not block here */
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, err_size, "%s: %s", path,
             fd < 0 ? "cannot open weights file" : "weights file is not a regular file");
    if (fd >= 0) close(fd);
    return NULL;
  }
  size_t size = (size_t)st.st_size;
  void *p = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  close(fd);
  const char *why = p == MAP_FAILED ? "empty or unreadable weights file"
                                    : rt_weights_check(p, size, bytes, checksum, name);
  if (why) {
    snprintf(err, err_size, "%s: %s", path, why);
    if (p != MAP_FAILED) munmap(p, size);
    return NULL;
  }
  *map = p;
  *map_size = size;
  return (const unsigned char *)p + RT_HEADER_BYTES;
}
