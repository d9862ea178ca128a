/*
 * sampler.c — choosing the next token from a row of logits (--generate).
 *
 * The same sampler as llama2.c's run.c, so a seed means the same thing there
 * and here:
 *   - temperature 0: greedy, the first index of the largest logit;
 *   - otherwise softmax(logits / temperature), then with top_p in (0, 1) the
 *     smallest set of most likely tokens whose mass exceeds top_p (nucleus
 *     sampling), else the whole distribution;
 *   - one xorshift64* draw per token, coin in [0, 1) with 24 bits.
 * A given seed (nonzero) gives the same tokens on every run and machine with
 * IEEE float arithmetic.  The sampler is total: a row that holds NaN or an
 * infinity, or overflows when divided by a tiny temperature, makes rt_sample
 * return -1 (the caller reports it), and whatever top_p and the probabilities
 * are, the nucleus holds at least the most likely token.  Like every runtime
 * file this is copied into model.c, so everything is static.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

typedef struct {
  float prob;
  int index;
} RtProbIndex;

typedef struct {
  int vocab_size;
  float temperature;    /* 0: greedy */
  float top_p;          /* (0, 1): nucleus sampling; otherwise the full distribution */
  uint64_t rng;         /* xorshift state; never 0 */
  RtProbIndex *scratch; /* vocab_size entries for top-p */
} RtSampler;

RT_API int rt_sampler_init(RtSampler *s, int vocab_size, float temperature, float top_p,
                           uint64_t seed) {
  *s = (RtSampler){vocab_size, temperature, top_p, seed ? seed : 1, NULL};
  s->scratch = malloc(sizeof(RtProbIndex) * (size_t)vocab_size);
  return s->scratch ? 0 : -1;
}

RT_API void rt_sampler_free(RtSampler *s) {
  free(s->scratch);
  s->scratch = NULL;
}

RT_API uint32_t rt_random_u32(uint64_t *state) {
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return (uint32_t)((*state * 0x2545F4914F6CDD1Dull) >> 32);
}

RT_API float rt_random_f32(uint64_t *state) {
  return (float)(rt_random_u32(state) >> 8) / 16777216.0f;
}

RT_API int rt_argmax(const float *x, int n) {
  int best = 0;
  for (int i = 1; i < n; i++)
    if (x[i] > x[best]) best = i;
  return best;
}

RT_API void rt_softmax_inplace(float *x, int n) {
  float max = x[rt_argmax(x, n)], sum = 0;
  for (int i = 0; i < n; i++) sum += x[i] = expf(x[i] - max);
  for (int i = 0; i < n; i++) x[i] /= sum;
}

/* Index drawn from probabilities p with coin in [0, 1). */
RT_API int rt_sample_mult(const float *p, int n, float coin) {
  float cdf = 0;
  for (int i = 0; i < n; i++)
    if (coin < (cdf += p[i])) return i;
  return n - 1; /* rounding */
}

RT_API int rt_prob_desc(const void *a, const void *b) {
  float x = ((const RtProbIndex *)a)->prob, y = ((const RtProbIndex *)b)->prob;
  return (x < y) - (x > y);
}

/* Nucleus sampling: draws among the most likely tokens whose mass exceeds top_p.
 * Tokens below (1 - top_p) / (n - 1) cannot be in the nucleus and are dropped
 * before sorting (as run.c does). */
RT_API int rt_sample_topp(const float *p, int n, float top_p, RtProbIndex *pi, float coin) {
  int k = 0;
  const float cutoff = (1.0f - top_p) / (float)(n - 1);
  for (int i = 0; i < n; i++)
    if (p[i] >= cutoff) pi[k++] = (RtProbIndex){p[i], i};
  if (k == 0) return rt_argmax(p, n);   /* top_p < 1/n, or n == 1: the cutoff passes nothing */
  qsort(pi, (size_t)k, sizeof *pi, rt_prob_desc);
  float mass = 0;
  int last = k - 1;
  for (int i = 0; i < k; i++)
    if ((mass += pi[i].prob) > top_p) {
      last = i;
      break;
    }
  float r = coin * mass, cdf = 0;
  for (int i = 0; i <= last; i++)
    if (r < (cdf += pi[i].prob)) return pi[i].index;
  return pi[last].index;
}

/* 1 when every x[i] is finite (no NaN, no infinity). */
RT_API int rt_all_finite(const float *x, int n) {
  for (int i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}

/* The next token from logits (vocab_size floats, overwritten), or -1 when
 * the row holds NaN or an infinity, or overflows at this temperature. */
RT_API int rt_sample(RtSampler *s, float *logits) {
  if (!rt_all_finite(logits, s->vocab_size)) return -1;
  if (s->temperature == 0.0f) return rt_argmax(logits, s->vocab_size);
  for (int i = 0; i < s->vocab_size; i++) logits[i] /= s->temperature;
  if (!rt_all_finite(logits, s->vocab_size)) return -1;
  rt_softmax_inplace(logits, s->vocab_size);
  float coin = rt_random_f32(&s->rng);
  if (s->top_p <= 0 || s->top_p >= 1) return rt_sample_mult(logits, s->vocab_size, coin);
  return rt_sample_topp(logits, s->vocab_size, s->top_p, s->scratch, coin);
}
