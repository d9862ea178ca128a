/*
 * emit_gguf.c — --emit=gguf: a Llama as a GGUF file (version 3) that
 * llama.cpp's `llama` architecture loads.
 *
 * The config comes from the graph: the width, vocabulary and layer count
 * from the constants' shapes, heads and head size from an attention node,
 * RoPE base and layout from a rope node, epsilon from an rmsnorm node, the
 * context from max_seq.  The tensors are the model's own constants, found by
 * their source names (the Hugging Face names the llama family reads; rows of
 * ir/gguf_llama.def give llama.cpp's names), so the passes that ran do not
 * change the file.  Each is written F32, or F16 / BF16 where it was F16 / BF16
 * in the file it came from (Value.source_type: exact, the f32 data holds those
 * values); quantized sources are written dequantized, F32.  llama.cpp's RoPE
 * rotates adjacent pairs: a graph with RoPE on halves (Hugging Face) gets the
 * rows of attn_q / attn_k permuted as llama.cpp's converter does; a graph
 * with interleaved RoPE (from a GGUF or llama2.c) has them in that order already.
 * The tokenizer.* metadata of a GGUF input is copied through as it was
 * written (Graph.gguf_kv); otherwise tokenizer.ggml.model is "no_vocab".
 * The output is deterministic.
 */
#include "codegen.h"

#include <string.h>

#define ALIGNMENT 32
enum { T_F32 = 0, T_F16 = 1, T_BF16 = 30 };               /* ggml tensor types */
enum { V_U32 = 4, V_F32 = 6, V_STRING = 8 };              /* GGUF metadata value types */
enum { FILE_F32 = 0, FILE_F16 = 1, FILE_BF16 = 32 };      /* general.file_type */

typedef struct {
  const char *gguf, *hf;
  bool optional;
} Row;

static const Row rows[] = {
#define X(gguf, hf, r, c, optional) {gguf, hf, optional},
#include "gguf_llama.def"
#undef X
};
enum { N_ROWS = sizeof rows / sizeof rows[0] };

/* What llama.cpp's metadata needs, read off the graph. */
typedef struct {
  int64_t layers, dim, hidden, heads, kv_heads, head_dim, ctx, vocab;
  double eps, theta;
  RopeStyle style;
} Facts;

/* One tensor to write. */
typedef struct {
  const char *name;       /* GGUF name */
  const Value *v;
  int type;               /* T_F32 | T_F16 | T_BF16 */
  int permute_heads;      /* > 0: permute rows for llama.cpp's RoPE, with this many heads */
  uint64_t offset;        /* in the data area */
} Out;

/* ---- little-endian output ---- */

static void put_le(Buf *b, uint64_t v, int bytes) {
  unsigned char p[8];
  for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
  buf_append(b, p, (size_t)bytes);
}

static void put_str(Buf *b, const char *s) {
  put_le(b, strlen(s), 8);
  buf_puts(b, s);
}

static void kv_u32(Buf *b, const char *key, int64_t v) {
  put_str(b, key);
  put_le(b, V_U32, 4);
  put_le(b, (uint64_t)v, 4);
}

static void kv_f32(Buf *b, const char *key, double v) {
  float f = (float)v;
  uint32_t bits;
  memcpy(&bits, &f, 4);
  put_str(b, key);
  put_le(b, V_F32, 4);
  put_le(b, bits, 4);
}

static void kv_string(Buf *b, const char *key, const char *v) {
  put_str(b, key);
  put_le(b, V_STRING, 4);
  put_str(b, v);
}

static void pad(Buf *b) {
  static const char zeros[ALIGNMENT];
  buf_append(b, zeros, (ALIGNMENT - b->len % ALIGNMENT) % ALIGNMENT);
}

/* ---- half precision (round to nearest even; exact for values that came from it) ---- */

