/*
 * gguf_model.c — a model from a GGUF file: `tfc model.gguf`, or a model.yaml
 * whose weights are a .gguf (weights_format: gguf).
 *
 * The metadata gives the architecture (general.architecture: llama or gpt2)
 * and its config: ARCH.block_count, embedding_length, feed_forward_length,
 * attention.head_count(_kv), context_length, rope.freq_base,
 * attention.layer_norm_(rms_)epsilon; the vocabulary is the length of
 * tokenizer.ggml.tokens (else ARCH.vocab_size, else the embedding's rows).
 * A model.yaml may shorten the context (config: {context_length: N}, at most
 * the file's), and set nothing else.
 * Each tensor the family needs is checked against that config here, under
 * its GGUF name and with its byte offset, and entered into an FeWeights
 * table under its Hugging Face name, pointing into the mapping (quantized
 * types are dequantized to f32 when the builder looks them up); then the
 * family's builder (llama.c, gpt2.c) builds the graph as for any checkpoint.
 *
 * Layouts.  llama.cpp's converter permutes the rows of attn_q and attn_k so
 * that its RoPE can rotate adjacent pairs; tfc keeps those rows as stored and
 * uses RoPE on interleaved pairs (ROPE_INTERLEAVED, as for llama2.c), which
 * computes the same attention as HF's rotate-half on the original rows.
 * GPT-2's linears are stored [out, in] in GGUF and [in, out] (Conv1D) in HF,
 * so they are transposed into the arena.  A GPT-2 GGUF's output.weight must
 * equal token_embd.weight (GPT-2's head is tied).
 */
#include "frontend.h"

#include <stdlib.h>
#include <string.h>

/* The sizes a tensor's dimensions are checked against. */
typedef enum { D_ONE, D_DIM, D_3DIM, D_KV, D_HIDDEN, D_VOCAB, D_CTX } DimKind;

typedef struct {
  int64_t dim, hidden, n_layers, n_heads, n_kv_heads, vocab, ctx;
} GgufDims;

/* One tensor: its GGUF name ("blk.%d." per layer), its HF name, its shape
 * row-major as stored (rows D_ONE: a vector), whether HF stores it transposed,
 * whether it may be absent. */
typedef struct {
  const char *gguf, *hf;
  DimKind rows, cols;
  bool transpose, optional;
} TensorMap;

static const TensorMap llama_tensors[] = {
#define X(gguf, hf, rows, cols, optional) {gguf, hf, rows, cols, false, optional},
#include "gguf_llama.def"
#undef X
    {NULL, NULL, D_ONE, D_ONE, false, false},
};

static const TensorMap gpt2_tensors[] = {
    {"token_embd.weight", "wte.weight", D_VOCAB, D_DIM, false, false},
    {"position_embd.weight", "wpe.weight", D_CTX, D_DIM, false, false},
    {"output_norm.weight", "ln_f.weight", D_ONE, D_DIM, false, false},
    {"output_norm.bias", "ln_f.bias", D_ONE, D_DIM, false, false},
    {"blk.%d.attn_norm.weight", "h.%d.ln_1.weight", D_ONE, D_DIM, false, false},
    {"blk.%d.attn_norm.bias", "h.%d.ln_1.bias", D_ONE, D_DIM, false, false},
    {"blk.%d.attn_qkv.weight", "h.%d.attn.c_attn.weight", D_3DIM, D_DIM, true, false},
    {"blk.%d.attn_qkv.bias", "h.%d.attn.c_attn.bias", D_ONE, D_3DIM, false, false},
    {"blk.%d.attn_output.weight", "h.%d.attn.c_proj.weight", D_DIM, D_DIM, true, false},
    {"blk.%d.attn_output.bias", "h.%d.attn.c_proj.bias", D_ONE, D_DIM, false, false},
    {"blk.%d.ffn_norm.weight", "h.%d.ln_2.weight", D_ONE, D_DIM, false, false},
    {"blk.%d.ffn_norm.bias", "h.%d.ln_2.bias", D_ONE, D_DIM, false, false},
    {"blk.%d.ffn_up.weight", "h.%d.mlp.c_fc.weight", D_HIDDEN, D_DIM, true, false},
    {"blk.%d.ffn_up.bias", "h.%d.mlp.c_fc.bias", D_ONE, D_HIDDEN, false, false},
    {"blk.%d.ffn_down.weight", "h.%d.mlp.c_proj.weight", D_DIM, D_HIDDEN, true, false},
    {"blk.%d.ffn_down.bias", "h.%d.mlp.c_proj.bias", D_ONE, D_DIM, false, false},
    {NULL, NULL, D_ONE, D_ONE, false, false},
};

