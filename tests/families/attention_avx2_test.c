/*
 * attention_avx2_test.c — runtime/x86/attention_avx2.c against the portable
 * rt_attention on decode and prefill shapes: head sizes 8, 16, 64 (the AVX2
 * path) and 12 (the portable fallback), grouped and plain heads, causal and
 * bidirectional, windows, key counts that are and are not multiples of 8,
 * prefills that start and end inside a block of 8 (the kernel stores complete
 * blocks of K transposed), a kv width too large for that (K stays in rows).
 * Every output must agree within 1e-5 relative to the largest value.
 * Exits 77 (skipped) on a CPU without AVX2 and FMA.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../runtime/generic/attention.c"
#include "../../runtime/x86/vecmath_avx2.c"
#include "../../runtime/x86/attention_avx2.c"

static float frand(unsigned *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)(*s >> 8) / 16777216.0f * 4.0f - 2.0f;
}

/* Runs both kernels over `total` tokens fed in calls of `step`; 0 when they agree. */
static int check(int heads, int kv_heads, int hd, int total, int step, int causal, int window) {
  int qw = heads * hd, kw = kv_heads * hd;
  unsigned seed = 7u * (unsigned)(heads + hd + total + step + window);
  float *q = malloc(sizeof(float) * total * qw), *k = malloc(sizeof(float) * total * kw);
  float *v = malloc(sizeof(float) * total * kw), *o1 = calloc(total * qw, 4);
  float *o2 = calloc(total * qw, 4);
  float *kc1 = calloc(total * kw, 4), *vc1 = calloc(total * kw, 4), *kc2 = calloc(total * kw, 4);
  float *vc2 = calloc(total * kw, 4), *att = calloc(total, 4);
  for (int i = 0; i < total * qw; i++) q[i] = frand(&seed);
  for (int i = 0; i < total * kw; i++) k[i] = frand(&seed), v[i] = frand(&seed);
  float scale = 1.0f / sqrtf((float)hd);
  for (int p = 0; p < total; p += step) {
    int n = total - p < step ? total - p : step;
    rt_attention(o1 + p * qw, q + p * qw, k + p * kw, v + p * kw, kc1, vc1, att, n, p, heads,
                 kv_heads, hd, scale, causal, window);
    rt_attention_avx2(o2 + p * qw, q + p * qw, k + p * kw, v + p * kw, kc2, vc2, att, n, p,
                      heads, kv_heads, hd, scale, causal, window);
  }
  float err = 0, big = 0;
  for (int i = 0; i < total * qw; i++) {
    err = fmaxf(err, fabsf(o1[i] - o2[i]));
    big = fmaxf(big, fabsf(o1[i]));
  }
  int ok = err <= 1e-5f * big;
  printf("%s: heads %d/%d hd %d, %d tokens in steps of %d, causal %d window %d: error %.2g\n",
         ok ? "ok" : "FAIL", heads, kv_heads, hd, total, step, causal, window, err);
  free(q), free(k), free(v), free(o1), free(o2);
  free(kc1), free(vc1), free(kc2), free(vc2), free(att);
  return !ok;
}

int main(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    printf("SKIPPED: this CPU has no AVX2+FMA\n");
    return 77;
  }
  int fails = 0;
  fails += check(8, 4, 8, 37, 1, 1, 0);     /* stories260K decode */
  fails += check(8, 4, 8, 37, 37, 1, 0);    /* its prefill */
  fails += check(4, 4, 16, 20, 3, 1, 0);
  fails += check(4, 1, 64, 9, 1, 1, 0);
  fails += check(4, 2, 8, 19, 19, 0, 0);    /* bidirectional (encoder) */
  fails += check(4, 2, 16, 30, 1, 1, 5);    /* sliding window */
  fails += check(4, 2, 8, 45, 10, 1, 0);    /* prefills that start and end mid-block */
  fails += check(2, 2, 8, 40, 1, 1, 11);    /* a window that cuts blocks */
  fails += check(4, 4, 136, 21, 5, 1, 0);   /* kv width 544: K stays in rows */
  fails += check(3, 3, 12, 11, 2, 1, 0);    /* head size 12: portable fallback */
  fails += check(2, 2, 8, 1, 1, 1, 0);      /* a single key */
  return fails ? 1 : 0;
}
