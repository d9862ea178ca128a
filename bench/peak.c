/*
 * peak.c — the fp32 FMA peak of one core, measured: the ceiling against which
 * the GEMM table's GFLOP/s are read (issue 6 asks for >= 75 % of it on 512^3).
 *
 *   bench/peak        prints "fma_gflops X" (median of 7 runs of ~0.2 s each)
 *
 * Twelve independent chains of vfmadd on 8-lane ymm registers (AVX2 + FMA),
 * enough to cover the FMA latency on every x86 core we know (4 cycles x 2
 * ports = 8 in flight).  Uses the 8-lane width the AVX2 kernels use; on an
 * AVX-512 machine the 16-lane peak is twice this, and run.sh says which ISA
 * the machine has.  Built with -O2; the chains are named variables, not an
 * array (which -O2 keeps in memory), and start from different values.
 */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <stdio.h>

#include "timing.h"

#define RUNS 7
#define ITERS 4000000L   /* x 12 FMAs x 16 flops = 0.77 GFLOP per run */

/* Seconds for ITERS rounds of 12 dependent-chain FMAs; *sink keeps the result live. */
__attribute__((target("avx2,fma"))) static double fma_run(float *sink) {
  __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  /* Twelve different starting values, read through a volatile: with equal
   * ones the compiler merges the chains into one. */
  static volatile float start[12] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f,
                                     0.7f, 0.8f, 0.9f, 1.0f, 1.1f, 1.2f};
  __m256 a0 = _mm256_set1_ps(start[0]), a1 = _mm256_set1_ps(start[1]);
  __m256 a2 = _mm256_set1_ps(start[2]), a3 = _mm256_set1_ps(start[3]);
  __m256 a4 = _mm256_set1_ps(start[4]), a5 = _mm256_set1_ps(start[5]);
  __m256 a6 = _mm256_set1_ps(start[6]), a7 = _mm256_set1_ps(start[7]);
  __m256 a8 = _mm256_set1_ps(start[8]), a9 = _mm256_set1_ps(start[9]);
  __m256 a10 = _mm256_set1_ps(start[10]), a11 = _mm256_set1_ps(start[11]);
  double t0 = now();
  for (long i = 0; i < ITERS; i++) {
    a0 = _mm256_fmadd_ps(a0, m, c), a1 = _mm256_fmadd_ps(a1, m, c);
    a2 = _mm256_fmadd_ps(a2, m, c), a3 = _mm256_fmadd_ps(a3, m, c);
    a4 = _mm256_fmadd_ps(a4, m, c), a5 = _mm256_fmadd_ps(a5, m, c);
    a6 = _mm256_fmadd_ps(a6, m, c), a7 = _mm256_fmadd_ps(a7, m, c);
    a8 = _mm256_fmadd_ps(a8, m, c), a9 = _mm256_fmadd_ps(a9, m, c);
    a10 = _mm256_fmadd_ps(a10, m, c), a11 = _mm256_fmadd_ps(a11, m, c);
  }
  double t = now() - t0;
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                           _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  _mm256_storeu_ps(sink, s);
  return t;
}

int main(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
    return fprintf(stderr, "peak: this CPU has no AVX2 + FMA\n"), 1;
  double t[RUNS];
  float sink[8];
  fma_run(sink);   /* warm-up: lets the clock ramp */
  for (int r = 0; r < RUNS; r++) t[r] = fma_run(sink);
  printf("fma_gflops %.1f\n", ITERS * 12.0 * 16.0 / median(t, RUNS) * 1e-9);
  return sink[0] == 12345.0f;   /* never: keeps the sums */
}