static uint16_t f32_to_f16(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  uint32_t sign = x >> 16 & 0x8000, exp = x >> 23 & 255, man = x & 0x7FFFFF;
  if (exp == 255) return (uint16_t)(sign | 0x7C00 | (man ? 0x200 | man >> 13 : 0));
  int e = (int)exp - 127 + 15;
  if (e >= 31) return (uint16_t)(sign | 0x7C00);             /* overflow: infinity */
  if (e <= 0) {                                              /* subnormal or zero */
    if (e < -10) return (uint16_t)sign;
    man |= 0x800000;
    int shift = 14 - e;
    uint32_t h = man >> shift, rest = man & ((1u << shift) - 1), half = 1u << (shift - 1);
    return (uint16_t)(sign | (h + (rest > half || (rest == half && (h & 1)))));
  }
  uint32_t h = (uint32_t)e << 10 | man >> 13, rest = man & 0x1FFF;
  return (uint16_t)(sign | (h + (rest > 0x1000 || (rest == 0x1000 && (h & 1)))));
}

static uint16_t f32_to_bf16(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  if ((x & 0x7FFFFFFF) > 0x7F800000) return (uint16_t)(x >> 16 | 0x40);   /* NaN stays NaN */
  return (uint16_t)((x + 0x7FFF + (x >> 16 & 1)) >> 16);
}

/* ---- the graph ---- */

static const Value *find_const(const Graph *g, const char *source) {
  for (int i = 0; i < g->n_values; i++)
    if (g->values[i]->is_const && g->values[i]->source && !strcmp(g->values[i]->source, source))
      return g->values[i];
  return NULL;
}

static const Value *layer_const(const Graph *g, const char *pattern, int layer) {
  char name[256];
  snprintf(name, sizeof name, pattern, layer);
  return find_const(g, name);
}

/* The first node of op, live or not (its attributes are the model's). */
static const Node *find_node(const Graph *g, Op op) {
  for (int i = 0; i < g->n_nodes; i++)
    if (g->nodes[i]->op == op) return g->nodes[i];
  return NULL;
}

static int not_llama(const Graph *g, const char *what) {
  diag_error(diag_loc(g->source, 0, 0), "--emit=gguf writes Llama models as tfc's llama family "
             "builds them; this graph has no %s", what);
  return -1;
}

static int read_facts(const Graph *g, Facts *f) {
  const Value *embed = find_const(g, "model.embed_tokens.weight");
  const Value *gate = find_const(g, "model.layers.0.mlp.gate_proj.weight");
  const Node *att = find_node(g, OP_ATTENTION), *rope = find_node(g, OP_ROPE),
             *norm = find_node(g, OP_RMSNORM);
  if (!embed || embed->shape.rank != 2) return not_llama(g, "model.embed_tokens.weight");
  if (!gate) return not_llama(g, "model.layers.0.mlp.gate_proj.weight");
  if (!att || !rope || !norm) return not_llama(g, "attention, rope and rmsnorm nodes");
  *f = (Facts){.vocab = embed->shape.dim[0], .dim = embed->shape.dim[1],
               .hidden = gate->shape.dim[0], .heads = att->attrs.heads,
               .kv_heads = att->attrs.kv_heads, .head_dim = att->attrs.head_dim,
               .ctx = g->max_seq, .eps = norm->attrs.eps, .theta = rope->attrs.rope_theta,
               .style = rope->attrs.rope_style};
  while (layer_const(g, "model.layers.%d.input_layernorm.weight", (int)f->layers)) f->layers++;
  return 0;
}

static int tensor_type(const Value *v) {
  if (v->source_type && !strcmp(v->source_type, "F16")) return T_F16;
  if (v->source_type && !strcmp(v->source_type, "BF16")) return T_BF16;
  return T_F32;
}

