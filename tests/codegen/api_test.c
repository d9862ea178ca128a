/*
 * api_test.c — the generated API's contract, on the GPT-2 shaped test model
 * "cgapi" (vocab 13, context 16, embedded weights): return codes, nothing
 * written on error, KV-cache bookkeeping across calls, reset, and open
 * failures.  Linked with the model.c that cg_test emits.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

#define V 13
static int failures;
#define CHECK(c) ((c) ? (void)0 : (void)(fprintf(stderr, "api_test:%d: %s\n", __LINE__, #c), failures++))

static float out[16 * V], again[16 * V];

static int untouched(const float *x, int n) {
  for (int i = 0; i < n; i++)
    if (x[i] != -7.0f) return 0;
  return 1;
}

static void fill(float *x, int n) {
  for (int i = 0; i < n; i++) x[i] = -7.0f;
}

int main(void) {
  int32_t toks[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 1, 2, 3};
  CHECK(cgapi_open("/nonexistent/weights.bin") == NULL);
  CHECK(strstr(cgapi_last_error(), "/nonexistent/weights.bin") != NULL);
  cgapi *m = cgapi_open(NULL);
  CHECK(m != NULL);
  if (!m) return 1;
  fill(out, 16 * V);
  CHECK(cgapi_forward(m, toks, 0, out) == CGAPI_ERR_ARGS);
  CHECK(cgapi_forward(m, NULL, 1, out) == CGAPI_ERR_ARGS);
  int32_t bad[2] = {1, V};
  CHECK(cgapi_forward(m, bad, 2, out) == CGAPI_ERR_TOKEN);
  bad[1] = -1;
  CHECK(cgapi_forward(m, bad, 2, out) == CGAPI_ERR_TOKEN);
  CHECK(strstr(cgapi_last_error(), "outside") != NULL);
  CHECK(cgapi_forward(m, toks, 17, out) == CGAPI_ERR_FULL);
  CHECK(untouched(out, 16 * V));
  /* 10 tokens, then 7 more do not fit (16), and change nothing; 6 do. */
  CHECK(cgapi_forward(m, toks, 10, out) == CGAPI_OK);
  fill(out + 10 * V, 6 * V);
  CHECK(cgapi_forward(m, toks + 10, 7, out + 10 * V) == CGAPI_ERR_FULL);
  CHECK(untouched(out + 10 * V, 6 * V));
  CHECK(cgapi_forward(m, toks + 10, 6, out + 10 * V) == CGAPI_OK);
  CHECK(cgapi_forward(m, toks, 1, again) == CGAPI_ERR_FULL);
  /* After reset: all 16 in one call give the same numbers as 10 + 6. */
  cgapi_reset(m);
  CHECK(cgapi_forward(m, toks, 16, again) == CGAPI_OK);
  double err = 0;
  for (int i = 0; i < 16 * V; i++) err = fmax(err, fabs(out[i] - again[i]));
  CHECK(err <= 1e-5);
  cgapi_close(m);
  cgapi_close(NULL);
  printf("api_test: %s (chunked vs one call: max error %.3g)\n", failures ? "FAILED" : "ok", err);
  return failures != 0;
}
