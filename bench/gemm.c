/*
 * gemm.c — tfc's linear kernels against OpenBLAS sgemm on a model's shapes.
 *
 *   bench/gemm [threads]
 *
 * Times out [T,N] = x [T,K] W^T for the GPT-2-small and Llama shapes of
 * bench/README.md (prefill T=128 and decode T=1) and the 512^3 cube, with
 * tfc's best kernel for this CPU on pre-packed weights (as the generated code
 * uses them) and with cblas_sgemm on the row-major [N,K] weight.  Prints the
 * median over 3 rounds of the median of 15 runs (after a warm-up), GFLOP/s and
 * the ratio.
 * Built by bench/run.sh with -O2 -march=native against libopenblas.
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"
#include "threads.c"
#include "linear_simd.c"
#include "pack.h"
#include "x86/vecmath_avx2.c"
#include "x86/elementwise_avx2.c"
#include "x86/linear_avx2.c"
#include "x86/linear_avx512.c"

#define RUNS 15
#define ROUNDS 3   /* tfc block, OpenBLAS block, three times over: a burst of load on the
                    * VM's host hits one block, not the result */

typedef struct {
  const char *name;
  int T, K, N;
} Shape;

static RtPool *pool;
static int use512;

static void run_tfc(RtLinear *L) {
  rt_pool_run(pool, use512 ? rt_avx512_linear_task : rt_avx2_linear_task, L);
}

static void run_blas(RtLinear *L) {
  if (L->T == 1)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, L->N, L->K, 1.0f, L->w, L->K, L->x, 1, 0.0f, L->out, 1);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, L->T, L->N, L->K, 1.0f, L->x, L->K, L->w,
                L->K, 0.0f, L->out, L->N);
}

/* Median seconds of RUNS calls of fn after warming up.  It first sleeps a
 * quarter second: after a call OpenBLAS's worker threads busy-wait for about
 * 2^28 cycles (its THREAD_TIMEOUT) before sleeping, and on a 2-core machine
 * that spinning takes the core the next measurement's second thread needs
 * (with 2 threads, tfc's small shapes measured right after OpenBLAS's ran at
 * one thread's speed: 0.3-0.6 of OpenBLAS in some runs, 1.2 in others).  The
 * warm-up then runs for at least 0.2 s (3 calls at least), so the core's
 * clock is back up after the sleep before anything is timed. */
static double median_time(void (*fn)(RtLinear *), RtLinear *L) {
  double t[RUNS];
  nanosleep(&(struct timespec){0, 250000000}, NULL);
  double warm = now();
  for (int i = 0; i < 3 || now() - warm < 0.2; i++) fn(L);
  for (int i = 0; i < RUNS; i++) {
    double t0 = now();
    fn(L);
    t[i] = now() - t0;
  }
  return median(t, RUNS);
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  static const Shape shapes[] = {
      {"gpt2 qkv prefill", 128, 768, 2304},    {"gpt2 proj prefill", 128, 768, 768},
      {"gpt2 fc prefill", 128, 768, 3072},     {"gpt2 fc2 prefill", 128, 3072, 768},
      {"gpt2 lm_head prefill", 128, 768, 50257},
      {"llama q prefill", 128, 512, 512},      {"llama kv prefill", 128, 512, 128},
      {"llama gate prefill", 128, 512, 1376},  {"llama down prefill", 128, 1376, 512},
      {"llama lm_head prefill", 128, 512, 32000},
      {"cube 512^3", 512, 512, 512},
      {"gpt2 qkv decode", 1, 768, 2304},       {"gpt2 fc2 decode", 1, 3072, 768},
      {"gpt2 lm_head decode", 1, 768, 50257},  {"llama gate decode", 1, 512, 1376},
      {"llama lm_head decode", 1, 512, 32000},
  };
  use512 = rt_avx512_supported();
  int nr = use512 ? RT_AVX512_NR : RT_AVX2_NR;
  pool = rt_pool_new(threads);
  openblas_set_num_threads(threads);
  printf("| shape | T | K | N | tfc %s ms | GFLOP/s | OpenBLAS ms | GFLOP/s | tfc/OpenBLAS speed |\n",
         use512 ? "avx512" : "avx2");
  printf("|---|---|---|---|---|---|---|---|---|\n");
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    const Shape *sh = &shapes[s];
    size_t nw = (size_t)sh->N * sh->K;
    float *x = malloc((size_t)sh->T * sh->K * 4), *w = malloc(nw * 4), *wp = malloc(nw * 4);
    float *y = malloc((size_t)sh->T * sh->N * 4);
    for (size_t i = 0; i < (size_t)sh->T * sh->K; i++) x[i] = (float)(i % 13) * 0.01f;
    for (size_t i = 0; i < nw; i++) w[i] = (float)(i % 7) * 0.01f;
    rt_pack_panels(w, 0, sh->N, sh->K, nr, wp);
    RtLinear packed = {y, x, wp, NULL, sh->T, sh->K, sh->N, RT_W_PACKED, RT_ACT_NONE, NULL};
    RtLinear plain = {y, x, w, NULL, sh->T, sh->K, sh->N, RT_W_NK, RT_ACT_NONE, NULL};
    double rt[ROUNDS], rb[ROUNDS];
    for (int r = 0; r < ROUNDS; r++)
      rt[r] = median_time(run_tfc, &packed), rb[r] = median_time(run_blas, &plain);
    double tt = median(rt, ROUNDS), tb = median(rb, ROUNDS);
    double flop = 2.0 * sh->T * sh->K * sh->N;
    printf("| %s | %d | %d | %d | %.3f | %.1f | %.3f | %.1f | %.2f |\n", sh->name, sh->T, sh->K,
           sh->N, tt * 1e3, flop / tt * 1e-9, tb * 1e3, flop / tb * 1e-9, tb / tt);
    fflush(stdout);
    free(x), free(w), free(wp), free(y);
  }
  rt_pool_free(pool);
  return 0;
}