/* Every tensor of rows, per layer, in order; offsets aligned.  -1 after a diagnostic. */
static int collect(const Graph *g, const Facts *f, Out *out, int *n) {
  uint64_t offset = 0;
  *n = 0;
  for (int r = 0; r < N_ROWS; r++) {
    bool per_layer = strstr(rows[r].gguf, "%d") != NULL;
    for (int l = 0; l < (per_layer ? f->layers : 1); l++) {
      const Value *v = layer_const(g, rows[r].hf, l);
      if (!v && rows[r].optional) continue;
      if (!v) {
        char name[256];
        snprintf(name, sizeof name, rows[r].hf, l);
        return not_llama(g, name);
      }
      Out *o = &out[(*n)++];
      o->name = arena_printf(g->arena, rows[r].gguf, l);
      o->v = v;
      o->type = tensor_type(v);
      bool q = strstr(rows[r].gguf, "attn_q"), k = strstr(rows[r].gguf, "attn_k");
      o->permute_heads = f->style == ROPE_HALVES && (q || k) ? (int)(q ? f->heads : f->kv_heads) : 0;
      o->offset = offset;
      uint64_t bytes = (uint64_t)ir_numel(v->shape, 1) * (o->type == T_F32 ? 4 : 2);
      offset += (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
      if (!o->name) return -1;
    }
  }
  return 0;
}

/* ---- the file ---- */

static int file_type(const Out *out, int n) {
  int t = FILE_F32;
  for (int i = 0; i < n; i++)
    if (out[i].type != T_F32) t = out[i].type == T_F16 ? FILE_F16 : FILE_BF16;
  return t;
}

static int64_t metadata(const Graph *g, const Facts *f, const Out *out, int n, Buf *b) {
  kv_string(b, "general.architecture", "llama");
  kv_string(b, "general.name", g->name);
  kv_u32(b, "general.file_type", file_type(out, n));
  kv_u32(b, "llama.context_length", f->ctx);
  kv_u32(b, "llama.embedding_length", f->dim);
  kv_u32(b, "llama.block_count", f->layers);
  kv_u32(b, "llama.feed_forward_length", f->hidden);
  kv_u32(b, "llama.rope.dimension_count", f->head_dim);
  kv_u32(b, "llama.attention.head_count", f->heads);
  kv_u32(b, "llama.attention.head_count_kv", f->kv_heads);
  kv_f32(b, "llama.attention.layer_norm_rms_epsilon", f->eps);
  kv_f32(b, "llama.rope.freq_base", f->theta);
  kv_u32(b, "llama.vocab_size", f->vocab);
  if (g->gguf_kv) {
    buf_append(b, g->gguf_kv, g->gguf_kv_bytes);
    return 13 + g->gguf_kv_count;
  }
  kv_string(b, "tokenizer.ggml.model", "no_vocab");
  return 14;
}

static void tensor_info(Buf *b, const Out *o) {
  put_str(b, o->name);
  put_le(b, (uint64_t)o->v->shape.rank, 4);
  for (int d = o->v->shape.rank - 1; d >= 0; d--) put_le(b, (uint64_t)o->v->shape.dim[d], 8);
  put_le(b, (uint64_t)o->type, 4);
  put_le(b, o->offset, 8);
}

/* Row r of the output: the source row llama.cpp's permute puts there. */
static int64_t source_row(const Out *o, int64_t r) {
  if (!o->permute_heads) return r;
  int64_t hd = o->v->shape.dim[0] / o->permute_heads, h = r / hd, i = r % hd;
  return h * hd + (i % 2) * (hd / 2) + i / 2;
}

static void tensor_data(Buf *b, const Out *o) {
  const float *x = o->v->data;
  int64_t rows = o->v->shape.rank == 2 ? o->v->shape.dim[0] : 1;
  int64_t cols = ir_numel(o->v->shape, 1) / rows;
  for (int64_t r = 0; r < rows; r++) {
    const float *row = x + source_row(o, r) * cols;
    if (o->type == T_F32) buf_append(b, row, sizeof(float) * (size_t)cols);
    for (int64_t c = 0; o->type != T_F32 && c < cols; c++)
      put_le(b, o->type == T_F16 ? f32_to_f16(row[c]) : f32_to_bf16(row[c]), 2);
  }
  pad(b);
}

int cg_emit_gguf(const Graph *g, Buf *out) {
  Facts f;
  if (read_facts(g, &f)) return -1;
  Out *t = arena_alloc(g->arena, sizeof(Out) * (size_t)(N_ROWS * (f.layers + 1)));
  int n;
  if (!t || collect(g, &f, t, &n)) return -1;
  Buf kv = {0};
  int64_t n_kv = metadata(g, &f, t, n, &kv);
  buf_append(out, "GGUF", 4);
  put_le(out, 3, 4);
  put_le(out, (uint64_t)n, 8);
  put_le(out, (uint64_t)n_kv, 8);
  buf_append(out, kv.data, kv.len);
  buf_free(&kv);
  for (int i = 0; i < n; i++) tensor_info(out, &t[i]);
  pad(out);
  for (int i = 0; i < n; i++) tensor_data(out, &t[i]);
  return 0;
}
