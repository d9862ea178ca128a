/*
 * elementwise.c — portable element-wise kernels: residual adds, products,
 * scaling, activations, and SwiGLU on a fused gate/up output (the swiglu op
 * of passes/fuse_swiglu.c).  Binary ops take b either as a tensor of the
 * same shape (b_stride = d) or as one row broadcast over all rows
 * (b_stride = 0), the IR's only broadcast.
 */
#include <math.h>
#include <stddef.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* a (rows,d) + b (rows,d) or (d,) -> out (rows,d). */
RT_API void rt_add(float *out, const float *a, const float *b, long rows, int d, int b_stride) {
  for (long r = 0; r < rows; r++)
    for (int i = 0; i < d; i++) out[r * d + i] = a[r * d + i] + b[r * b_stride + i];
}

RT_API void rt_sub(float *out, const float *a, const float *b, long rows, int d, int b_stride) {
  for (long r = 0; r < rows; r++)
    for (int i = 0; i < d; i++) out[r * d + i] = a[r * d + i] - b[r * b_stride + i];
}

RT_API void rt_mul(float *out, const float *a, const float *b, long rows, int d, int b_stride) {
  for (long r = 0; r < rows; r++)
    for (int i = 0; i < d; i++) out[r * d + i] = a[r * d + i] * b[r * b_stride + i];
}

/* x (n,) * s -> out (n,) */
RT_API void rt_scale(float *out, const float *x, long n, float s) {
  for (long i = 0; i < n; i++) out[i] = x[i] * s;
}

/* 0.5 x (1 + erf(x / sqrt 2)): exact GELU (BERT, activation_function=gelu). */
RT_API void rt_gelu(float *out, const float *x, long n) {
  for (long i = 0; i < n; i++) out[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

/* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): GPT-2's gelu_new. */
RT_API void rt_gelu_tanh(float *out, const float *x, long n) {
  for (long i = 0; i < n; i++) {
    float v = x[i];
    out[i] = 0.5f * v * (1.0f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v)));
  }
}

RT_API void rt_relu(float *out, const float *x, long n) {
  for (long i = 0; i < n; i++) out[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* x / (1 + exp(-x)): SiLU (swish), the gate of Llama's SwiGLU. */
RT_API void rt_silu(float *out, const float *x, long n) {
  for (long i = 0; i < n; i++) out[i] = x[i] / (1.0f + expf(-x[i]));
}

/* SwiGLU on a fused gate/up output (passes/fuse_swiglu.c): gu (rows, 2f),
 * gate first -> out (rows, f) = silu(gate) * up, rounded as rt_silu then rt_mul. */
RT_API void rt_swiglu(float *out, const float *gu, long rows, int f) {
  for (long r = 0; r < rows; r++) {
    const float *g = gu + r * 2 * f, *u = g + f;
    for (int j = 0; j < f; j++) {
      float s = g[j] / (1.0f + expf(-g[j]));
      out[r * f + j] = s * u[j];
    }
  }
}
