/*
 * arena.c — one region of memory per compilation (like QBE's pool).
 *
 * Every IR object, name and converted constant is allocated here and freed
 * together by arena_free; passes never free nodes.  Allocation can be made to
 * fail on purpose (arena_fail_at) so tests can check that every caller turns
 * an out-of-memory condition into a clean error.
 */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

typedef struct Chunk {
  struct Chunk *next;
  size_t used, size;
  _Alignas(16) unsigned char data[];
} Chunk;

typedef struct Cleanup {
  struct Cleanup *next;
  void (*fn)(void *ctx);
  void *ctx;
} Cleanup;

struct Arena {
  Chunk *head;
  Cleanup *cleanups;   /* run by arena_free, latest first */
  bool failed;         /* an allocation returned NULL (see arena_failed) */
};

static long fail_countdown;  /* test hook: > 0 counts down to a failure */

void arena_fail_at(long n) { fail_countdown = n; }

bool arena_fail_pending(void) { return fail_countdown > 0; }

static bool should_fail(void) {
  if (fail_countdown <= 0) return false;
  return --fail_countdown == 0;
}

bool arena_fail_now(void) { return should_fail(); }

Arena *arena_new(void) { return calloc(1, sizeof(Arena)); }

/* Returns size bytes of zeroed memory aligned to 16, from the current chunk or
 * a new one at least 1 MiB large. */
void *arena_alloc(Arena *a, size_t size) {
  if (should_fail() || size > ((size_t)1 << 40)) return a->failed = true, NULL;
  size = (size + 15) & ~(size_t)15;
  Chunk *c = a->head;
  if (!c || c->size - c->used < size) {
    size_t want = size > (1u << 20) ? size : (1u << 20);
    c = malloc(sizeof(Chunk) + want);
    if (!c) return a->failed = true, NULL;
    c->next = a->head;
    c->used = 0;
    c->size = want;
    a->head = c;
  }
  void *p = c->data + c->used;
  c->used += size;
  memset(p, 0, size);
  return p;
}

bool arena_failed(const Arena *a) { return a->failed; }

char *arena_strdup(Arena *a, const char *s) {
  size_t n = strlen(s) + 1;
  char *p = arena_alloc(a, n);
  if (p) memcpy(p, s, n);
  return p;
}

char *arena_printf(Arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = arena_alloc(a, (size_t)n + 1);
  if (!p) return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

int arena_on_free(Arena *a, void (*fn)(void *ctx), void *ctx) {
  Cleanup *c = should_fail() ? NULL : malloc(sizeof *c);
  if (!c) return a->failed = true, -1;
  *c = (Cleanup){a->cleanups, fn, ctx};
  a->cleanups = c;
  return 0;
}

void arena_free(Arena *a) {
  if (!a) return;
  for (Cleanup *c = a->cleanups, *next; c; c = next) {
    next = c->next;
    c->fn(c->ctx);
    free(c);
  }
  for (Chunk *c = a->head, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  free(a);
}

_Noreturn void ir_unreachable(const char *file, int line) {
  fprintf(stderr, "%s:%d: internal compiler error: unreachable code reached\n", file, line);
  abort();
}
