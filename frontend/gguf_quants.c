/*
 * gguf_quants.c — GGUF tensor types (gguf_types.def) and their
 * dequantization to f32.
 *
 * Exact: each function computes, in float, the same products and sums in the
 * same order as gguf-py's gguf.quants.dequantize (numpy float32), so the
 * results are bit-for-bit equal (tests/gguf/check_dequant.py checks every type
 * on random blocks).  This file is built with -ffp-contract=off so that no
 * compiler fuses a product and a sum into one rounding.
 *
 * Block layouts (ggml's; d, m, dmin are IEEE halves, all little-endian):
 *   Q4_0  d | qs[16]            x[j] = d * (nib(j) - 8)          nib: j<16 low, else high of qs[j%16]
 *   Q4_1  d m | qs[16]          x[j] = d * nib(j) + m
 *   Q5_0  d | qh u32 | qs[16]   x[j] = d * ((nib(j) | bit j of qh << 4) - 16)
 *   Q5_1  d m | qh u32 | qs[16] x[j] = d * (nib(j) | bit j of qh << 4) + m
 *   Q8_0  d | qs[32] int8       x[j] = qs[j] * d
 *   Q4_K  d dmin | scales[12] | qs[128]: 8 sub-blocks of 32 with 6-bit scale and
 *         min (scale_min); sub-block 2c / 2c+1 = low / high nibbles of qs[32c..]
 *         x = (d * sc) * q - (dmin * mn)
 *   Q5_K  as Q4_K with qh[32] before qs: bit s of qh[l] is bit 4 of sub-block s
 *   Q6_K  ql[128] | qh[64] | scales[16] int8 | d: x = (d * sc[e/16]) * (q - 32)
 */
#include "frontend.h"

#include <string.h>

static uint16_t u16_at(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static float half_at(const unsigned char *p) { return fe_f16_to_f32(u16_at(p)); }

static void dq_f32(const unsigned char *b, float *out) { memcpy(out, b, 4); }
static void dq_f16(const unsigned char *b, float *out) { *out = half_at(b); }
static void dq_bf16(const unsigned char *b, float *out) { *out = fe_bf16_to_f32(u16_at(b)); }

/* The 4-bit value j of a 32-element block: low nibbles first, then high. */
static int nibble(const unsigned char *qs, int j) {
  return j < 16 ? qs[j] & 15 : qs[j - 16] >> 4;
}

static void dq_q4_0(const unsigned char *b, float *out) {
  float d = half_at(b);
  for (int j = 0; j < 32; j++) out[j] = d * (float)(nibble(b + 2, j) - 8);
}

static void dq_q4_1(const unsigned char *b, float *out) {
  float d = half_at(b), m = half_at(b + 2);
  for (int j = 0; j < 32; j++) out[j] = d * (float)nibble(b + 4, j) + m;
}

/* The 5-bit value j: its nibble and bit j of the 32-bit qh. */
static int five_bits(const unsigned char *qh, const unsigned char *qs, int j) {
  uint32_t h = (uint32_t)qh[0] | (uint32_t)qh[1] << 8 | (uint32_t)qh[2] << 16 |
               (uint32_t)qh[3] << 24;
  return nibble(qs, j) | (int)(h >> j & 1) << 4;
}

static void dq_q5_0(const unsigned char *b, float *out) {
  float d = half_at(b);
  for (int j = 0; j < 32; j++) out[j] = d * (float)(five_bits(b + 2, b + 6, j) - 16);
}

static void dq_q5_1(const unsigned char *b, float *out) {
  float d = half_at(b), m = half_at(b + 2);
  for (int j = 0; j < 32; j++) out[j] = d * (float)five_bits(b + 4, b + 8, j) + m;
}

static void dq_q8_0(const unsigned char *b, float *out) {
  float d = half_at(b);
  for (int j = 0; j < 32; j++) out[j] = (float)(signed char)b[2 + j] * d;
}

/* Q4_K/Q5_K: the 6-bit scale and min of sub-block s from the 12 packed bytes. */
static void scale_min(const unsigned char *sc, int s, int *scale, int *min) {
  if (s < 4) {
    *scale = sc[s] & 63;
    *min = sc[s + 4] & 63;
  } else {
    *scale = (sc[s + 4] & 15) | (sc[s - 4] >> 6) << 4;
    *min = (sc[s + 4] >> 4) | (sc[s] >> 6) << 4;
  }
}

/* Q4_K and Q5_K share everything but the fifth bit (qh NULL for Q4_K). */
static void dq_k_4_5(const unsigned char *b, const unsigned char *qh, const unsigned char *qs,
                     float *out) {
  float d = half_at(b), dmin = half_at(b + 2);
  for (int s = 0; s < 8; s++) {
    int scale, min;
    scale_min(b + 4, s, &scale, &min);
    float dl = d * (float)scale, ml = dmin * (float)min;
    const unsigned char *q = qs + 32 * (s / 2);
    for (int l = 0; l < 32; l++) {
      int v = (s % 2 ? q[l] >> 4 : q[l] & 15) | (qh ? (qh[l] >> s & 1) << 4 : 0);
      out[32 * s + l] = dl * (float)v - ml;
    }
  }
}

static void dq_q4_k(const unsigned char *b, float *out) { dq_k_4_5(b, NULL, b + 16, out); }
static void dq_q5_k(const unsigned char *b, float *out) { dq_k_4_5(b, b + 16, b + 48, out); }

static void dq_q6_k(const unsigned char *b, float *out) {
  const unsigned char *ql = b, *qh = b + 128;
  const signed char *sc = (const signed char *)(b + 192);
  float d = half_at(b + 208);
  for (int e = 0; e < 256; e++) {
    int h = e / 128, r = e % 128;   /* half; within it: 4 runs of 32 */
    int low = (ql[64 * h + r % 64] >> (4 * (r / 64))) & 15;
    int high = (qh[32 * h + r % 32] >> (2 * (r / 32))) & 3;
    out[e] = (d * (float)sc[e / 16]) * (float)((low | high << 4) - 32);
  }
}

static const GgufTypeInfo types[] = {
#define X(name, id, block, bytes, fn) {#name, id, block, bytes, fn},
#include "gguf_types.def"
#undef X
};

const GgufTypeInfo *fe_gguf_type(int id) {
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (types[i].id == id) return &types[i];
  return NULL;
}

int fe_gguf_dequantize(int id, const unsigned char *src, int64_t n, float *out) {
  const GgufTypeInfo *t = fe_gguf_type(id);
  if (!t || !t->dequant) return -1;
  for (int64_t i = 0; i < n / t->block; i++)
    t->dequant(src + i * t->bytes, out + i * t->block);
  return 0;
}
