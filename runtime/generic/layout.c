/*
 * layout.c — portable data movement: slices, concatenation and axis
 * permutations of row-major tensors of any element size.  A tensor is seen
 * as (outer, dim, inner) around the axis in question.
 */
#include <stddef.h>
#include <string.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* out (outer, len, inner) = x (outer, dim, inner)[:, start:start+len, :]. */
RT_API void rt_slice(void *out, const void *x, long outer, long dim, long start, long len,
                     long inner_bytes) {
  char *o = out;
  const char *in = x;
  for (long i = 0; i < outer; i++)
    memcpy(o + i * len * inner_bytes, in + (i * dim + start) * inner_bytes,
           (size_t)(len * inner_bytes));
}

/* out (outer, a+b) = a (outer, a_bytes) ++ b (outer, b_bytes), per outer row. */
RT_API void rt_concat(void *out, const void *a, const void *b, long outer, long a_bytes,
                      long b_bytes) {
  char *o = out;
  for (long i = 0; i < outer; i++) {
    memcpy(o + i * (a_bytes + b_bytes), (const char *)a + i * a_bytes, (size_t)a_bytes);
    memcpy(o + i * (a_bytes + b_bytes) + a_bytes, (const char *)b + i * b_bytes, (size_t)b_bytes);
  }
}

/* out = x with axes permuted: out axis i is x axis perm[i]; dims are x's
 * (rank 4, leading axes of size 1 for smaller ranks). */
RT_API void rt_transpose(void *out, const void *x, const long dims[4], const int perm[4],
                         long elem_bytes) {
  long stride[4], od[4], os[4];
  stride[3] = elem_bytes;
  for (int i = 2; i >= 0; i--) stride[i] = stride[i + 1] * dims[i + 1];
  for (int i = 0; i < 4; i++) od[i] = dims[perm[i]], os[i] = stride[perm[i]];
  char *o = out;
  for (long a = 0; a < od[0]; a++)
    for (long b = 0; b < od[1]; b++)
      for (long c = 0; c < od[2]; c++)
        for (long d = 0; d < od[3]; d++, o += elem_bytes)
          memcpy(o, (const char *)x + a * os[0] + b * os[1] + c * os[2] + d * os[3],
                 (size_t)elem_bytes);
}
