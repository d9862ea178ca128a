/*
 * linalg.c — portable dense algebra: linear layers and matrix products.
 * The reference for every vectorised variant (runtime/x86, runtime/neon).
 * Rows are independent, so the outer loop is where threads would split.
 */
#include <stddef.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* W (n,k) @ x (rows,k) [+ b (n,)] -> out (rows,n).  PyTorch Linear layout,
 * also what tfc pre-packs Conv1D (k,n) weights into. */
RT_API void rt_linear(float *out, const float *x, const float *w, const float *b, int rows, int k,
                      int n) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (size_t)r * k;
    float *o = out + (size_t)r * n;
    for (int j = 0; j < n; j++) {
      const float *wj = w + (size_t)j * k;
      float acc = 0.0f;
      for (int i = 0; i < k; i++) acc += wj[i] * xr[i];
      o[j] = b ? acc + b[j] : acc;
    }
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
