/*
 * build_models.h — small random models built with the IR builder, for the
 * pass tests: a pre-LN GPT (learned positions, biases, tied head), a
 * Llama-like block stack (RMSNorm, RoPE, grouped-query attention, SwiGLU),
 * and the variants the passes must refuse (post-LN, sandwich norm, no final
 * norm, exposed hidden state) or fold (frozen per-channel norms).
 * Weights come from a fixed-seed generator, so every build is identical.
 */
#ifndef TFC_TEST_BUILD_MODELS_H
#define TFC_TEST_BUILD_MODELS_H

#include "ir.h"

typedef enum {
  M_GPT,          /* pre-LN GPT-2, tied head */
  M_GPT_UNTIED,   /* pre-LN GPT-2, own head, d = 64, 3 layers */
  M_POST_LN,      /* BERT-like post-LN encoder: output = last hidden state */
  M_SANDWICH,     /* pre-LN plus a norm on each branch output */
  M_NO_FINAL_LN,  /* pre-LN without the final norm: the head reads the raw stream */
  M_EXPOSED,      /* pre-LN GPT that also outputs the raw residual stream */
  M_LLAMA,        /* RMSNorm, RoPE, GQA, SwiGLU, untied head */
  M_UN,           /* frozen per-channel affine norms (mul/mul/add) feeding linears */
  M_UN_RESIDUAL,  /* the same norm also writes the residual: must be kept */
  M_MISC,         /* duplicates, constant subgraphs, identities and a dead branch */
  M_COUNT
} ModelKind;

Graph *test_build_model(Arena *a, ModelKind kind);
const char *test_model_name(ModelKind kind);

#endif
