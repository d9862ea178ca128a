/*
 * norm.c — portable normalisations over the last axis: LayerNorm (biased
 * variance, as PyTorch), RMSNorm and softmax.  Sums run in double: the rows
 * are short and it keeps the result independent of the summation order.
 */
#include <math.h>
#include <stddef.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* (x - mean) / sqrt(var + eps) * g + b, per row of x (rows,d); g, b (d,). */
RT_API void rt_layernorm(float *out, const float *x, const float *g, const float *b, long rows,
                         int d, float eps) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    double sum = 0.0, sq = 0.0;
    for (int i = 0; i < d; i++) sum += xr[i];
    double mean = sum / d;
    for (int i = 0; i < d; i++) sq += (xr[i] - mean) * (xr[i] - mean);
    float inv = (float)(1.0 / sqrt(sq / d + eps));
    for (int i = 0; i < d; i++) out[r * d + i] = (float)(xr[i] - mean) * inv * g[i] + b[i];
  }
}

/* x / sqrt(mean(x^2) + eps) * g, per row of x (rows,d); g (d,). */
RT_API void rt_rmsnorm(float *out, const float *x, const float *g, long rows, int d, float eps) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    double sq = 0.0;
    for (int i = 0; i < d; i++) sq += (double)xr[i] * xr[i];
    float inv = (float)(1.0 / sqrt(sq / d + eps));
    for (int i = 0; i < d; i++) out[r * d + i] = xr[i] * inv * g[i];
  }
}

/* CRMSNorm (passes/crmsnorm.c): each row of x (rows,d) holds the first d of
 * d+1 coordinates of a zero-mean vector (the last is minus their sum):
 * out = x / sqrt((sum x^2 + (sum x)^2) / (d+1) + eps). */
RT_API void rt_crmsnorm(float *out, const float *x, long rows, int d, float eps) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    double sum = 0.0, sq = 0.0;
    for (int i = 0; i < d; i++) sum += xr[i], sq += (double)xr[i] * xr[i];
    float inv = (float)(1.0 / sqrt((sq + sum * sum) / (d + 1) + eps));
    for (int i = 0; i < d; i++) out[r * d + i] = xr[i] * inv;
  }
}

/* softmax of each row of x (rows,d), shifted by the row maximum. */
RT_API void rt_softmax(float *out, const float *x, long rows, int d) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    float *o = out + r * d, max = xr[0];
    for (int i = 1; i < d; i++) max = xr[i] > max ? xr[i] : max;
    double sum = 0.0;
    for (int i = 0; i < d; i++) sum += o[i] = expf(xr[i] - max);
    float inv = (float)(1.0 / sum);
    for (int i = 0; i < d; i++) o[i] *= inv;
  }
}
