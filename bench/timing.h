/*
 * timing.h — the clock and the median that the bench programs share
 * (peak.c, gemm.c, bench_model.c, bandwidth.c).
 *
 * Each program times a few runs and prints the median, which a stray
 * interruption cannot move the way it moves a mean.  Included by path
 * ("timing.h" beside the including file), so `cc bench/X.c` needs no -I.
 * The including file defines _POSIX_C_SOURCE (clock_gettime) before its
 * first #include.
 */
#ifndef TFC_BENCH_TIMING_H
#define TFC_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of t[0..n), n >= 1; sorts t. */
static inline double median(double *t, int n) {
  qsort(t, (size_t)n, sizeof *t, cmp_double);
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

#endif