static int64_t size_of(const GgufDims *d, DimKind k) {
  switch (k) {
  case D_ONE: return 1;
  case D_DIM: return d->dim;
  case D_3DIM: return 3 * d->dim;
  case D_KV: return d->dim / d->n_heads * d->n_kv_heads;
  case D_HIDDEN: return d->hidden;
  case D_VOCAB: return d->vocab;
  case D_CTX: return d->ctx;
  }
  TFC_UNREACHABLE();
}

/* ---- the config from the metadata ---- */

/* fe_gguf_int on the key "ARCH.key" (formatted here: no allocation to fail). */
static int arch_int(const GgufFile *f, const char *arch, const char *key, int64_t def,
                    int64_t min, int64_t max, int64_t *out) {
  char full[128];
  snprintf(full, sizeof full, "%s.%s", arch, key);
  return fe_gguf_int(f, full, def, min, max, out);
}

/* The key's value offset for messages (the file's start when absent). */
static size_t key_offset(const GgufFile *f, const char *key) {
  const GgufValue *v = fe_gguf_get(f, key);
  return v ? v->offset : 0;
}

static int vocab_size(const FeModel *m, const GgufFile *f, const char *arch, GgufDims *d) {
  const GgufValue *tokens;
  if (fe_gguf_array(f, "tokenizer.ggml.tokens", GGUF_STRING, false, &tokens)) return -1;
  if (tokens) {
    if (tokens->n < 1 || tokens->n > (uint64_t)FE_MAX_DIM) {
      diag_error(diag_loc(f->path, 0, 0), "tokenizer.ggml.tokens holds %llu tokens (tfc reads 1 "
                 "to %lld) at byte %zu", (unsigned long long)tokens->n, (long long)FE_MAX_DIM,
                 tokens->offset);
      return -1;
    }
    d->vocab = (int64_t)tokens->n;
    return 0;
  }
  const GgufTensor *embd = fe_gguf_tensor(f, "token_embd.weight");
  int64_t rows = embd && embd->n_dims == 2 && embd->ne[1] <= FE_MAX_DIM ? embd->ne[1] : 1;
  return arch_int(f, arch, "vocab_size", rows, 1, FE_MAX_DIM, &d->vocab);
}

/* Heads divide the width (and kv heads the heads), at the head count's offset. */
static int check_heads(const FeModel *m, const GgufFile *f, const char *arch, const GgufDims *d,
                       bool even_head) {
  char key[128];
  snprintf(key, sizeof key, "%s.attention.head_count", arch);
  size_t at = key_offset(f, key);
  const char *why = d->dim % d->n_heads ? "does not divide the embedding length"
                    : d->n_kv_heads > d->n_heads || d->n_heads % d->n_kv_heads
                        ? "is not a multiple of the key/value head count"
                    : even_head && (d->dim / d->n_heads) % 2 ? "gives an odd head size (RoPE needs pairs)"
                                                            : NULL;
  if (!why) return 0;
  diag_error(diag_loc(f->path, 0, 0), "%s.attention.head_count %lld %s (embedding length %lld, "
             "%lld key/value heads) at byte %zu", arch, (long long)d->n_heads, why,
             (long long)d->dim, (long long)d->n_kv_heads, at);
  return -1;
}

static int read_dims(const FeModel *m, const GgufFile *f, const char *arch, GgufDims *d) {
  if (arch_int(f, arch, "block_count", FE_REQUIRED, 1, FE_MAX_LAYERS, &d->n_layers) ||
      arch_int(f, arch, "embedding_length", FE_REQUIRED, 1, FE_MAX_DIM, &d->dim) ||
      arch_int(f, arch, "feed_forward_length", FE_REQUIRED, 1, FE_MAX_DIM,
                  &d->hidden) ||
      arch_int(f, arch, "attention.head_count", FE_REQUIRED, 1, FE_MAX_DIM,
                  &d->n_heads) ||
      arch_int(f, arch, "attention.head_count_kv", d->n_heads, 1, FE_MAX_DIM,
                  &d->n_kv_heads) ||
      arch_int(f, arch, "context_length", FE_REQUIRED, 1, FE_MAX_DIM, &d->ctx))
    return -1;
  if (m->cfg.map && fe_config_int(&m->cfg, "context_length", d->ctx, 1, d->ctx, &d->ctx)) return -1;
  return vocab_size(m, f, arch, d);
}

