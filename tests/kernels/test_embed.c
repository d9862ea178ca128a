/*
 * test_embed.c — the packed-table gather (rt_embedding_packed, runtime/
 * generic/embed.c) against the row-major lookup (rt_embedding).
 *
 * A tied lm head's table is stored once, in the panels the linear kernels
 * stream (runtime/pack.h), and the embedding picks rows out of them.  For
 * panel widths 16 and 32 (AVX2 and NEON, AVX-512), vocab sizes that leave a
 * narrow last panel (N % nr != 0) or fit in one, and row lengths 1, 7 and 65,
 * the table is packed with rt_pack_panels (the layout's one definition) and
 * every id, plus ids outside the table (rows of zeros), is gathered and
 * compared bit for bit with the row-major lookup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generic/embed.c"
#include "pack.h"

/* Mismatching floats for one (nr, N, K): ids -1, 0..N-1, N, in reverse order. */
static int check(int nr, int N, int K) {
  int n = N + 2;
  float *table = malloc(sizeof(float) * (size_t)N * K), *packed = malloc(sizeof(float) * (size_t)N * K);
  float *want = malloc(sizeof(float) * (size_t)n * K), *got = malloc(sizeof(float) * (size_t)n * K);
  int32_t *ids = malloc(sizeof(int32_t) * (size_t)n);
  int bad = 0;
  for (int i = 0; i < N * K; i++) table[i] = (float)(i % 997) * 0.5f - 100.0f;
  for (int t = 0; t < n; t++) ids[t] = N - t;   /* N, N-1, ..., 0, -1 */
  rt_pack_panels(table, 0, N, K, nr, packed);
  memset(got, 0xff, sizeof(float) * (size_t)n * K);   /* NaNs where nothing is written */
  rt_embedding(want, table, ids, n, N, K);
  rt_embedding_packed(got, packed, ids, n, N, K, nr);
  bad = memcmp(want, got, sizeof(float) * (size_t)n * K) != 0;
  if (bad) printf("FAIL: nr %d, N %d, K %d: packed gather differs from the row-major lookup\n", nr, N, K);
  free(table), free(packed), free(want), free(got), free(ids);
  return bad;
}

int main(void) {
  static const int nrs[] = {16, 32}, Ns[] = {1, 5, 16, 17, 33, 77}, Ks[] = {1, 7, 65};
  int bad = 0, cases = 0;
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 6; b++)
      for (int c = 0; c < 3; c++, cases++) bad += check(nrs[a], Ns[b], Ks[c]);
  printf("embed_packed: %s (%d cases)\n", bad ? "FAIL" : "ok", cases);
  return bad != 0;
}
