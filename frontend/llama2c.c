/*
 * llama2c.c — llama2.c checkpoints (weights_format: llama2c).
 *
 * The format (karpathy/llama2.c, export.py "legacy" version 0): a header of
 * seven little-endian int32
 *
 *     dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
 *
 * (a negative vocab_size means the classifier is stored separately), then
 * float32 tensors in this order: token embedding [vocab, dim]; rms_att [L, dim];
 * wq [L, dim, dim]; wk, wv [L, kv_dim, dim]; wo [L, dim, dim]; rms_ffn [L, dim];
 * w1 [L, hidden, dim]; w2 [L, dim, hidden]; w3 [L, hidden, dim]; rms_final
 * [dim]; two legacy RoPE tables [seq_len, head_size / 2] (skipped); and wcls
 * [vocab, dim] when not shared.
 *
 * The file is mapped (fe_map_file) and every tensor is entered, under its HF
 * name, into an FeWeights table that points into the mapping (no copies);
 * then llama.c builds the graph as for any Llama, with run.c's semantics:
 * RMSNorm eps 1e-5 and RoPE on interleaved pairs with base 10000.  A model.yaml
 * may omit `config:`; keys it does give must agree with the header
 * (rms_norm_eps and rope_theta may be set).
 */
#include "frontend.h"

#include <string.h>

#define HEADER_BYTES 28

/* The seven header fields, by their names in llama2.c's Config. */
static const char *const header_names[7] = {"dim", "hidden_dim", "n_layers", "n_heads",
                                            "n_kv_heads", "vocab_size", "seq_len"};

/* One kind of tensor in file order: HF name (with %d for the layer), whether
 * there is one per layer, and its rows x cols by dimension. */
typedef enum { D_ONE, D_DIM, D_KV, D_HIDDEN, D_VOCAB, D_SEQ, D_HALF_HEAD } DimKind;
typedef struct {
  const char *name;     /* NULL: a legacy table, skipped */
  bool per_layer;
  DimKind rows, cols;
} Section;

static const Section sections[] = {
    {"model.embed_tokens.weight", false, D_VOCAB, D_DIM},
    {"model.layers.%d.input_layernorm.weight", true, D_ONE, D_DIM},
    {"model.layers.%d.self_attn.q_proj.weight", true, D_DIM, D_DIM},
    {"model.layers.%d.self_attn.k_proj.weight", true, D_KV, D_DIM},
    {"model.layers.%d.self_attn.v_proj.weight", true, D_KV, D_DIM},
    {"model.layers.%d.self_attn.o_proj.weight", true, D_DIM, D_DIM},
    {"model.layers.%d.post_attention_layernorm.weight", true, D_ONE, D_DIM},
    {"model.layers.%d.mlp.gate_proj.weight", true, D_HIDDEN, D_DIM},
    {"model.layers.%d.mlp.down_proj.weight", true, D_DIM, D_HIDDEN},
    {"model.layers.%d.mlp.up_proj.weight", true, D_HIDDEN, D_DIM},
    {"model.norm.weight", false, D_ONE, D_DIM},
    {NULL, false, D_SEQ, D_HALF_HEAD},   /* freq_cis_real */
    {NULL, false, D_SEQ, D_HALF_HEAD},   /* freq_cis_imag */
    {"lm_head.weight", false, D_VOCAB, D_DIM},  /* only when not shared */
};
enum { N_SECTIONS = sizeof sections / sizeof sections[0] };

static int64_t dim_of(const FeLlamaDims *d, DimKind k) {
  switch (k) {
  case D_ONE: return 1;
  case D_DIM: return d->dim;
  case D_KV: return d->dim / d->n_heads * d->n_kv_heads;
  case D_HIDDEN: return d->hidden_dim;
  case D_VOCAB: return d->vocab_size;
  case D_SEQ: return d->max_seq;
  case D_HALF_HEAD: return d->dim / d->n_heads / 2;
  }
  TFC_UNREACHABLE();
}

/* Floats one section occupies in the file. */
static int64_t section_floats(const FeLlamaDims *d, const Section *s) {
  return (s->per_layer ? d->n_layers : 1) * dim_of(d, s->rows) * dim_of(d, s->cols);
}

static int32_t read_le32(const unsigned char *p) {
  return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                   (uint32_t)p[3] << 24);
}

