/*
 * sampler_test.c — issue 12, finding 2: runtime/generic/sampler.c is total.
 *
 * rt_sample must return -1 (never an index, never a read outside the row or
 * the scratch array) for a row holding NaN or an infinity, and for a row that
 * overflows when divided by a tiny temperature; whatever top_p is (NaN, below
 * 1/n, a one-token vocabulary), the nucleus holds the most likely token.
 * Before the fix a NaN row or `--top-p nan` read pi[-1] (ASan: heap overflow)
 * and the NaN row gave an arbitrary index.
 */
#include <math.h>
#include <stdio.h>

#include "generic/sampler.c"

static int failures;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond), failures++; \
  } while (0)

/* rt_sample on a copy of row[0..n) with this temperature and top_p. */
static int sample(const float *row, int n, float temperature, float top_p) {
  RtSampler s;
  float x[8];
  for (int i = 0; i < n; i++) x[i] = row[i];
  if (rt_sampler_init(&s, n, temperature, top_p, 7)) return -2;
  int id = rt_sample(&s, x);
  rt_sampler_free(&s);
  return id;
}

int main(void) {
  const float nan_row[4] = {NAN, NAN, NAN, NAN}, one_nan[4] = {0.5f, NAN, 1.0f, 0.25f};
  const float inf_row[4] = {0.5f, INFINITY, 1.0f, 0.25f}, flat[8] = {0};
  const float peaked[4] = {0.5f, 3.0f, 1.0f, 0.25f};
  for (int t = 0; t < 2; t++) {           /* greedy, then sampling */
    float temp = t ? 0.8f : 0.0f;
    CHECK(sample(nan_row, 4, temp, 0.9f) == -1);
    CHECK(sample(one_nan, 4, temp, 1.0f) == -1);
    CHECK(sample(inf_row, 4, temp, 0.5f) == -1);
  }
  CHECK(sample(peaked, 4, 1e-40f, 0.9f) == -1);   /* 3 / 1e-40 overflows */
  CHECK(sample(flat, 8, 1e-40f, 0.9f) >= 0);      /* zeros stay zeros: uniform */
  CHECK(sample(peaked, 4, 1.0f, NAN) == 1);       /* no cutoff passes: the arg-max */
  int id = sample(flat, 8, 1.0f, 1e-9f);          /* top_p < 1/n on a flat row */
  CHECK(id >= 0 && id < 8);
  CHECK(sample(peaked, 1, 1.0f, 0.5f) == 0);      /* n == 1: cutoff divides by zero */
  CHECK(sample(peaked, 4, 1.0f, 0.01f) == 1);     /* tiny nucleus: the most likely */
  printf("sampler: %s\n", failures ? "FAILED" : "total on NaN, inf, overflow and every top_p");
  return failures != 0;
}
