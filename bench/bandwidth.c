/*
 * bandwidth.c — how fast this machine streams memory: the floor under a
 * decode step, which must read every weight once.
 *
 *   bench/bandwidth [threads]     prints "read_gbs X" (median of 9 passes)
 *
 * Sums a 1 GiB buffer (far beyond the caches) with AVX2 loads, split over
 * `threads` threads, after one untimed pass that faults the pages in.
 */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "timing.h"

#define BYTES (1ull << 30)

typedef struct {
  const float *p;
  size_t n;
  float sum;
} Part;

__attribute__((target("avx2"))) static void *sum_part(void *arg) {
  Part *part = arg;
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i < part->n; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_load_ps(part->p + i));
    a1 = _mm256_add_ps(a1, _mm256_load_ps(part->p + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_load_ps(part->p + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_load_ps(part->p + i + 24));
  }
  float t[8];
  _mm256_storeu_ps(t, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  part->sum = t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
  return NULL;
}

static double pass(const float *p, int threads) {
  pthread_t th[64];
  Part parts[64];
  size_t n = BYTES / sizeof(float) / (size_t)threads;
  double t0 = now();
  for (int i = 0; i < threads; i++) {
    parts[i] = (Part){p + n * (size_t)i, n, 0};
    pthread_create(&th[i], NULL, sum_part, &parts[i]);
  }
  for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
  return BYTES / (now() - t0) * 1e-9;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 64) threads = 1;
  float *p = aligned_alloc(64, BYTES);
  if (!p) return 1;
  for (size_t i = 0; i < BYTES / sizeof(float); i++) p[i] = (float)(i & 7);
  double g[9];
  pass(p, threads);
  for (int i = 0; i < 9; i++) g[i] = pass(p, threads);
  printf("read_gbs %.2f\n", median(g, 9));
  free(p);
  return 0;
}
