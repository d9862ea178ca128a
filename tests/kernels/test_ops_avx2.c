/*
 * test_ops_avx2.c — the AVX2 activations and flash attention against the
 * portable ones (runtime/generic/), on awkward shapes.
 *
 *   gelu_tanh, silu: n = 1, 7, 8, 9, 63, 65, 100003 (threaded) over
 *     x in [-12, 12] plus +-30, +-90 (the exp clamps); |d| <= 2e-6 (1 + |x|).
 *   attention: head sizes 1, 7, 8, 64, 65, 80, 128 and 300 (the portable
 *     fallback), heads/kv_heads 1/1, 4/2, 6/3, 8/2 and 16/1 (a GQA group
 *     wider than the kernel's 8 query lanes; up to 1200 query floats a row,
 *     to keep the sanitizer build quick), n = 1 (the one-row decode path,
 *     or lanes of one GQA group), 2, 7, 65 new rows (blocks of 8 queries and a
 *     partial last block) after 0, 5 or 130 cached (several online-softmax
 *     blocks), causal or not, window 0, 3 or 20 (spans that start inside a
 *     tile of 8 keys); both kernels append to their own caches, which must
 *     match exactly; every output is written (the buffer starts as NaN);
 *     |d| <= 1e-5 (1 + |ref|).
 * Exits 77 (skipped) with a message on a CPU without AVX2 and FMA.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "threads.c"
#include "generic/elementwise.c"
#include "generic/attention.c"
#include "x86/vecmath_avx2.c"
#include "x86/elementwise_avx2.c"
#include "x86/flash_attention_avx2.c"

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static float frand(void) {  /* xorshift64: uniform in [-1, 1) */
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (float)((rng >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
}

static int check_unary(const char *name, void (*simd)(float *, const float *, long),
                       void (*ref)(float *, const float *, long), long n) {
  float *x = calloc(n, sizeof(float)), *a = calloc(n, sizeof(float)), *b = calloc(n, sizeof(float));
  static const float special[] = {30, -30, 90, -90, 0, -0.0f};
  for (long i = 0; i < n; i++) x[i] = i < 6 && n > 6 ? special[i] : 12.0f * frand();
  simd(a, x, n), ref(b, x, n);
  int bad = 0;
  for (long i = 0; i < n; i++)
    if (!(fabsf(a[i] - b[i]) <= 2e-6f * (1.0f + fabsf(x[i]))) && bad++ < 3)
      printf("FAIL %s n=%ld: x=%g simd %.9g portable %.9g\n", name, n, x[i], a[i], b[i]);
  free(x), free(a), free(b);
  return bad != 0;
}

/* One attention shape: both kernels from identical caches; returns failures. */
static int check_attention(int hd, int heads, int kv_heads, int n, int pos0, int causal, int window) {
  int S = pos0 + n, qw = heads * hd, kw = kv_heads * hd;
  size_t cache = (size_t)S * kw;
  float *q = malloc(sizeof(float) * n * qw), *k = malloc(sizeof(float) * n * kw);
  float *v = malloc(sizeof(float) * n * kw), *kc[2], *vc[2], *out[2];
  float *att = malloc(sizeof(float) * S);
  for (int i = 0; i < n * qw; i++) q[i] = 2 * frand();
  for (int i = 0; i < n * kw; i++) k[i] = 2 * frand(), v[i] = frand();
  for (int c = 0; c < 2; c++) {
    kc[c] = malloc(sizeof(float) * cache), vc[c] = malloc(sizeof(float) * cache);
    out[c] = malloc(sizeof(float) * n * qw);
  }
  for (size_t i = 0; i < (size_t)pos0 * kw; i++) kc[0][i] = kc[1][i] = 2 * frand(), vc[0][i] = vc[1][i] = frand();
  float scale = 1.0f / sqrtf((float)hd);
  for (int i = 0; i < n * qw; i++) out[0][i] = NAN;
  rt_flash_attention_avx2(out[0], q, k, v, kc[0], vc[0], att, n, pos0, heads, kv_heads, hd, scale, causal, window);
  rt_attention(out[1], q, k, v, kc[1], vc[1], att, n, pos0, heads, kv_heads, hd, scale, causal, window);
  int bad = memcmp(kc[0], kc[1], sizeof(float) * cache) || memcmp(vc[0], vc[1], sizeof(float) * cache);
  for (int i = 0; i < n * qw; i++)
    bad += !(fabsf(out[0][i] - out[1][i]) <= 1e-5f * (1.0f + fabsf(out[1][i])));
  if (bad)
    printf("FAIL attention hd=%d heads=%d/%d n=%d pos0=%d causal=%d window=%d: %d mismatches\n", hd,
           heads, kv_heads, n, pos0, causal, window, bad);
  for (int c = 0; c < 2; c++) free(kc[c]), free(vc[c]), free(out[c]);
  free(q), free(k), free(v), free(att);
  return bad != 0;
}

int main(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    printf("SKIP: this CPU lacks AVX2/FMA; the kernels are compiled but not run\n");
    return 77;
  }
  static const long ns[] = {1, 7, 8, 9, 63, 65, 100003};
  static const int hds[] = {1, 7, 8, 64, 65, 80, 128, 300};
  static const int hk[][2] = {{1, 1}, {4, 2}, {6, 3}, {8, 2}, {16, 1}};
  static const int rows[] = {1, 2, 7, 65}, windows[] = {0, 3, 20};
  int cases = 0, failed = 0;
  rt_set_threads(2);
  for (size_t i = 0; i < sizeof ns / sizeof *ns; i++, cases += 2)
    failed += check_unary("gelu_tanh", rt_gelu_tanh_avx2, rt_gelu_tanh, ns[i]) +
              check_unary("silu", rt_silu_avx2, rt_silu, ns[i]);
  for (size_t a = 0; a < sizeof hds / sizeof *hds; a++)
    for (size_t b = 0; b < sizeof hk / sizeof *hk; b++)
      for (size_t r = 0; r < sizeof rows / sizeof *rows && hk[b][0] * hds[a] <= 1200; r++)
        for (int pos0 = 0; pos0 <= 130; pos0 = pos0 ? pos0 + 125 : 5)
          for (int mode = 0; mode < 4; mode++, cases++)   /* causal with windows 0, 3, 20; neither */
            failed += check_attention(hds[a], hk[b][0], hk[b][1], rows[r], pos0, mode < 3,
                                      mode < 3 ? windows[mode] : 0);
  printf("avx2 activations and attention: %d of %d cases within tolerance\n", cases - failed, cases);
  return failed != 0;
}
