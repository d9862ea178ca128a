/*
 * vocab_driver.c — the driver's text codec (driver.c's RtTextCodec) for a
 * tokenizer embedded in model.c (vocab.c): --prompt TEXT is encoded with the
 * tokenizer's own special tokens (BOS when it asks for one), generated ids
 * are decoded to bytes, and generation stops at EOS or any other control
 * token but the padding one (<|im_end|>, <|endoftext|>, BOS).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int rt_vocab_codec_encode(void *ctx, const char *text, int32_t *out, int cap) {
  return rt_vocab_encode(ctx, text, strlen(text), 1, out, cap);
}

static int rt_vocab_codec_decode(void *ctx, int prev, int id, char *buf) {
  return rt_vocab_decode(ctx, prev, id, buf);
}

static int rt_vocab_codec_is_end(void *ctx, int id) {
  const RtVocab *v = ctx;
  return id == v->eos || (id >= 0 && id < v->n_tokens && v->types[id] == RT_TYPE_CONTROL && id != v->pad);
}

static void rt_vocab_codec_close(void *ctx) {
  rt_vocab_close(ctx);
  free(ctx);
}

/* Opens the tokenizer in blob[0..size) as c.  0, or -1 with *err set. */
RT_API int rt_vocab_codec_open(RtTextCodec *c, const unsigned char *blob, size_t size, const char **err) {
  RtVocab *v = malloc(sizeof *v);
  if (!v) return *err = "out of memory", -1;
  if (rt_vocab_open(v, blob, size, err)) return free(v), -1;
  *c = (RtTextCodec){v, rt_vocab_codec_encode, rt_vocab_codec_decode, rt_vocab_codec_is_end,
                     rt_vocab_codec_close, (size_t)v->max_len * 2 + 2, v->bos, 0,
                     (v->flags & RT_VOCAB_CHATML) != 0};
  return 0;
}