/* ---- tensors ---- */

/* "blk.%d.attn_q.weight" with layer filled in. */
static const char *layer_name(Arena *a, const char *pattern, int layer) {
  return strstr(pattern, "%d") ? arena_printf(a, pattern, layer) : arena_strdup(a, pattern);
}

static WeightType weight_type(int id) {
  const GgufTypeInfo *ti = fe_gguf_type(id);
  if (id == 0) return WT_F32;
  if (id == 1) return WT_F16;
  if (id == 30) return WT_BF16;
  return ti && ti->dequant ? WT_GGUF : WT_OTHER;
}

/* [rows, cols] as written: "[576, 192]" (a vector: "[576]"). */
static const char *shape_str(Arena *a, int64_t rows, int64_t cols, bool vector) {
  return vector ? arena_printf(a, "[%lld]", (long long)cols)
                : arena_printf(a, "[%lld, %lld]", (long long)rows, (long long)cols);
}

/* The tensor exists with the expected shape; error (GGUF name, byte offset) otherwise. */
static const GgufTensor *expect(const FeModel *m, const GgufFile *f, const char *name,
                                int64_t rows, int64_t cols, bool vector) {
  const GgufTensor *t = fe_gguf_tensor(f, name);
  if (!t) return diag_error(diag_loc(f->path, 0, 0), "tensor '%s' not found", name), NULL;
  bool fits = vector ? t->n_dims == 1 && t->ne[0] == cols
                     : t->n_dims == 2 && t->ne[0] == cols && t->ne[1] == rows;
  if (fits && weight_type(t->type) == WT_OTHER) {
    diag_error(diag_loc(f->path, 0, 0), "tensor '%s' has type %s, which tfc cannot read (it reads "
               "F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K) at byte %zu", name,
               fe_gguf_type(t->type)->name, t->info_offset);
    return NULL;
  }
  if (fits) return t;
  const char *found = t->n_dims == 1 ? shape_str(m->arena, 1, t->ne[0], true)
                      : t->n_dims == 2 ? shape_str(m->arena, t->ne[1], t->ne[0], false)
                                       : arena_printf(m->arena, "%d dimensions", t->n_dims);
  diag_error(diag_loc(f->path, 0, 0), "tensor '%s': expected %s, found %s at byte %zu", name,
             shape_str(m->arena, rows, cols, vector), found, t->info_offset);
  return NULL;
}

/* A GGUF [out, in] matrix as HF's Conv1D [in, out] f32, in the arena. */
static const float *transposed(Arena *a, const GgufTensor *t) {
  int64_t cols = t->ne[0], rows = t->ne[1];
  float *x = malloc(sizeof(float) * (size_t)(rows * cols));
  float *y = arena_alloc(a, sizeof(float) * (size_t)(rows * cols));
  bool ok = x && y && fe_gguf_dequantize(t->type, t->data, rows * cols, x) == 0;
  for (int64_t r = 0; ok && r < rows; r++)
    for (int64_t c = 0; c < cols; c++) y[c * rows + r] = x[r * cols + c];
  free(x);
  return ok ? y : NULL;
}

/* Fills the next entry of w with t under the name hf. */
static int enter(FeModel *m, FeWeights *w, const GgufTensor *t, const char *hf, bool transpose) {
  FeTensor *e = &w->tensors[w->n_tensors++];
  const GgufTypeInfo *ti = fe_gguf_type(t->type);
  e->name = hf;
  e->file = w->file;
  e->type = weight_type(t->type);
  e->type_name = ti->name;
  e->gguf_type = t->type;
  e->rank = t->n_dims;
  for (int i = 0; i < t->n_dims; i++) e->dim[i] = t->ne[t->n_dims - 1 - i];
  e->raw = t->data;
  if (!transpose) return 0;
  e->dim[0] = t->ne[0], e->dim[1] = t->ne[1];
  e->type = WT_F32, e->type_name = "F32";
  e->raw = e->data = transposed(m->arena, t);
  return e->data ? 0 : -1;
}

