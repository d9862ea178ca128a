/*
 * embed.c — portable kernels that turn token ids into rows: table lookups
 * (row-major tables, and tables stored packed because a tied lm head reads
 * them too), the positions of this call's tokens, and constant id rows (token
 * types).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* out[t,:] = table[ids[t],:] for table (vocab,d), ids (n,).  NAME_forward has
 * checked the token ids; a row outside the table (a position past the
 * table's end) reads as zeros rather than outside memory. */
RT_API void rt_embedding(float *out, const float *table, const int32_t *ids, int n, int vocab,
                         int d) {
  for (int t = 0; t < n; t++) {
    float *o = out + (size_t)t * d;
    if (ids[t] >= 0 && ids[t] < vocab)
      memcpy(o, table + (size_t)ids[t] * d, sizeof(float) * (size_t)d);
    else
      memset(o, 0, sizeof(float) * (size_t)d);
  }
}

/* rt_embedding for a table stored in panels of nr rows (runtime/pack.h, as
 * the lm head's linear reads it; passes/prepack.c): row v lies in the panel
 * starting at row v0 = v - v % nr, of width w = min(nr, vocab - v0), column
 * v - v0; element k at v0*d + k*w + (v - v0).  A strided gather of d floats
 * per token, next to the vocab*d floats the head reads. */
RT_API void rt_embedding_packed(float *out, const float *table, const int32_t *ids, int n,
                                int vocab, int d, int nr) {
  for (int t = 0; t < n; t++) {
    float *o = out + (size_t)t * d;
    if (ids[t] < 0 || ids[t] >= vocab) {
      memset(o, 0, sizeof(float) * (size_t)d);
      continue;
    }
    int v0 = ids[t] - ids[t] % nr, w = vocab - v0 < nr ? vocab - v0 : nr;
    const float *src = table + (size_t)v0 * d + (ids[t] - v0);
    for (int k = 0; k < d; k++) o[k] = src[(size_t)k * w];
  }
}

/* out[t] = pos0 + t: the absolute positions of this call's tokens. */
RT_API void rt_positions(int32_t *out, int n, int pos0) {
  for (int t = 0; t < n; t++) out[t] = pos0 + t;
}

RT_API void rt_fill_i32(int32_t *out, long n, int32_t value) {
  for (long i = 0; i < n; i++) out[i] = value;
}