/* Reads and range-checks the header into d. */
static int read_header(const unsigned char *p, Loc loc, FeLlamaDims *d) {
  int64_t h[7];
  for (int i = 0; i < 7; i++) {
    h[i] = read_le32(p + 4 * i);
    int64_t v = i == 5 && h[i] < 0 ? -h[i] : h[i];
    int64_t max = i == 2 ? FE_MAX_LAYERS : FE_MAX_DIM;
    if (v < 1 || v > max) {
      diag_error(loc, "llama2.c header field '%s' is %lld; it must be in [1, %lld]",
                 header_names[i], (long long)h[i], (long long)max);
      return -1;
    }
  }
  *d = (FeLlamaDims){.dim = h[0], .hidden_dim = h[1], .n_layers = h[2], .n_heads = h[3],
                     .n_kv_heads = h[4], .vocab_size = h[5] < 0 ? -h[5] : h[5],
                     .max_seq = h[6], .norm_eps = 1e-5, .rope_theta = 10000.0,
                     .rope_style = ROPE_INTERLEAVED, .tied = h[5] > 0};
  return 0;
}

/* Config keys given in model.yaml must agree with the header; eps and theta may be set. */
static int check_config(FeModel *m, FeLlamaDims *d) {
  static const char *const keys[] = {"hidden_size", "intermediate_size", "num_hidden_layers",
                                     "num_attention_heads", "num_key_value_heads", "vocab_size",
                                     "max_position_embeddings"};
  const int64_t header[] = {d->dim, d->hidden_dim, d->n_layers, d->n_heads,
                            d->n_kv_heads, d->vocab_size, d->max_seq};
  if (!m->cfg.map) return 0;
  for (int i = 0; i < 7; i++) {
    int64_t v;
    if (fe_config_int(&m->cfg, keys[i], header[i], 1, FE_MAX_DIM, &v)) return -1;
    if (v != header[i]) {
      diag_error(m->cfg.loc, "config key '%s' is %lld but the llama2.c header says %lld", keys[i],
                 (long long)v, (long long)header[i]);
      return -1;
    }
  }
  return fe_config_float(&m->cfg, "rms_norm_eps", d->norm_eps, 0, 1, &d->norm_eps) ||
                 fe_config_float(&m->cfg, "rope_theta", d->rope_theta, 1e-6, 1e300, &d->rope_theta)
             ? -1 : 0;
}

/* Checks that the file holds exactly the tensors the header announces. */
static int check_size(const FeLlamaDims *d, size_t size, Loc loc) {
  int64_t floats = 0;
  for (int i = 0; i < N_SECTIONS - (d->tied ? 1 : 0); i++)
    floats += section_floats(d, &sections[i]);
  int64_t want = HEADER_BYTES + 4 * floats;
  if ((int64_t)size < want) {
    diag_error(loc, "truncated llama2.c checkpoint: the header announces %lld bytes, found %zu",
               (long long)want, size);
    return -1;
  }
  if ((int64_t)size > want) {
    diag_error(loc, "llama2.c checkpoint has %lld bytes after the tensors its header announces",
               (long long)((int64_t)size - want));
    return -1;
  }
  return 0;
}

/* Enters every tensor into a weights table, pointing into the mapping. */
static FeWeights *enter_tensors(FeModel *m, const FeLlamaDims *d, const unsigned char *p) {
  FeWeights *w = fe_weights_new(m->arena, m->weights_path);
  const float *at = (const float *)(p + HEADER_BYTES);
  for (int i = 0; w && i < N_SECTIONS; i++) {
    const Section *s = &sections[i];
    if (i == N_SECTIONS - 1 && d->tied) break;
    int64_t rows = dim_of(d, s->rows), cols = dim_of(d, s->cols);
    Shape shape = rows == 1 ? ir_shape(1, cols) : ir_shape(2, rows, cols);
    for (int l = 0; l < (s->per_layer ? d->n_layers : 1); l++, at += rows * cols) {
      if (!s->name) continue;
      const char *name = arena_printf(m->arena, s->name, l);
      if (!name || fe_weights_add(m->arena, w, name, shape, at)) return NULL;
    }
  }
  if (w) fe_weights_sort(w);
  return w;
}

int fe_build_llama2c(FeModel *m) {
  static const FeFileErrors errors = {
      "cannot open llama2.c checkpoint",
      "truncated llama2.c checkpoint: %zu bytes, the header alone needs %zu",
      "cannot map llama2.c checkpoint"};
  Loc loc = diag_loc(m->weights_path, 0, 0);
  size_t size;
  FeLlamaDims d;
  if (strcmp(m->g->family, "llama") != 0) {
    diag_error(m->loc, "weights_format: llama2c holds a Llama; the family must be llama");
    return -1;
  }
  const unsigned char *p = fe_map_file(m->arena, m->weights_path, HEADER_BYTES, &errors, &size);
  if (!p) return -1;
  if (read_header(p, loc, &d) || fe_llama_check_dims(m, &d, loc) || check_size(&d, size, loc) ||
      check_config(m, &d))
    return -1;
  m->weights = enter_tensors(m, &d, p);
  return m->weights ? fe_llama_graph(m, &d) : -1;
}
