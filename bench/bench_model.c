/*
 * bench_model.c — times a tfc-generated model: prefill and one decode step.
 *
 *   cc -O2 -DMODEL=gpt2s -DOUT_DIM=50257 -I DIR bench/bench_model.c DIR/gpt2s.c -lm -lpthread
 *   (-DMODEL_HEADER='"file.h"' where the header is not named after the API's prefix)
 *   ./bench_model WEIGHTS TOKENS_FILE THREADS RUNS [LOGITS_OUT]
 *
 * prefill: reset, then forward(128 prompt tokens) -> 128 x vocab logits.
 * decode:  reset, forward(first 127 tokens) untimed, then forward(1 token)
 *          timed: one step after 127 cached, as the peers run it.
 * Each is run once to warm up, then RUNS times; the median is printed in
 * milliseconds as "prefill_ms X" and "decode_ms X".  LOGITS_OUT, if given,
 * receives the prefill logits (float32) so run.sh can check them against
 * PyTorch's.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "timing.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define API(name) CAT(MODEL, name)
#define STR_(x) #x
#define STR(x) STR_(x)
#ifdef MODEL_HEADER
#include MODEL_HEADER
#else
#include STR(MODEL.h)
#endif

/* Milliseconds on the monotonic clock. */
static double now_ms(void) { return now() * 1e3; }

int main(int argc, char **argv) {
  if (argc < 5) return fprintf(stderr, "usage: %s WEIGHTS TOKENS THREADS RUNS [LOGITS]\n", argv[0]), 2;
  int32_t tokens[4096];
  int n = 0, threads = atoi(argv[3]), runs = atoi(argv[4]);
  FILE *f = fopen(argv[2], "r");
  while (f && n < 4096 && fscanf(f, "%d", &tokens[n]) == 1) n++;
  if (f) fclose(f);
  MODEL *m = API(_open)(argv[1]);
  if (!m || n < 2 || runs < 1) return fprintf(stderr, "bench_model: %s\n", API(_last_error)()), 1;
  API(_set_threads)(m, threads);
  float *out = malloc(sizeof(float) * (size_t)n * OUT_DIM);
  double *t = malloc(sizeof(double) * (size_t)(runs + 1));
  for (int r = 0; r <= runs; r++) {   /* run 0 warms up */
    API(_reset)(m);
    double t0 = now_ms();
    if (API(_forward)(m, tokens, n, out)) return fprintf(stderr, "%s\n", API(_last_error)()), 1;
    t[r] = now_ms() - t0;
  }
  printf("prefill_ms %.3f\n", median(t + 1, runs));
  if (argc > 5 && (f = fopen(argv[5], "wb"))) {
    API(_reset)(m);
    API(_forward)(m, tokens, n, out);
    fwrite(out, sizeof(float), (size_t)n * OUT_DIM, f);
    fclose(f);
  }
  for (int r = 0; r <= runs; r++) {
    API(_reset)(m);
    API(_forward)(m, tokens, n - 1, out);
    double t0 = now_ms();
    API(_forward)(m, tokens + n - 1, 1, out);
    t[r] = now_ms() - t0;
  }
  printf("decode_ms %.3f\n", median(t + 1, runs));
  API(_close)(m);
  free(out), free(t);
  return 0;
}