/* Checks and enters every tensor of table for every layer. */
static FeWeights *enter_all(FeModel *m, const GgufFile *f, const TensorMap *table,
                            const GgufDims *d) {
  int n = 0;
  for (const TensorMap *e = table; e->gguf; e++) n += strstr(e->gguf, "%d") ? (int)d->n_layers : 1;
  FeWeights *w = fe_weights_new(m->arena, f->path);
  if (!w || !(w->tensors = arena_alloc(m->arena, sizeof(FeTensor) * (size_t)n))) return NULL;
  for (const TensorMap *e = table; e->gguf; e++) {
    int layers = strstr(e->gguf, "%d") ? (int)d->n_layers : 1;
    for (int l = 0; l < layers; l++) {
      const char *name = layer_name(m->arena, e->gguf, l);
      if (!name) return NULL;
      if (e->optional && !fe_gguf_tensor(f, name)) continue;
      const GgufTensor *t = expect(m, f, name, size_of(d, e->rows), size_of(d, e->cols),
                                   e->rows == D_ONE);
      const char *hf = layer_name(m->arena, e->hf, l);
      if (!t || !hf || enter(m, w, t, hf, e->transpose)) return NULL;
    }
  }
  fe_weights_sort(w);
  return w;
}

/* ---- the architectures ---- */

/* What the llama family does not implement must be absent or at its plain value:
 * RoPE scaling, mixtures of experts, head sizes other than width / heads. */
static int check_plain_llama(const GgufFile *f, int64_t head_dim) {
  const char *scaling, *unsupported = NULL;
  int64_t experts, len;
  if (fe_gguf_string(f, "llama.rope.scaling.type", "none", &scaling) ||
      fe_gguf_int(f, "llama.expert_count", 0, 0, 0, &experts) ||
      fe_gguf_int(f, "llama.rope.dimension_count", head_dim, head_dim, head_dim, &len) ||
      fe_gguf_int(f, "llama.attention.key_length", head_dim, head_dim, head_dim, &len) ||
      fe_gguf_int(f, "llama.attention.value_length", head_dim, head_dim, head_dim, &len))
    return -1;
  if (strcmp(scaling, "none")) unsupported = "llama.rope.scaling.type";
  const GgufTensor *freqs = fe_gguf_tensor(f, "rope_freqs.weight");
  size_t at = unsupported ? fe_gguf_get(f, unsupported)->offset : freqs ? freqs->info_offset : 0;
  if (!unsupported && !freqs) return 0;
  diag_error(diag_loc(f->path, 0, 0), "%s (RoPE scaling) is not supported at byte %zu",
             unsupported ? "llama.rope.scaling.type" : "tensor 'rope_freqs.weight'", at);
  return -1;
}

static int build_llama(FeModel *m, const GgufFile *f) {
  GgufDims d = {0};
  double eps, theta;
  if (read_dims(m, f, "llama", &d) || check_heads(m, f, "llama", &d, true) ||
      check_plain_llama(f, d.dim / d.n_heads) ||
      fe_gguf_float(f, "llama.attention.layer_norm_rms_epsilon", FE_REQUIRED_F, 0, 1, &eps) ||
      fe_gguf_float(f, "llama.rope.freq_base", 10000.0, 1e-6, 1e300, &theta))
    return -1;
  FeLlamaDims ld = {.dim = d.dim, .hidden_dim = d.hidden, .n_layers = d.n_layers,
                    .n_heads = d.n_heads, .n_kv_heads = d.n_kv_heads, .vocab_size = d.vocab,
                    .max_seq = d.ctx, .norm_eps = eps, .rope_theta = theta,
                    .rope_style = ROPE_INTERLEAVED, .tied = !fe_gguf_tensor(f, "output.weight")};
  if (fe_llama_check_dims(m, &ld, diag_loc(f->path, 0, 0))) return -1;
  m->weights = enter_all(m, f, llama_tensors, &d);
  return m->weights ? fe_llama_graph(m, &ld) : -1;
}

/* A config object for gpt2.c, key by key. */
static bool config_number(FeModel *m, Doc *cfg, int *cap, const char *key, double x, bool integer) {
  Doc *v = arena_alloc(m->arena, sizeof(Doc));
  if (!v) return false;
  *v = (Doc){.kind = DOC_NUMBER, .loc = cfg->loc, .number = x, .is_integer = integer,
             .integer = (int64_t)x};
  return fe_doc_append(m->arena, cfg, cap, v, key, cfg->loc);
}

/* GPT-2's head is tied: a stored output.weight must be token_embd's bytes. */
static int check_gpt2_head(const GgufFile *f) {
  const GgufTensor *out = fe_gguf_tensor(f, "output.weight"), *wte = fe_gguf_tensor(f, "token_embd.weight");
  if (!out || (wte && out->type == wte->type && out->bytes == wte->bytes &&
               !memcmp(out->data, wte->data, out->bytes)))
    return 0;
  diag_error(diag_loc(f->path, 0, 0), "tensor 'output.weight' differs from token_embd.weight, "
             "but GPT-2's head is tied (tfc reads no separate head) at byte %zu", out->info_offset);
  return -1;
}

