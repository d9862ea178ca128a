/*
 * linalg.c — portable dense algebra: linear layers and matrix products.
 * The reference for every vectorised variant (runtime/x86, runtime/neon).
 * Rows are independent, so the outer loop is where threads would split.
 */
#include <stddef.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* out[r,j] = x[r,:] . w[j,:] (+ b[j]) for R rows from r0 and 4 outputs from
 * j0 (R = 4 or 1): independent sums that share their loads.  Each sum runs
 * over k in order, so every output is the same float as a plain dot product. */
#define RT_LINEAR_TILE(R)                                                                    \
  RT_API void rt_linear_tile##R(float *out, const float *x, const float *w, const float *b, \
                                int k, int n, int r0, int j0) {                              \
    float acc[R][4] = {{0}};                                                                 \
    for (int i = 0; i < k; i++)                                                              \
      for (int a = 0; a < R; a++)                                                            \
        for (int c = 0; c < 4; c++)                                                          \
          acc[a][c] += w[(size_t)(j0 + c) * k + i] * x[(size_t)(r0 + a) * k + i];            \
    for (int a = 0; a < R; a++)                                                              \
      for (int c = 0; c < 4; c++)                                                            \
        out[(size_t)(r0 + a) * n + j0 + c] = b ? acc[a][c] + b[j0 + c] : acc[a][c];         \
  }
RT_LINEAR_TILE(4)
RT_LINEAR_TILE(1)

/* One output: out[r,j] = x[r,:] . w[j,:] (+ b[j]). */
RT_API void rt_linear_dot(float *out, const float *x, const float *w, const float *b, int k,
                          int n, int r, int j) {
  const float *xr = x + (size_t)r * k, *wj = w + (size_t)j * k;
  float acc = 0.0f;
  for (int i = 0; i < k; i++) acc += wj[i] * xr[i];
  out[(size_t)r * n + j] = b ? acc + b[j] : acc;
}

/* W (n,k) @ x (rows,k) [+ b (n,)] -> out (rows,n).  PyTorch Linear layout,
 * also what tfc pre-packs Conv1D (k,n) weights into.  Tiles of 4 rows x 4
 * outputs (1 x 4 for the last rows), single dot products at the edges. */
RT_API void rt_linear(float *out, const float *x, const float *w, const float *b, int rows, int k,
                      int n) {
  for (int r = 0; r < rows;) {
    int tall = rows - r >= 4, j = 0;
    for (; j + 4 <= n; j += 4) {
      if (tall)
        rt_linear_tile4(out, x, w, b, k, n, r, j);
      else
        rt_linear_tile1(out, x, w, b, k, n, r, j);
    }
    for (; j < n; j++)
      for (int a = 0; a < (tall ? 4 : 1); a++) rt_linear_dot(out, x, w, b, k, n, r + a, j);
    r += tall ? 4 : 1;
  }
}

/* x (rows,k) @ W (k,n) [+ b (n,)] -> out (rows,n), for weights left in
 * Conv1D layout (a weight shared with another use, or an activation). */
RT_API void rt_linear_kn(float *out, const float *x, const float *w, const float *b, int rows,
                         int k, int n) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (size_t)r * k;
    float *o = out + (size_t)r * n;
    for (int j = 0; j < n; j++) o[j] = b ? b[j] : 0.0f;
    for (int i = 0; i < k; i++) {
      const float *wi = w + (size_t)i * n;
      for (int j = 0; j < n; j++) o[j] += xr[i] * wi[j];
    }
  }
}

/* a (m,k) @ b (k,n) -> out (m,n). */
RT_API void rt_matmul(float *out, const float *a, const float *b, int m, int k, int n) {
  rt_linear_kn(out, a, b, NULL, m, k, n);
}
