/*
 * vecmath_avx2.c — exp on eight floats at once, for the AVX2 softmax,
 * attention and activation kernels, and the 8x8 in-register transpose.
 *
 * exp(x) = 2^n e^r with n = round(x / ln 2) and |r| <= ln 2 / 2; e^r is
 * Cephes expf's degree-6 polynomial (relative error about 1 ulp over the
 * range), 2^n goes straight into the exponent bits.  Inputs are clamped to
 * [-87.3, 88.3], so the result is finite and never denormal: exp of a very
 * negative score is 1e-38 rather than 0, which no softmax can tell apart.
 * Reference: S. L. Moshier, Cephes Math Library, expf.c.
 */
#include <immintrin.h>

#define RT_AVX2_FN __attribute__((target("avx2,fma")))

RT_AVX2_FN static inline __m256 rt_avx2_exp(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);   /* ln 2, hi part */
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);       /* lo part */
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

/* Lane mask for the first n (any int) of 8 floats.  Not every file that
 * includes this one uses it, and clang warns about an unused static inline. */
RT_AVX2_FN __attribute__((unused)) static inline __m256i rt_avx2_lanes(long n) {
  int k = n < 0 ? 0 : n > 8 ? 8 : (int)n;
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* In-register transpose of the 8x8 block r[0..8]: lane j of r[i] becomes
 * lane i of r[j] (the linear kernel's [N,K] panels, the flash kernel's Q^T). */
RT_AVX2_FN __attribute__((unused)) static inline void rt_avx2_transpose8(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; i++) {
    r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
  }
}