static int build_gpt2(FeModel *m, const GgufFile *f) {
  GgufDims d = {0};
  double eps;
  if (read_dims(m, f, "gpt2", &d) || check_heads(m, f, "gpt2", &d, false) ||
      fe_gguf_float(f, "gpt2.attention.layer_norm_epsilon", FE_REQUIRED_F, 0, 1, &eps) ||
      check_gpt2_head(f))
    return -1;
  if (d.n_kv_heads != d.n_heads) {
    diag_error(diag_loc(f->path, 0, 0), "gpt2.attention.head_count_kv %lld differs from its %lld "
               "heads (GPT-2 has no grouped-query attention) at byte %zu", (long long)d.n_kv_heads,
               (long long)d.n_heads, key_offset(f, "gpt2.attention.head_count_kv"));
    return -1;
  }
  Doc *cfg = arena_alloc(m->arena, sizeof(Doc));
  int cap = 0;
  if (!cfg) return -1;
  *cfg = (Doc){.kind = DOC_OBJECT, .loc = diag_loc(f->path, 0, 0)};
  if (!config_number(m, cfg, &cap, "vocab_size", (double)d.vocab, true) ||
      !config_number(m, cfg, &cap, "n_positions", (double)d.ctx, true) ||
      !config_number(m, cfg, &cap, "n_embd", (double)d.dim, true) ||
      !config_number(m, cfg, &cap, "n_layer", (double)d.n_layers, true) ||
      !config_number(m, cfg, &cap, "n_head", (double)d.n_heads, true) ||
      !config_number(m, cfg, &cap, "n_inner", (double)d.hidden, true) ||
      !config_number(m, cfg, &cap, "layer_norm_epsilon", eps, false))
    return -1;
  m->cfg = (FeConfig){cfg, cfg->loc, NULL};
  m->weights = enter_all(m, f, gpt2_tensors, &d);
  return m->weights ? fe_build_gpt2(m) : -1;
}

/* The tokenizer.* pairs, as written, for --emit=gguf to copy through. */
static int keep_tokenizer(FeModel *m, const GgufFile *f) {
  Buf b = {0};
  int64_t n = 0;
  for (int64_t i = 0; i < f->n_kvs; i++)
    if (!strncmp(f->kvs[i].key, "tokenizer.", 10)) {
      buf_append(&b, f->map + f->kvs[i].offset, f->kvs[i].end - f->kvs[i].offset);
      n++;
    }
  unsigned char *copy = b.len ? arena_alloc(m->arena, b.len) : NULL;
  if (b.len && !copy) return buf_free(&b), -1;
  if (b.len) memcpy(copy, b.data, b.len);
  m->g->gguf_kv = copy, m->g->gguf_kv_bytes = b.len, m->g->gguf_kv_count = n;
  buf_free(&b);
  return 0;
}

int fe_build_gguf(FeModel *m) {
  GgufFile *f = m->gguf ? m->gguf : fe_gguf_open(m->arena, m->weights_path);
  const char *arch;
  m->gguf = f;   /* kept for later readers of the metadata (the tokenizer) */
  if (!f || fe_gguf_string(f, "general.architecture", NULL, &arch)) return -1;
  bool known = !strcmp(arch, "llama") || !strcmp(arch, "gpt2");
  if (!known || strcmp(arch, m->g->family)) {
    diag_error(diag_loc(f->path, 0, 0), "general.architecture '%s' %s at byte %zu", arch,
               !known ? "is not supported (tfc reads llama and gpt2)"
                      : "does not match the model's family",
               key_offset(f, "general.architecture"));
    return -1;
  }
  for (int i = 0; m->cfg.map && i < m->cfg.map->n; i++)
    if (strcmp(m->cfg.map->keys[i], "context_length")) {
      diag_error(m->cfg.map->key_locs[i], "a GGUF model takes its config from its metadata; "
                 "'config:' may only set context_length (a shorter context), not '%s'",
                 m->cfg.map->keys[i]);
      return -1;
    }
  if (keep_tokenizer(m, f)) return -1;
  return !strcmp(arch, "llama") ? build_llama(m, f) : build_gpt2(m, f);
}
